"""The RQ queues on JOB_QUEUE_URL: JOB_QUEUE_NAME for the background jobs (eventsapp.jobs: print runs,
reports, certificates) and ROUNDS_QUEUE_NAME for the scheduler's rounds (eventsapp.scheduler: outbox,
reminders, webhooks, ...), each with its own worker (`flask jobs worker`, `flask jobs worker --rounds`), so
an hour-long print run never holds back an e-mail. ``configured(app)`` says whether work is queued at all:
without JOB_QUEUE_URL (the embedded default) it runs in this process instead.

Every enqueue names its job (``job_id``), sets a timeout (RQ stops a job that runs longer and fails it), a
retry policy with back-off, and carries the id of the request that queued it (requestlog.job_meta).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

from flask import Flask

from eventsapp.requestlog import job_meta

# rq statuses of a job that is still going to run, or running: a second enqueue of the same id would duplicate it.
PENDING = ("queued", "deferred", "scheduled", "started")


def configured(app: Flask) -> bool:
    return bool(app.config.get("JOB_QUEUE_URL"))


def rounds_queue_name(app: Flask) -> str:
    return app.config["ROUNDS_QUEUE_NAME"]


def queue(app: Flask, name: str | None = None):
    """The queue ``name`` (default: the background jobs' JOB_QUEUE_NAME) on JOB_QUEUE_URL."""
    from redis import Redis
    from rq import Queue

    return Queue(name or app.config["JOB_QUEUE_NAME"], connection=Redis.from_url(app.config["JOB_QUEUE_URL"]))


def enqueue(app: Flask, func: Callable, *args, job_id: str, timeout: int, retries: Sequence[int] = (),
            queue_name: str | None = None, **meta) -> object:
    """Put ``func(*args)`` on the queue ``queue_name`` (default JOB_QUEUE_NAME) as ``job_id``; ``retries``:
    the pauses in seconds before each new try of a job that raised (none: no retry)."""
    from rq import Retry

    retry = Retry(max=len(retries), interval=list(retries)) if retries else None
    # result_ttl: the finished job stays readable a while (the worker logs its status after it ends).
    return queue(app, queue_name).enqueue(func, *args, job_id=job_id, job_timeout=timeout, retry=retry,
                                          result_ttl=600, failure_ttl=7 * 24 * 3600, meta=job_meta(**meta))


def pending(app: Flask, job_id: str, queue_name: str | None = None) -> bool | None:
    """Whether the queue ``queue_name`` (default JOB_QUEUE_NAME) still has ``job_id`` to run or running; None
    when Redis cannot tell."""
    from redis.exceptions import RedisError
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    try:
        job_queue = queue(app, queue_name)
        status = Job.fetch(job_id, connection=job_queue.connection).get_status(refresh=False)
        if status == "queued":  # and really in the queue (a list Redis lost, or emptied, runs nothing)
            return job_queue.get_job_position(job_id) is not None
        return status in PENDING
    except NoSuchJobError:
        return False
    except RedisError:
        return None


def is_timeout(error: BaseException) -> bool:
    """Whether RQ stopped the work for running past its timeout."""
    from rq.timeouts import JobTimeoutException

    return isinstance(error, JobTimeoutException)


def current_retries_left() -> int:
    """How many more tries RQ gives the job this worker runs now (0 outside a worker)."""
    from rq import get_current_job

    job = get_current_job()
    return int(job.retries_left or 0) if job is not None else 0
