"""The one scheduler: which jobs are due, each round run once however many schedulers run, a failing job
leaving the others alone, and reminders sent once per person when schedulers race."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from eventsapp.events.models import Event
from eventsapp.extensions import db
from eventsapp.messages import reminders
from eventsapp.notifications.models import OutboxMessage
from eventsapp.scheduler import services as scheduler
from eventsapp.scheduler.models import ScheduledJob

NOW = datetime(2030, 1, 1, 8, tzinfo=UTC)


@pytest.fixture
def jobs(app, monkeypatch):
    """The app's jobs replaced by the test's own."""
    monkeypatch.setitem(app.extensions, scheduler.JOBS_KEY, {})
    return app


def row(name: str, next_run_at: datetime, locked_until: datetime | None = None) -> ScheduledJob:
    return ScheduledJob(name=name, next_run_at=next_run_at, locked_until=locked_until)


def test_due_jobs_are_new_ones_and_those_whose_time_has_come_and_whose_lease_has_ended():
    every = timedelta(minutes=1)
    new, waiting, due, held, abandoned = (scheduler.Job(name, every, print)
                                          for name in ("new", "waiting", "due", "held", "abandoned"))
    rows = {"waiting": row("waiting", NOW + every), "due": row("due", NOW),
            "held": row("held", NOW - every, locked_until=NOW + every),
            "abandoned": row("abandoned", NOW - every, locked_until=NOW - timedelta(seconds=1))}
    assert [job.name for job in scheduler.due_jobs([new, waiting, due, held, abandoned], rows, NOW)] == [
        "new", "due", "abandoned"]


def test_register_job_refuses_a_second_job_of_the_same_name_and_a_period_that_is_not_positive(jobs):
    scheduler.register_job(jobs, "once", timedelta(minutes=1), print)
    with pytest.raises(ValueError):
        scheduler.register_job(jobs, "once", timedelta(minutes=1), print)
    with pytest.raises(ValueError):
        scheduler.register_job(jobs, "never", timedelta(0), print)


def test_a_job_runs_when_due_with_the_schedulers_time_and_a_failing_job_leaves_the_others_alone(jobs, ctx):
    seen = []
    scheduler.register_job(jobs, "broken", timedelta(minutes=1), lambda now: 1 / 0)
    scheduler.register_job(jobs, "counting", timedelta(minutes=5), seen.append)
    assert scheduler.run_due_jobs(jobs, NOW) == ["broken", "counting"]
    assert seen == [NOW]
    assert scheduler.run_due_jobs(jobs, NOW + timedelta(minutes=4)) == ["broken"]
    assert scheduler.run_due_jobs(jobs, NOW + timedelta(minutes=5)) == ["broken", "counting"]
    broken = db.session.get(ScheduledJob, "broken")
    assert broken.last_error.startswith("ZeroDivisionError") and broken.locked_until is None
    assert db.session.get(ScheduledJob, "counting").next_run_at == NOW + timedelta(minutes=10)


def test_two_schedulers_at_once_run_each_round_once(jobs, real_commits):
    runs = []

    def slow(now):
        runs.append(now)
        time.sleep(0.2)

    scheduler.register_job(jobs, "slow", timedelta(minutes=1), slow)
    ran = []

    def one_scheduler():
        with jobs.app_context():
            ran.extend(scheduler.run_due_jobs(jobs, NOW))

    threads = [threading.Thread(target=one_scheduler) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert runs == [NOW] and ran == ["slow"]


def test_schedulers_racing_over_the_same_reminders_send_each_once(app, make_event, make_registrant, real_commits):
    event = make_event()
    people = [make_registrant(event) for _ in range(6)]
    now = event.starts_at - timedelta(hours=2)

    def one_scheduler():
        with app.app_context():
            reminders.send_reminders(db.session.get(Event, event.id), now)
            db.session.commit()

    threads = [threading.Thread(target=one_scheduler) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    with app.app_context():
        sent = db.session.execute(select(OutboxMessage.to_email, func.count()).group_by(OutboxMessage.to_email))
        assert dict(sent.tuples().all()) == {person.email: 1 for person in people}


def test_two_scheduler_processes_on_one_database_send_each_reminder_once(app, database_url, make_event,
                                                                        make_registrant, real_commits):
    """Two `flask schedule run --once` processes started together against the test's database (no Redis):
    each job's round runs in one of them, and each person gets one reminder."""
    event = make_event(starts_at=datetime.now(UTC) + timedelta(hours=2),
                       ends_at=datetime.now(UTC) + timedelta(hours=6))
    people = [make_registrant(event) for _ in range(6)]
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("REDIS_URL", "JOB_QUEUE_URL", "RATELIMIT_STORAGE_URI", "CALENDAR_CACHE_URL",
                                  "SMTP_HOST", "APP_ENV")}
    environment.update(DATABASE_URL=database_url, PUBLIC_BASE_URL="http://talent.test")
    root = Path(__file__).resolve().parents[2]
    command = [sys.executable, "-m", "flask", "--app", "app", "schedule", "run", "--once"]
    processes = [subprocess.Popen(command, cwd=root, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for _ in range(2)]
    outputs = [process.communicate(timeout=180) for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs
    ran = [name for stdout, _stderr in outputs for line in stdout.splitlines() if line.startswith("Ran: ")
           for name in line.removeprefix("Ran: ").rstrip(".").split(", ")]
    assert ran.count("reminders") == 1 and ran.count("outbox") == 1, outputs
    with app.app_context():
        sent = db.session.execute(select(OutboxMessage.to_email, func.count())
                                  .where(OutboxMessage.kind == "event_reminder").group_by(OutboxMessage.to_email))
        assert dict(sent.tuples().all()) == {person.email: 1 for person in people}


def test_schedule_run_once_runs_the_due_jobs_and_stops(jobs, runner):
    seen = []
    scheduler.register_job(jobs, "note", timedelta(hours=1), seen.append)
    result = runner.invoke(args=["schedule", "run", "--once"])
    assert result.exit_code == 0, result.output
    assert "note (every 1:00:00)" in result.output and "Ran: note." in result.output and len(seen) == 1
