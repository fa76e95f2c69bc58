"""Loading the contest a URL names, and the rows hanging from it, or answering 404: the one loader for
the contests', judging's and awards' views (as eventsapp.loaders is for events).

A competition not yet set up as a contest, another kind of event, and a row of another contest are as
absent as a row that does not exist, so an organizer's URL cannot be bent to reach another contest's
round, award or slot by changing only the child's id.
"""
from __future__ import annotations

from typing import Protocol, TypeVar

from flask import abort
from sqlalchemy.orm.attributes import set_committed_value

from eventsapp.contests.models import Contest, Round
from eventsapp.contests.services import find_contest
from eventsapp.events.models import EventKind
from eventsapp.extensions import db
from eventsapp.loaders import event_or_404, public_event_or_404
from eventsapp.requestbounds import is_database_id


class _ContestChild(Protocol):
    contest_id: int


class _RoundChild(Protocol):
    round_id: int


Child = TypeVar("Child", bound=_ContestChild)
RoundChild = TypeVar("RoundChild", bound=_RoundChild)


def contest_or_404(event: int | str, *, drafts_for_organizers: bool = False) -> Contest:
    """The contest of the event with this id (organizers' pages) or at this slug (public pages: the event
    must be public, see ``public_event_or_404``)."""
    if isinstance(event, str):
        found = public_event_or_404(event, drafts_for_organizers=drafts_for_organizers)
    elif is_database_id(event):
        found = event_or_404(event)
    else:  # an id no row can have (PostgreSQL would refuse the query)
        abort(404)
    contest = find_contest(found.id) if found.kind == EventKind.COMPETITION else None
    if contest is None:
        abort(404)
    # The event just read stays on the contest: the session holds rows weakly, so without this reference
    # it could be gone by the time a page asks for ``contest.event`` and be read again.
    set_committed_value(contest, "event", found)
    return contest


def _get_or_404(model, child_id: int):
    row = db.session.get(model, child_id) if is_database_id(child_id) else None
    if row is None:
        abort(404)
    return row


def contest_child_or_404(model: type[Child], contest: Contest, child_id: int) -> Child:
    """The row of ``model`` with ``child_id`` if it belongs to the contest; 404 otherwise."""
    row = _get_or_404(model, child_id)
    if row.contest_id != contest.id:
        abort(404)
    return row


def round_child_or_404(model: type[RoundChild], round_: Round, child_id: int) -> RoundChild:
    """The row of ``model`` with ``child_id`` if it belongs to the round (a panel, a criterion, a slot)."""
    row = _get_or_404(model, child_id)
    if row.round_id != round_.id:
        abort(404)
    return row


def contest_round_child_or_404(model: type[RoundChild], contest: Contest, child_id: int) -> RoundChild:
    """The row of ``model`` with ``child_id`` if its round belongs to the contest."""
    row = _get_or_404(model, child_id)
    if db.session.scalar(db.select(Round.contest_id).where(Round.id == row.round_id)) != contest.id:
        abort(404)
    return row
