"""Creating, running and watching background jobs.

``start_job(id)`` hands a committed job to RQ (JOB_QUEUE_URL set: any `flask jobs worker` runs it) or to a
thread of this process. ``run_job(id)`` is what either runs: it calls the kind's function with the job and
a ``progress(done, total, step)`` callback, stores the bytes it returns as the job's result, and keeps a
heartbeat while it works. A process that dies cannot say so: ``stalled_jobs`` finds its jobs by the silent
heartbeat (pages show them failed at once) and ``fail_stalled_jobs`` marks them (`flask jobs fail-stalled`,
or a new job of the same kind).
"""
from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask import Flask, current_app, has_app_context
from sqlalchemy import func, select, update

from eventsapp import create_app, storage
from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.jobs.models import BackgroundJob, BackgroundJobStatus

log = logging.getLogger(__name__)

KINDS_KEY = "background_job_kinds"
HEARTBEAT_EVERY = timedelta(seconds=10)
STALLED = "The process running the job stopped before it finished."
LIVE = (BackgroundJobStatus.QUEUED, BackgroundJobStatus.RUNNING)
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class JobResult:
    data: bytes
    filename: str
    mimetype: str


@dataclass(frozen=True)
class JobKind:
    run: Callable[[BackgroundJob, Progress], JobResult]
    title: Callable[[dict], str]  # the job's name on its page, from its params, in the reader's language
    back: Callable[[dict], str] | None = None  # a URL to go back to (the page that started it)


def register_kind(app: Flask, kind: str, run: Callable[[BackgroundJob, Progress], JobResult],
                  title: Callable[[dict], str], back: Callable[[dict], str] | None = None) -> None:
    """``run(job, progress)`` does a job of this kind in an app context and returns its result; it may call
    ``progress(done, total, step)`` as it goes (``step``: a short text in the job's language)."""
    kinds = app.extensions.setdefault(KINDS_KEY, {})
    if kind in kinds:
        raise ValueError(f"a job kind {kind!r} is already registered")
    kinds[kind] = JobKind(run, title, back)


def kind_of(job: BackgroundJob) -> JobKind | None:
    return current_app.extensions.get(KINDS_KEY, {}).get(job.kind)


def job_folder() -> Path:
    configured = current_app.config.get("JOB_FOLDER")
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads" / "jobs"


def result_path(job: BackgroundJob) -> Path | None:
    if job.status != BackgroundJobStatus.DONE or not job.storage_name:
        return None
    path = job_folder() / job.storage_name
    return path if path.is_file() else None


def create_job(kind: str, params: dict, requested_by_id: int | None) -> BackgroundJob:
    """A queued job (flushes; commit, then ``start_job``)."""
    if kind not in current_app.extensions.get(KINDS_KEY, {}):
        raise ValueError(f"no job kind {kind!r}")
    job = BackgroundJob(kind=kind, params=json.dumps(params, sort_keys=True), requested_by_id=requested_by_id,
                        status=BackgroundJobStatus.QUEUED, created_at=utcnow())
    db.session.add(job)
    db.session.flush()
    return job


def rq_job_id(job_id: int) -> str:
    return f"background-job-{job_id}"


def queue(app: Flask):
    from redis import Redis
    from rq import Queue

    return Queue(app.config["JOB_QUEUE_NAME"], connection=Redis.from_url(app.config["JOB_QUEUE_URL"]))


def start_job(job_id: int) -> str:
    """Hand a committed job to the queue, or to a thread here; returns which ("queue" or "thread")."""
    app = current_app._get_current_object()
    if app.config.get("JOB_QUEUE_URL"):
        queue(app).enqueue(run_queued_job, job_id, job_id=rq_job_id(job_id), job_timeout=3600, result_ttl=0)
        return "queue"
    thread = threading.Thread(target=_run_in_thread, args=(app, job_id), name=f"background-job-{job_id}",
                              daemon=True)
    thread.start()
    app.extensions.setdefault("background_job_threads", []).append(thread)
    return "thread"


def _run_in_thread(app: Flask, job_id: int) -> None:
    with app.app_context():
        try:
            run_job(job_id)
        finally:
            db.session.remove()


def run_queued_job(job_id: int) -> None:
    """What the RQ worker calls: in the worker's app context (`flask jobs worker`), or in a new app."""
    if has_app_context():
        run_job(job_id)
        return
    with create_app().app_context():
        run_job(job_id)


