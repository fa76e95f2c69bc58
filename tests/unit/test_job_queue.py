"""One queue for every background job: the scheduler queues its rounds when JOB_QUEUE_URL is set and runs
them itself otherwise; jobs go on RQ with their kind's timeout and retries (or in a thread); a failed try is
retried, a refused one is not; a job whose process died is failed with a reason, or taken again by RQ's
retry. The last tests use a real Redis and a real rq SimpleWorker in this process."""
from __future__ import annotations

import json
import os
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select, update

from eventsapp import rqueue
from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.jobs import services as jobs
from eventsapp.jobs.models import BackgroundJob, BackgroundJobStatus
from eventsapp.notifications.models import OutboxMessage, OutboxStatus
from eventsapp.scheduler import services as scheduler
from eventsapp.scheduler.models import ScheduledJob
from tests.local_services import needs_redis

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
NOW = datetime(2030, 1, 1, 8, tzinfo=UTC)


class RecordingQueue:
    """Stands for RQ: keeps what would be queued, and on which queue."""

    def __init__(self):
        self.queued: list[dict] = []

    def named(self, app, name=None):
        recording = self

        class Named:
            def enqueue(self, func, *args, **kwargs):
                recording.queued.append({"func": func, "args": args, "queue": name or app.config["JOB_QUEUE_NAME"],
                                         **kwargs})
        return Named()


@pytest.fixture
def recording(app, monkeypatch):
    queue = RecordingQueue()
    monkeypatch.setitem(app.config, "JOB_QUEUE_URL", "redis://queue.invalid:6379/0")
    monkeypatch.setattr(rqueue, "queue", queue.named)
    monkeypatch.setattr(rqueue, "pending", lambda app, job_id, queue_name=None: any(
        q["job_id"] == job_id and q["queue"] == (queue_name or app.config["JOB_QUEUE_NAME"]) for q in queue.queued))
    return queue


@pytest.fixture
def scheduled(app, monkeypatch):
    """The app's scheduled jobs replaced by the test's own."""
    monkeypatch.setitem(app.extensions, scheduler.JOBS_KEY, {})
    return app


@pytest.fixture
def kinds(app, monkeypatch):
    """The app's kinds of background job, plus the test's own (added with ``kinds.add``)."""
    registered = dict(app.extensions[jobs.KINDS_KEY])
    monkeypatch.setitem(app.extensions, jobs.KINDS_KEY, registered)

    class Kinds:
        @staticmethod
        def add(name, run, **options):
            jobs.register_kind(app, name, run, lambda params: name, **options)
    return Kinds


def _done(job, progress):
    progress(1, 1, "")
    return jobs.JobResult(b"result", "result.txt", "text/plain")


# --- The scheduler: run here, or queue ----------------------------------------------------------------------

def test_without_a_queue_the_scheduler_runs_each_round_itself(app, ctx, scheduled):
    ran = []
    scheduler.register_job(app, "count", timedelta(minutes=1), ran.append)
    assert scheduler.run_due_jobs(app, NOW) == ["count"]
    assert ran == [NOW]
    assert db.session.get(ScheduledJob, "count").last_finished_at is not None


def test_with_a_queue_the_scheduler_only_queues_the_round(app, ctx, scheduled, recording):
    ran, inline = [], []
    scheduler.register_job(app, "count", timedelta(minutes=1), ran.append, timeout=42, retries=(5, 50))
    scheduler.register_job(app, "sweep", timedelta(minutes=1), inline.append, inline=True)
    assert sorted(scheduler.run_due_jobs(app, NOW)) == ["count", "sweep"]
    assert ran == [] and inline == [NOW]  # the inline one ran here, the other is on the queue
    [queued] = recording.queued
    assert queued["func"] is scheduler.run_scheduled_job and queued["args"] == ("count", NOW.isoformat())
    assert queued["job_id"] == "scheduled-count" and queued["job_timeout"] == 42
    assert queued["queue"] == "rounds"  # the rounds' own queue, never behind a long job on "jobs"
    assert queued["retry"].max == 2 and queued["retry"].intervals == [5, 50]
    row = db.session.get(ScheduledJob, "count")
    assert row.locked_until is None and row.last_finished_at is None  # the worker records the end

    # The next round is due, but the last one is still waiting on the queue: it is not queued twice.
    assert scheduler.run_due_jobs(app, NOW + timedelta(minutes=2)) == ["count", "sweep"]
    assert len(recording.queued) == 1

    # What the worker runs: the function, at the scheduler's time; the row keeps the outcome.
    scheduler.run_scheduled_job("count", NOW.isoformat())
    assert ran == [NOW] and db.session.get(ScheduledJob, "count").last_error == ""


