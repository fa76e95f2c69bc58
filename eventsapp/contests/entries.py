"""Entries and their teams, from the candidate's side: entering, editing until the entry deadline, the
pitch deck, inviting members by e-mail and accepting, submitting and withdrawing; and who may see an
entry. Services take plain values, flush, record decisions in the audit log, and raise ValidationFailed
(field, reason) or EntryRefused (reasons for the whole entry); the caller commits."""
from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from eventsapp import storage
from eventsapp.accounts.models import Role, User
from eventsapp.accounts.services import normalize_email
from eventsapp.audit.services import record
from eventsapp.candidates.models import CandidateProfile
from eventsapp.candidates.resumes import PDF_HEADER, PDF_TRAILER, TRAILER_WINDOW, display_filename, megabytes
from eventsapp.contests import emails
from eventsapp.contests.models import (
    Contest,
    ContestGroup,
    Entry,
    EntryAnswer,
    EntryRound,
    EntryRoundStatus,
    EntryState,
    Round,
    TeamInvitation,
    TeamMember,
    TeamRole,
    Track,
)
from eventsapp.contests.services import questions_of, window_state
from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.organizations.creditcode import normalize_credit_code
from eventsapp.organizations.services import credit_code_error
from eventsapp.pdfcheck import PdfProblem, check_uploaded_pdf
from eventsapp.registrations.services import check_answers
from eventsapp.validation import ValidationFailed

TEXT_LIMITS = {"title_zh": 200, "title_en": 200, "summary_zh": 5000, "summary_en": 5000, "video_url": 500,
               "organization_name": 200, "overseas_experience": 500}


class EntryRefused(Exception):
    """The entry cannot be created or changed now; ``reasons`` say why, in words."""

    def __init__(self, *reasons):
        self.reasons = [str(reason) for reason in reasons]
        super().__init__("; ".join(self.reasons))


LOCKED = _l("Entries closed on the deadline: the entry can no longer be changed.")
WITHDRAWN = _l("This entry has been withdrawn.")
LEADER_ONLY = _l("Only the team leader can do this.")


# --- Who may enter ------------------------------------------------------------------------------------

def _this_year(contest: Contest, now: datetime) -> int:
    return now.astimezone(ZoneInfo(contest.event.timezone)).year


def eligibility_problems(contest: Contest, user: User | None, now: datetime | None = None) -> list[str]:
    """Why this person cannot lead an entry now; empty when they can. Shown before they start."""
    now = now or utcnow()
    state = window_state(contest, now)
    if state == "not_yet_open":
        return [str(_l("Entries open on the date shown."))]
    if state == "closed":
        return [str(_l("Entries are closed."))]
    if user is None:
        return []
    if user.role != Role.CANDIDATE:
        return [str(_l("Contests are entered with a candidate account."))]
    problems = []
    if contest.leader_max_age:
        profile = db.session.get(CandidateProfile, user.id)
        if profile is None or profile.birth_year is None:
            problems.append(str(_l("Add your birth year to your profile: the team leader must be under %(age)d.",
                                   age=contest.leader_max_age)))
        elif _this_year(contest, now) - profile.birth_year >= contest.leader_max_age:
            problems.append(str(_l("The team leader must be under %(age)d.", age=contest.leader_max_age)))
    if current_entry_of(contest, user) is not None:
        problems.append(str(_l("You are already on a team in this contest.")))
    return problems


def current_entry_of(contest: Contest, user: User) -> Entry | None:
    """The entry this person is on in the contest, withdrawn ones aside (a person is on one team)."""
    return db.session.scalar(select(Entry).join(TeamMember).where(
        Entry.contest_id == contest.id, TeamMember.user_id == user.id, Entry.state != EntryState.WITHDRAWN))


# --- The entry's content --------------------------------------------------------------------------------

@dataclass
class EntryData:
    track_id: int | None
    group_id: int | None = None
    title_zh: str = ""
    title_en: str = ""
    summary_zh: str = ""
    summary_en: str = ""
    video_url: str = ""
    organization_name: str = ""
    organization_credit_code: str = ""
    overseas_experience: str = ""
    answers: Mapping[int, str | list[str]] = field(default_factory=dict)


def _video_url_error(url: str) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or "." not in (parts.hostname or "") or any(c.isspace() for c in url):
        return _l("Enter the video's web address, starting with https://.")
    return None


