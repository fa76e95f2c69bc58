"""Registering jobs and running (or queueing) those that are due.

With JOB_QUEUE_URL set (Redis), the scheduler only decides what is due: each due round is put on the rounds'
own RQ queue, ROUNDS_QUEUE_NAME (eventsapp.rqueue), as ``run_scheduled_job(name, now)`` under a fixed RQ id
per job, so a round still waiting or running is not queued twice; the rounds' own worker (`flask jobs worker
--rounds`) runs it, with the job's timeout and retries with back-off, so no long background job (an
hour-long badge print run on JOB_QUEUE_NAME) holds back the outbox, webhooks or reminders. Jobs registered
``inline`` (the stalled-job sweep, which must work when no worker does) and every job of the embedded
default (no queue) run in the scheduler's process, as before.

A job's round is claimed with one conditional UPDATE of its ``scheduled_job`` row (due, and not held by
another scheduler's lease), committed before the job runs: of two schedulers that see the same job due,
exactly one updates the row and runs it. The lease expires (``LEASE``, at least the job's period), so a
scheduler that dies mid-job holds nothing for long. This works the same on PostgreSQL and SQLite, across
processes and machines.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from eventsapp import create_app, rqueue
from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.i18n import coded_text
from eventsapp.scheduler.models import ScheduledJob

log = logging.getLogger("eventsapp.scheduler")
JOBS_KEY = "scheduler_jobs"
LEASE = timedelta(minutes=5)

# Why a round failed, as stored (``last_error_code``, with ``last_error_params``), and its words in the reader's
# language; the exception's own text stays in ``last_error`` for administrators.
FAILED, NOT_QUEUED, TIMEOUT = "failed", "not_queued", "timeout"
ERROR_MESSAGES = {
    FAILED: _l("The round failed; the server's detail says why, and the next round tries again."),
    NOT_QUEUED: _l("The round could not be put on the queue (Redis did not answer); the next round tries again."),
    TIMEOUT: _l("The round ran longer than its limit of %(minutes)d minutes and was stopped."),
}


@dataclass(frozen=True)
class Outcome:
    """How a round ended: ``code`` "" when it went well, else a key of ERROR_MESSAGES with its ``params``;
    ``detail``: the server's own text (the exception)."""

    code: str = ""
    params: dict | None = None
    detail: str = ""

    def values(self) -> dict:
        return {"last_finished_at": utcnow(), "last_error_code": self.code,
                "last_error_params": json.dumps(self.params or {}, ensure_ascii=False, sort_keys=True),
                "last_error": self.detail[:2000]}


WENT_WELL = Outcome()


