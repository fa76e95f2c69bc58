"""What teams are told by e-mail: their entry advanced or stopped after a round, and the results.

Every member of the team gets the message in their own language, through the outbox
(eventsapp.notifications). A decision queues its messages unwritten, in its own transaction and as plain
INSERTs (a contest publishes to hundreds of teams at once); the outbox worker writes them with
``RENDERERS``, which the application registers with the outbox by kind.
"""
from __future__ import annotations

from sqlalchemy import select

from eventsapp.accounts.models import User
from eventsapp.contests.models import Award, Contest, Entry, Round
from eventsapp.extensions import db
from eventsapp.notifications import services as outbox

ADVANCED, ELIMINATED, RESULTS = "contest_advanced", "contest_eliminated", "contest_results"


def _tell_team(entry: Entry, kind: str, **stored) -> int:
    """One message to each member of the team who still has an account; the number queued."""
    rows = [outbox.message_written_later(kind, member.user.email, member.user.locale,
                                         {"entry_id": entry.id, "user_id": member.user_id, **stored})
            for member in entry.members if member.user.erased_at is None]
    if rows:
        db.session.execute(outbox.INSERT_MESSAGE, rows)
    return len(rows)


def tell_advanced(entry: Entry, round_: Round, following: Round) -> int:
    return _tell_team(entry, ADVANCED, round_id=round_.id, following_id=following.id)


def tell_eliminated(entry: Entry, round_: Round) -> int:
    return _tell_team(entry, ELIMINATED, round_id=round_.id)


def tell_results(entry: Entry, contest: Contest) -> int:
    return _tell_team(entry, RESULTS)


def _get(model, row_id, what: str):
    row = db.session.get(model, row_id) if isinstance(row_id, int) else None
    if row is None:
        raise outbox.CannotRender(f"the {what} {row_id} no longer exists")
    return row


def render_later(stored: dict) -> dict:
    """The template context of a message queued unwritten."""
    entry = _get(Entry, stored.pop("entry_id", None), "contest entry")
    user = _get(User, stored.pop("user_id", None), "user")
    event = entry.contest.event
    context = dict(user=user, entry=entry, event=event,
                   event_url=outbox.public_url("events.event_detail", slug=event.slug),
                   entry_url=outbox.public_url("awards.my_entry", entry_id=entry.id),
                   results_url=outbox.public_url("awards.public_results", slug=event.slug))
    if "round_id" in stored:
        context["round"] = _get(Round, stored.pop("round_id"), "round")
    if "following_id" in stored:
        context["following"] = _get(Round, stored.pop("following_id"), "round")
    context["awards"] = list(db.session.scalars(select(Award).where(Award.entry_id == entry.id)
                                                .order_by(Award.rank, Award.id)))
    return context


RENDERERS = dict.fromkeys((ADVANCED, ELIMINATED, RESULTS), render_later)
