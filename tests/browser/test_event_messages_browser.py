"""An organizer writes a message to a fair's confirmed people in a real browser: from the Messages tab, previewed
in both languages, sent and listed; and cancels the event with a reason. Accessible, on a desktop and a phone."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from eventsapp.demo.seed import DEMO_PASSWORD
from eventsapp.extensions import db
from eventsapp.notifications.models import OutboxMessage
from tests.browser.accessibility import assert_accessible
from tests.browser.helpers import log_in
from tests.demo_data import seed_demo_with_matching

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("width", "locale", "name"), [(1280, "en-US", "desktop"), (375, "zh-CN", "phone")])
def test_a_broadcast_is_written_previewed_and_sent_from_the_messages_tab(app, browser, live_server, screenshot,
                                                                          width, locale, name):
    fair_id = seed_demo_with_matching(app)
    context = browser.new_context(locale=locale, viewport={"width": width, "height": 900}, is_mobile=width < 500,
                                  has_touch=width < 500)
    page = context.new_page()
    log_in(page, "organizer@example.com", DEMO_PASSWORD, base=live_server)
    page.goto(f"{live_server}/manage/events/{fair_id}")
    page.get_by_test_id("tab-messages").click()
    expect(page).to_have_url(re.compile(rf"/manage/events/{fair_id}/messages/$"))
    expect(page.get_by_test_id("reminder-due")).to_be_visible()
    assert_accessible(page)
    screenshot(page, f"messages-overview-{name}")

    page.get_by_test_id("new-broadcast").click()
    page.locator("#segment-0").check()
    page.locator("#subject_zh").fill("停车须知")
    page.locator("#body_zh").fill("请从北门进入，展馆东侧有停车场。")
    page.locator("#subject_en").fill("Parking")
    page.locator("#body_en").fill("Please use the north gate; the car park is east of the hall.")
    assert_accessible(page)
    screenshot(page, f"messages-new-{name}")
    page.get_by_test_id("preview").click()
    expect(page.get_by_test_id("preview-zh_CN")).to_contain_text("请从北门进入")
    expect(page.get_by_test_id("preview-en")).to_contain_text("Please use the north gate")
    expect(page.get_by_test_id("recipient-count")).to_be_visible()
    assert_accessible(page)
    screenshot(page, f"messages-preview-{name}")
    page.get_by_test_id("send").click()
    expect(page.get_by_test_id("broadcasts")).to_contain_text("Parking" if locale == "en-US" else "停车须知")
    screenshot(page, f"messages-sent-{name}")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.kind == "event_broadcast")) > 0

    page.get_by_test_id("tab-overview").click()
    page.get_by_test_id("cancel-event").click()
    page.locator("#reason").fill("台风预警，展会取消。Typhoon warning.")
    assert_accessible(page)
    screenshot(page, f"messages-cancel-{name}")
    page.get_by_test_id("confirm").click()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.kind == "event_cancelled")) > 0
    context.close()
