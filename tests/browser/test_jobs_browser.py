"""An administrator clicks from the manage menu to the jobs page: running, queued and failed jobs with their
progress and errors, the scheduled work; "Run again" on a failed year report opens the new job's page, which
follows it to its end. In Chinese, and on a phone."""
from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from eventsapp.accounts.models import Role
from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.jobs.models import BackgroundJob, BackgroundJobStatus
from eventsapp.scheduler.models import ScheduledJob
from tests.browser.helpers import checked, log_in, menu


def test_the_jobs_page_lists_the_work_and_runs_a_failed_job_again(app, visit, live_server, screenshot, make_user,
                                                                  make_event, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "JOB_FOLDER", str(tmp_path / "jobs"))
    admin = make_user(Role.ADMIN, email="admin@example.org", display_name="管理员 Admin")
    organizer = make_user(Role.ORGANIZER, email="boss@example.org")
    event = make_event()
    with app.app_context():
        now = utcnow()
        failed = BackgroundJob(kind="year-report", params='{"year": 2026, "lang": "zh_CN"}', requested_by_id=admin.id,
                               status=BackgroundJobStatus.FAILED, started_at=now - timedelta(minutes=3),
                               finished_at=now, attempts=3, error="OperationalError: the database restarted")
        db.session.add_all([
            failed,
            BackgroundJob(kind="badge-print", params=f'{{"layout": "a4-a6", "event_id": {event.id}}}',
                          requested_by_id=organizer.id, event_id=event.id, status=BackgroundJobStatus.RUNNING,
                          started_at=now, heartbeat_at=now, done=120, total=400),
            BackgroundJob(kind="contest-certificates", params=f'{{"event_id": {event.id}}}',
                          requested_by_id=organizer.id, event_id=event.id, status=BackgroundJobStatus.QUEUED),
            ScheduledJob(name="outbox", next_run_at=now + timedelta(seconds=30), last_started_at=now,
                         last_finished_at=now, last_error=""),
            ScheduledJob(name="webhooks", next_run_at=now + timedelta(seconds=50), last_started_at=now,
                         last_finished_at=now, last_error="ConnectError: partner.example.cn refused"),
        ])
        db.session.commit()
        failed_id = failed.id

    page = visit("zh-CN")
    log_in(page, admin.email, base=live_server)
    menu(page, "管理")
    page.get_by_test_id("nav-jobs").click()
    expect(page.get_by_role("heading", name="后台任务")).to_be_visible()
    expect(page.get_by_test_id(f"job-{failed_id}")).to_contain_text("OperationalError: the database restarted")
    expect(page.get_by_test_id("scheduled-webhooks")).to_contain_text("ConnectError")
    expect(page.get_by_test_id("count-failed")).to_contain_text("1")
    checked(page, screenshot, "jobs-page-zh")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "jobs-page-zh-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_test_id(f"again-{failed_id}").click()
    job = page.get_by_test_id("job")
    expect(job).to_be_visible()
    expect(job).not_to_have_attribute("data-status", "queued", timeout=60_000)
    expect(job).not_to_have_attribute("data-status", "running", timeout=60_000)  # the page follows it
    screenshot(page, "jobs-run-again-zh")

    english = visit("en-US")
    log_in(english, admin.email, base=live_server)
    english.goto(f"{live_server}/manage/jobs/")
    expect(english.get_by_test_id(f"job-{failed_id}")).to_contain_text("Year report 2026 (PDF)")
    checked(english, screenshot, "jobs-page-en")