def _failed(problem: Exception, job: Job | None = None) -> Outcome:
    detail = f"{type(problem).__name__}: {problem}"
    if rqueue.is_timeout(problem):
        return Outcome(TIMEOUT, {"minutes": -(-(job.timeout if job else 0) // 60)}, detail)
    return Outcome(FAILED, {}, detail)


def error_text(row: ScheduledJob) -> str:
    """Why the job's last round failed, in the reader's language ("" when it went well). A row without a code
    but with a detail (written before the codes) or with a code this version does not know reads as FAILED."""
    if not row.last_error_code:
        return str(ERROR_MESSAGES[FAILED]) if row.last_error else ""
    message = ERROR_MESSAGES.get(row.last_error_code, ERROR_MESSAGES[FAILED])
    return coded_text(message, row.last_error_params) or str(ERROR_MESSAGES[FAILED])


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    func: Callable[[datetime], object]
    timeout: int = 600  # seconds one round may take on a worker before RQ stops (and fails) it
    retries: tuple[int, ...] = (15, 60)  # pauses before each new try of a round that raised on a worker
    inline: bool = False  # always run in the scheduler, never queued

    @property
    def lease(self) -> timedelta:
        return max(LEASE, self.every)


def register_job(app, name: str, every: timedelta, func: Callable[[datetime], object], *, timeout: int = 600,
                 retries: tuple[int, ...] = (15, 60), inline: bool = False) -> None:
    """Run ``func(now)`` every ``every`` from ``flask schedule run`` (with a queue: on a worker), inside an app
    context, with ``now`` the scheduler's time (aware UTC). ``func`` commits its own work and must be
    idempotent (a retried or repeated round does no harm); what it returns is logged. ``name`` is the job's
    key across schedulers and restarts: keep it stable. ``timeout``, ``retries``: on the queue (seconds)."""
    if every <= timedelta(0):
        raise ValueError("a job runs every positive timedelta")
    jobs = app.extensions.setdefault(JOBS_KEY, {})
    if name in jobs:
        raise ValueError(f"a job named {name!r} is already registered")
    jobs[name] = Job(name, every, func, timeout, tuple(retries), inline)


def registered_jobs(app) -> list[Job]:
    return list(app.extensions.get(JOBS_KEY, {}).values())


def due_jobs(jobs: Iterable[Job], rows: dict[str, ScheduledJob], now: datetime) -> list[Job]:
    """The jobs to run at ``now``: new ones, and those due whose lease (if any) has ended."""
    due = []
    for job in jobs:
        row = rows.get(job.name)
        if row is None or (row.next_run_at <= now and (row.locked_until is None or row.locked_until <= now)):
            due.append(job)
    return due


def _ensure_rows(jobs: list[Job], now: datetime) -> dict[str, ScheduledJob]:
    rows = {row.name: row for row in db.session.scalars(select(ScheduledJob))}
    missing = [job for job in jobs if job.name not in rows]
    if missing:
        try:
            db.session.add_all(ScheduledJob(name=job.name, next_run_at=now, last_error="") for job in missing)
            db.session.commit()
        except IntegrityError:  # another scheduler added them first
            db.session.rollback()
        rows = {row.name: row for row in db.session.scalars(select(ScheduledJob))}
    return rows


def _claim(job: Job, now: datetime) -> bool:
    claimed = db.session.execute(
        update(ScheduledJob)
        .where(ScheduledJob.name == job.name, ScheduledJob.next_run_at <= now,
               or_(ScheduledJob.locked_until.is_(None), ScheduledJob.locked_until <= now))
        .values(next_run_at=now + job.every, locked_until=now + job.lease, last_started_at=now)
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return claimed == 1


def _release(job: Job, outcome: Outcome, ran_here: bool = True) -> None:
    """Free the job's lease; a round run here also records its end (a queued one: the worker does)."""
    values = {"locked_until": None}
    if ran_here or outcome.code:
        values.update(outcome.values())
    db.session.execute(update(ScheduledJob).where(ScheduledJob.name == job.name).values(**values)
                       .execution_options(synchronize_session=False))
    db.session.commit()


def run_due_jobs(app, now: datetime | None = None) -> list[str]:
    """Run (or, with a queue, queue) every registered job that is due and not taken by another scheduler; the
    names of those run or queued here. A job that fails is logged and rolled back; the others still run."""
    now = now or utcnow()
    jobs = registered_jobs(app)
    ran = []
    for job in due_jobs(jobs, _ensure_rows(jobs, now), now):
        if not _claim(job, now):
            continue
        queued = rqueue.configured(app) and not job.inline
        outcome = _enqueue(app, job, now) if queued else _run(job, now)
        _release(job, outcome, ran_here=not queued)
        ran.append(job.name)
    return ran


def _run(job: Job, now: datetime) -> Outcome:
    try:
        result = job.func(now)
        db.session.commit()
    except Exception as problem:  # one job's failure must not stop the others
        db.session.rollback()
        log.exception("Scheduled job %s failed", job.name)
        return _failed(problem, job)
    if result:
        log.info("%s: %s", job.name, result)
    return WENT_WELL


def rq_job_id(name: str) -> str:
    return f"scheduled-{name}"


def _enqueue(app, job: Job, now: datetime) -> Outcome:
    """Queue the round; a round of the same job still queued or running (a slow worker) is not queued twice."""
    from redis.exceptions import RedisError

    try:
        rounds = rqueue.rounds_queue_name(app)
        if rqueue.pending(app, rq_job_id(job.name), rounds):
            log.info("Scheduled job %s: the previous round is still queued or running", job.name)
            return WENT_WELL
        rqueue.enqueue(app, run_scheduled_job, job.name, now.isoformat(), job_id=rq_job_id(job.name),
                       timeout=job.timeout, retries=job.retries, queue_name=rounds, scheduled=job.name)
    except (RedisError, OSError) as problem:  # Redis away: the next round tries again
        log.exception("Scheduled job %s could not be queued", job.name)
        return Outcome(NOT_QUEUED, {}, f"{type(problem).__name__}: {problem}")
    return WENT_WELL


def run_scheduled_job(name: str, now: str) -> object:
    """What the RQ worker runs for a queued round: the job's function at the scheduler's ``now``. Raises on
    failure (RQ retries it with back-off, then keeps it in its failed registry); the job's row keeps the
    outcome either way (``last_finished_at``, ``last_error``)."""
    if has_app_context():
        return _run_queued(name, datetime.fromisoformat(now))
    with create_app().app_context():
        return _run_queued(name, datetime.fromisoformat(now))


def _run_queued(name: str, now: datetime) -> object:
    job = current_app.extensions.get(JOBS_KEY, {}).get(name)
    if job is None:
        raise LookupError(f"no scheduled job {name!r} in this app")
    try:
        result = job.func(now)
        db.session.commit()
    except Exception as problem:
        db.session.rollback()
        _finished(name, _failed(problem, job))
        raise
    _finished(name, WENT_WELL)
    if result:
        log.info("%s: %s", name, result)
    return result if isinstance(result, (int, str)) else None


def _finished(name: str, outcome: Outcome) -> None:
    db.session.execute(update(ScheduledJob).where(ScheduledJob.name == name).values(**outcome.values())
                       .execution_options(synchronize_session=False))
    db.session.commit()


def seconds_until_next(app, now: datetime | None = None) -> float:
    """How long a scheduler may sleep before a job is due (at most the shortest period)."""
    now = now or utcnow()
    jobs = registered_jobs(app)
    if not jobs:
        return 60.0
    rows = {row.name: row for row in db.session.scalars(select(ScheduledJob))}
    db.session.rollback()
    shortest = min(job.every for job in jobs)
    waits = [max((max(row.next_run_at, row.locked_until or row.next_run_at) - now).total_seconds(), 0)
             for job in jobs if (row := rows.get(job.name)) is not None]
    return min([shortest.total_seconds(), *waits]) if len(waits) == len(jobs) else 0.0
