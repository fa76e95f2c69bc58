"""Each role's journey the way a person does it, in a real browser: from the home page, by clicking.

``page.goto`` opens the home page only; everything else is reached through links, menus and buttons.
Every main page on the way is checked with axe-core (no serious or critical violation) and
photographed into build/screenshots/.
"""
import re
from datetime import date

import pytest
from playwright.sync_api import expect

from eventsapp.demo.employers import demo_credit_code
from eventsapp.demo.seed import DEMO_PASSWORD
from eventsapp.notifications.services import deliver_due_messages
from tests.browser.accessibility import assert_accessible
from tests.browser.helpers import FLASH_SUCCESS, SMALL_PHONE, account_menu, checked, log_in, menu, menu_to_form

pytestmark = pytest.mark.browser


def sign_up(page, name: str, email: str, password: str, employer: bool = False) -> None:
    menu_to_form(page, re.compile("^(Sign up|注册)$"), "#display_name")
    if employer:
        page.locator("input[name=role][value=employer]").check()
    page.locator("#display_name").fill(name)
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("#password_confirm").fill(password)
    page.locator("main form button[type=submit]").click()
    # The same answer as for an address that has an account: check your e-mail, then log in.
    expect(page.locator(".alert-info")).to_contain_text(email)
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("main form button[type=submit]").click()
    expect(page.locator(FLASH_SUCCESS)).to_be_visible()


# --- Visitors ------------------------------------------------------------------------------------------

def test_a_visitor_switches_language_signs_up_logs_out_and_in_again(visit, demo, screenshot):
    page = visit("en-US")
    expect(page.locator("h1")).to_have_text("Find your place in Hangzhou")
    checked(page, screenshot, "home-en")

    page.get_by_test_id("language-menu").click()
    page.get_by_role("link", name="中文（简体）").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("h1")).not_to_have_text("Find your place in Hangzhou")
    checked(page, screenshot, "home-zh")

    menu_to_form(page, "注册", "#display_name")
    page.get_by_label("密码", exact=True).fill("short")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    checked(page, screenshot, "signup-errors-zh")

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
    expect(page.locator(FLASH_SUCCESS)).to_be_visible()

    page.locator("nav .dropdown-toggle", has_text="王小雨").click()
    page.locator("nav form button[type=submit]").click()
    expect(page.locator(".alert-info")).to_be_visible()

    menu(page, "登录")
    checked(page, screenshot, "login-zh")
    page.locator("#email").fill("wang.xiaoyu@example.com")
    page.locator("#password").fill("west lake lotus 2027")
    page.locator("#remember").check()
    page.locator("main form button[type=submit]").click()
    expect(page.locator(FLASH_SUCCESS)).to_be_visible()

    menu(page, "活动")
    checked(page, screenshot, "events-zh")
    page.locator(".event-card a").first.click()
    expect(page.locator("h1")).to_be_visible()
    expect(page.get_by_text("Asia/Shanghai")).to_be_visible()
    checked(page, screenshot, "event-zh")


def test_pages_fit_a_phone_screen_with_the_menu_button_beside_the_brand(visit, demo, screenshot):
    page = visit("zh-CN", **SMALL_PHONE)
    width = 375

    def fits(name: str) -> None:
        scrolled = page.evaluate("document.documentElement.scrollWidth")
        assert scrolled <= width, f"{page.url} scrolls sideways on a phone ({scrolled}px)"
        brand, toggler = page.locator(".navbar-brand").bounding_box(), page.locator(".navbar-toggler").bounding_box()
        assert abs((brand["y"] + brand["height"] / 2) - (toggler["y"] + toggler["height"] / 2)) < 8, \
            "the menu button fell below the brand"
        screenshot(page, name)

    fits("home-phone")
    menu(page, "活动")
    fits("events-phone")
    page.locator(".event-card a").first.click()
    fits("event-phone")
    # The event's title comes first, before the registration panel and its buttons.
    title, panel = page.locator("h1").bounding_box(), page.get_by_test_id("registration-panel").bounding_box()
    assert title["y"] < panel["y"]
    assert_accessible(page)
    page.locator("footer").get_by_role("link", name="English").click()  # a longer brand name
    fits("event-phone-en")


# --- Candidates ----------------------------------------------------------------------------------------

