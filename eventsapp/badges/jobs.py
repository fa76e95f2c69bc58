"""Large badge batches as background jobs: the same `run_badge_job(job_id)` runs either on an RQ
worker (JOB_QUEUE_URL set: Redis) or in a thread of the web process (no queue configured).

The job row is the only shared state: status, progress (done of total), the error of a failed
run, and the stored PDF for download.
"""
from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

from flask import Flask, current_app, has_app_context
from flask_babel import force_locale

from eventsapp import storage
from eventsapp.badges import batches, rendering
from eventsapp.badges.models import BadgeJob, JobStatus
from eventsapp.dbtypes import utcnow
from eventsapp.events.models import Event
from eventsapp.extensions import db

log = logging.getLogger(__name__)


def badge_folder() -> Path:
    configured = current_app.config.get("BADGE_FOLDER")
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads" / "badges"


def job_path(job: BadgeJob) -> Path | None:
    if not job.storage_name:
        return None
    path = badge_folder() / job.storage_name
    return path if path.is_file() else None


def create_job(event: Event, options: batches.BatchOptions, requested_by_id: int | None, total: int,
               locale: str = "") -> BadgeJob:
    # The job renders in the language of the organizer who asked, which the worker cannot see.
    job = BadgeJob(event_id=event.id, requested_by_id=requested_by_id, total=total,
                   options=options.to_json(locale=locale))
    db.session.add(job)
    db.session.flush()
    return job


def start_job(job_id: int) -> str:
    """Hand a committed job to the queue, or to a thread here; returns which ("queue" or "thread")."""
    app = current_app._get_current_object()
    url = app.config.get("JOB_QUEUE_URL")
    if url:
        queue(app).enqueue(run_queued_badge_job, job_id, job_timeout=3600, result_ttl=0)
        return "queue"
    thread = threading.Thread(target=_run_in_thread, args=(app, job_id), name=f"badge-job-{job_id}", daemon=True)
    thread.start()
    app.extensions.setdefault("badge_job_threads", []).append(thread)
    return "thread"


def queue(app: Flask):
    from redis import Redis
    from rq import Queue

    return Queue(app.config["BADGE_QUEUE_NAME"], connection=Redis.from_url(app.config["JOB_QUEUE_URL"]))


def _run_in_thread(app: Flask, job_id: int) -> None:
    with app.app_context():
        run_badge_job(job_id)


def run_queued_badge_job(job_id: int) -> None:
    """What the RQ worker calls: in the worker's app context (`flask badges worker`), or in a new
    app when a plain `rq worker` runs it."""
    if has_app_context():
        run_badge_job(job_id)
        return
    from eventsapp import create_app

    with create_app().app_context():
        run_badge_job(job_id)


def run_badge_job(job_id: int) -> None:
    """Render the job's batch, keeping its progress and result (or error) on the job row."""
    job = db.session.get(BadgeJob, job_id)
    if job is None or job.status not in (JobStatus.QUEUED, JobStatus.RUNNING):
        return
    job.status, job.started_at, job.error = JobStatus.RUNNING, utcnow(), ""
    db.session.commit()
    try:
        options = batches.BatchOptions.from_json(job.options)  # batch_cards() checks it
        locale = json.loads(job.options or "{}").get("locale") or current_app.config["BABEL_DEFAULT_LOCALE"]
        with force_locale(locale):
            cards = batches.batch_cards(job.event, options)
            if not cards:
                raise batches.BatchRefused("no badges match these filters any more")
            job.total, job.done = len(cards), 0
            db.session.commit()
            pdf = rendering.render_pdf(cards, options.layout_spec,
                                       processes=current_app.config["BADGE_RENDER_PROCESSES"],
                                       progress=lambda done: _progress(job_id, done))
        job.storage_name = storage.write_file(badge_folder(), pdf, ".pdf", db.session)
        job.filename = f"badges-{job.event.slug}-{options.layout}.pdf"
        job.status, job.done, job.finished_at = JobStatus.DONE, job.total, utcnow()
        db.session.commit()
    except Exception as error:  # the organizer sees what went wrong on the job's row
        log.exception("badge job %s failed", job_id)
        db.session.rollback()
        job = db.session.get(BadgeJob, job_id)
        job.status, job.finished_at = JobStatus.FAILED, utcnow()
        job.error = f"{type(error).__name__}: {error}"[:2000]
        db.session.commit()


def _progress(job_id: int, done: int) -> None:
    db.session.execute(db.update(BadgeJob).where(BadgeJob.id == job_id).values(done=done))
    db.session.commit()