def test_a_queued_round_that_fails_raises_for_rqs_retry_and_says_why(app, ctx, scheduled):
    def broken(now):
        raise OSError("SMTP down")

    scheduler.register_job(app, "broken", timedelta(minutes=1), broken)
    scheduler.run_due_jobs(app, NOW)  # no queue: runs here, the error is kept
    with pytest.raises(OSError):
        scheduler.run_scheduled_job("broken", NOW.isoformat())
    row = db.session.get(ScheduledJob, "broken")
    assert (row.last_error_code, row.last_error) == (scheduler.FAILED, "OSError: SMTP down")


def test_a_rounds_failure_is_a_code_shown_in_the_readers_language_with_the_detail_apart(app, ctx, scheduled,
                                                                                        recording, monkeypatch):
    from redis.exceptions import ConnectionError as RedisDown

    def redis_away(*args, **kwargs):
        raise RedisDown("Connection refused")

    scheduler.register_job(app, "count", timedelta(minutes=1), print)
    monkeypatch.setattr(rqueue, "pending", redis_away)
    assert scheduler.run_due_jobs(app, NOW) == ["count"]
    row = db.session.get(ScheduledJob, "count")
    assert (row.last_error_code, row.last_error) == (scheduler.NOT_QUEUED, "ConnectionError: Connection refused")
    with force_locale("en"):
        assert scheduler.error_text(row).startswith("The round could not be put on the queue")
    with force_locale("zh_CN"):
        assert "Redis" in scheduler.error_text(row) and "could not" not in scheduler.error_text(row)

    row.last_error_code, row.last_error_params = scheduler.TIMEOUT, '{"minutes": 10}'
    with force_locale("en"):
        assert scheduler.error_text(row) == "The round ran longer than its limit of 10 minutes and was stopped."
    row.last_error_code, row.last_error = "", "OSError: from before the codes"  # an old row: the generic reason
    with force_locale("en"):
        assert scheduler.error_text(row).startswith("The round failed")
    row.last_error = ""
    assert scheduler.error_text(row) == ""


def test_a_jobs_steps_are_stored_as_codes_and_shown_in_the_readers_language(app, ctx, kinds, monkeypatch, tmp_path):
    from eventsapp.reports import jobs as report_jobs

    monkeypatch.setitem(app.config, "JOB_FOLDER", str(tmp_path))
    shown = {}

    def reading(job, progress):
        progress(0, 3, report_jobs.READING, year=2026, before=2025)
        row = db.session.get(BackgroundJob, job.id)
        db.session.refresh(row)
        for locale in ("en", "zh_CN"):
            with force_locale(locale):
                shown[locale] = jobs.step_text(row)
        shown["stored"] = (row.step, json.loads(row.step_params))
        return jobs.JobResult(b"result", "result.txt", "text/plain")

    kinds.add("test-steps", reading, steps=report_jobs.STEPS)
    job_id = jobs.create_job("test-steps", {}, None).id
    db.session.commit()
    jobs.run_job(job_id)
    assert shown["stored"] == ("reading", {"before": 2025, "year": 2026})
    assert shown["en"] == "Reading the figures of 2026 and 2025…"
    assert "2026" in shown["zh_CN"] and "Reading" not in shown["zh_CN"]

    old = BackgroundJob(kind="test-steps", step="Drawing the charts and writing the PDF…")  # a row from before
    assert jobs.step_text(old) == ""  # the page says it is working


