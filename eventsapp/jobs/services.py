"""Creating, running and watching background jobs.

``start_job(id)`` hands a committed job to the one RQ queue (JOB_QUEUE_URL set: any `flask jobs worker` runs
it, with the kind's timeout and retries with back-off) or to a thread of this process (the embedded default).
``run_job(id)`` is what either runs: it claims the job (a finished job is never run twice), calls the kind's
function with the job and a ``progress(done, total, step, **params)`` callback (``step``: a code of the kind's
``steps``, stored with its params and put into words where shown), stores the bytes it returns as the job's
result, and keeps a heartbeat while it works. A process that dies cannot say so: ``is_stalled`` finds its jobs
by the silent heartbeat (pages show them failed at once), ``fail_stalled_jobs`` marks them (the scheduler
every minute, `flask jobs fail-stalled`), and a retry RQ gives a job whose worker died takes it again.
"""
from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from flask import Flask, current_app, has_app_context
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, or_, select, update

from eventsapp import create_app, rqueue, storage
from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.i18n import coded_text
from eventsapp.jobs.models import BackgroundJob, BackgroundJobStatus

log = logging.getLogger(__name__)

KINDS_KEY = "background_job_kinds"
THREADS_KEY = "background_job_threads"
HEARTBEAT_EVERY = timedelta(seconds=10)
LIVE = (BackgroundJobStatus.QUEUED, BackgroundJobStatus.RUNNING)
Progress = Callable[..., None]  # progress(done, total, step="", **params)

# Why a job failed, as stored (``error_code``, with ``error_params``), and its words, in the reader's language.
STALLED, TIMEOUT, FAILED, REFUSED = "stalled", "timeout", "failed", "refused"
ERROR_MESSAGES = {
    STALLED: _l("The process running the job stopped before it finished."),
    TIMEOUT: _l("The job ran longer than its limit of %(minutes)d minutes and was stopped."),
    FAILED: _l("The job failed on the server; an administrator finds the reason in the log."),
}


def N_(message: str) -> str:  # the name the catalog's extraction looks for (like gettext_noop)
    """Mark ``message`` for the catalog without translating it: a ``JobRefused`` reason, stored as it is
    written here and translated where it is shown."""
    return message


class JobRefused(Exception):
    """Raised by a kind's function when trying again cannot help (bad params, nothing to do): no retry.
    ``message``: the reason for the requester in the source language, marked with ``N_``, with ``%(name)s``
    placeholders for ``values``; it is stored as it is and translated where it is shown (``error_text``)."""

    def __init__(self, message: str, **values: str | int):
        super().__init__(message % values if values else message)
        self.message, self.values = message, values


class UnknownStep(Exception):
    """A kind's function reported a step its kind did not register: a mistake in the code, which no new try
    mends, so the job fails at once (never retried)."""


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
    timeout: int = 3600  # seconds: RQ stops a try that runs longer, and the job fails with that reason
    retries: tuple[int, ...] = (30, 120)  # pauses before each new try of a job that raised (back-off)
    folder: Callable[[], Path] | None = None  # where its results are kept (default: job_folder())
    # Its steps: code -> message (lazy, with %(name)s placeholders for the step's params), shown as it works.
    steps: dict[str, object] = field(default_factory=dict)


def register_kind(app: Flask, kind: str, run: Callable[[BackgroundJob, Progress], JobResult],
                  title: Callable[[dict], str], back: Callable[[dict], str] | None = None, *,
                  timeout: int = 3600, retries: tuple[int, ...] = (30, 120),
                  folder: Callable[[], Path] | None = None, steps: dict[str, object] | None = None) -> None:
    """``run(job, progress)`` does a job of this kind in an app context and returns its result; it may call
    ``progress(done, total, step, **params)`` as it goes (``step``: "" or a code of ``steps``, whose message,
    marked with ``_l``, is put into the reader's language with ``params`` where the job is shown). It must be
    safe to run again after a failed try (it only reads, and writes nothing but its result)."""
    kinds = app.extensions.setdefault(KINDS_KEY, {})
    if kind in kinds:
        raise ValueError(f"a job kind {kind!r} is already registered")
    kinds[kind] = JobKind(run, title, back, timeout, tuple(retries), folder, dict(steps or {}))


