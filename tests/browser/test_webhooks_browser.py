"""Webhooks in a real browser: an organizer reaches them from an event's tab, makes an endpoint to a local
receiver, copies the secret shown once, sends a test ping that the worker delivers, and sees it in the log;
an employer reaches them from the organization page. Accessible, on a desktop and a phone, in both languages."""
from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from eventsapp.demo.seed import DEMO_PASSWORD
from eventsapp.events.models import Event
from eventsapp.extensions import db
from eventsapp.webhooks.delivery import deliver_due
from eventsapp.webhooks.models import WebhookEndpoint
from eventsapp.webhooks.signing import verify
from tests.browser.accessibility import assert_accessible
from tests.browser.helpers import DESKTOP, PHONE, log_in
from tests.webhook_receiver import start_receiver

pytestmark = pytest.mark.browser


@pytest.fixture
def receiver():
    server = start_receiver()
    yield server
    server.close()


@pytest.mark.parametrize(("options", "locale", "name"), [(DESKTOP, "en-US", "desktop"), (PHONE, "zh-CN", "phone")])
def test_an_organizer_makes_an_endpoint_from_the_event_tab_and_pings_it(app, browser, live_server, demo, receiver,
                                                                       screenshot, options, locale, name):
    with app.app_context():
        fair_id = db.session.scalar(select(Event.id).where(
            Event.slug == f"spring-talent-fair-{date.today().year + 1}"))
    context = browser.new_context(locale=locale, **options)
    page = context.new_page()
    log_in(page, "organizer@example.com", DEMO_PASSWORD, base=live_server)
    page.goto(f"{live_server}/manage/events/{fair_id}")
    page.get_by_test_id("tab-webhooks").click()
    expect(page).to_have_url(re.compile(rf"/webhooks/events/{fair_id}$"))
    assert_accessible(page)
    screenshot(page, f"webhooks-empty-{name}")

    page.get_by_test_id("new-endpoint").click()
    page.locator("#url").fill(receiver.url)
    page.locator("#description").fill("HR 系统")
    page.get_by_label(re.compile(r"registration\.created")).check()
    page.get_by_label(re.compile(r"checkin\.recorded")).check()
    assert_accessible(page)
    screenshot(page, f"webhooks-new-{name}")
    page.locator("main form button.btn-primary").click()
    secret = page.get_by_test_id("secret").input_value()
    assert secret.startswith("whsec_")
    assert_accessible(page)
    screenshot(page, f"webhooks-secret-{name}")

    page.get_by_role("link", name=re.compile("Done|完成")).click()
    page.get_by_role("button", name=re.compile("Send test ping|发送测试消息")).click()
    with app.app_context():
        report = deliver_due()
        assert report.sent == 1
        assert db.session.scalar(select(WebhookEndpoint.event_id)) == fair_id
    [received] = receiver.received
    assert verify(secret, received.headers["X-Talentday-Signature"], received.body)
    page.reload()
    expect(page.get_by_test_id("deliveries")).to_contain_text("HTTP 204")
    assert_accessible(page)
    screenshot(page, f"webhooks-detail-{name}")

    page.get_by_role("button", name=re.compile("^(Redeliver|重新推送)$")).first.click()
    expect(page.get_by_test_id("deliveries").locator("tbody tr")).to_have_count(2)
    context.close()


def test_an_employer_reaches_webhooks_from_the_organization_page(app, browser, live_server, demo, screenshot):
    context = browser.new_context(locale="zh-CN", **DESKTOP)
    page = context.new_page()
    log_in(page, "employer@example.com", DEMO_PASSWORD, base=live_server)
    page.goto(f"{live_server}/employer/organization")
    page.get_by_test_id("webhooks-link").click()
    expect(page).to_have_url(re.compile(r"/webhooks/$"))
    page.get_by_test_id("new-endpoint").click()
    expect(page.locator("#event_id")).to_have_count(0)  # employers: their booths, no choice of event
    page.locator("#url").fill("http://hr.example.com/hooks")
    page.get_by_label(re.compile(r"booth_application\.decided")).check()
    page.locator("main form button.btn-primary").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("https://")
    assert_accessible(page)
    screenshot(page, "webhooks-employer-error")
    context.close()