def test_a_step_the_kind_did_not_register_fails_the_job_at_once(app, ctx, kinds, monkeypatch):
    monkeypatch.setattr(rqueue, "current_retries_left", lambda: 2)  # under RQ, tries left: still not retried

    def unregistered(job, progress):
        progress(1, 2, "Halfway there…")
        return jobs.JobResult(b"result", "result.txt", "text/plain")

    kinds.add("test-unregistered-step", unregistered, steps={})
    job_id = jobs.create_job("test-unregistered-step", {}, None).id
    db.session.commit()
    jobs.run_job(job_id)
    job = db.session.get(BackgroundJob, job_id)
    db.session.refresh(job)
    assert job.status == BackgroundJobStatus.FAILED and "no step 'Halfway there…'" in job.error


def test_every_scheduled_round_of_the_app_has_a_timeout_and_the_sweep_runs_in_the_scheduler(app):
    registered = {job.name: job for job in scheduler.registered_jobs(app)}
    assert {"outbox", "reminders", "surveys", "survey-reminders", "webhooks", "retention", "analytics",
            "stalled-jobs"} <= set(registered)
    assert all(job.timeout > 0 and job.retries for job in registered.values())
    assert registered["stalled-jobs"].inline and not registered["outbox"].inline


# --- Background jobs: queue or thread, retries, timeouts ------------------------------------------------------

def test_a_job_goes_on_the_queue_with_its_kinds_timeout_and_retries(app, ctx, kinds, recording):
    kinds.add("test-done", _done, timeout=77, retries=(1, 2, 3))
    job = jobs.create_job("test-done", {}, None)
    db.session.commit()
    assert jobs.start_job(job.id) == "queue"
    [queued] = recording.queued
    assert queued["func"] is jobs.run_queued_job and queued["args"] == (job.id,)
    assert queued["job_id"] == f"background-job-{job.id}" and queued["job_timeout"] == 77
    assert queued["queue"] == "jobs"
    assert queued["retry"].max == 3 and queued["meta"]["kind"] == "test-done"


def test_without_a_queue_a_job_runs_in_a_thread(app, ctx, kinds, real_commits):
    kinds.add("test-done", _done)
    job_id = jobs.create_job("test-done", {}, None).id
    db.session.commit()
    # No read here until the thread is done: on SQLite a read after the commit would open a transaction that
    # keeps the thread from writing.
    assert jobs.start_job(job_id) == "thread"
    app.extensions[jobs.THREADS_KEY][-1].join(timeout=30)
    db.session.expire_all()
    assert db.session.get(BackgroundJob, job_id).status == BackgroundJobStatus.DONE


def test_a_failed_try_with_tries_left_goes_back_to_the_queue_and_the_last_one_fails(app, ctx, kinds, monkeypatch,
                                                                                      tmp_path):
    monkeypatch.setitem(app.config, "JOB_FOLDER", str(tmp_path))

    def flaky(job, progress):
        raise OSError("disk busy")

    kinds.add("test-flaky", flaky)
    job_id = jobs.create_job("test-flaky", {}, None).id
    db.session.commit()
    monkeypatch.setattr(rqueue, "current_retries_left", lambda: 1)
    with pytest.raises(OSError):  # RQ sees the failure and retries later (back-off)
        jobs.run_job(job_id)
    job = db.session.get(BackgroundJob, job_id)
    assert job.status == BackgroundJobStatus.QUEUED and job.error == "OSError: disk busy" and job.attempts == 1
    assert job.error_code == jobs.FAILED and "disk busy" not in jobs.error_text(job)  # the detail: admins only
    monkeypatch.setattr(rqueue, "current_retries_left", lambda: 0)
    jobs.run_job(job_id)  # the last try
    job = db.session.get(BackgroundJob, job_id)
    assert job.status == BackgroundJobStatus.FAILED and job.attempts == 2 and job.finished_at is not None
    jobs.run_job(job_id)  # a finished job is never run again
    assert db.session.get(BackgroundJob, job_id).attempts == 2


