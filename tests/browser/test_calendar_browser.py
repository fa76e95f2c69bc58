"""Calendars in a real browser: "Add to calendar" on an event page, and "My calendar"."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from eventsapp.calendars import services
from tests.browser.helpers import log_in

pytestmark = pytest.mark.browser


def local_url(url: str, live_server: str) -> str:
    """The feed address names the public site (PUBLIC_BASE_URL); fetch it from the test server."""
    return live_server + url[url.index("/calendar/"):]


@pytest.mark.parametrize("width, locale", [(1280, "en-US"), (390, "zh-CN")])
def test_add_an_event_to_a_calendar(browser, live_server, make_event, screenshot, width, locale):
    services.forget_fingerprints()
    event = make_event(title_en="Autumn Graduate Job Fair", title_zh="秋季高校毕业生招聘会",
                       description_en="Employers and graduates meet.", description_zh="用人单位与毕业生见面。")
    context = browser.new_context(locale=locale, viewport={"width": width, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{live_server}/events/{event.slug}")
    menu = page.get_by_test_id("add-to-calendar")
    menu.locator("button").click()
    expect(menu.get_by_role("link", name="Google Calendar")).to_be_visible()
    screenshot(page, f"calendar-add-{width}-{locale}")
    with page.expect_download() as download:
        page.get_by_test_id("ics-download").click()
    assert download.value.suggested_filename == f"{event.slug}.ics"
    body = open(download.value.path(), encoding="utf-8").read()
    assert "BEGIN:VCALENDAR" in body and "TZID=Asia/Shanghai" in body
    google = menu.locator("a", has_text="Google Calendar").get_attribute("href")
    assert google.startswith("https://calendar.google.com/calendar/render?action=TEMPLATE")
    context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_my_calendar_create_copy_and_replace(browser, live_server, make_candidate, screenshot, width):
    person = make_candidate()
    context = browser.new_context(locale="en-US", viewport={"width": width, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page = context.new_page()
    log_in(page, person.email, base=live_server)
    page.goto(live_server + "/calendar/")
    screenshot(page, f"calendar-mine-empty-{width}")
    page.get_by_role("button", name="Create my calendar address").click()
    url = page.get_by_test_id("feed-url").input_value()
    assert page.get_by_test_id("webcal-link").get_attribute("href") == "webcal://" + url.split("://", 1)[1]

    page.get_by_role("button", name="Copy", exact=True).click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == url
    screenshot(page, f"calendar-mine-new-{width}")

    feed = context.request.get(local_url(url, live_server))
    assert feed.status == 200 and feed.headers["content-type"] == "text/calendar; charset=utf-8"

    page.reload()  # the address is shown once only
    expect(page.get_by_test_id("feed-url")).to_have_count(0)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Create a new address").click()
    new_url = page.get_by_test_id("feed-url").input_value()
    assert new_url != url
    assert context.request.get(local_url(url, live_server)).status == 404
    assert context.request.get(local_url(new_url, live_server)).status == 200
    context.close()


def test_my_calendar_in_chinese(browser, live_server, make_candidate, screenshot):
    person = make_candidate(locale="zh_CN")
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log_in(page, person.email, base=live_server)
    page.goto(live_server + "/calendar/")
    page.locator("main form button[type=submit]").first.click()
    expect(page.get_by_test_id("feed-url")).to_be_visible()
    screenshot(page, "calendar-mine-zh")
    context.close()
