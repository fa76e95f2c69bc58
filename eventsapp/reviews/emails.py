"""What judges are told by e-mail: their invitation (written at once: it carries its link, which is kept
nowhere else), and the entries waiting for them after an assignment (queued unwritten, in the
assignment's transaction, and written by the outbox worker with ``RENDERERS``). The caller commits."""
from __future__ import annotations

from sqlalchemy import func, select

from eventsapp.accounts.models import User
from eventsapp.contests.models import Contest, ContestJudge, ReviewAssignment, Round
from eventsapp.extensions import db
from eventsapp.notifications import services as outbox
from eventsapp.notifications.models import OutboxMessage

JUDGE_INVITATION, REVIEWS_ASSIGNED = "judge_invitation", "reviews_assigned"


def send_judge_invitation(email: str, locale: str | None, contest: Contest, inviter: User, judge: ContestJudge,
                          token: str, valid_days: int) -> OutboxMessage:
    return outbox.queue_email(JUDGE_INVITATION, email, locale, JUDGE_INVITATION, event=contest.event,
                              inviter=inviter, judge=judge, valid_days=valid_days,
                              invitation_url=outbox.public_url("reviews.invitation", token=token))


def render_assigned(stored: dict) -> dict:
    """The context of a "reviews assigned" message queued unwritten: the round and how many entries."""
    judge = db.session.get(ContestJudge, stored.get("judge_id"))
    round_ = db.session.get(Round, stored.get("round_id"))
    if judge is None or round_ is None or judge.contest_id != round_.contest_id:
        raise outbox.CannotRender(f"judge {stored.get('judge_id')} or round {stored.get('round_id')} is gone")
    count = db.session.scalar(select(func.count()).select_from(ReviewAssignment).where(
        ReviewAssignment.round_id == round_.id, ReviewAssignment.judge_id == judge.id))
    return dict(judge=judge, round=round_, event=round_.contest.event, count=count,
                reviews_url=outbox.public_url("reviews.my_reviews"))


RENDERERS = {REVIEWS_ASSIGNED: render_assigned}


def tell_assigned(judges: list[ContestJudge], round_: Round) -> None:
    """One message to each judge who accepted: entries wait for them in the round (written later)."""
    rows = [outbox.message_written_later(REVIEWS_ASSIGNED, judge.user.email, judge.user.locale,
                                         {"judge_id": judge.id, "round_id": round_.id})
            for judge in judges if judge.user is not None and judge.user.erased_at is None]
    if rows:
        db.session.execute(outbox.INSERT_MESSAGE, rows)
