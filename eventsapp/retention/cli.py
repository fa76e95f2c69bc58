"""`flask retention run [--dry-run]`: erase the personal data of events whose retention period has passed."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from eventsapp.retention.services import run_retention

retention_group = AppGroup("retention", help="Erase personal data of events past their retention period.")


@retention_group.command("run")
@click.option("--dry-run", is_flag=True, help="Only say what would be erased; change nothing.")
def run_command(dry_run: bool) -> None:
    results = run_retention(default_months=current_app.config["RETENTION_MONTHS"], dry_run=dry_run)
    verb = "would erase" if dry_run else "erased"
    for erased in results:
        click.echo(f"{erased.slug}: {verb} {erased.answers} answers, {erased.registrations} registrations' reasons, "
                   f"{erased.profile_views} profile views, {erased.emails} e-mails, {erased.resumes} résumés, "
                   f"{erased.jobs} background jobs")
    click.echo(f"{len(results)} event(s) {'due' if dry_run else 'erased'}.")
