"""`flask webhooks deliver`: send the webhook deliveries that are due (the scheduler's job does the same)."""
from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from eventsapp.webhooks.delivery import deliver_due

webhooks_group = AppGroup("webhooks", help="Signed webhooks: send the deliveries that are due.")


@webhooks_group.command("deliver")
@click.option("--loop", is_flag=True, help="Keep delivering until stopped (Ctrl-C), looking every second.")
def deliver_command(loop: bool) -> None:
    """Send every delivery that is due now (retries included), from a pool of threads."""
    while True:
        report = deliver_due()
        if report.sent or report.failed or not loop:
            click.echo(str(report))
        if not loop:
            break
        time.sleep(1)
