"""Post-event surveys in a real browser, on the demo data: the demo candidate answers last autumn's survey
from "My surveys" (on a phone), and the organizer reads the results with their charts (and axe finds
nothing to fix on either page)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from eventsapp.demo.seed import DEMO_PASSWORD
from eventsapp.events.models import Event
from eventsapp.extensions import db
from eventsapp.surveys.models import Survey
from tests.browser.accessibility import assert_accessible
from tests.browser.helpers import DESKTOP, PHONE, log_in

pytestmark = pytest.mark.browser


def test_the_candidate_answers_on_a_phone_and_the_organizer_reads_the_results(app, demo, browser, live_server,
                                                                               screenshot):
    with app.app_context():
        event_id = db.session.scalar(select(Event.id).join(Survey, Survey.event_id == Event.id)
                                     .where(Event.slug.like("autumn-graduate-fair-%")))

    phone = browser.new_context(locale="zh-CN", **PHONE).new_page()
    log_in(phone, "candidate@example.com", DEMO_PASSWORD, base=live_server)
    phone.goto(f"{live_server}/my/events")
    pending = phone.get_by_test_id("pending-surveys")
    expect(pending).to_be_visible()
    pending.get_by_role("link", name="填写问卷").click()
    form = phone.get_by_test_id("survey-answer-form")
    expect(form).to_be_visible()
    assert_accessible(phone)
    screenshot(phone, "survey-answer-phone")
    form.locator("label.scale-option", has_text="4").first.click()
    form.locator("fieldset").nth(1).locator("label.scale-option", has_text="9").click()
    form.get_by_label("微信公众号 WeChat").check()
    form.get_by_role("button", name="提交回答").click()
    expect(phone.get_by_test_id("survey-done")).to_contain_text("谢谢")

    page = browser.new_context(locale="en-US", **DESKTOP).new_page()
    log_in(page, "organizer@example.com", DEMO_PASSWORD, base=live_server)
    page.goto(f"{live_server}/manage/events/{event_id}")
    page.get_by_test_id("tab-survey").click()
    expect(page.get_by_test_id("survey-state")).to_contain_text("Sent")
    page.get_by_role("link", name="See the results").click()
    expect(page.locator("figure.chart-figure svg").first).to_be_visible()
    expect(page.get_by_test_id("privacy-rule")).to_contain_text("not anonymous")
    expect(page.get_by_test_id("outcomes")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "survey-results")