def test_a_refused_job_is_not_retried(app, ctx, kinds, monkeypatch):
    def refused(job, progress):
        raise jobs.JobRefused(jobs.N_("No published event started in %(year)s: there is no report to write."),
                              year=2031)

    kinds.add("test-refused", refused)
    job_id = jobs.create_job("test-refused", {}, None).id
    db.session.commit()
    monkeypatch.setattr(rqueue, "current_retries_left", lambda: 2)
    jobs.run_job(job_id)
    refused = db.session.get(BackgroundJob, job_id)
    assert refused.status == BackgroundJobStatus.FAILED and refused.error_code == jobs.REFUSED
    assert json.loads(refused.error_params) == {
        "message": "No published event started in %(year)s: there is no report to write.",
        "values": {"year": 2031}}
    with force_locale("zh_CN"):
        assert jobs.error_text(refused).startswith("2031") and "report to write" not in jobs.error_text(refused)


def test_a_try_stopped_by_its_timeout_fails_with_that_reason(app, ctx, kinds, monkeypatch):
    from rq.timeouts import JobTimeoutException

    def slow(job, progress):
        raise JobTimeoutException("Task exceeded maximum timeout value (1 seconds)")

    kinds.add("test-slow", slow)
    job_id = jobs.create_job("test-slow", {}, None).id
    db.session.commit()
    monkeypatch.setattr(rqueue, "current_retries_left", lambda: 2)  # a timeout is not tried again
    jobs.run_job(job_id)
    job = db.session.get(BackgroundJob, job_id)
    assert job.status == BackgroundJobStatus.FAILED and "maximum timeout" in job.error
    assert (job.error_code, json.loads(job.error_params)) == (jobs.TIMEOUT, {"minutes": 60})
    with force_locale("en"):
        assert jobs.error_text(job) == "The job ran longer than its limit of 60 minutes and was stopped."
    with force_locale("zh_CN"):
        assert jobs.error_text(job) == "任务运行超过了 60 分钟的时限，已被停止。"


@pytest.mark.parametrize("code", ["", "quota-exceeded"])
def test_a_failure_without_a_known_code_shows_users_the_generic_reason(app, ctx, code):
    """A row from before the codes, or with a later version's code: its text is the server's detail."""
    job = BackgroundJob(kind="year-report", params="{}", status=BackgroundJobStatus.FAILED, error_code=code,
                        error="ValueError: token abc123 in /srv/talent/secret.cfg")
    db.session.add(job)
    db.session.commit()
    with force_locale("en"):
        assert jobs.error_text(job) == "The job failed on the server; an administrator finds the reason in the log."
    with force_locale("zh_CN"):
        assert jobs.error_text(job) == "任务在服务器上失败；管理员可在日志中查看原因。"
    assert jobs.error_detail(job) == "ValueError: token abc123 in /srv/talent/secret.cfg"  # for administrators
    job.error = ""
    assert jobs.error_text(job) == ("" if not code else str(jobs.ERROR_MESSAGES[jobs.FAILED]))


# --- Jobs whose process died ----------------------------------------------------------------------------------

def test_the_schedulers_sweep_fails_a_running_job_whose_heartbeat_stopped(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "JOB_STALLED_SECONDS", 120)
    silent, alive = utcnow() - timedelta(minutes=10), utcnow()
    dead = BackgroundJob(kind="year-report", params="{}", status=BackgroundJobStatus.RUNNING, started_at=silent,
                         heartbeat_at=silent)
    living = BackgroundJob(kind="year-report", params="{}", status=BackgroundJobStatus.RUNNING, started_at=alive,
                           heartbeat_at=alive)
    db.session.add_all([dead, living])
    db.session.commit()
    assert jobs.is_stalled(dead) and not jobs.is_stalled(living)
    assert jobs.fail_stalled_round(utcnow()) == "1 stalled job(s) failed"
    assert (dead.status, dead.error_code) == (BackgroundJobStatus.FAILED, jobs.STALLED) and dead.finished_at
    with force_locale("zh_CN"):
        assert "stopped" not in jobs.error_text(dead)
    with force_locale("en"):
        assert jobs.error_text(dead) == "The process running the job stopped before it finished."
    assert living.status == BackgroundJobStatus.RUNNING
    assert jobs.fail_stalled_round(utcnow()) == ""  # once