def kinds(app: Flask) -> dict[str, JobKind]:
    return app.extensions.get(KINDS_KEY, {})


def kind_of(job: BackgroundJob) -> JobKind | None:
    return kinds(current_app).get(job.kind)


def job_folder() -> Path:
    configured = current_app.config.get("JOB_FOLDER")
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads" / "jobs"


def folder_of_kind(kind_name: str) -> Path:
    kind = kinds(current_app).get(kind_name)
    return kind.folder() if kind is not None and kind.folder is not None else job_folder()


def folder_of(job: BackgroundJob) -> Path:
    return folder_of_kind(job.kind)


def result_path(job: BackgroundJob) -> Path | None:
    """The finished job's file, None when it has none or it is no longer there (``result_gone``)."""
    if job.status != BackgroundJobStatus.DONE or not job.storage_name:
        return None
    path = folder_of(job) / job.storage_name
    return path if path.is_file() else None


def result_gone(job: BackgroundJob) -> bool:
    """A finished job whose file is no longer available: a restore from an archive without it names no file
    (``files.forget_missing_results``), or the file went from its folder. Its pages say so, never a link."""
    return job.status == BackgroundJobStatus.DONE and result_path(job) is None


def create_job(kind: str, params: dict, requested_by_id: int | None, event_id: int | None = None,
               total: int = 0) -> BackgroundJob:
    """A queued job (flushes; commit, then ``start_job``)."""
    if kind not in kinds(current_app):
        raise ValueError(f"no job kind {kind!r}")
    job = BackgroundJob(kind=kind, params=json.dumps(params, sort_keys=True), requested_by_id=requested_by_id,
                        event_id=event_id, total=total, status=BackgroundJobStatus.QUEUED, created_at=utcnow())
    db.session.add(job)
    db.session.flush()
    return job


def run_again(job: BackgroundJob, requested_by_id: int | None) -> BackgroundJob:
    """A new queued job with the same kind, params and event as a failed one (flushes; commit, then start)."""
    if job.status != BackgroundJobStatus.FAILED:
        raise ValueError("only a failed job is run again")
    again = BackgroundJob(kind=job.kind, params=job.params, requested_by_id=requested_by_id, event_id=job.event_id,
                          total=job.total, status=BackgroundJobStatus.QUEUED, created_at=utcnow())
    db.session.add(again)
    db.session.flush()
    return again


def rq_job_id(job_id: int) -> str:
    return f"background-job-{job_id}"


def queue(app: Flask, name: str | None = None):
    return rqueue.queue(app, name)


def start_job(job_id: int) -> str:
    """Hand a committed job to the queue, or to a thread here; returns which ("queue" or "thread")."""
    app = current_app._get_current_object()
    if rqueue.configured(app):
        job = db.session.get(BackgroundJob, job_id)
        kind = kinds(app)[job.kind]
        rqueue.enqueue(app, run_queued_job, job_id, job_id=rq_job_id(job_id), timeout=kind.timeout,
                       retries=kind.retries, kind=job.kind)
        return "queue"
    thread = threading.Thread(target=_run_in_thread, args=(app, job_id), name=f"background-job-{job_id}",
                              daemon=True)
    thread.start()
    app.extensions.setdefault(THREADS_KEY, []).append(thread)
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


