"""An organizer reaches every tool of an event by clicking only, from the dashboard, in a real browser:
on a desktop and on a 375 px phone, where the row of tabs scrolls instead of widening the page."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from eventsapp.booths.models import BoothStatus
from eventsapp.demo.seed import DEMO_PASSWORD
from eventsapp.extensions import db
from tests.browser.helpers import log_in
from tests.demo_data import seed_demo_with_matching

pytestmark = pytest.mark.browser

# Every tab of a fair, in order; "openings" opens the fair's public openings page.
TABS = ["overview", "registrants", "questions", "eligibility", "booths", "halls", "floor_plan", "openings",
        "matching", "badges", "checkin", "calendar", "messages", "activity"]


@pytest.fixture
def fair_id(app, make_organization, make_booth):
    """The demo data with matching at the spring fair, and a booth application waiting for a decision."""
    fair_id = seed_demo_with_matching(app)
    with app.app_context():
        from eventsapp.events.models import Event
        make_booth(db.session.get(Event, fair_id), make_organization(), status=BoothStatus.PENDING)
    return fair_id


def fits(page, width: int) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} is {scroll_width}px wide on a {width}px screen"


def click_tab(page, key: str):
    tab = page.get_by_test_id(f"tab-{key}")
    tab.click()  # Playwright scrolls the row of tabs to it first, as a thumb would
    return tab


@pytest.mark.parametrize(("width", "locale", "name"), [(1280, "en-US", "desktop"), (375, "zh-CN", "phone")])
def test_every_tool_of_an_event_is_reached_by_clicking_from_the_dashboard(browser, live_server, fair_id, screenshot,
                                                                          width, locale, name):
    context = browser.new_context(locale=locale, viewport={"width": width, "height": 800},
                                  is_mobile=width < 500, has_touch=width < 500)
    page = context.new_page()
    log_in(page, "organizer@example.com", DEMO_PASSWORD, base=live_server)
    expect(page).to_have_url(re.compile(r"/manage/$"))  # an organizer starts at the dashboard
    expect(page.get_by_test_id("decisions")).to_be_visible()
    fits(page, width)
    screenshot(page, f"hub-dashboard-{name}")

    # What waits for a decision leads straight to it.
    page.get_by_test_id(f"decide-booths-{fair_id}").click()
    expect(page).to_have_url(re.compile(rf"/manage/events/{fair_id}/booths\?status=pending$"))
    expect(page.get_by_test_id("tab-booths")).to_have_attribute("aria-current", "page")

    page.get_by_test_id("event-hub-link").click()
    expect(page.get_by_test_id("event-overview")).to_be_visible()
    fits(page, width)
    if width < 500:  # the tabs scroll sideways inside their row, not the page
        tabs = page.get_by_test_id("event-tabs")
        assert tabs.evaluate("row => row.scrollWidth > row.clientWidth")
    screenshot(page, f"hub-overview-{name}")

    for key in TABS:
        tab = click_tab(page, key)
        if key == "openings":  # the public search of the fair's openings; back to the hub's tabs
            expect(page).to_have_url(re.compile(r"/events/[^/]+/openings$"))
            fits(page, width)
            page.go_back()
            continue
        if key == "eligibility":  # a section of the hub's own page
            expect(page).to_have_url(re.compile(r"#eligibility$"))
            expect(page.locator("#eligibility")).to_be_in_viewport()
            continue
        expect(tab).to_have_attribute("aria-current", "page")
        expect(page.get_by_test_id(f"tab-{key}")).to_be_in_viewport()  # the current tab is in view
        fits(page, width)
        if key in ("registrants", "matching", "badges", "calendar"):
            screenshot(page, f"hub-{key}-{name}")

    # A decision shows on the Activity tab, newest first (after the demo's matching runs): who approved
    # which booth, from what to what.
    click_tab(page, "booths")
    page.locator('main form[action*="/approve"] button').first.click()
    click_tab(page, "activity")
    entry = page.get_by_test_id("activity-entry")
    expect(entry).to_have_count(4)  # the booth approved; the demo's runs: computed, published, computed
    expect(entry.first).to_contain_text("→")
    expect(entry.first).not_to_contain_text("#")  # the booth by what people call it
    fits(page, width)
    screenshot(page, f"hub-activity-{name}")

    # Deeper pages of a tool, and the confirmations, by clicking too.
    click_tab(page, "matching")
    page.locator(f'main a[href="/manage/events/{fair_id}/matching"]').first.click()  # "Matching runs"
    page.locator(f'main a[href*="/manage/events/{fair_id}/matching/runs/"]').first.click()
    page.get_by_test_id("publish").click()
    expect(page.get_by_test_id("confirmation-warning")).to_be_visible()  # preferences are still open
    fits(page, width)
    screenshot(page, f"hub-publish-run-{name}")
    page.get_by_test_id("go-back").click()
    expect(page.get_by_test_id("publish")).to_be_visible()

    click_tab(page, "overview")
    page.get_by_test_id("unpublish").click()
    expect(page.get_by_test_id("consequences")).to_be_visible()
    fits(page, width)
    screenshot(page, f"hub-unpublish-{name}")
    page.get_by_test_id("go-back").click()
    expect(page.get_by_test_id("event-overview")).to_be_visible()
    context.close()
