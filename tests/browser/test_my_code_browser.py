"""My code in a real browser on a phone and a desktop: reached from the account menu, accessible, kept by the
service worker so that it opens offline, replaced after a confirmation, and forgotten on logging out."""
from __future__ import annotations

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.browser.accessibility import assert_accessible
from tests.browser.helpers import DESKTOP, FLASH_SUCCESS, PHONE, account_menu, log_in, open_account_menu

pytestmark = pytest.mark.browser

MY_CODE = {"en-US": "My code", "zh-CN": "我的码"}


@pytest.mark.parametrize("size, locale", [("phone", "zh-CN"), ("desktop", "en-US")])
def test_my_code_opens_offline_and_is_replaced(browser, live_server, make_candidate, screenshot, size, locale):
    person = make_candidate(name="李明", name_latin="Li Ming")
    context = browser.new_context(locale=locale, **(PHONE if size == "phone" else DESKTOP))
    page = context.new_page()
    log_in(page, person.email, base=live_server)
    account_menu(page, person.display_name, MY_CODE[locale])
    expect(page.get_by_test_id("my-code-name")).to_have_text("李明")
    qr = page.get_by_test_id("my-code-qr")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box["width"] >= (300 if size == "phone" else 350) and abs(box["width"] - box["height"]) < 2  # large, square
    # The service worker has kept the page: the status line says so.
    expect(page.locator("[data-offline-status]")).not_to_be_empty(timeout=15000)
    screenshot(page, f"my-code-{size}-{locale}")
    assert_accessible(page)
    first_qr = qr.get_attribute("src")

    context.set_offline(True)
    response = page.reload()
    assert response is not None and response.from_service_worker
    expect(page.get_by_test_id("my-code-name")).to_have_text("李明")
    assert page.get_by_test_id("my-code-qr").get_attribute("src") == first_qr
    screenshot(page, f"my-code-{size}-{locale}-offline")
    context.set_offline(False)

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("replace-code").click()
    expect(page.locator(FLASH_SUCCESS)).to_be_visible()
    assert page.get_by_test_id("my-code-qr").get_attribute("src") != first_qr
    context.close()


def test_logging_out_forgets_the_offline_copy(browser, live_server, make_user):
    employer = make_user(display_name="Wang Fang")
    context = browser.new_context(locale="en-US", **PHONE)
    page = context.new_page()
    log_in(page, employer.email, base=live_server)
    page.goto(live_server + "/my/code/")
    expect(page.locator("[data-offline-status]")).not_to_be_empty(timeout=15000)
    kept = """caches.keys().then(names => Promise.all(names.filter(n => n.startsWith('my-code-'))
        .map(n => caches.open(n).then(c => c.match('/my/code/'))))).then(found => found.some(Boolean))"""
    page.wait_for_function(kept)

    log_out = page.locator("#site-menu form[action='/logout'] button")
    open_account_menu(page, "Wang Fang", log_out)
    log_out.click()
    page.wait_for_function("caches.keys().then(names => !names.some(n => n.startsWith('my-code-')))")
    context.set_offline(True)
    with pytest.raises(PlaywrightError):  # nothing to show without a connection
        page.goto(live_server + "/my/code/")
    context.close()