def test_rqs_retry_of_a_dead_workers_job_takes_it_again(app, ctx, kinds, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "JOB_FOLDER", str(tmp_path))
    kinds.add("test-done", _done)
    silent = utcnow() - timedelta(minutes=10)
    job = BackgroundJob(kind="test-done", params="{}", status=BackgroundJobStatus.RUNNING, started_at=silent,
                        heartbeat_at=silent, attempts=1)
    db.session.add(job)
    db.session.commit()
    jobs.run_job(job.id)  # what RQ runs again after its maintenance found the job abandoned
    db.session.refresh(job)
    assert job.status == BackgroundJobStatus.DONE and job.attempts == 2


def test_a_running_job_with_a_live_heartbeat_is_not_taken_twice(app, ctx, kinds):
    kinds.add("test-done", _done)
    job = BackgroundJob(kind="test-done", params="{}", status=BackgroundJobStatus.RUNNING, started_at=utcnow(),
                        heartbeat_at=utcnow(), attempts=1)
    db.session.add(job)
    db.session.commit()
    jobs.run_job(job.id)
    db.session.refresh(job)
    assert job.status == BackgroundJobStatus.RUNNING and job.attempts == 1


def _another_copy_takes_the_job(job_id: int, **changes) -> None:
    """What happens elsewhere while a slow try still works: the sweep fails the job as stalled, or RQ's retry
    of a job it thought dead claims it again (a later attempt)."""
    db.session.execute(update(BackgroundJob).where(BackgroundJob.id == job_id).values(**changes))
    db.session.commit()


@pytest.mark.parametrize("elsewhere", ["failed as stalled", "taken again"])
def test_a_stale_copy_of_a_job_writes_nothing_when_it_finishes(app, ctx, kinds, monkeypatch, tmp_path, elsewhere):
    monkeypatch.setitem(app.config, "JOB_FOLDER", str(tmp_path))
    changes = ({"status": BackgroundJobStatus.FAILED, "error_code": jobs.STALLED} if elsewhere == "failed as stalled"
               else {"attempts": BackgroundJob.attempts + 1, "heartbeat_at": utcnow()})

    def slow(job, progress):
        _another_copy_takes_the_job(job.id, **changes)
        return jobs.JobResult(b"late result", "late.txt", "text/plain")

    kinds.add("test-slow-copy", slow)
    job_id = jobs.create_job("test-slow-copy", {}, None).id
    db.session.commit()
    jobs.run_job(job_id)
    db.session.expire_all()
    job = db.session.get(BackgroundJob, job_id)
    assert job.status == (BackgroundJobStatus.FAILED if elsewhere == "failed as stalled"
                          else BackgroundJobStatus.RUNNING)  # the other copy's state, untouched
    assert job.storage_name == "" and list(tmp_path.iterdir()) == []  # its file went with its refused write
    assert job.error_code == (jobs.STALLED if elsewhere == "failed as stalled" else "")


