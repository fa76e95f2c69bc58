"""`flask badges ...`: render badge PDFs from the command line, issue missing badges, check the fonts.
Background print runs are jobs: `flask jobs worker` runs them, `flask jobs fail-stalled` fails dead ones."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale

from eventsapp.badges import batches, fonts, rendering
from eventsapp.badges.models import BadgeRole
from eventsapp.badges.services import active_badges, sync_badges
from eventsapp.events.services import find_event_by_slug
from eventsapp.extensions import db

badges_group = AppGroup("badges", help="Badge PDFs for print shops and organizers.")


@badges_group.command("render")
@click.argument("event_slug")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Where to write the PDF ('-' for standard output).")
@click.option("--layout", type=click.Choice(list(rendering.LAYOUTS)), default="a4-2x4", show_default=True)
@click.option("--role", type=click.Choice([role.value for role in BadgeRole]), default=None,
              help="Only badges of this role.")
@click.option("--hall", default="", help="Only booth staff in this hall.")
@click.option("--booth", default="", help="Only staff of the booth with this code, e.g. A-12.")
@click.option("--sort", type=click.Choice(batches.SORTS), default="name", show_default=True,
              help="By family name (pinyin for Chinese names) or by booth code.")
@click.option("--locale", type=click.Choice(["zh_CN", "en"]), default=None,
              help="Language of the printed labels (default: the app's default language).")
@click.option("--print-anyway", is_flag=True, help="Print names the fonts cannot draw fully, too.")
def render_command(event_slug: str, output: Path, layout: str, role: str | None, hall: str, booth: str, sort: str,
                   locale: str | None, print_anyway: bool) -> None:
    """Render the badges of EVENT_SLUG into one PDF."""
    event = find_event_by_slug(event_slug)
    if event is None:
        raise click.ClickException(f"No event with the slug {event_slug!r}.")
    options = batches.BatchOptions(layout=layout, role=role or "", hall=hall, booth=booth, sort=sort)
    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        cards = batches.batch_cards(event, options)
        if not cards:
            raise click.ClickException(f"No badges to print for {event_slug!r} with these filters "
                                       "(no confirmed registrants, booth staff or crew match).")
        problems = batches.preprint_check(cards, options.layout_spec)
        for problem in problems:
            reason = (f"characters no installed font has: {' '.join(problem.missing)} ({problem.code_points})"
                      if problem.missing else "too long for this layout even at the smallest size")
            click.echo(f"  {problem.number}  {problem.name}: {reason}", err=True)
        if problems and not print_anyway:
            raise click.ClickException(f"{len(problems)} name(s) cannot be printed as written (listed above); "
                                       "fix them, filter them out, or add --print-anyway.")
        db.session.commit()  # personal codes made for the cards (badges that carry them) are kept
        pdf = rendering.render_pdf(cards, options.layout_spec, processes=current_app.config["BADGE_RENDER_PROCESSES"])
    if str(output) == "-":
        sys.stdout.buffer.write(pdf)
    else:
        output.write_bytes(pdf)
        click.echo(f"Wrote {len(cards)} badge(s) to {output} ({len(pdf) // 1024} KB, layout {layout}).")


@badges_group.command("sync")
@click.argument("event_slug")
def sync_command(event_slug: str) -> None:
    """Issue the badges missing at EVENT_SLUG: everyone entitled to one gets one (idempotent)."""
    event = find_event_by_slug(event_slug)
    if event is None:
        raise click.ClickException(f"No event with the slug {event_slug!r}.")
    before = {holder_id: badge.id for holder_id, badge in active_badges(event.id).items()}
    badges = sync_badges(event.id)
    db.session.commit()
    issued = sum(1 for badge in badges if badge.holder_id not in before)
    reissued = sum(1 for badge in badges if before.get(badge.holder_id, badge.id) != badge.id)
    click.echo(f"{event_slug}: {issued} badge(s) issued, {reissued} reissued in a new role, {len(badges)} in all.")


@badges_group.command("fonts")
def fonts_command() -> None:
    """Show the font files badges print with (found through fontconfig)."""
    for bold in (False, True):
        for family in fonts.FAMILIES:
            face = fonts.find_face(family, bold)
            weight = "bold" if bold else "regular"
            click.echo(f"{family} {weight}: {face.path + f' #{face.index}' if face else 'NOT INSTALLED'}")
