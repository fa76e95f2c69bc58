"""`flask jobs ...`: run an RQ worker (of the background jobs, or with --rounds of the scheduled rounds), fail
jobs whose process died."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from eventsapp import rqueue
from eventsapp.extensions import db
from eventsapp.jobs import services
from eventsapp.requestlog import rq_worker_class

jobs_group = AppGroup("jobs", help="Background jobs (badge print runs, year reports, scheduled rounds).")


@jobs_group.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@click.option("--rounds", is_flag=True,
              help="Run the scheduler's rounds (queue ROUNDS_QUEUE_NAME) instead of the background jobs.")
def worker_command(burst: bool, rounds: bool) -> None:
    """Run the background jobs from the Redis queue (JOB_QUEUE_URL, queue JOB_QUEUE_NAME) in this app: badge
    print runs, year reports, certificates; with --rounds, the scheduler's rounds instead (queue
    ROUNDS_QUEUE_NAME: outbox, reminders, surveys, webhooks, retention, analytics), so a long job never holds
    them back: run one worker of each. Also moves the retries whose back-off is over back to the queue (RQ's
    scheduler) and fails or retries the jobs of workers that died (RQ's maintenance)."""
    if not current_app.config.get("JOB_QUEUE_URL"):
        raise click.ClickException("JOB_QUEUE_URL (or REDIS_URL) is not set: jobs run in the web process.")
    job_queue = services.queue(current_app, rqueue.rounds_queue_name(current_app) if rounds else None)
    click.echo(f"Working on the queue {job_queue.name}.")
    # Each job runs in this process, inside this app context, logging the id of the request that queued it.
    rq_worker_class()([job_queue], connection=job_queue.connection).work(burst=burst, with_scheduler=True)


@jobs_group.command("fail-stalled")
def fail_stalled_command() -> None:
    """Mark failed the jobs whose process stopped (no heartbeat for JOB_STALLED_SECONDS)."""
    failed = services.fail_stalled_jobs()
    db.session.commit()
    click.echo(f"{len(failed)} stalled job(s) marked failed.")
