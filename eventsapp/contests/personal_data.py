"""A person's contest data: what their data export lists and what erasing their account does to it.

Erasing follows these rules (the privacy page and README state them to the person):

- A person who leads a submitted entry cannot be erased: the team would be left without a leader in the
  middle of a contest. They withdraw the entry first (``erasure_refusals`` names the entries).
- Draft entries they lead are deleted, with their deck. Withdrawn entries they led stay for the record,
  without them on the team and without what they declared (their overseas experience).
- They leave every other team; invitations sent to their address are deleted; the invitations they sent
  and the score-sheet history they saved no longer point at them.
- A judge's role: draft sheets, assignments not yet scored and panel seats in rounds not closed go. A
  judge who submitted sheets stays on the contest, de-identified (no account, name, address, organization
  or school), so that results already computed or published keep their sheets; a judge who submitted
  nothing is removed from the contest with their conflicts. Declared conflicts of a kept judge stay
  (they explain past assignments), without the judge's free-text reason.
- Certificates are drawn from the team at download time, so a person no longer on a team has none.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, exists, or_, select, update
from sqlalchemy.orm import selectinload

from eventsapp import storage
from eventsapp.accounts.models import User
from eventsapp.contests.entries import deck_folder
from eventsapp.contests.models import (
    Award,
    ConflictOfInterest,
    ConflictSource,
    Contest,
    ContestJudge,
    Entry,
    EntryState,
    Panel,
    PanelMember,
    ReviewAssignment,
    Round,
    RoundState,
    ScoreSheet,
    ScoreSheetHistory,
    SheetState,
    TeamInvitation,
    TeamMember,
    TeamRole,
)
from eventsapp.extensions import db

ERASED_JUDGE_NAME = "—"


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _judges_of(user: User) -> list[ContestJudge]:
    """The person's judge roles: accepted (their account) or only invited (their address)."""
    return list(db.session.scalars(select(ContestJudge).where(
        or_(ContestJudge.user_id == user.id, ContestJudge.email == user.email.lower())).order_by(ContestJudge.id)))


def _memberships(user: User) -> list[TeamMember]:
    return list(db.session.scalars(
        select(TeamMember).where(TeamMember.user_id == user.id)
        .options(selectinload(TeamMember.entry).selectinload(Entry.contest).selectinload(Contest.event))
        .order_by(TeamMember.id)))


# --- Erasing --------------------------------------------------------------------------------------------

def erasure_refusals(user: User) -> list[Entry]:
    """The submitted entries the person leads: they withdraw them before their account can be deleted."""
    return [member.entry for member in _memberships(user)
            if member.role == TeamRole.LEADER and member.entry.state == EntryState.SUBMITTED]


def erase_contest_data(user: User) -> None:
    """Apply the rules above (the caller has checked ``erasure_refusals``). Flushes; the caller commits."""
    for member in _memberships(user):
        entry = member.entry
        if member.role == TeamRole.LEADER and entry.state == EntryState.DRAFT:
            if entry.deck_storage_name:
                storage.delete_after_commit(deck_folder() / entry.deck_storage_name, db.session())
            db.session.delete(entry)
            continue
        if member.role == TeamRole.LEADER:
            entry.overseas_experience = ""
        entry.members.remove(member)
    db.session.execute(update(Entry).where(Entry.created_by_id == user.id).values(created_by_id=None))
    db.session.execute(delete(TeamInvitation).where(TeamInvitation.email == user.email.lower()))
    db.session.execute(update(TeamInvitation).where(TeamInvitation.invited_by_id == user.id)
                       .values(invited_by_id=None))
    db.session.execute(update(TeamInvitation).where(TeamInvitation.accepted_by_id == user.id)
                       .values(accepted_by_id=None))
    db.session.execute(update(ScoreSheetHistory).where(ScoreSheetHistory.changed_by_id == user.id)
                       .values(changed_by_id=None))
    for judge in _judges_of(user):
        _leave_judging(judge)
    # A judge's badge is valid only while the judge row names its holder (badges.services): it no longer does.
    db.session.flush()


def _leave_judging(judge: ContestJudge) -> None:
    """End the judge's part in rounds still to be judged; keep them de-identified if they have submitted
    sheets, otherwise remove them."""
    not_closed = select(Round.id).where(Round.contest_id == judge.contest_id, Round.state != RoundState.CLOSED)
    db.session.execute(delete(ScoreSheet).where(ScoreSheet.judge_id == judge.id,
                                                ScoreSheet.state == SheetState.DRAFT)
                       .execution_options(synchronize_session=False))
    if not db.session.scalar(select(exists().where(ScoreSheet.judge_id == judge.id))):
        db.session.delete(judge)
        return
    scored = select(ScoreSheet.id).where(ScoreSheet.judge_id == judge.id,
                                         ScoreSheet.round_id == ReviewAssignment.round_id,
                                         ScoreSheet.entry_id == ReviewAssignment.entry_id)
    db.session.execute(delete(ReviewAssignment).where(
        ReviewAssignment.judge_id == judge.id, ReviewAssignment.round_id.in_(not_closed), ~scored.exists())
        .execution_options(synchronize_session=False))
    db.session.execute(delete(PanelMember).where(
        PanelMember.judge_id == judge.id,
        PanelMember.panel_id.in_(select(Panel.id).where(Panel.round_id.in_(not_closed))))
        .execution_options(synchronize_session=False))
    db.session.execute(update(ConflictOfInterest).where(ConflictOfInterest.judge_id == judge.id)
                       .values(reason="").execution_options(synchronize_session=False))
    judge.user_id = None
    judge.email = f"erased-judge-{judge.id}@invalid"
    judge.name = ERASED_JUDGE_NAME
    judge.organization = judge.school = ""
    judge.token_hash = None


