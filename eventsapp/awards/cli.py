"""`flask contest results EVENT_SLUG --round N`: a round's ranking on the terminal, or as CSV.

The commands hang from the ``contest`` group of eventsapp.contests.cli, added with ``add_commands(group)``
when the app is made, beside judging's ``contest assign``.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from eventsapp.awards import export, services
from eventsapp.contests.cli import round_or_fail
from eventsapp.i18n import pick


@click.command("results")
@with_appcontext
@click.argument("event_slug")
@click.option("--round", "position", type=click.IntRange(1, 1000), required=True, help="The round's number (1 first).")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the entries with their teams and scores as CSV to this file ('-' for standard output).")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="Language of the titles and track names.")
def results_command(event_slug: str, position: int, csv_path: Path | None, lang: str) -> None:
    """Print the ranking of round N of EVENT_SLUG (by the round's method), or export it as CSV."""
    round_ = round_or_fail(event_slug, position)
    try:
        if csv_path is not None:
            body = export.entries_csv(round_, lang)
            if str(csv_path) == "-":
                sys.stdout.buffer.write(body)
            else:
                csv_path.write_bytes(body)
                click.echo(f"Wrote {csv_path}.")
            return
        scores = services.round_scores(round_.id)
    except services.ScoresUnreadable as error:
        raise click.ClickException(str(error.message)) from error
    entries = {entry.id: entry for entry in services.entries_in_round(round_)}
    click.echo(f"{pick(round_.contest.event, 'title', lang)} — round {round_.position}: "
               f"{pick(round_, 'name', lang)} ({round_.aggregation.value}, {round_.state.value})")
    if not scores:
        click.echo("No submitted score sheet.")
        return
    click.echo(f"{'rank':>4}  {'score':>6}  {'sheets':>6}  {'spread':>6}  {'entry':>6}  track / title")
    for detail in scores:
        entry = entries.get(detail.entry)
        if entry is None:
            continue  # withdrawn, or no longer in the round
        flag = "  (look again)" if detail.flagged else ""
        click.echo(f"{detail.rank:>4}  {detail.score:>6.2f}  {detail.sheets:>6}  {detail.spread:>6.1f}  {entry.id:>6}  "
                   f"{pick(entry.track, 'name', lang)} / {pick(entry, 'title', lang)}{flag}")


def add_commands(group: click.Group) -> None:
    """Add this feature's commands to the ``contest`` group (whoever defines it)."""
    group.add_command(results_command)
