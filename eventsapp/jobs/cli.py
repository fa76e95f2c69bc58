"""`flask jobs ...`: run the background-job worker, fail jobs whose process died."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from eventsapp.extensions import db
from eventsapp.jobs import services

jobs_group = AppGroup("jobs", help="Background jobs (year reports, ...).")


@jobs_group.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker_command(burst: bool) -> None:
    """Run background jobs from the Redis queue (JOB_QUEUE_URL, queue JOB_QUEUE_NAME) in this app."""
    from rq import SimpleWorker  # only the worker needs it

    if not current_app.config.get("JOB_QUEUE_URL"):
        raise click.ClickException("JOB_QUEUE_URL (or REDIS_URL) is not set: jobs run in the web process.")
    job_queue = services.queue(current_app)
    SimpleWorker([job_queue], connection=job_queue.connection).work(burst=burst)


@jobs_group.command("fail-stalled")
def fail_stalled_command() -> None:
    """Mark failed the jobs whose process stopped (no heartbeat for JOB_STALLED_SECONDS)."""
    failed = services.fail_stalled_jobs()
    db.session.commit()
    click.echo(f"{len(failed)} stalled job(s) marked failed.")
