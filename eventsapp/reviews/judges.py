"""A contest's judges: invited by e-mail, an account once they accept, with the organization and
school that conflicts of interest are detected from. Services flush; callers commit."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError

from eventsapp.accounts.models import User
from eventsapp.accounts.services import find_user_by_email, normalize_email
from eventsapp.badges.services import issue_badges
from eventsapp.contests.models import Contest, ContestJudge, ScoreSheet
from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.reviews import emails
from eventsapp.reviews.conflicts import detect_conflicts
from eventsapp.validation import ValidationFailed

INVITATION_VALID_FOR = timedelta(days=14)
TEXT_LIMITS = {"name": 100, "organization": 200, "school": 200}
MAX_LOAD_LIMIT = 10_000


class JudgeInvitationProblem(Exception):
    """A judge's invitation link that cannot be used. ``reason``: invalid, expired, used (the link), or
    taken: the account that opened it already judges this contest under another invitation."""

    def __init__(self, reason: str, judge: ContestJudge | None = None):
        self.reason = reason
        self.judge = judge
        super().__init__(reason)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def judges_of(contest: Contest) -> list[ContestJudge]:
    return list(db.session.scalars(select(ContestJudge).where(ContestJudge.contest_id == contest.id)
                                   .order_by(func.lower(ContestJudge.name), ContestJudge.email)))


def names_of(contest_id: int, judge_ids) -> dict[int, str]:
    """Judge id → name (or e-mail), for the contest's judges among ``judge_ids``: one page's judges."""
    if not judge_ids:
        return {}
    return {judge_id: name or email for judge_id, name, email in db.session.execute(
        select(ContestJudge.id, ContestJudge.name, ContestJudge.email)
        .where(ContestJudge.contest_id == contest_id, ContestJudge.id.in_(sorted(judge_ids))))}


def judge_of_user(contest_id: int, user_id: int) -> ContestJudge | None:
    """The user's judge row in the contest, once they accepted the invitation."""
    return db.session.scalar(select(ContestJudge).where(ContestJudge.contest_id == contest_id,
                                                        ContestJudge.user_id == user_id))


def _checked_text(values: dict[str, str]) -> dict[str, str]:
    cleaned = {name: " ".join((value or "").split()) for name, value in values.items()}
    errors = [(name, _l("At most %(max)d characters.", max=TEXT_LIMITS[name]))
              for name, value in cleaned.items() if len(value) > TEXT_LIMITS[name]]
    if errors:
        raise ValidationFailed(errors)
    return cleaned


def _checked_load(max_load: int | None) -> int | None:
    if max_load is not None and not 0 <= max_load <= MAX_LOAD_LIMIT:
        raise ValidationFailed([("max_load", _l("Between 0 and %(max)d, or empty for no limit.",
                                                max=MAX_LOAD_LIMIT))])
    return max_load


def invite_judge(contest: Contest, inviter: User, email: str, name: str = "", organization: str = "",
                 school: str = "", max_load: int | None = None,
                 now: datetime | None = None) -> tuple[ContestJudge, str]:
    """Invite a judge by e-mail; returns the judge and the link's token (only its digest is kept).
    Inviting an address again that has not accepted sends a new link (the old one stops working)."""
    now = now or utcnow()
    email = normalize_email(email)
    text = _checked_text({"name": name, "organization": organization, "school": school})
    max_load = _checked_load(max_load)
    judge = db.session.scalar(select(ContestJudge).where(ContestJudge.contest_id == contest.id,
                                                         ContestJudge.email == email))
    if judge is not None and judge.accepted_at is not None:
        raise ValidationFailed([("email", _l("%(email)s is already a judge of this contest.", email=email))])
    if judge is None:
        judge = ContestJudge(contest_id=contest.id, email=email)
        db.session.add(judge)
    token = secrets.token_urlsafe(32)
    judge.name, judge.organization, judge.school = text["name"], text["organization"], text["school"]
    judge.max_load, judge.token_hash, judge.invited_at = max_load, hash_token(token), now
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:  # the same address invited by another organizer a moment ago
        raise ValidationFailed([("email", _l("%(email)s was invited a moment ago.", email=email))]) from None
    invitee = find_user_by_email(email)
    emails.send_judge_invitation(email, invitee.locale if invitee is not None else inviter.locale, contest,
                                 inviter, judge, token, INVITATION_VALID_FOR.days)
    detect_conflicts(contest, [judge])
    return judge, token


def judge_for_token(token: str, now: datetime | None = None) -> ContestJudge:
    """The judge whose invitation link this is, while it can be used."""
    judge = db.session.scalar(select(ContestJudge).where(ContestJudge.token_hash == hash_token(token or "")))
    if judge is None:
        raise JudgeInvitationProblem("invalid")
    if judge.accepted_at is not None:
        raise JudgeInvitationProblem("used", judge)
    if judge.invited_at + INVITATION_VALID_FOR <= (now or utcnow()):
        raise JudgeInvitationProblem("expired", judge)
    return judge


def accept_invitation(token: str, user: User, organization: str, school: str,
                      now: datetime | None = None) -> ContestJudge:
    """The invited person becomes a judge of the contest with this account (which also entitles them to a
    judge's badge for the event), with the organization and school they confirm. The link then no
    longer works."""
    now = now or utcnow()
    judge = judge_for_token(token, now)
    text = _checked_text({"organization": organization, "school": school})
    if judge_of_user(judge.contest_id, user.id) is not None:
        raise JudgeInvitationProblem("taken", judge)
    judge.user_id, judge.accepted_at = user.id, now
    judge.organization, judge.school = text["organization"], text["school"]
    judge.name = judge.name or user.display_name
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:  # the same account accepted another invitation of the contest at the same moment
        raise JudgeInvitationProblem("taken", judge) from None
    db.session.refresh(judge)
    contest = db.session.get(Contest, judge.contest_id)
    detect_conflicts(contest, [judge])
    issue_badges(contest.event_id, [user.id], now)
    return judge


def update_judge(judge: ContestJudge, name: str, organization: str, school: str, max_load: int | None) -> None:
    """The organizer corrects a judge's details; conflicts are detected again. Flushes."""
    text = _checked_text({"name": name, "organization": organization, "school": school})
    judge.name, judge.organization, judge.school = text["name"], text["organization"], text["school"]
    judge.max_load = _checked_load(max_load)
    db.session.flush()
    detect_conflicts(db.session.get(Contest, judge.contest_id), [judge])


def remove_judge(judge: ContestJudge) -> None:
    """A judge who has not scored anything leaves the contest, with their panels and assignments. A judge
    with score sheets stays: removing them would delete their scores."""
    if db.session.scalar(select(exists().where(ScoreSheet.judge_id == judge.id))):
        raise ValidationFailed([(None, _l("%(name)s has score sheets in this contest and cannot be removed. "
                                          "Take them off the panels instead.", name=judge.name or judge.email))])
    event_id, user_id = db.session.get(Contest, judge.contest_id).event_id, judge.user_id
    db.session.delete(judge)
    db.session.flush()
    if user_id is not None:  # a badge in another role they still hold at the event (a judge's scans as not valid)
        issue_badges(event_id, [user_id])
