"""`flask webhooks deliver`: send the webhook deliveries that are due (the scheduler's job does the same);
`flask webhooks rotate-key`: seal every endpoint's secret with the current WEBHOOK_SECRET_KEY."""
from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from eventsapp.webhooks.delivery import deliver_due
from eventsapp.webhooks.services import RESEAL_BATCH, reseal_secrets

webhooks_group = AppGroup("webhooks", help="Signed webhooks: send the deliveries that are due; rotate the key "
                                           "that encrypts their secrets.")
SHOWN_IDS = 20


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


@webhooks_group.command("rotate-key")
@click.option("--batch", type=click.IntRange(1, 10_000), default=RESEAL_BATCH, show_default=True,
              help="Endpoints re-sealed per transaction.")
def rotate_key_command(batch: int) -> None:
    """Re-seal every endpoint's secret with WEBHOOK_SECRET_KEY (reading it with that key or one of
    WEBHOOK_OLD_SECRET_KEYS); safe to run again. Once it reports nothing unreadable that matters, the old
    keys can be removed."""
    outcome = reseal_secrets(batch)
    click.echo(f"{outcome.resealed} secrets re-sealed with the current key, {outcome.current} already sealed "
               f"with it, {len(outcome.unreadable)} unreadable with any configured key")
    if outcome.reenabled:
        click.echo(f"{outcome.reenabled} endpoints disabled because their secret could not be read are on again")
    if outcome.unreadable:
        shown = ", ".join(str(endpoint_id) for endpoint_id in outcome.unreadable[:SHOWN_IDS])
        more = f" and {len(outcome.unreadable) - SHOWN_IDS} more" if len(outcome.unreadable) > SHOWN_IDS else ""
        click.echo(f"Unreadable (endpoint ids {shown}{more}): add the key they were sealed with to "
                   "WEBHOOK_OLD_SECRET_KEYS and run this again, or have their owners replace the secret "
                   "(the worker disables these endpoints meanwhile).")
