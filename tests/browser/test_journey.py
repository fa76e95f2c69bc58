"""A visitor's first visit, the way a person does it: in a real browser."""
import re

import pytest
from playwright.sync_api import expect

from eventsapp.demo.seed import seed_demo

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(app):
    from datetime import date

    from eventsapp.extensions import db
    with app.app_context():
        seed_demo(date.today(), "testing")
        db.session.commit()


def test_switch_language_sign_up_log_in_and_view_an_event(browser, live_server, demo, screenshot):
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(live_server + "/")
    expect(page.locator("h1")).to_have_text("Find your place in Hangzhou")
    screenshot(page, "home-en")

    page.get_by_test_id("language-menu").click()
    page.get_by_role("link", name="中文（简体）").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("h1")).not_to_have_text("Find your place in Hangzhou")
    screenshot(page, "home-zh")

    page.locator("nav").get_by_role("link", name=re.compile("注册")).click()
    page.get_by_label("密码", exact=True).fill("short")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    screenshot(page, "signup-errors-zh")

    page.locator("#display_name").fill("王小雨 Wang Xiaoyu")
    page.locator("#email").fill("wang.xiaoyu@example.com")
    page.locator("#password").fill("west lake lotus 2027")
    page.locator("#password_confirm").fill("west lake lotus 2027")
    page.locator("main form button[type=submit]").click()
    # The same answer as for an address that has an account: check your e-mail, then log in.
    expect(page.locator(".alert-info")).to_contain_text("wang.xiaoyu@example.com")
    page.locator("#email").fill("wang.xiaoyu@example.com")
    page.locator("#password").fill("west lake lotus 2027")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()

    page.locator("nav .dropdown-toggle", has_text="王小雨").click()
    page.locator("nav form button[type=submit]").click()
    expect(page.locator(".alert-info")).to_be_visible()

    page.goto(live_server + "/login")
    page.locator("#email").fill("wang.xiaoyu@example.com")
    page.locator("#password").fill("west lake lotus 2027")
    page.locator("#remember").check()
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()

    page.goto(live_server + "/events")
    screenshot(page, "events-zh")
    page.locator(".event-card a").first.click()
    expect(page.locator("h1")).to_be_visible()
    expect(page.get_by_text("Asia/Shanghai")).to_be_visible()
    screenshot(page, "event-zh")
    context.close()


def test_pages_fit_a_phone_screen(browser, live_server, demo, screenshot):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    for path, name in (("/", "home-phone"), ("/events", "events-phone")):
        page.goto(live_server + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} scrolls sideways on a phone ({width}px)"
        screenshot(page, name)
    page.goto(live_server + "/events")
    page.locator(".event-card a").first.click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "event-phone")
    context.close()


def test_an_organizer_creates_and_publishes_an_event(browser, live_server, demo, screenshot):
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(live_server + "/login")
    page.locator("#email").fill("organizer@example.com")
    page.locator("#password").fill("talentday-demo")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text(re.compile("Organizer dashboard|主办方"))
    screenshot(page, "dashboard")
    page.goto(live_server + "/manage/events/new")
    page.locator("#title_en").fill("Qiantang Tech Fair")
    page.locator("#title_zh").fill("钱塘科技招聘会")
    page.locator("#starts_at").fill("2030-05-20T09:00")
    page.locator("#ends_at").fill("2030-05-20T08:00")
    page.locator("#capacity").fill("800")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    screenshot(page, "event-form-errors")
    page.locator("#ends_at").fill("2030-05-20T16:00")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator(".alert-success")).to_be_visible()
    page.get_by_role("button", name=re.compile("^(Publish|发布)$")).click()
    expect(page.locator(".alert-success")).to_be_visible()
    screenshot(page, "event-form-published")
    page.goto(live_server + "/events/qiantang-tech-fair")
    expect(page.locator("h1")).to_be_visible()
    context.close()


def test_a_new_candidate_completes_the_profile_registers_and_cancels(browser, live_server, demo, screenshot):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.goto(live_server + "/signup")
    page.locator("#display_name").fill("周雨桐 Zhou Yutong")
    page.locator("#email").fill("zhou.yutong@example.com")
    page.locator("#password").fill("qiantang river tide 88")
    page.locator("#password_confirm").fill("qiantang river tide 88")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".alert-info")).to_contain_text("zhou.yutong@example.com")
    page.locator("#email").fill("zhou.yutong@example.com")
    page.locator("#password").fill("qiantang river tide 88")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()

    page.goto(live_server + "/events")
    page.locator(".event-card a", has_text="国际人才交流").first.click()
    expect(page.get_by_test_id("registration-problems")).to_be_visible()  # no name or phone yet
    screenshot(page, "event-needs-profile-phone")
    page.get_by_test_id("registration-panel").get_by_role("link").click()

    page.locator("#name").fill("周雨桐")
    page.locator("#name_latin").fill("Zhou Yutong")
    page.locator("#phone").fill("139 1234 5678")
    page.locator("#birth_year").fill("2001")
    page.locator("#degree").select_option("master")
    page.locator("#graduation_year").fill("2027")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator(".alert-success")).to_be_visible()
    screenshot(page, "profile-saved-phone")

    page.goto(live_server + "/events")
    page.locator(".event-card a", has_text="国际人才交流").first.click()
    page.get_by_test_id("register-button").click()
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("main")).to_contain_text("国际人才交流")
    screenshot(page, "my-events-phone")

    page.on("dialog", lambda dialog: dialog.accept())
    page.locator("main form button.btn-outline-danger").first.click()
    expect(page.locator(".alert-success")).to_be_visible()
    context.close()