def _checked(contest: Contest, data: EntryData) -> tuple[dict, dict[int, str]]:
    """The entry's columns as stored and its answers; raises ValidationFailed listing every problem."""
    errors: list[tuple[str | None, str]] = []
    values = {name: " ".join(getattr(data, name).split()) if not name.startswith("summary") else
              getattr(data, name).strip() for name in TEXT_LIMITS}
    for name, limit in TEXT_LIMITS.items():
        if len(values[name]) > limit:
            errors.append((name, _l("At most %(max)d characters.", max=limit)))
    if not (values["title_zh"] or values["title_en"]):
        errors.append(("title_zh", _l("Give the project a title in at least one language.")))
    track = db.session.get(Track, data.track_id) if data.track_id else None
    if track is None or track.contest_id != contest.id:
        errors.append(("track_id", _l("Choose the track.")))
    group = db.session.get(ContestGroup, data.group_id) if data.group_id else None
    if data.group_id and (group is None or group.contest_id != contest.id):
        errors.append(("group_id", _l("Choose one of the groups.")))
    if video_error := _video_url_error(values["video_url"]):
        errors.append(("video_url", video_error))
    code = normalize_credit_code(data.organization_credit_code)
    if code and (code_error := credit_code_error(code)):
        errors.append(("organization_credit_code", code_error))
    if code and not values["organization_name"]:
        errors.append(("organization_name", _l("Give the organization's name with its credit code.")))
    values.update(track_id=data.track_id, group_id=data.group_id if group is not None else None,
                  organization_credit_code=code)
    try:
        answers = check_answers(questions_of(contest), data.answers)
    except ValidationFailed as failure:
        errors.extend(failure.errors)
        answers = {}
    if errors:
        raise ValidationFailed(errors)
    return values, answers


def _set_answers(entry: Entry, answers: dict[int, str]) -> None:
    by_question = {answer.question_id: answer for answer in entry.answers}
    for question_id, value in answers.items():
        if question_id in by_question:
            by_question.pop(question_id).value = value
        else:
            entry.answers.append(EntryAnswer(question_id=question_id, value=value))
    for unanswered in by_question.values():
        entry.answers.remove(unanswered)


def create_entry(contest: Contest, user: User, data: EntryData, now: datetime | None = None) -> Entry:
    """A new draft entry with ``user`` as its team's leader."""
    now = now or utcnow()
    problems = eligibility_problems(contest, user, now)
    if problems:
        raise EntryRefused(*problems)
    values, answers = _checked(contest, data)
    entry = Entry(contest_id=contest.id, state=EntryState.DRAFT, created_by_id=user.id, created_at=now,
                  updated_at=now, **values)
    entry.members.append(TeamMember(user_id=user.id, role=TeamRole.LEADER, accepted_at=now))
    db.session.add(entry)
    _set_answers(entry, answers)
    db.session.flush()
    record(user, "entry_created", entry, None, {"title_zh": entry.title_zh, "title_en": entry.title_en},
           event_id=contest.event_id, now=now)
    return entry


def editing_refusal(entry: Entry, now: datetime | None = None) -> str | None:
    """Why the team cannot change the entry now, or None."""
    if entry.state == EntryState.WITHDRAWN:
        return str(WITHDRAWN)
    if window_state(entry.contest, now) != "open":
        return str(LOCKED)
    return None


def update_entry(entry: Entry, user: User, data: EntryData, now: datetime | None = None) -> Entry:
    """Any member of the team may edit the entry until the deadline."""
    if refusal := editing_refusal(entry, now):
        raise EntryRefused(refusal)
    values, answers = _checked(entry.contest, data)
    before = {name: getattr(entry, name) for name in values}
    for name, value in values.items():
        setattr(entry, name, value)
    _set_answers(entry, answers)
    db.session.flush()
    record(user, "entry_updated", entry, before, {name: getattr(entry, name) for name in values},
           event_id=entry.contest.event_id, now=now)
    return entry


# --- The pitch deck -------------------------------------------------------------------------------------

def deck_folder() -> Path:
    configured = current_app.config.get("DECK_FOLDER")
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads" / "decks"


def deck_path(entry: Entry) -> Path | None:
    if not entry.deck_storage_name:
        return None
    path = deck_folder() / entry.deck_storage_name
    return path if path.is_file() else None