def run_job(job_id: int) -> None:
    """Run a queued job to its end, keeping progress and the result (or error) on its row."""
    claimed = db.session.execute(
        update(BackgroundJob).where(BackgroundJob.id == job_id, BackgroundJob.status == BackgroundJobStatus.QUEUED)
        .values(status=BackgroundJobStatus.RUNNING, started_at=utcnow(), heartbeat_at=utcnow(), error="")
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    if claimed != 1:  # gone, or already taken by another worker
        return
    job = db.session.get(BackgroundJob, job_id)
    with _Heartbeat(current_app._get_current_object(), job_id):
        try:
            kind = current_app.extensions.get(KINDS_KEY, {})[job.kind]
            result = kind.run(job, lambda done, total, step="": _progress(job_id, done, total, step))
            job = db.session.get(BackgroundJob, job_id)
            job.storage_name = storage.write_file(job_folder(), result.data, Path(result.filename).suffix,
                                                  db.session)
            job.filename, job.mimetype = result.filename, result.mimetype
            job.status, job.finished_at = BackgroundJobStatus.DONE, utcnow()
            job.done = max(job.done, job.total)
            db.session.commit()
        except Exception as error:  # the requester sees what went wrong on the job's page
            log.exception("background job %s (%s) failed", job_id, job.kind)
            db.session.rollback()
            db.session.execute(update(BackgroundJob).where(BackgroundJob.id == job_id).values(
                status=BackgroundJobStatus.FAILED, finished_at=utcnow(),
                error=f"{type(error).__name__}: {error}"[:2000]).execution_options(synchronize_session=False))
            db.session.commit()


def _progress(job_id: int, done: int, total: int, step: str) -> None:
    """Committed at once, so the page sees it while the job's work goes on (the job only reads)."""
    db.session.execute(update(BackgroundJob).where(BackgroundJob.id == job_id).values(
        done=done, total=total, step=step[:200], heartbeat_at=utcnow()).execution_options(synchronize_session=False))
    db.session.commit()


class _Heartbeat:
    """While a job runs, a thread of the same process writes its heartbeat; it stops when the process dies."""

    def __init__(self, app: Flask, job_id: int, every: timedelta = HEARTBEAT_EVERY):
        self.app, self.job_id, self.every = app, job_id, every
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"background-job-{job_id}-heartbeat", daemon=True)

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
                    db.session.execute(update(BackgroundJob).where(
                        BackgroundJob.id == self.job_id, BackgroundJob.status == BackgroundJobStatus.RUNNING)
                        .values(heartbeat_at=utcnow()))
                    db.session.commit()
                except Exception:  # a busy database: the next beat tries again, well within the limit
                    db.session.rollback()
                    log.warning("background job %s: heartbeat not written", self.job_id, exc_info=True)


def _stale_after() -> timedelta:
    return timedelta(seconds=current_app.config["JOB_STALLED_SECONDS"])


def is_stalled(job: BackgroundJob, now: datetime | None = None) -> bool:
    """Running with no heartbeat for JOB_STALLED_SECONDS, or queued that long when nothing will run it (no
    queue: the process that was to run it stopped; with a queue: RQ no longer has it)."""
    if job.status not in LIVE:
        return False
    last_sign = job.heartbeat_at or job.started_at or job.created_at
    if last_sign >= (now or utcnow()) - _stale_after():
        return False
    return job.status == BackgroundJobStatus.RUNNING or not _still_in_queue(job)


def fail_stalled_jobs(kind: str | None = None, now: datetime | None = None) -> list[BackgroundJob]:
    """Mark failed the jobs whose process died (``is_stalled``). Flushes; the caller commits."""
    now = now or utcnow()
    last_sign = func.coalesce(BackgroundJob.heartbeat_at, BackgroundJob.started_at, BackgroundJob.created_at)
    query = select(BackgroundJob).where(BackgroundJob.status.in_(LIVE), last_sign < now - _stale_after())
    if kind is not None:
        query = query.where(BackgroundJob.kind == kind)
    stalled = [job for job in db.session.scalars(query.with_for_update()) if is_stalled(job, now)]
    for job in stalled:
        job.status, job.finished_at, job.error = BackgroundJobStatus.FAILED, now, STALLED
    db.session.flush()
    return stalled


def _still_in_queue(job: BackgroundJob) -> bool:
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


def recent_jobs(kind: str, requested_by_id: int | None, limit: int = 10) -> list[BackgroundJob]:
    return list(db.session.scalars(select(BackgroundJob).where(
        BackgroundJob.kind == kind, BackgroundJob.requested_by_id == requested_by_id)
        .order_by(BackgroundJob.id.desc()).limit(limit)))


def job_params(job: BackgroundJob) -> dict:
    return json.loads(job.params or "{}")