def _claim(job_id: int, now: datetime) -> int | None:
    """Take the job: queued, or running with a silent heartbeat (its worker died; RQ tries it again). Returns
    this try's number (the job's ``attempts`` after the claim), None when the job is not to be run here."""
    last_sign = func.coalesce(BackgroundJob.heartbeat_at, BackgroundJob.started_at, BackgroundJob.created_at)
    attempt = db.session.execute(
        update(BackgroundJob).where(BackgroundJob.id == job_id, or_(
            BackgroundJob.status == BackgroundJobStatus.QUEUED,
            and_(BackgroundJob.status == BackgroundJobStatus.RUNNING, last_sign < now - _stale_after())))
        .values(status=BackgroundJobStatus.RUNNING, started_at=now, heartbeat_at=now, finished_at=None,
                attempts=BackgroundJob.attempts + 1)
        .returning(BackgroundJob.attempts)
        .execution_options(synchronize_session=False)).scalar_one_or_none()
    db.session.commit()
    return attempt


def _still_mine(job_id: int, attempt: int):
    """The condition of every write of a try: the job is still running as this try. A copy that was failed as
    stalled, or whose job another process took again (a later attempt), writes nothing."""
    return and_(BackgroundJob.id == job_id, BackgroundJob.attempts == attempt,
                BackgroundJob.status == BackgroundJobStatus.RUNNING)


class _Superseded(Exception):
    """This try no longer owns its job (failed as stalled, or taken again): it stops and writes nothing."""


def run_job(job_id: int) -> None:
    """Run a queued job to its end, keeping progress and the result (or error) on its row. Under RQ, a try
    that raises (not JobRefused, not a timeout) while tries are left puts the job back to "queued" and
    raises again, so RQ runs it later (back-off); the last try's error fails it. Every write of the try is
    guarded by its attempt number (``_still_mine``): a copy that was declared stalled while it still worked
    writes neither its progress, nor its result (its file is deleted again), nor its error."""
    attempt = _claim(job_id, utcnow())
    if attempt is None:  # gone, finished, or already taken by a live worker
        return
    job = db.session.get(BackgroundJob, job_id)
    kind_name = job.kind
    with _Heartbeat(current_app._get_current_object(), job_id, attempt):
        try:
            kind = kinds(current_app)[kind_name]
            result = kind.run(job, lambda done, total, step="", **params: _progress(
                job_id, attempt, kind, done, total, step, params))
            folder = kind.folder() if kind.folder is not None else job_folder()
            storage_name = storage.write_file(folder, result.data, Path(result.filename).suffix, db.session)
            finished = db.session.execute(update(BackgroundJob).where(_still_mine(job_id, attempt)).values(
                storage_name=storage_name, filename=result.filename, mimetype=result.mimetype,
                status=BackgroundJobStatus.DONE, finished_at=utcnow(), error="", error_code="", error_params="{}",
                done=case((BackgroundJob.done > BackgroundJob.total, BackgroundJob.done), else_=BackgroundJob.total))
                .execution_options(synchronize_session=False)).rowcount
            if finished != 1:
                raise _Superseded
            db.session.commit()
        except _Superseded:
            db.session.rollback()  # the result's file goes with the transaction that would have named it
            log.warning("background job %s (%s): try %s no longer owns the job; its work is dropped", job_id,
                        kind_name, attempt)
        except Exception as error:  # the requester sees what went wrong on the job's page
            db.session.rollback()
            code, params, detail = _failure(error, kinds(current_app).get(kind_name))
            again = _will_retry(error)
            log.log(logging.WARNING if again else logging.ERROR, "background job %s (%s) failed%s", job_id,
                    kind_name, ", tried again later" if again else "", exc_info=True)
            failed = db.session.execute(update(BackgroundJob).where(_still_mine(job_id, attempt)).values(
                status=BackgroundJobStatus.QUEUED if again else BackgroundJobStatus.FAILED,
                finished_at=None if again else utcnow(), error=detail[:2000], error_code=code,
                error_params=json.dumps(params, ensure_ascii=False, sort_keys=True))
                .execution_options(synchronize_session=False)).rowcount
            db.session.commit()
            if again and failed == 1:
                raise