# --- The data export ------------------------------------------------------------------------------------

def _event(contest: Contest) -> dict:
    event = contest.event
    return {"id": event.id, "slug": event.slug, "title_zh": event.title_zh, "title_en": event.title_en}


def _entries(user: User) -> list[dict]:
    return [{
        "contest": _event(member.entry.contest),
        "entry_id": member.entry.id, "role": member.role.value, "joined_at": _iso(member.accepted_at),
        "title_zh": member.entry.title_zh, "title_en": member.entry.title_en,
        "summary_zh": member.entry.summary_zh, "summary_en": member.entry.summary_en,
        "organization_name": member.entry.organization_name, "video_url": member.entry.video_url,
        "overseas_experience": member.entry.overseas_experience if member.role == TeamRole.LEADER else None,
        "deck_filename": member.entry.deck_filename, "state": member.entry.state.value,
        "submitted_at": _iso(member.entry.submitted_at), "withdrawn_at": _iso(member.entry.withdrawn_at),
    } for member in _memberships(user)]


def _invitations(user: User) -> list[dict]:
    invitations = db.session.scalars(
        select(TeamInvitation).where(TeamInvitation.email == user.email.lower())
        .options(selectinload(TeamInvitation.entry)).order_by(TeamInvitation.id))
    return [{"entry_id": invitation.entry_id, "title_zh": invitation.entry.title_zh,
             "title_en": invitation.entry.title_en, "email": invitation.email,
             "invited_at": _iso(invitation.created_at), "accepted_at": _iso(invitation.accepted_at),
             "revoked_at": _iso(invitation.revoked_at)} for invitation in invitations]


def _sheets(judge: ContestJudge) -> list[dict]:
    sheets = db.session.scalars(select(ScoreSheet).where(ScoreSheet.judge_id == judge.id)
                                .order_by(ScoreSheet.id)).all()
    rounds = {round_.id: round_ for round_ in db.session.scalars(
        select(Round).where(Round.id.in_({sheet.round_id for sheet in sheets})))}
    history = {}
    for row in db.session.scalars(select(ScoreSheetHistory).where(
            ScoreSheetHistory.sheet_id.in_([sheet.id for sheet in sheets]))
            .order_by(ScoreSheetHistory.sheet_id, ScoreSheetHistory.version)):
        history.setdefault(row.sheet_id, []).append({
            "version": row.version, "state": row.state.value, "points": row.points, "comments": row.comments,
            "comment": row.comment, "saved_at": _iso(row.created_at)})
    return [{"round_zh": rounds[sheet.round_id].name_zh, "round_en": rounds[sheet.round_id].name_en,
             "entry_id": sheet.entry_id,
             "state": sheet.state.value, "points": sheet.points, "comments": sheet.comments,
             "comment": sheet.comment, "submitted_at": _iso(sheet.submitted_at),
             "updated_at": _iso(sheet.updated_at), "history": history.get(sheet.id, [])} for sheet in sheets]


def _judging(user: User) -> list[dict]:
    result = []
    for judge in _judges_of(user):
        contest = db.session.get(Contest, judge.contest_id)
        conflicts = db.session.scalars(select(ConflictOfInterest).where(ConflictOfInterest.judge_id == judge.id)
                                       .order_by(ConflictOfInterest.id))
        result.append({
            "contest": _event(contest), "name": judge.name, "email": judge.email,
            "organization": judge.organization, "school": judge.school, "max_load": judge.max_load,
            "invited_at": _iso(judge.invited_at), "accepted_at": _iso(judge.accepted_at),
            "conflicts": [{"entry_id": conflict.entry_id, "source": conflict.source.value,
                           "reason": conflict.reason if conflict.source == ConflictSource.DECLARED else "",
                           "created_at": _iso(conflict.created_at)} for conflict in conflicts],
            "score_sheets": _sheets(judge),
        })
    return result


def _certificates(user: User) -> list[dict]:
    """The awards of the person's entries once results are published: a certificate each, downloadable
    from "My entries"."""
    awards = db.session.scalars(
        select(Award).join(TeamMember, TeamMember.entry_id == Award.entry_id)
        .join(Contest, Contest.id == Award.contest_id)
        .where(TeamMember.user_id == user.id, Contest.results_published_at.is_not(None))
        .options(selectinload(Award.entry).selectinload(Entry.contest).selectinload(Contest.event))
        .order_by(Award.id))
    return [{"contest": _event(award.entry.contest), "entry_id": award.entry_id,
             "title_zh": award.entry.title_zh, "title_en": award.entry.title_en,
             "award_zh": award.name_zh, "award_en": award.name_en, "rank": award.rank,
             "prize_amount": str(award.prize_amount),
             "published_at": _iso(award.entry.contest.results_published_at)} for award in awards]


def export_contest_data(user: User) -> dict:
    """The contest part of the person's data export, as JSON-ready values."""
    return {"entries": _entries(user), "team_invitations": _invitations(user), "judging": _judging(user),
            "certificates": _certificates(user)}
