"""`flask schedule run`: the one loop that runs the scheduled work (outbox, reminders, ...)."""
from __future__ import annotations

import logging
import signal
import threading

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from eventsapp.extensions import db
from eventsapp.scheduler import services

schedule_group = AppGroup("schedule", help="Run the scheduled jobs (outbox delivery, reminders, ...).")
log = logging.getLogger("eventsapp.scheduler")
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


@schedule_group.command("run")
@click.option("--once", is_flag=True, help="Run the jobs that are due now, then stop.")
@click.option("--max-sleep", type=click.FloatRange(0.1, 3600), default=5.0, show_default=True,
              help="Longest pause, in seconds, between two looks at what is due.")
def run_command(once: bool, max_sleep: float) -> None:
    """Run every registered job when it is due until stopped (Ctrl-C or SIGTERM: the job running finishes).
    Several schedulers may run at once: each round of a job runs in one of them."""
    app = current_app._get_current_object()
    names = ", ".join(f"{job.name} (every {job.every})" for job in services.registered_jobs(app))
    click.echo(f"Jobs: {names or 'none'}.")
    stopping = threading.Event()
    previous = {}
    if threading.current_thread() is threading.main_thread():
        previous = {number: signal.signal(number, lambda number, frame: stopping.set()) for number in STOP_SIGNALS}
    try:
        while not stopping.is_set():
            try:
                ran = services.run_due_jobs(app)
                pause = services.seconds_until_next(app)
            except SQLAlchemyError:  # e.g. the database restarted: keep the scheduler alive
                db.session.rollback()
                log.exception("Scheduler round failed")
                ran, pause = [], max_sleep
            if ran:
                click.echo(f"Ran: {', '.join(ran)}.")
            if once:
                break
            stopping.wait(min(max(pause, 0.1), max_sleep))
    finally:
        db.session.remove()
        for number, handler in previous.items():
            signal.signal(number, handler)
    click.echo("Stopped.")