def test_a_stale_copy_stops_at_its_next_progress_and_its_failure_is_not_written(app, ctx, kinds, monkeypatch):
    seen = []

    def slow(job, progress):
        _another_copy_takes_the_job(job.id, attempts=BackgroundJob.attempts + 1, heartbeat_at=utcnow())
        progress(5, 10)  # the copy learns here that the job is no longer its own
        seen.append("went on")
        raise OSError("never reached")

    kinds.add("test-stale-progress", slow)
    job_id = jobs.create_job("test-stale-progress", {}, None).id
    db.session.commit()
    monkeypatch.setattr(rqueue, "current_retries_left", lambda: 2)
    jobs.run_job(job_id)  # no raise: RQ must not retry a try that lost its job
    db.session.expire_all()
    job = db.session.get(BackgroundJob, job_id)
    assert seen == [] and (job.status, job.attempts, job.done, job.step, job.error) == (
        BackgroundJobStatus.RUNNING, 2, 0, "", "")

    def fails(job, progress):
        _another_copy_takes_the_job(job.id, status=BackgroundJobStatus.FAILED, error_code=jobs.STALLED)
        raise OSError("disk full")

    kinds.add("test-stale-failure", fails)
    job_id = jobs.create_job("test-stale-failure", {}, None).id
    db.session.commit()
    jobs.run_job(job_id)
    db.session.expire_all()
    late = db.session.get(BackgroundJob, job_id)
    assert (late.error_code, late.error) == (jobs.STALLED, "")  # not the late copy's "disk full"


# --- A real Redis and a real rq worker -------------------------------------------------------------------------

def _emptied(queue) -> None:
    from rq.registry import FailedJobRegistry, StartedJobRegistry

    for registry in (FailedJobRegistry(queue=queue), StartedJobRegistry(queue=queue)):
        for job_id in registry.get_job_ids():
            registry.remove(job_id, delete_job=True)
    queue.delete(delete_jobs=True)


@pytest.fixture
def redis_queue(app, monkeypatch):
    """The background jobs' queue, on a real Redis, under a name of the test's own."""
    monkeypatch.setitem(app.config, "JOB_QUEUE_URL", REDIS_URL)
    monkeypatch.setitem(app.config, "JOB_QUEUE_NAME", f"jobs-test-{uuid.uuid4().hex}")
    queue = rqueue.queue(app)
    yield queue
    _emptied(queue)


@pytest.fixture
def rounds_queue(app, redis_queue, monkeypatch):
    """The scheduled rounds' own queue beside it."""
    monkeypatch.setitem(app.config, "ROUNDS_QUEUE_NAME", f"rounds-test-{uuid.uuid4().hex}")
    queue = rqueue.queue(app, app.config["ROUNDS_QUEUE_NAME"])
    yield queue
    _emptied(queue)


def _work(queue) -> None:
    from rq import SimpleWorker

    SimpleWorker([queue], connection=queue.connection).work(burst=True, with_scheduler=False)


@needs_redis
def test_the_outbox_round_is_queued_by_the_scheduler_and_sent_by_the_worker(app, ctx, rounds_queue, monkeypatch):
    outbox = next(job for job in scheduler.registered_jobs(app) if job.name == "outbox")
    monkeypatch.setitem(app.extensions, scheduler.JOBS_KEY, {"outbox": outbox})
    message = OutboxMessage(kind="test", to_email="a@example.cn", subject="Hello", body_text="Hi", locale="en",
                            status=OutboxStatus.PENDING)
    db.session.add(message)
    db.session.commit()
    assert scheduler.run_due_jobs(app) == ["outbox"]
    rounds = rounds_queue.name
    assert rounds_queue.count == 1 and rqueue.pending(app, "scheduled-outbox", rounds)
    db.session.refresh(message)
    assert message.status == OutboxStatus.PENDING  # the scheduler only queued it
    _work(rounds_queue)
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message.id).status in (OutboxStatus.LOGGED, OutboxStatus.SENT)
    assert db.session.get(ScheduledJob, "outbox").last_finished_at is not None
    assert rounds_queue.count == 0 and not rqueue.pending(app, "scheduled-outbox", rounds)


@needs_redis
def test_a_scheduled_retention_round_runs_on_the_worker(app, ctx, rounds_queue, monkeypatch):
    retention = next(job for job in scheduler.registered_jobs(app) if job.name == "retention")
    monkeypatch.setitem(app.extensions, scheduler.JOBS_KEY, {"retention": retention})
    assert scheduler.run_due_jobs(app) == ["retention"]
    _work(rounds_queue)
    row = db.session.get(ScheduledJob, "retention")
    db.session.refresh(row)
    assert row.last_finished_at is not None and row.last_error == ""