def check_deck(data: bytes, max_bytes: int, max_pages: int) -> int:
    """The number of pages of a deck we accept, checked by its content like a résumé."""
    def refuse(message):
        return ValidationFailed([("deck", message)])

    if not data:
        raise refuse(_l("The file is empty. Choose the pitch deck as a PDF file."))
    if len(data) > max_bytes:
        raise refuse(_l("The file has %(size)s MB; a pitch deck can have at most %(max)s MB.",
                        size=megabytes(len(data)), max=megabytes(max_bytes)))
    if not data.startswith(PDF_HEADER):
        raise refuse(_l("This file is not a PDF. Save the pitch deck as PDF (e.g. with “Export as PDF”) and upload "
                        "that file."))
    if PDF_TRAILER not in data[-TRAILER_WINDOW:]:
        raise refuse(_l("This PDF is incomplete or damaged. Save it again as PDF and upload the new file."))
    try:
        return check_uploaded_pdf(data, max_pages)
    except PdfProblem as problem:
        raise refuse(problem.message) from None


def store_deck(entry: Entry, user: User, filename: str | None, data: bytes, now: datetime | None = None) -> int:
    """Check and store the entry's pitch deck, replacing the one before; returns its number of pages."""
    if refusal := editing_refusal(entry, now):
        raise EntryRefused(refusal)
    pages = check_deck(data, current_app.config["DECK_MAX_BYTES"], current_app.config["PDF_MAX_PAGES"])
    folder, previous = deck_folder(), entry.deck_storage_name
    entry.deck_storage_name = storage.write_file(folder, data, ".pdf", db.session())
    entry.deck_filename = display_filename(filename or "deck.pdf")
    entry.deck_size, entry.deck_pages, entry.deck_uploaded_at = len(data), pages, now or utcnow()
    if previous:
        storage.delete_after_commit(folder / previous, db.session())
    db.session.flush()
    record(user, "deck_uploaded", entry, None, {"deck_filename": entry.deck_filename, "deck_pages": pages},
           event_id=entry.contest.event_id, now=now)
    return pages


# --- Submitting and withdrawing -------------------------------------------------------------------------

def submission_problems(entry: Entry) -> list[str]:
    """What is missing before the entry can be submitted; empty when nothing is."""
    contest = entry.contest
    problems = []
    if not (entry.summary_zh or entry.summary_en):
        problems.append(str(_l("Write a summary of the project.")))
    if not entry.deck_storage_name:
        problems.append(str(_l("Upload the pitch deck (PDF).")))
    if contest.requires_overseas_experience and not entry.overseas_experience:
        problems.append(str(_l("Say where and when the team leader studied or worked abroad.")))
    if len(entry.members) < contest.team_min:
        problems.append(str(_l("The team needs at least %(count)d people; it has %(now)d.", count=contest.team_min,
                               now=len(entry.members))))
    answered = {answer.question_id for answer in entry.answers}
    if any(question.required and question.id not in answered for question in questions_of(contest)):
        problems.append(str(_l("Answer every required question of the entry form.")))
    return problems


def _require_leader(entry: Entry, user: User) -> None:
    leader = entry.leader
    if leader is None or leader.user_id != user.id:
        raise EntryRefused(LEADER_ONLY)


def submit_entry(entry: Entry, user: User, now: datetime | None = None) -> Entry:
    """The leader submits the draft: from then on it is in the contest (and still editable until the
    deadline). The leader's eligibility is checked again, as their profile may have changed."""
    now = now or utcnow()
    _require_leader(entry, user)
    if entry.state != EntryState.DRAFT:
        raise EntryRefused(_l("This entry has already been submitted."))
    if refusal := editing_refusal(entry, now):
        raise EntryRefused(refusal)
    problems = submission_problems(entry) + [
        problem for problem in eligibility_problems(entry.contest, user, now)
        if problem != str(_l("You are already on a team in this contest."))]
    if problems:
        raise EntryRefused(*problems)
    entry.state, entry.submitted_at = EntryState.SUBMITTED, now
    db.session.flush()
    record(user, "entry_submitted", entry, {"state": EntryState.DRAFT}, {"state": entry.state},
           event_id=entry.contest.event_id, now=now)
    return entry


def withdraw_entry(entry: Entry, user: User, now: datetime | None = None) -> Entry:
    """The leader withdraws a submitted entry, at any time; it stays on record."""
    now = now or utcnow()
    _require_leader(entry, user)
    if entry.state != EntryState.SUBMITTED:
        raise EntryRefused(_l("Only a submitted entry can be withdrawn; a draft can be deleted."))
    entry.state, entry.withdrawn_at = EntryState.WITHDRAWN, now
    for invitation in entry.invitations:
        if invitation.is_open:
            invitation.revoked_at = now
    db.session.flush()
    record(user, "entry_withdrawn", entry, {"state": EntryState.SUBMITTED}, {"state": entry.state},
           event_id=entry.contest.event_id, now=now)
    return entry