def test_a_new_candidate_completes_the_profile_registers_and_gets_a_badge(app, visit, demo, screenshot):
    page = visit("zh-CN", **SMALL_PHONE)
    sign_up(page, "周雨桐 Zhou Yutong", "zhou.yutong@example.com", "qiantang river tide 88")

    menu(page, "活动")
    page.locator(".event-card a", has_text="国际人才交流").first.click()
    expect(page.get_by_test_id("registration-problems")).to_be_visible()  # no name or phone yet
    checked(page, screenshot, "event-needs-profile-phone")
    page.get_by_test_id("registration-panel").get_by_role("link").click()

    checked(page, screenshot, "profile-phone")
    page.locator("#name").fill("周雨桐")
    page.locator("#name_latin").fill("Zhou Yutong")
    page.locator("#phone").fill("139 1234 5678")
    page.locator("#birth_year").fill("2001")
    page.locator("#degree").select_option("master")
    page.locator("#graduation_year").fill("2027")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator(FLASH_SUCCESS)).to_be_visible()
    screenshot(page, "profile-saved-phone")

    menu(page, "活动")
    page.locator(".event-card a", has_text="国际人才交流").first.click()
    page.get_by_test_id("register-button").click()
    checked(page, screenshot, "register-phone")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(FLASH_SUCCESS)).to_be_visible()
    expect(page.locator("main")).to_contain_text("国际人才交流")
    checked(page, screenshot, "my-events-phone")

    with app.app_context():  # the outbox worker beside the web server: on SQLite it issues the badge
        deliver_due_messages()
    with page.expect_download() as download:
        page.locator("main a[data-testid^=badge-]").first.click()
    assert download.value.suggested_filename.endswith(".pdf")

    page.on("dialog", lambda dialog: dialog.accept())
    page.locator("main form button.btn-outline-danger").first.click()
    expect(page.locator(FLASH_SUCCESS)).to_be_visible()


def test_the_demo_candidate_reads_their_pages(visit, demo, screenshot):
    page = visit("en-US")
    log_in(page, "candidate@example.com", DEMO_PASSWORD)
    for item, name in (("My profile", "candidate-profile"), ("Privacy and my data", "candidate-privacy"),
                       ("My events", "candidate-my-events"), ("My interviews", "candidate-interviews"),
                       ("My bookmarks", "candidate-bookmarks"), ("My calendar", "candidate-calendar"),
                       ("My account", "candidate-account")):
        account_menu(page, "李明轩", item)
        checked(page, screenshot, name)


# --- Employers -----------------------------------------------------------------------------------------

def test_a_new_employer_creates_an_organization_is_verified_and_applies_for_a_booth(visit, demo, screenshot):
    employer = visit("en-US")
    sign_up(employer, "Lin Hui (HR)", "lin.hui@qiantang-robotics.example.com", "bamboo forest path 31",
            employer=True)
    menu(employer, "My organization")
    checked(employer, screenshot, "organization-new")
    employer.locator("#name_zh").fill("杭州钱塘机器人有限公司")
    employer.locator("#name_en").fill("Hangzhou Qiantang Robotics Co., Ltd.")
    employer.locator("#credit_code").fill(demo_credit_code(42))
    employer.locator("#industry").select_option("C")
    employer.locator("#size").select_option(index=2)
    employer.locator("#city").fill("钱塘区")
    employer.locator("main form button[type=submit]").click()
    expect(employer.locator(FLASH_SUCCESS)).to_be_visible()
    checked(employer, screenshot, "organization-pending")

    organizer = visit("en-US")
    log_in(organizer, "organizer@example.com", DEMO_PASSWORD)
    menu(organizer, "Manage")
    organizer.locator("main .nav").get_by_role("link", name="Organizations").click()
    checked(organizer, screenshot, "organizations-manage")
    organizer.get_by_role("link", name="Hangzhou Qiantang Robotics Co., Ltd.").click()
    checked(organizer, screenshot, "organization-review")
    organizer.get_by_role("button", name="Verify").click()
    expect(organizer.locator(FLASH_SUCCESS)).to_be_visible()

    menu(employer, "My booths")
    checked(employer, screenshot, "my-booths-new-employer")
    employer.locator("main li, main .list-group-item, main tr", has_text="Spring Talent Fair").first \
        .get_by_role("link", name="Apply for a booth").click()
    checked(employer, screenshot, "booth-apply")
    employer.locator("#interviewers").fill("3")
    employer.locator("main form button[type=submit]").click()
    expect(employer.locator(FLASH_SUCCESS)).to_be_visible()
    expect(employer.locator("main")).to_contain_text("Spring Talent Fair")


