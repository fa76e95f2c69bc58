"""`flask contest assign EVENT_SLUG --round N [--per-entry K] [--max-load L]`: the assignment engine for a
contest's round from the command line, for large contests and scripts.

The commands are added to the ``contest`` group through ``add_commands``, so that another feature's
``contest`` commands can join the same group.
"""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from eventsapp.contests.cli import round_or_fail
from eventsapp.extensions import db
from eventsapp.reviews import assignment


@click.command("assign")
@click.argument("event_slug")
@click.option("--round", "position", type=click.IntRange(1, 1000), required=True, help="The round's number: 1, 2, ...")
@click.option("--per-entry", type=click.IntRange(1, 50), default=None,
              help="Judges per entry (default: the round's own setting).")
@click.option("--max-load", type=click.IntRange(1, 10_000), default=None,
              help="Most entries per judge (default: as few as possible, within each judge's own limit).")
@with_appcontext
def assign_command(event_slug: str, position: int, per_entry: int | None, max_load: int | None) -> None:
    """Give every entry of round N of the contest EVENT_SLUG its judges, replacing the round's assignments."""
    round_ = round_or_fail(event_slug, position)
    try:
        planned = assignment.assign_round(round_, per_entry or round_.reviews_per_entry, max_load, None)
    except assignment.AssignmentFailed as failure:
        db.session.rollback()
        raise click.ClickException(failure.message) from None
    db.session.commit()
    loads: dict[int, int] = {}
    for judge_ids in planned.values():
        for judge_id in judge_ids:
            loads[judge_id] = loads.get(judge_id, 0) + 1
    click.echo(f"Round {position} of {event_slug}: {len(planned)} entries, {sum(loads.values())} reviews by "
               f"{len(loads)} judges; the largest load is {max(loads.values(), default=0)}.")
    click.echo("The judges are told by e-mail (sent by `flask outbox work`).")


def add_commands(group: click.Group) -> None:
    """Put the judging commands in the ``contest`` group."""
    group.add_command(assign_command)

