"""State that stays consistent, part two, seen in a browser where the problems were seen:

- a draft that is cancelled before it was ever published does not appear in the public list, while an
  event cancelled after publication shows there marked cancelled;
- a candidate whose employer is suspended, or whose booth is withdrawn, reads so on "My interviews".
"""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from eventsapp.accounts.models import Role
from eventsapp.events.models import EventStatus
from tests.browser import published_schedule
from tests.browser.helpers import DESKTOP, PHONE, account_menu, log_in

pytestmark = pytest.mark.browser
fair = published_schedule.fair  # Ann and Ben each have an interview at Westlake Robotics


def test_a_cancelled_draft_stays_out_of_the_public_list(browser, live_server, make_event, make_user, screenshot):
    draft = make_event(title_en="Plans that fell through", status=EventStatus.DRAFT)
    make_event(title_en="Fair called off", status=EventStatus.CANCELLED)  # published, then cancelled
    make_event(title_en="Spring fair")
    organizer = make_user(Role.ORGANIZER, email="office@talent.example")

    staff = browser.new_context(locale="en-US", **DESKTOP).new_page()
    log_in(staff, organizer.email, base=live_server)
    staff.goto(live_server + f"/manage/events/{draft.id}")
    staff.get_by_test_id("cancel-event").click()
    expect(staff.get_by_test_id("consequences")).to_contain_text("never published, so it stays hidden")
    staff.locator("#reason").fill("No sponsor this year")
    staff.get_by_test_id("confirm").click()
    expect(staff.locator(".alert-success")).to_be_visible()
    staff.context.close()

    visitor = browser.new_context(locale="en-US", **PHONE).new_page()
    visitor.goto(live_server + "/")
    visitor.locator("main a[href='/events']").first.click()
    main = visitor.locator("main")
    expect(main).to_contain_text("Spring fair")
    expect(main).to_contain_text("Fair called off")
    expect(main).not_to_contain_text("Plans that fell through")
    screenshot(visitor, "public-list-without-cancelled-draft-phone")
    assert visitor.goto(live_server + f"/events/{draft.slug}").status == 404
    visitor.context.close()


def test_the_candidate_reads_that_a_suspended_employer_is_unavailable(browser, live_server, app, fair, make_user,
                                                                     screenshot):
    organizer = make_user(Role.ORGANIZER, email="office@talent.example")
    staff = browser.new_context(locale="en-US", **DESKTOP).new_page()
    log_in(staff, organizer.email, base=live_server)
    staff.goto(live_server + f"/manage/organizations/{fair.robotics.organization_id}")
    staff.locator("form[action$='/suspend'] textarea, form[action$='/suspend'] input[name=reason]").first.fill(
        "Fees unpaid")
    staff.locator("form[action$='/suspend'] button[type=submit]").click()
    expect(staff.locator(".alert-success")).to_be_visible()
    staff.context.close()

    page = browser.new_context(locale="en-US", **PHONE).new_page()
    log_in(page, fair.ann.email, base=live_server)
    page.goto(live_server + "/")
    account_menu(page, fair.ann.display_name, "My interviews")
    warning = page.locator("[data-testid^=employer-unavailable-]")
    expect(warning).to_contain_text("This employer is currently unavailable")
    expect(page.locator("main")).to_contain_text("Westlake Robotics")
    screenshot(page, "my-interviews-employer-unavailable-phone")
    page.context.close()
