"""`flask match run EVENT_SLUG [--seed N] [--publish]` and `flask match publish EVENT_SLUG RUN_ID`.

Publishing while candidates may still rank booths needs `--before-deadline`: it ends their ranking.
"""
from __future__ import annotations

import click
from flask.cli import AppGroup

from eventsapp.events.services import find_event_by_slug
from eventsapp.extensions import db
from eventsapp.matchmaking import run_results, runs

match_group = AppGroup("match", help="Match candidates to booths and time their interviews.")

before_deadline_option = click.option(
    "--before-deadline", is_flag=True,
    help="Publish even though candidates may still change their booth rankings: publishing ends that at once.")


def _refused(refusal: runs.MatchingRefused) -> click.ClickException:
    message = " ".join(str(reason) for reason in refusal.reasons)
    if isinstance(refusal, runs.PublishingBeforeDeadline):
        message += " Add --before-deadline to publish anyway."
    return click.ClickException(message)


@match_group.command("run")
@click.argument("event_slug")
@click.option("--seed", type=click.IntRange(0, runs.SEED_LIMIT - 1), default=None,
              help="The lottery's seed (default: a new random one); an earlier run's seed repeats it.")
@click.option("--publish", is_flag=True, help="Publish the run at once: everyone sees it and is told by e-mail.")
@before_deadline_option
def run_command(event_slug: str, seed: int | None, publish: bool, before_deadline: bool) -> None:
    """Run the matching of the fair EVENT_SLUG and keep the result as a new run."""
    event = find_event_by_slug(event_slug)
    if event is None:
        raise click.ClickException(f"There is no event {event_slug!r}.")
    try:
        run = runs.run_matching(event.id, None, seed)
        if publish:
            runs.publish_run(event.id, run.id, before_deadline_confirmed=before_deadline)
    except runs.MatchingRefused as refusal:
        raise _refused(refusal) from None
    db.session.commit()
    inputs, results = run_results.inputs_of(run), run_results.results_of(run)
    click.echo(f"Run #{run.id} of {event.slug}: {run.status.value}, seed {run.seed}.")
    click.echo(f"Candidates with preferences: {results['candidates']}; booths: {inputs['booths']}; "
               f"interview places: {inputs['total_capacity']}.")
    click.echo(f"Matched: {results['matched']} ({results['share_matched']:.1%}); first choice: "
               f"{results['first_choice']} ({results['share_first_choice']:.1%}); "
               f"without an interview: {results['unmatched']}.")
    click.echo(f"Interviews: {results['interviews']} in {results['slots_used']} of {results['slots_per_day']} slots "
               f"({results['share_capacity_used']:.1%} of the places).")
    if publish:
        click.echo("Published: candidates and booths' staff are told by e-mail (sent by `flask outbox work`).")
    else:
        click.echo("Not published yet: publish it on the run's page or run again with --publish.")


@match_group.command("publish")
@click.argument("event_slug")
@click.argument("run_id", type=int)
@before_deadline_option
def publish_command(event_slug: str, run_id: int, before_deadline: bool) -> None:
    """Publish run RUN_ID of the fair EVENT_SLUG (e.g. a large fair's run reviewed on its page):
    everyone sees it and is told by e-mail; an earlier published run is replaced."""
    event = find_event_by_slug(event_slug)
    if event is None:
        raise click.ClickException(f"There is no event {event_slug!r}.")
    try:
        run = runs.publish_run(event.id, run_id, before_deadline_confirmed=before_deadline)
    except LookupError:
        raise click.ClickException(f"{event.slug} has no run #{run_id}.") from None
    except runs.MatchingRefused as refusal:
        raise _refused(refusal) from None
    db.session.commit()
    matched = run_results.results_of(run)["matched"]
    click.echo(f"Run #{run.id} of {event.slug} is published: {matched} candidates and the "
               "staff of their booths are told by e-mail (sent by `flask outbox work`).")