def test_an_employer_with_a_booth_browses_registrants_shortlist_and_leads(visit, demo, screenshot):
    page = visit("en-US")
    log_in(page, "employer@example.com", DEMO_PASSWORD)
    menu(page, "My booths")
    checked(page, screenshot, "my-booths")
    for link, name in (("Browse registrants", "employer-registrants"), ("Shortlist", "employer-shortlist"),
                       ("Scan leads", "employer-leads"), ("Ranking for the matching", "employer-ranking"),
                       ("Interviews", "employer-interviews"), ("Openings", "employer-openings")):
        page.locator("main").get_by_role("link", name=link, exact=True).first.click()
        checked(page, screenshot, name)
        menu(page, "My booths")
    menu(page, "My organization")
    checked(page, screenshot, "employer-organization")


# --- Organizers ----------------------------------------------------------------------------------------

def test_an_organizer_creates_and_publishes_an_event(visit, demo, screenshot):
    page = visit("en-US")
    log_in(page, "organizer@example.com", DEMO_PASSWORD)
    menu(page, "Manage")
    expect(page.locator("h1")).to_have_text(re.compile("Organizer dashboard"))
    checked(page, screenshot, "dashboard")
    page.get_by_role("link", name=re.compile("New event")).click()
    page.locator("#title_en").fill("Qiantang Tech Fair")
    page.locator("#title_zh").fill("钱塘科技招聘会")
    page.locator("#starts_at").fill("2030-05-20T09:00")
    page.locator("#ends_at").fill("2030-05-20T08:00")
    page.locator("#capacity").fill("800")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    checked(page, screenshot, "event-form-errors")
    page.locator("#ends_at").fill("2030-05-20T16:00")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator(FLASH_SUCCESS)).to_be_visible()
    page.get_by_role("button", name=re.compile("^(Publish|发布)$")).click()
    expect(page.locator(FLASH_SUCCESS)).to_be_visible()
    checked(page, screenshot, "event-form-published")
    page.get_by_role("link", name="View page").click()
    expect(page.locator("h1")).to_have_text("Qiantang Tech Fair")


def test_an_organizer_walks_from_the_dashboard_to_every_tool_of_an_event(visit, demo, screenshot):
    """Dashboard → events → an event's hub, then every tab of the hub and the organizer's other lists,
    by clicking only."""
    page = visit("en-US")
    log_in(page, "organizer@example.com", DEMO_PASSWORD)
    menu(page, "Manage")
    checked(page, screenshot, "organizer-dashboard")
    page.locator("main .nav").get_by_role("link", name="All events").click()
    checked(page, screenshot, "organizer-events")
    # The coming spring fair (the demo also has last year's and this year's).
    page.get_by_role("link", name=re.compile(f"^Spring Talent Fair {date.today().year + 1}")).click()
    expect(page.locator("h1")).to_contain_text("Spring Talent Fair")
    checked(page, screenshot, "organizer-event")
    for key in ("registrants", "questions", "booths", "halls", "floor_plan", "matching", "badges", "calendar",
                "checkin"):
        page.get_by_test_id(f"tab-{key}").click()
        expect(page.get_by_test_id(f"tab-{key}")).to_have_attribute("aria-current", "page")
        checked(page, screenshot, f"organizer-event-{key}")
    page.get_by_test_id("event-tabs").get_by_role("link", name="Overview").click()
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Dashboard").click()
    for link, name in (("Series", "organizer-series"), ("Organizations", "organizer-organizations"),
                       ("E-mail outbox", "organizer-outbox")):
        page.locator("main .nav").first.get_by_role("link", name=link).click()
        checked(page, screenshot, name)


def test_an_administrator_manages_people(visit, demo, screenshot):
    page = visit("en-US")
    log_in(page, "admin@example.com", DEMO_PASSWORD)
    menu(page, "People")
    checked(page, screenshot, "admin-people")
