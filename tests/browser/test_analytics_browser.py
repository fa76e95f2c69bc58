"""The analytics page in a browser, on a phone and on a desktop: nothing scrolls sideways, the charts are
drawn, the period form works by clicking from the dashboard, the page is accessible."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from eventsapp.extensions import db
from tests.analytics_data import build_world
from tests.browser.accessibility import assert_accessible
from tests.browser.helpers import DESKTOP, PHONE, SCREENSHOTS, log_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("size", "locale"), [("phone", "zh-CN"), ("desktop", "en-US")])
def test_an_organizer_reads_the_years_analytics(app, browser, live_server, factories, screenshot, size, locale):
    with app.app_context():
        build_world()
        db.session.commit()
    organizer = factories.make_organizer()
    width = 390 if size == "phone" else 1280
    page = browser.new_context(locale=locale, **(PHONE if size == "phone" else DESKTOP)).new_page()
    log_in(page, organizer.email, base=live_server)
    page.goto(f"{live_server}/manage/")
    page.locator('a[href="/manage/analytics/"]').first.click()
    page.locator("#year").fill("2026")
    page.locator("[data-testid=analytics-form] button[type=submit]").click()
    expect(page.locator("[data-testid=people] .stat")).to_have_text("68")
    assert page.locator("svg.pygal-chart").count() == 5
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"analytics-{size}-{locale}")
    assert_accessible(page)
    page.locator("#period").select_option("custom")
    page.locator("#start").fill("2026-05-01")
    page.locator("#end").fill("2026-04-01")
    page.locator("[data-testid=analytics-form] button[type=submit]").click()
    expect(page.locator("#end ~ .invalid-feedback")).to_be_visible()
    screenshot(page, f"analytics-bad-period-{size}-{locale}")


@pytest.mark.parametrize(("size", "locale"), [("phone", "zh-CN"), ("desktop", "en-US")])
def test_a_period_not_computed_yet_says_so_and_shows_its_figures_once_the_scheduler_has(
        app, browser, live_server, factories, screenshot, monkeypatch, size, locale):
    from datetime import UTC, datetime

    from eventsapp.analytics.snapshots import refresh_due

    monkeypatch.setitem(app.config, "ANALYTICS_REFRESH_IN_REQUEST", False)  # as in production
    with app.app_context():
        build_world()
        db.session.commit()
    organizer = factories.make_organizer()
    page = browser.new_context(locale=locale, **(PHONE if size == "phone" else DESKTOP)).new_page()
    log_in(page, organizer.email, base=live_server)
    page.goto(f"{live_server}/manage/analytics/?period=year&year=2026")
    expect(page.get_by_test_id("computing")).to_be_visible()
    screenshot(page, f"analytics-computing-{size}-{locale}")
    assert_accessible(page)
    with app.app_context():
        refresh_due(datetime.now(UTC))
    expect(page.locator("[data-testid=people] .stat")).to_have_text("68", timeout=30_000)  # it reloads itself
    page.get_by_test_id("refresh").click()
    expect(page.get_by_test_id("computed-at")).to_contain_text("New figures" if locale == "en-US" else "已请求")
    screenshot(page, f"analytics-refresh-asked-{size}-{locale}")


@pytest.mark.parametrize(("size", "locale"), [("phone", "zh-CN"), ("desktop", "en-US")])
def test_the_events_table_is_read_a_page_at_a_time(app, browser, live_server, factories, screenshot, monkeypatch,
                                                   size, locale):
    monkeypatch.setattr("eventsapp.analytics.tables.EVENTS_PER_PAGE", 4)  # the world's year has 6 events
    with app.app_context():
        build_world()
        db.session.commit()
    organizer = factories.make_organizer()
    width = 390 if size == "phone" else 1280
    page = browser.new_context(locale=locale, **(PHONE if size == "phone" else DESKTOP)).new_page()
    log_in(page, organizer.email, base=live_server)
    page.goto(f"{live_server}/manage/analytics/?period=year&year=2026")
    rows = page.locator("[data-testid=table-events] tbody tr")
    expect(rows).to_have_count(4)
    page.get_by_test_id("events-pages").locator('a[rel="next"]').click()
    expect(rows).to_have_count(2)
    expect(page.get_by_test_id("events-pages")).to_contain_text("5–6")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"analytics-events-page-2-{size}-{locale}")
    page.locator("#events").screenshot(path=str(SCREENSHOTS / f"analytics-events-table-2-{size}-{locale}.png"))
    assert_accessible(page)
    page.get_by_test_id("events-pages").locator('a[rel="prev"]').click()
    expect(rows).to_have_count(4)
