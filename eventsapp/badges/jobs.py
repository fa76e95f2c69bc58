"""Large badge batches as background jobs: the same `run_badge_job(job_id)` runs either on an RQ
worker (JOB_QUEUE_URL set: Redis) or in a thread of the web process (no queue configured).

The job row is the only shared state: status, progress (done of total), the error of a failed
run, the stored PDF for download, and a heartbeat the rendering process writes every few seconds.
A process that dies (a restart, the out-of-memory killer) cannot say so: ``stalled_jobs`` finds its
job by the silent heartbeat, the organizer's page shows it failed, and ``fail_stalled_jobs`` marks it
so when the organizer runs it again or starts a new run (or `flask badges fail-stalled` does, e.g.
from cron): pages only read.
"""
from __future__ import annotations

import json
import logging
import threading
from datetime import datetime, timedelta
from pathlib import Path

from flask import Flask, current_app, has_app_context
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from eventsapp import create_app, storage
from eventsapp.badges import batches, rendering
from eventsapp.badges.models import BadgeJob, JobStatus
from eventsapp.dbtypes import utcnow
from eventsapp.events.models import Event
from eventsapp.extensions import db
from eventsapp.i18n import format_local_datetime
from eventsapp.requestlog import job_meta

log = logging.getLogger(__name__)

HEARTBEAT_EVERY = timedelta(seconds=20)
# Stored as the error of a job whose process stopped; shown in the organizer's language.
STALLED = "The print process stopped before it finished."
STALLED_MESSAGE = _l("The print process stopped before it finished (no sign of life since %(time)s).")


def badge_folder() -> Path:
    configured = current_app.config.get("BADGE_FOLDER")
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads" / "badges"


def job_path(job: BadgeJob) -> Path | None:
    if not job.storage_name:
        return None
    path = badge_folder() / job.storage_name
    return path if path.is_file() else None


def rq_job_id(job_id: int) -> str:
    return f"badge-job-{job_id}"


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
        queue(app).enqueue(run_queued_badge_job, job_id, job_id=rq_job_id(job_id), job_timeout=3600, result_ttl=0,
                           meta=job_meta())  # the worker logs the id of the request that asked
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
    with create_app().app_context():
        run_badge_job(job_id)


def run_badge_job(job_id: int) -> None:
    """Render the job's batch, keeping its progress and result (or error) on the job row."""
    job = db.session.get(BadgeJob, job_id)
    if job is None or job.status not in (JobStatus.QUEUED, JobStatus.RUNNING):
        return
    job.status, job.started_at, job.error = JobStatus.RUNNING, utcnow(), ""
    job.heartbeat_at, job.finished_at = job.started_at, None
    db.session.commit()
    with _Heartbeat(current_app._get_current_object(), job_id):
        _render_job(job_id, job)


def _render_job(job_id: int, job: BadgeJob) -> None:
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
    db.session.execute(db.update(BadgeJob).where(BadgeJob.id == job_id).values(done=done, heartbeat_at=utcnow()))
    db.session.commit()


class _Heartbeat:
    """While a job renders, a thread of the same process writes its heartbeat (in its own app context
    and session); when the process dies, the heartbeat stops with it."""

    def __init__(self, app: Flask, job_id: int, every: timedelta = HEARTBEAT_EVERY):
        self.app, self.job_id, self.every = app, job_id, every
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"badge-job-{job_id}-heartbeat", daemon=True)

    def __enter__(self) -> _Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stopping.set()
        self.thread.join(timeout=10)

    def _beat(self) -> None:
        while not self.stopping.wait(self.every.total_seconds()):
            with self.app.app_context():
                try:
                    db.session.execute(update(BadgeJob).where(BadgeJob.id == self.job_id,
                                                              BadgeJob.status == JobStatus.RUNNING)
                                       .values(heartbeat_at=utcnow()))
                    db.session.commit()
                except Exception:  # a busy database: the next beat tries again, well within the limit
                    db.session.rollback()
                    log.warning("badge job %s: heartbeat not written", self.job_id, exc_info=True)


def stalled_jobs(event_id: int, stale_after: timedelta, now: datetime | None = None,
                 for_update: bool = False) -> list[BadgeJob]:
    """The event's jobs whose process died: running with no heartbeat for ``stale_after``, or queued that
    long when nothing will ever run them (no queue: the web process that was to run them stopped; with a
    queue: RQ no longer has them). Reads only: the organizer's page shows them as failed at once."""
    cutoff = (now or utcnow()) - stale_after
    last_sign = func.coalesce(BadgeJob.heartbeat_at, BadgeJob.started_at, BadgeJob.created_at)
    query = select(BadgeJob).where(BadgeJob.event_id == event_id,
                                   BadgeJob.status.in_((JobStatus.QUEUED, JobStatus.RUNNING)), last_sign < cutoff)
    candidates = db.session.scalars(query.with_for_update() if for_update else query).all()
    return [job for job in candidates if job.status == JobStatus.RUNNING or not _still_in_queue(job)]


def fail_stalled_jobs(event_id: int, stale_after: timedelta, now: datetime | None = None) -> list[BadgeJob]:
    """Mark failed the event's stalled jobs (``stalled_jobs``): a dead process cannot say so itself. Run
    by whatever next writes the event's print runs (a new run, a run again) and by `flask badges
    fail-stalled`. Flushes; the caller commits."""
    now = now or utcnow()
    stalled = stalled_jobs(event_id, stale_after, now, for_update=True)
    for job in stalled:
        job.status, job.finished_at, job.error = JobStatus.FAILED, now, STALLED
    db.session.flush()
    return stalled


def fail_all_stalled_jobs(stale_after: timedelta, now: datetime | None = None) -> list[BadgeJob]:
    """``fail_stalled_jobs`` for every event with a job still queued or running. Flushes."""
    event_ids = db.session.scalars(select(BadgeJob.event_id).where(
        BadgeJob.status.in_((JobStatus.QUEUED, JobStatus.RUNNING))).distinct()).all()
    return [job for event_id in event_ids for job in fail_stalled_jobs(event_id, stale_after, now)]


def _still_in_queue(job: BadgeJob) -> bool:
    url = current_app.config.get("JOB_QUEUE_URL")
    if not url:
        return False
    from redis.exceptions import RedisError
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    try:
        queued = Job.fetch(rq_job_id(job.id), connection=queue(current_app).connection)
        return queued.get_status(refresh=False) in ("queued", "deferred", "scheduled", "started")
    except NoSuchJobError:
        return False
    except RedisError:
        return True  # cannot tell: leave it alone rather than fail a job that may still run


def error_text(job: BadgeJob, zone: str, stalled: bool = False) -> str:
    """The job's error for the organizer, in their language; ``stalled``: found stalled, not yet marked."""
    if stalled or job.error == STALLED:
        return str(STALLED_MESSAGE) % {"time": format_local_datetime(
            job.heartbeat_at or job.started_at or job.created_at, zone)}
    return job.error


def run_again(job: BadgeJob, requested_by_id: int | None) -> BadgeJob:
    """A new job with the same options (filters, layout, language) as a failed one. Flushes."""
    if job.status != JobStatus.FAILED:
        raise ValueError("only a failed print run is run again")
    again = BadgeJob(event_id=job.event_id, requested_by_id=requested_by_id, total=job.total, options=job.options)
    db.session.add(again)
    db.session.flush()
    return again