def _failure(error: Exception, kind: JobKind | None) -> tuple[str, dict, str]:
    """What a failed try stores: its code, the code's parameters, and the server's detail (not for users)."""
    if isinstance(error, JobRefused):
        return REFUSED, {"message": error.message, "values": error.values}, ""
    detail = f"{type(error).__name__}: {error}"
    if rqueue.is_timeout(error):
        return TIMEOUT, {"minutes": -(-(kind.timeout if kind else 0) // 60)}, detail
    return FAILED, {}, detail


def _will_retry(error: Exception) -> bool:
    if isinstance(error, JobRefused | UnknownStep):
        return False
    return not rqueue.is_timeout(error) and rqueue.current_retries_left() > 0


def error_text(job: BackgroundJob, stalled: bool = False) -> str:
    """Why the job (or its last try) failed, in the reader's language; ``stalled``: found stalled, not yet
    marked. A failure without a code or with one this version does not know (a later version's) reads as the
    generic FAILED: its stored text is the server's detail (``error_detail``); "" when nothing failed."""
    if stalled:
        return str(ERROR_MESSAGES[STALLED])
    if not job.error_code:
        return str(ERROR_MESSAGES[FAILED]) if job.error else ""
    try:
        params = json.loads(job.error_params or "{}")
    except ValueError:
        params = {}
    if job.error_code == REFUSED:
        values = params.get("values") or {}
        return gettext(params.get("message") or "", **values) if values else gettext(params.get("message") or "")
    message = ERROR_MESSAGES.get(job.error_code)
    if message is None:
        return str(ERROR_MESSAGES[FAILED])
    return str(message) % params if params else str(message)


def step_text(job: BackgroundJob) -> str:
    """Where the work is, in the reader's language; "" when the job said nothing, or with a code this version
    does not know (a row written before the codes, or by a later version): the page then says it is working."""
    kind = kind_of(job)
    message = kind.steps.get(job.step) if kind is not None and job.step else None
    if message is None:
        return ""
    return coded_text(message, job.step_params) or ""  # params that do not fit: "working" without words


def error_detail(job: BackgroundJob) -> str:
    """The server's own detail of a failure (the exception), for administrators; "" when there is none."""
    return job.error


def _progress(job_id: int, attempt: int, kind: JobKind, done: int, total: int, step: str, params: dict) -> None:
    """Committed at once, so the page sees it while the job's work goes on (the job only reads). A try that no
    longer owns its job stops here (``_Superseded``). A step the kind did not register is a mistake in its
    function: it fails the job at once, not retried (``UnknownStep``), rather than show nothing."""
    if step and step not in kind.steps:
        raise UnknownStep(f"no step {step!r} registered for this kind of job")
    written = db.session.execute(update(BackgroundJob).where(_still_mine(job_id, attempt)).values(
        done=done, total=total, step=step, step_params=json.dumps(params, ensure_ascii=False, sort_keys=True),
        heartbeat_at=utcnow()).execution_options(synchronize_session=False))
    db.session.commit()
    if written.rowcount != 1:
        raise _Superseded


class _Heartbeat:
    """While a job runs, a thread of the same process writes its heartbeat; it stops when the process dies."""

    def __init__(self, app: Flask, job_id: int, attempt: int, every: timedelta = HEARTBEAT_EVERY):
        self.app, self.job_id, self.attempt, self.every = app, job_id, attempt, every
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
                    db.session.execute(update(BackgroundJob).where(_still_mine(self.job_id, self.attempt))
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


def stalled_jobs(kind: str | None = None, event_id: int | None = None, now: datetime | None = None,
                 for_update: bool = False) -> list[BackgroundJob]:
    """The jobs (of ``kind``, of ``event_id``) whose process died (``is_stalled``). Reads only."""
    now = now or utcnow()
    last_sign = func.coalesce(BackgroundJob.heartbeat_at, BackgroundJob.started_at, BackgroundJob.created_at)
    query = select(BackgroundJob).where(BackgroundJob.status.in_(LIVE), last_sign < now - _stale_after())
    if kind is not None:
        query = query.where(BackgroundJob.kind == kind)
    if event_id is not None:
        query = query.where(BackgroundJob.event_id == event_id)
    return [job for job in db.session.scalars(query.with_for_update() if for_update else query)
            if is_stalled(job, now)]


def fail_stalled_jobs(kind: str | None = None, now: datetime | None = None,
                      event_id: int | None = None) -> list[BackgroundJob]:
    """Mark failed the jobs whose process died (``is_stalled``), with the code STALLED. Run by the
    scheduler every minute (``fail_stalled_round``), `flask jobs fail-stalled`, and the pages that start a
    job of the same kind. Flushes; the caller commits."""
    now = now or utcnow()
    stalled = stalled_jobs(kind, event_id, now, for_update=True)
    for job in stalled:
        job.status, job.finished_at = BackgroundJobStatus.FAILED, now
        job.error, job.error_code, job.error_params = "", STALLED, "{}"
    db.session.flush()
    return stalled


def fail_stalled_round(now: datetime) -> str:
    """The scheduler's round (every minute, in the scheduler itself: it must work when no worker does)."""
    failed = fail_stalled_jobs(now=now)
    db.session.commit()
    return f"{len(failed)} stalled job(s) failed" if failed else ""


def _still_in_queue(job: BackgroundJob) -> bool:
    if not rqueue.configured(current_app):
        return False
    still = rqueue.pending(current_app, rq_job_id(job.id))
    return True if still is None else still  # Redis cannot tell: leave alone a job that may still run


def recent_jobs(kind: str, requested_by_id: int | None, limit: int = 10) -> list[BackgroundJob]:
    return list(db.session.scalars(select(BackgroundJob).where(
        BackgroundJob.kind == kind, BackgroundJob.requested_by_id == requested_by_id)
        .order_by(BackgroundJob.id.desc()).limit(limit)))


def job_params(job: BackgroundJob) -> dict:
    return json.loads(job.params or "{}")


# --- The jobs page ------------------------------------------------------------------------------------------

# What the page lists by default: the work going on and the work that failed (done jobs on request).
SHOWN = (BackgroundJobStatus.RUNNING, BackgroundJobStatus.QUEUED, BackgroundJobStatus.FAILED)


def visible_to(user) -> object:
    """Which jobs ``user`` (an organizer) sees: administrators every job; an organizer the jobs they asked for
    and the jobs of an event (organizers manage every event, and see its print runs on its pages)."""
    if user.is_admin:
        return True
    return or_(BackgroundJob.requested_by_id == user.id, BackgroundJob.event_id.is_not(None))


def can_see(job: BackgroundJob, user) -> bool:
    return bool(user.is_admin or job.requested_by_id == user.id or job.event_id is not None)


def jobs_query(user, status: str | None = None):
    """The jobs ``user`` sees with ``status`` (None: running, queued and failed), newest first."""
    statuses = (status,) if status else SHOWN
    return (select(BackgroundJob).where(visible_to(user), BackgroundJob.status.in_(statuses))
            .order_by(BackgroundJob.id.desc()))


def count_by_status(user) -> dict[str, int]:
    counts = dict(db.session.execute(select(BackgroundJob.status, func.count()).where(visible_to(user))
                                     .group_by(BackgroundJob.status)).all())
    return {status.value: counts.get(status.value, 0) for status in BackgroundJobStatus}


def can_run_again(job: BackgroundJob) -> bool:
    """Only a failed job of a kind this app still knows: its function only reads and writes a new result."""
    return job.status == BackgroundJobStatus.FAILED and job.kind in kinds(current_app)


@dataclass(frozen=True)
class QueueState:
    name: str
    queued: int | None  # None: Redis did not answer
    failed: int | None


def queue_state(app: Flask, name: str | None = None) -> QueueState | None:
    """The RQ queue's (default: the jobs') length and failed registry (None without a queue)."""
    if not rqueue.configured(app):
        return None
    from redis.exceptions import RedisError

    name = name or app.config["JOB_QUEUE_NAME"]
    try:
        job_queue = queue(app, name)
        return QueueState(name, job_queue.count, job_queue.failed_job_registry.count)
    except (RedisError, OSError):
        return QueueState(name, None, None)
