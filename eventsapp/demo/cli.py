from datetime import datetime
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import with_appcontext

from eventsapp.demo.seed import DEMO_PASSWORD, SeedRefused, seed_demo
from eventsapp.extensions import db


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Load demo accounts and events (idempotent; refused in production)."""
    today = datetime.now(ZoneInfo(current_app.config["DEFAULT_EVENT_TIMEZONE"])).date()
    try:
        added = seed_demo(today, current_app.config["APP_ENV"])
    except SeedRefused as refusal:
        raise click.ClickException(str(refusal)) from None
    db.session.commit()
    click.echo(f"Demo data: {added['accounts']} accounts, {added['events']} events, "
               f"{added['registrations']} registrations, {added['booths']} booths and {added['contest_entries']} "
               f"contest entries added "
               f"(demo password for every demo account: {DEMO_PASSWORD}).")
