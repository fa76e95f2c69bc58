"""Registering jobs and running those that are due.

A job's round is claimed with one conditional UPDATE of its ``scheduled_job`` row (due, and not held by
another scheduler's lease), committed before the job runs: of two schedulers that see the same job due,
exactly one updates the row and runs it. The lease expires (``LEASE``, at least the job's period), so a
scheduler that dies mid-job holds nothing for long. This works the same on PostgreSQL and SQLite, across
processes and machines.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.scheduler.models import ScheduledJob

log = logging.getLogger("eventsapp.scheduler")
JOBS_KEY = "scheduler_jobs"
LEASE = timedelta(minutes=5)


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    func: Callable[[datetime], object]

    @property
    def lease(self) -> timedelta:
        return max(LEASE, self.every)


def register_job(app, name: str, every: timedelta, func: Callable[[datetime], object]) -> None:
    """Run ``func(now)`` every ``every`` from ``flask schedule run``, inside an app context, with ``now`` the
    scheduler's time (aware UTC). ``func`` commits its own work; what it returns is logged. ``name`` is the
    job's key across schedulers and restarts: keep it stable."""
    if every <= timedelta(0):
        raise ValueError("a job runs every positive timedelta")
    jobs = app.extensions.setdefault(JOBS_KEY, {})
    if name in jobs:
        raise ValueError(f"a job named {name!r} is already registered")
    jobs[name] = Job(name, every, func)


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


def _release(job: Job, error: str) -> None:
    db.session.execute(update(ScheduledJob).where(ScheduledJob.name == job.name)
                       .values(locked_until=None, last_finished_at=utcnow(), last_error=error[:2000])
                       .execution_options(synchronize_session=False))
    db.session.commit()


def run_due_jobs(app, now: datetime | None = None) -> list[str]:
    """Run every registered job that is due and not run by another scheduler; the names of those run here.
    A job that fails is logged and rolled back; the others still run."""
    now = now or utcnow()
    jobs = registered_jobs(app)
    ran = []
    for job in due_jobs(jobs, _ensure_rows(jobs, now), now):
        if not _claim(job, now):
            continue
        error = ""
        try:
            result = job.func(now)
            db.session.commit()
        except Exception as problem:  # one job's failure must not stop the others
            db.session.rollback()
            error = f"{type(problem).__name__}: {problem}"
            log.exception("Scheduled job %s failed", job.name)
        else:
            if result:
                log.info("%s: %s", job.name, result)
        _release(job, error)
        ran.append(job.name)
    return ran


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