def delete_draft(entry: Entry, user: User, now: datetime | None = None) -> None:
    _require_leader(entry, user)
    if entry.state != EntryState.DRAFT:
        raise EntryRefused(_l("A submitted entry is withdrawn, not deleted."))
    record(user, "entry_deleted", entry, {"title_zh": entry.title_zh, "title_en": entry.title_en}, {},
           event_id=entry.contest.event_id, now=now)
    if entry.deck_storage_name:
        storage.delete_after_commit(deck_folder() / entry.deck_storage_name, db.session())
    db.session.delete(entry)
    db.session.flush()


# --- The team -------------------------------------------------------------------------------------------

def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def lock_team(entry: Entry) -> None:
    """Hold the entry's row until the commit, so that two invitations or acceptances at once are counted
    one after the other (PostgreSQL; SQLite runs one writer at a time anyway)."""
    db.session.execute(select(Entry.id).where(Entry.id == entry.id).with_for_update())
    db.session.expire(entry, ["members", "invitations"])


def open_invitations(entry: Entry) -> list[TeamInvitation]:
    return [invitation for invitation in entry.invitations if invitation.is_open]


def invite_member(entry: Entry, inviter: User, email: str, now: datetime | None = None) -> TeamInvitation:
    """The leader invites someone by e-mail. Members and open invitations together stay within the team's
    largest size, so every invitation can be accepted."""
    now = now or utcnow()
    _require_leader(entry, inviter)
    if refusal := editing_refusal(entry, now):
        raise EntryRefused(refusal)
    lock_team(entry)
    email = normalize_email(email or "")
    local_part, _, domain = email.partition("@")
    if not local_part or "." not in domain or len(email) > 254 or any(char.isspace() for char in email):
        raise ValidationFailed([("email", _l("Enter a valid e-mail address."))])
    if any(member.user.email == email for member in entry.members):
        raise ValidationFailed([("email", _l("This person is already on the team."))])
    if any(invitation.email == email for invitation in open_invitations(entry)):
        raise ValidationFailed([("email", _l("This address has already been invited."))])
    if len(entry.members) + len(open_invitations(entry)) >= entry.contest.team_max:
        raise ValidationFailed([("email", _l("The team can have at most %(max)d people, invitations included.",
                                             max=entry.contest.team_max))])
    token = secrets.token_urlsafe(32)
    invitation = TeamInvitation(email=email, token_hash=hash_token(token), invited_by_id=inviter.id, created_at=now)
    entry.invitations.append(invitation)
    db.session.flush()
    invitee = db.session.scalar(select(User).where(User.email == email))
    emails.send_team_invitation(email, invitee.locale if invitee is not None else inviter.locale, entry, inviter,
                                token)
    record(inviter, "team_invited", invitation, None, {"email": email}, event_id=entry.contest.event_id, now=now)
    return invitation


def revoke_invitation(entry: Entry, user: User, invitation: TeamInvitation, now: datetime | None = None) -> None:
    _require_leader(entry, user)
    if invitation.is_open:
        invitation.revoked_at = now or utcnow()
        db.session.flush()
        record(user, "team_invitation_revoked", invitation, None, {"email": invitation.email},
               event_id=entry.contest.event_id, now=now)


def invitation_for_token(token: str) -> TeamInvitation | None:
    return db.session.scalar(select(TeamInvitation).where(TeamInvitation.token_hash == hash_token(token or "")))


def invitations_for(user: User) -> list[TeamInvitation]:
    """Open invitations to this person's address, on entries not withdrawn."""
    return list(db.session.scalars(
        select(TeamInvitation).join(Entry).where(TeamInvitation.email == user.email,
                                                 TeamInvitation.accepted_at.is_(None),
                                                 TeamInvitation.revoked_at.is_(None),
                                                 Entry.state != EntryState.WITHDRAWN)
        .options(selectinload(TeamInvitation.entry).selectinload(Entry.contest))
        .order_by(TeamInvitation.created_at.desc())))


