"""State that stays consistent, seen the way people saw the problems: in a browser.

- a candidate cancels and their interview and badge are gone from their pages, and from the booth's;
- a published schedule closes "My booths";
- an organizer suspends an organization and its booth leaves the public floor plan at once; a verified
  organization's new name stays off the public pages until the organizer verifies it, old → new;
- a badge print run whose process died shows as failed, and runs again.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from eventsapp.accounts.models import Role
from eventsapp.badges.batches import BatchOptions
from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.jobs.models import BackgroundJob as BadgeJob
from eventsapp.jobs.models import BackgroundJobStatus as JobStatus
from eventsapp.organizations.models import Organization
from tests.browser import published_schedule
from tests.browser.helpers import DESKTOP, PHONE, log_in

pytestmark = pytest.mark.browser
fair = published_schedule.fair  # Ann and Ben each have an interview at Westlake Robotics


def test_a_candidate_cancels_and_the_interview_and_badge_are_gone(browser, live_server, fair, screenshot):
    context = browser.new_context(locale="en-US", **PHONE)
    page = context.new_page()
    log_in(page, fair.ann.email, base=live_server)
    page.goto(live_server + "/my/interviews")
    expect(page.locator("main")).to_contain_text("Westlake Robotics")
    page.goto(live_server + f"/events/{fair.event.slug}/my-booths")
    expect(page.get_by_test_id("problem")).to_contain_text("the lists are closed")
    expect(page.locator("main")).not_to_contain_text("Add to my list")
    screenshot(page, "my-booths-closed-by-schedule-phone")

    page.goto(live_server + "/my/events")
    expect(page.get_by_test_id(f"badge-{fair.ann_registration}")).to_be_visible()
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id(f"registration-{fair.ann_registration}").locator("button.btn-outline-danger").click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.get_by_test_id(f"badge-{fair.ann_registration}")).to_have_count(0)
    page.goto(live_server + "/my/interviews")
    expect(page.get_by_test_id(f"interviews-cancelled-{fair.event.id}")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("09:00–09:30")
    screenshot(page, "my-interviews-cancelled-phone")
    context.close()

    staff = browser.new_context(locale="en-US", **DESKTOP).new_page()
    log_in(staff, fair.staff.email, base=live_server)
    staff.goto(live_server + f"/employer/booths/{fair.robotics.id}/interviews")
    expect(staff.locator("main")).to_contain_text("贝贝")
    expect(staff.locator("main")).not_to_contain_text("安安")
    staff.context.close()


def test_suspending_takes_the_booth_off_the_floor_plan_and_a_rename_waits(app, browser, live_server, fair,
                                                                           make_user, screenshot):
    organizer = make_user(Role.ORGANIZER, email="boss@example.org")
    organization_id = fair.robotics.organization_id
    with app.app_context():  # the owner asked for a new English name (see test_organizations_web for the form)
        organization = db.session.get(Organization, organization_id)
        organization.pending_name_zh, organization.pending_name_en = organization.name_zh, "Westlake Robotics Group"
        organization.pending_credit_code, organization.change_requested_at = organization.credit_code, utcnow()
        db.session.commit()
    visitor = browser.new_context(locale="en-US", **PHONE).new_page()
    plan = f"{live_server}/events/{fair.event.slug}/floor-plan"
    visitor.goto(plan)
    expect(visitor.locator("main")).to_contain_text("Westlake Robotics")
    expect(visitor.locator("main")).not_to_contain_text("Westlake Robotics Group")

    page = browser.new_context(locale="en-US", **DESKTOP).new_page()
    log_in(page, organizer.email, base=live_server)
    page.goto(f"{live_server}/manage/organizations/{organization_id}")
    change = page.get_by_test_id("pending-change")
    expect(change).to_contain_text("Westlake Robotics")
    expect(change).to_contain_text("Westlake Robotics Group")
    screenshot(page, "organization-change-to-verify-desktop")
    page.locator("#suspend-reason").fill("Misleading job advertisements")
    page.get_by_role("button", name="Suspend with this reason").click()
    expect(page.locator(".alert-success")).to_contain_text("is suspended")
    screenshot(page, "organization-suspended-desktop")

    visitor.goto(plan)
    expect(visitor.get_by_test_id("booth-entry")).to_have_count(0)
    page.get_by_role("button", name="Reinstate").click()
    page.get_by_role("button", name="Verify the change").click()
    expect(page.locator(".alert-success")).to_contain_text("are verified and public")
    visitor.goto(plan)
    expect(visitor.locator("main")).to_contain_text("Westlake Robotics Group")
    screenshot(visitor, "floor-plan-after-rename-phone")
    page.context.close()
    visitor.context.close()


def test_a_print_run_whose_process_died_is_failed_and_runs_again(app, browser, live_server, fair, make_user,
                                                                 screenshot, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "BADGE_FOLDER", str(tmp_path))
    organizer = make_user(Role.ORGANIZER, email="boss@example.org")
    with app.app_context():
        silent = utcnow() - timedelta(minutes=30)
        job = BadgeJob(kind="badge-print", event_id=fair.event.id, total=4, done=1, status=JobStatus.RUNNING,
                       started_at=silent, heartbeat_at=silent, params=BatchOptions(layout="a4-a6").to_json(locale="en"))
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    page = browser.new_context(locale="en-US", **DESKTOP).new_page()
    log_in(page, organizer.email, base=live_server)
    page.goto(f"{live_server}/manage/events/{fair.event.id}/badges")
    item = page.locator(f"#job-{job_id}")
    expect(item).to_contain_text("Failed")
    expect(item).to_contain_text("The print process stopped before it finished")
    screenshot(page, "badge-run-stalled-desktop")
    page.get_by_test_id(f"again-{job_id}").click()
    expect(page.locator(".alert-info")).to_contain_text("running again")
    with app.app_context():
        again_id = db.session.scalar(select(BadgeJob.id).where(BadgeJob.id != job_id))
    expect(page.locator(f"#job-{again_id}")).to_contain_text("Ready", timeout=60_000)  # the page follows it
    page.context.close()
