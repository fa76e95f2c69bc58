from datetime import datetime
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import AppGroup

from eventsapp.extensions import db
from eventsapp.talentday.services import ensure_talent_days

talent_day_group = AppGroup("talent-day", help="Talent Day (28 September) events.")


@talent_day_group.command("ensure")
@click.option("--years", type=click.IntRange(1, 50), default=3, show_default=True,
              help="How many years to cover, starting with this one.")
def ensure_command(years: int) -> None:
    """Create the missing Talent Day drafts for this year and the next YEARS-1 years."""
    zone_name = current_app.config["DEFAULT_EVENT_TIMEZONE"]
    this_year = datetime.now(ZoneInfo(zone_name)).year
    created = ensure_talent_days(this_year, years, zone_name)
    db.session.commit()
    for event in created:
        click.echo(f"Created draft {event.slug} ({event.talent_day_year}, {len(event.agenda_items)} agenda items).")
    last = this_year + years - 1
    click.echo(f"Talent Day {this_year}–{last}: {len(created)} created, {years - len(created)} already there.")
