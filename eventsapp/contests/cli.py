"""The ``flask contest`` command group. Contests own the group; the features that run a contest add
their commands to it with their ``add_commands(group)`` when the app is made
(``eventsapp.register_commands``): judging's ``contest assign`` (eventsapp.reviews.cli) and the results'
``contest results`` (eventsapp.awards.cli). ``round_or_fail`` is their one way from the command's
EVENT_SLUG and ``--round N`` to the round, as eventsapp.contests.loaders is for the views."""
from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from eventsapp.contests.models import Round
from eventsapp.contests.services import find_contest
from eventsapp.events.models import EventKind
from eventsapp.events.services import find_event_by_slug
from eventsapp.extensions import db

contest_group = AppGroup("contest", help="Run a contest from the command line: judging assignments and results.")


def round_or_fail(event_slug: str, position: int) -> Round:
    """Round ``position`` (1 first) of the contest at ``event_slug``; a ClickException saying what is missing."""
    event = find_event_by_slug(event_slug)
    if event is None:
        raise click.ClickException(f"No event with the slug {event_slug!r}.")
    contest = find_contest(event.id) if event.kind == EventKind.COMPETITION else None
    if contest is None:
        raise click.ClickException(f"The event {event_slug!r} is not a contest.")
    round_ = db.session.scalar(select(Round).where(Round.contest_id == contest.id, Round.position == position))
    if round_ is None:
        known = ", ".join(str(round_.position) for round_ in contest.rounds) or "none"
        raise click.ClickException(f"The contest has no round {position} (its rounds: {known}).")
    return round_