@needs_redis
def test_a_job_that_fails_once_is_retried_by_the_real_worker(app, ctx, kinds, redis_queue, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "JOB_FOLDER", str(tmp_path))
    tries = []

    def fails_once(job, progress):
        tries.append(job.id)
        if len(tries) == 1:
            raise OSError("the database restarted")
        return _done(job, progress)

    kinds.add("test-fails-once", fails_once, retries=(0,))  # no pause: the same burst takes it again
    job_id = jobs.create_job("test-fails-once", {}, None).id
    db.session.commit()
    jobs.start_job(job_id)
    _work(redis_queue)
    job = db.session.get(BackgroundJob, job_id)
    db.session.refresh(job)
    assert len(tries) == 2 and job.status == BackgroundJobStatus.DONE and job.attempts == 2, job.error
    assert jobs.result_path(job).read_bytes() == b"result"


@needs_redis
def test_the_real_worker_stops_a_job_at_its_timeout(app, ctx, kinds, redis_queue):
    def sleeps(job, progress):
        time.sleep(5)
        return _done(job, progress)

    kinds.add("test-sleeps", sleeps, timeout=1)
    job_id = jobs.create_job("test-sleeps", {}, None).id
    db.session.commit()
    jobs.start_job(job_id)
    started = time.monotonic()
    _work(redis_queue)
    assert time.monotonic() - started < 4.5
    job = db.session.scalar(select(BackgroundJob).where(BackgroundJob.id == job_id))
    db.session.refresh(job)
    assert job.status == BackgroundJobStatus.FAILED and "JobTimeoutException" in job.error


@needs_redis
def test_a_round_waiting_on_the_queue_is_not_queued_twice_but_one_redis_lost_is(app, ctx, scheduled, rounds_queue):
    ran = []
    scheduler.register_job(app, "count", timedelta(minutes=1), ran.append)
    assert scheduler.run_due_jobs(app, NOW) == ["count"]
    assert scheduler.run_due_jobs(app, NOW + timedelta(minutes=2)) == ["count"]
    assert rounds_queue.count == 1  # still waiting: not queued again
    rounds_queue.connection.delete(rounds_queue.key)  # the list is lost; the job's hash still says "queued"
    assert not rqueue.pending(app, "scheduled-count", rounds_queue.name)
    assert scheduler.run_due_jobs(app, NOW + timedelta(minutes=4)) == ["count"]
    assert rounds_queue.count == 1
    _work(rounds_queue)
    assert ran == [NOW + timedelta(minutes=4)]


@needs_redis
def test_a_long_job_on_its_queue_does_not_hold_back_the_rounds_worker(app, ctx, kinds, scheduled, rounds_queue,
                                                                       redis_queue, runner, monkeypatch,
                                                                       tmp_path):
    """The badge print run of an hour waits (or runs) on the jobs' queue; the rounds' own worker, `flask jobs
    worker --rounds`, still sends the outbox at once, and leaves the job alone."""
    monkeypatch.setitem(app.config, "JOB_FOLDER", str(tmp_path))
    kinds.add("test-done", _done)
    job_id = jobs.create_job("test-done", {}, None).id
    db.session.commit()
    assert jobs.start_job(job_id) == "queue"
    sent = []
    scheduler.register_job(app, "outbox-like", timedelta(minutes=1), sent.append)
    assert scheduler.run_due_jobs(app, NOW) == ["outbox-like"]
    assert (redis_queue.count, rounds_queue.count) == (1, 1)
    result = runner.invoke(args=["jobs", "worker", "--rounds", "--burst"])
    assert result.exit_code == 0, result.output
    assert f"Working on the queue {rounds_queue.name}." in result.output
    assert sent == [NOW] and (redis_queue.count, rounds_queue.count) == (1, 0)
    db.session.expire_all()
    assert db.session.get(BackgroundJob, job_id).status == BackgroundJobStatus.QUEUED  # the jobs' worker's
    result = runner.invoke(args=["jobs", "worker", "--burst"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(BackgroundJob, job_id).status == BackgroundJobStatus.DONE and redis_queue.count == 0
