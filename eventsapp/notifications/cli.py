"""`flask outbox ...`: deliver queued e-mails once or continuously, and retry failed ones."""
from __future__ import annotations

import logging
import signal
import threading

import click
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from eventsapp.extensions import db
from eventsapp.notifications import services

outbox_group = AppGroup("outbox", help="Deliver the e-mails waiting in the outbox.")
log = logging.getLogger("eventsapp.mail")


@outbox_group.command("send")
@click.option("--limit", type=click.IntRange(1, 10_000), default=100, show_default=True,
              help="At most this many messages.")
def send_command(limit: int) -> None:
    """Deliver the messages that are due, once."""
    click.echo(f"{services.deliver_due_messages(limit=limit)}.")


@outbox_group.command("work")
@click.option("--interval", type=click.FloatRange(0, 3600), default=10.0, show_default=True,
              help="Seconds to wait between two rounds.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=100, show_default=True,
              help="At most this many messages per round.")
@click.option("--max-runs", type=click.IntRange(0), default=0, show_default=True,
              help="Stop after this many rounds (0: run until stopped).")
def work_command(interval: float, limit: int, max_runs: int) -> None:
    """Deliver due messages every INTERVAL seconds until stopped (Ctrl-C or SIGTERM: the message being
    sent is finished, and no other is started)."""
    stopping = threading.Event()
    previous_handlers = _stop_on_signals(stopping)
    click.echo(f"Delivering e-mail every {interval:g} s; stop with Ctrl-C.")
    rounds = 0
    try:
        while not stopping.is_set() and (not max_runs or rounds < max_runs):
            rounds += 1
            try:
                report = services.deliver_due_messages(limit=limit, should_stop=stopping.is_set)
            except SQLAlchemyError:  # e.g. the database restarted: keep the worker alive, try next round
                db.session.rollback()
                log.exception("Outbox round failed; trying again in %g s", interval)
            else:
                if report.handled:
                    click.echo(f"{report}.")
                if report.handled == limit:
                    continue  # more may be due: no pause
            if not max_runs or rounds < max_runs:
                stopping.wait(interval)
    except KeyboardInterrupt:
        pass
    finally:
        db.session.remove()
        for number, handler in previous_handlers.items():
            signal.signal(number, handler)
    click.echo("Stopped.")


STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def _stop_on_signals(stopping: threading.Event) -> dict:
    """Service managers stop with SIGTERM, people with Ctrl-C: finish the message being sent (an SMTP
    conversation cut in the middle may leave the server holding a copy), claim no other, then stop. A
    second Ctrl-C stops at once."""
    if threading.current_thread() is not threading.main_thread():
        return {}

    def stop(number, frame):
        if number == signal.SIGINT and stopping.is_set():
            raise KeyboardInterrupt
        stopping.set()
    return {number: signal.signal(number, stop) for number in STOP_SIGNALS}


@outbox_group.command("retry")
@click.argument("message_id", type=int)
def retry_command(message_id: int) -> None:
    """Put failed message MESSAGE_ID back in the queue, to be sent now."""
    try:
        message = services.retry_message(message_id)
    except services.CannotRetry as problem:
        raise click.ClickException(str(problem)) from None
    db.session.commit()
    click.echo(f"Message {message.id} to {message.to_email} is queued again.")