def accept_invitation(invitation: TeamInvitation, user: User, now: datetime | None = None) -> TeamMember:
    """The invited person joins the team from their own account (the one with the invited address)."""
    now = now or utcnow()
    entry = invitation.entry
    if user.email != invitation.email:
        raise EntryRefused(_l("This invitation was sent to another e-mail address. Log in with the account of "
                              "that address."))
    if user.role != Role.CANDIDATE:
        raise EntryRefused(_l("Contests are entered with a candidate account."))
    lock_team(entry)
    db.session.refresh(invitation)  # as it is now that the team is ours: a second click finds it used
    if not invitation.is_open:
        raise EntryRefused(_l("This invitation has already been used or withdrawn."))
    if refusal := editing_refusal(entry, now):
        raise EntryRefused(refusal)
    if current_entry_of(entry.contest, user) is not None:
        raise EntryRefused(_l("You are already on a team in this contest."))
    members = db.session.scalar(select(func.count()).select_from(TeamMember).where(TeamMember.entry_id == entry.id))
    if members >= entry.contest.team_max:
        raise EntryRefused(_l("The team is full."))
    member = TeamMember(entry_id=entry.id, user_id=user.id, role=TeamRole.MEMBER, accepted_at=now)
    db.session.add(member)
    invitation.accepted_at, invitation.accepted_by_id = now, user.id
    db.session.flush()
    db.session.expire(entry, ["members"])
    record(user, "team_joined", entry, None, {"member": user.email}, event_id=entry.contest.event_id, now=now)
    return member


def decline_invitation(invitation: TeamInvitation, user: User, now: datetime | None = None) -> None:
    if user.email != invitation.email:
        raise EntryRefused(_l("This invitation was sent to another e-mail address. Log in with the account of "
                              "that address."))
    if invitation.is_open:
        invitation.revoked_at = now or utcnow()
        db.session.flush()
        record(user, "team_invitation_declined", invitation, None, {"email": invitation.email},
               event_id=invitation.entry.contest.event_id, now=now)


def remove_member(entry: Entry, user: User, member: TeamMember, now: datetime | None = None) -> None:
    """The leader removes a member, or a member leaves; the leader stays (they withdraw the entry instead).
    A submitted entry keeps the contest's smallest team: below it, nobody leaves until a replacement has
    joined (or the entry is withdrawn)."""
    if member.role == TeamRole.LEADER:
        raise EntryRefused(_l("The team leader cannot leave the team; withdraw the entry instead."))
    if member.user_id != user.id:
        _require_leader(entry, user)
    if refusal := editing_refusal(entry, now):
        raise EntryRefused(refusal)
    lock_team(entry)  # two members leaving at once are counted one after the other
    if member not in entry.members:
        raise EntryRefused(_l("This person is no longer on the team."))
    if entry.state == EntryState.SUBMITTED and len(entry.members) - 1 < entry.contest.team_min:
        raise EntryRefused(_l("The entry has been submitted and the team needs at least %(count)d people: invite a "
                              "replacement and let them join first, or withdraw the entry.",
                              count=entry.contest.team_min))
    record(user, "team_member_removed", entry, {"member": member.user.email}, None,
           event_id=entry.contest.event_id, now=now)
    entry.members.remove(member)
    db.session.flush()


# --- Reading --------------------------------------------------------------------------------------------

def takes_part(user: User) -> bool:
    """Whether the account enters contests and reads its teams' entries (the team pages and the API ask
    this): candidates do; organizers, employers and administrators do not."""
    return user.role == Role.CANDIDATE


def member_entry(entry_id: int, user: User) -> Entry | None:
    """The entry if ``user`` is on its team; None otherwise (another team's entry is as absent as none)."""
    return db.session.scalar(select(Entry).join(TeamMember).where(Entry.id == entry_id,
                                                                  TeamMember.user_id == user.id))


def entries_of(user: User) -> list[Entry]:
    return list(db.session.scalars(
        select(Entry).join(TeamMember).where(TeamMember.user_id == user.id)
        .options(selectinload(Entry.contest).selectinload(Contest.event), selectinload(Entry.track),
                 selectinload(Entry.members), selectinload(Entry.round_statuses))
        .order_by(Entry.created_at.desc())))


@dataclass(frozen=True)
class RoundStanding:
    round: Round
    status: EntryRoundStatus | None  # None: not (or not yet) in this round


def standings(entry: Entry) -> list[RoundStanding]:
    """The entry's standing in each round of its contest, in order. A submitted entry is in the first round
    until the organizers decide."""
    rounds = db.session.scalars(select(Round).where(Round.contest_id == entry.contest_id)
                                .order_by(Round.position)).all()
    decided: dict[int, EntryRound] = {row.round_id: row for row in entry.round_statuses}
    result = []
    for position, round_ in enumerate(rounds):
        status = decided[round_.id].status if round_.id in decided else None
        if status is None and position == 0 and entry.state == EntryState.SUBMITTED:
            status = EntryRoundStatus.ENTERED
        result.append(RoundStanding(round_, status))
    return result
