"""The door on a phone, the way a volunteer works it: type a number (green), again (amber), a
cancelled badge (red), scans made with the network down (queued, then sent with conflicts), and the
camera reading a real QR code; booth staff capturing a lead."""
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import segno
from playwright.sync_api import expect
from sqlalchemy import func, select

from eventsapp.accounts.models import Role, User
from eventsapp.badges import services as badges
from eventsapp.badges.crew import add_to_crew
from eventsapp.badges.models import BadgeRole
from eventsapp.browse.models import ShortlistEntry
from eventsapp.checkin.models import BoothLead, CheckIn
from eventsapp.extensions import db
from eventsapp.registrations.services import cancel_registration, register_for_event
from tests.browser.helpers import PHONE, launch_chromium, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def door(app, make_event, make_candidate, make_user, make_organization, make_staff, make_booth):
    event = make_event(starts_at=datetime.now(UTC) - timedelta(hours=1), slug="west-lake-fair")
    people = {key: make_candidate(name=name, name_latin=latin, show_to_employers=True)
              for key, name, latin in (("li", "李明", "Li Ming"), ("wang", "王小雨", "Wang Xiaoyu"),
                                       ("zhao", "赵六", "Zhao Liu"), ("chen", "陈静", "Chen Jing"))}
    volunteer = make_user(Role.CANDIDATE, display_name="Volunteer Vera", email="vera@example.org")
    organization = make_organization()
    booth = make_booth(event, organization)
    staff = make_staff(organization, email="hr@example.com")
    with app.app_context():
        registrations = {key: register_for_event(event.id, db.session.get(User, person.id)).registration
                         for key, person in people.items()}
        add_to_crew(event.id, volunteer.email, BadgeRole.VOLUNTEER, None)
        db.session.commit()
        found = {key: badges.badge_of(event.id, person.id) for key, person in people.items()}
        numbers = {key: badge.number for key, badge in found.items()}
        tokens = {key: badges.token_of(badge) for key, badge in found.items()}
        cancel_registration(registrations["zhao"])
        db.session.commit()
    return event, volunteer, numbers, tokens, booth, staff


def type_number(page, number):
    page.locator("#badge-number").fill(number)
    page.locator("[data-number-form] button[type=submit]").click()


def check_ins(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(CheckIn))


def test_a_volunteer_checks_people_in_on_a_phone_online_and_offline(app, browser, live_server, door, screenshot):
    event, volunteer, numbers, _tokens, _booth, _staff = door
    context = browser.new_context(locale="en-US", **PHONE)
    page = context.new_page()
    log_in(page, volunteer.email, base=live_server)
    page.goto(f"{live_server}/checkin/{event.id}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator("#gate").fill("North 2")
    result = page.get_by_test_id("result")

    type_number(page, numbers["li"].lower())
    expect(result).to_have_attribute("data-status", "ok")
    expect(result).to_contain_text("Checked in")
    expect(result).to_contain_text("李明 (Li Ming) · Candidate")
    expect(page.locator("[data-total]")).to_have_text("1 / 6")  # three candidates, the volunteer, two booth staff
    screenshot(page, "checkin-green-phone")

    type_number(page, numbers["li"])
    expect(result).to_have_attribute("data-status", "warn")
    expect(result).to_contain_text("Already checked in at")
    expect(result).to_contain_text("by gate North 2")
    screenshot(page, "checkin-amber-phone")

    type_number(page, numbers["zhao"])
    expect(result).to_have_attribute("data-status", "bad")
    expect(result).to_contain_text("The registration was cancelled.")
    screenshot(page, "checkin-red-phone")

    # The gate name is remembered on the phone.
    page.reload()
    expect(page.locator("#gate")).to_have_value("North 2")

    # The network drops: two scans are queued, one of them a person already in.
    context.set_offline(True)
    type_number(page, numbers["wang"])
    expect(result).to_have_attribute("data-status", "queued")
    type_number(page, numbers["li"])
    expect(page.locator("[data-queue-text]")).to_have_text("2 scans waiting to be sent")
    screenshot(page, "checkin-offline-queued-phone")
    assert check_ins(app) == 1

    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("[data-queue]")).to_be_hidden()
    conflicts = page.locator("[data-conflicts]")
    expect(conflicts).to_be_visible()
    expect(conflicts).to_contain_text("李明")
    expect(conflicts).to_contain_text("Already checked in")
    expect(conflicts).not_to_contain_text("王小雨")  # that one went in fine
    screenshot(page, "checkin-synced-conflicts-phone")
    assert check_ins(app) == 2

    # Search by name, and check in from the result.
    page.locator("#name-search").fill("chen")
    page.locator("[data-search-form] button[type=submit]").click()
    page.locator("[data-search-results] button").first.click()
    expect(result).to_have_attribute("data-status", "ok")
    expect(result).to_contain_text("陈静")
    assert check_ins(app) == 3
    context.close()


def test_the_door_page_on_a_desktop_in_chinese(app, browser, live_server, door, screenshot):
    event, volunteer, numbers, _tokens, _booth, _staff = door
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(live_server + "/language/zh_CN")
    log_in(page, volunteer.email, base=live_server)
    page.goto(f"{live_server}/checkin/{event.id}/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    type_number(page, numbers["wang"])
    expect(page.get_by_test_id("result")).to_have_attribute("data-status", "ok")
    page.wait_for_timeout(300)
    screenshot(page, "checkin-desktop-zh")
    context.close()


def test_the_door_before_it_opens_says_when_it_will(app, browser, live_server, door, screenshot):
    event, volunteer, numbers, _tokens, _booth, _staff = door
    with app.app_context():  # the fair moves to tomorrow 09:00 in Hangzhou; the door opens at 07:00
        row = db.session.get(type(event), event.id)
        tomorrow = (datetime.now(UTC) + timedelta(days=1)).astimezone(ZoneInfo("Asia/Shanghai"))
        row.starts_at = tomorrow.replace(hour=9, minute=0, second=0, microsecond=0).astimezone(UTC)
        row.ends_at = row.starts_at + timedelta(hours=8)
        db.session.commit()
    context = browser.new_context(locale="en-US", **PHONE)
    page = context.new_page()
    log_in(page, volunteer.email, base=live_server)
    page.goto(f"{live_server}/checkin/{event.id}/")
    expect(page.get_by_test_id("door-closed")).to_contain_text("The door is not open yet")
    expect(page.get_by_test_id("door-closed")).to_contain_text("07:00")
    type_number(page, numbers["li"])
    result = page.get_by_test_id("result")
    expect(result).to_have_attribute("data-status", "warn")
    expect(result).to_contain_text("The door is not open yet")
    expect(result).to_contain_text("120 minutes before the event starts")
    screenshot(page, "checkin-door-not-open-phone")
    assert check_ins(app) == 0
    context.close()


def fake_camera_video(text: str, directory: Path) -> Path:
    """A few seconds of Y4M video showing the QR code, for Chromium's fake camera."""
    from PIL import Image

    width, height = 640, 480
    qr = segno.make(text, error="m")
    picture = Image.new("L", (width, height), 255)
    scale = max(1, 400 // qr.symbol_size(border=4)[0])
    code = Image.open(_qr_png(qr, scale, directory)).convert("L")
    picture.paste(code, ((width - code.width) // 2, (height - code.height) // 2))
    frame = b"FRAME\n" + picture.tobytes() + bytes([128]) * (width * height // 2)
    path = directory / "camera.y4m"
    path.write_bytes(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode() + frame * 30)
    return path


def _qr_png(qr, scale, directory: Path) -> Path:
    path = directory / "code.png"
    qr.save(str(path), scale=scale, border=4)
    return path


def test_the_camera_reads_a_badge_code(app, browser, live_server, door, screenshot):
    event, volunteer, _numbers, tokens, _booth, _staff = door
    with tempfile.TemporaryDirectory() as directory:
        video = fake_camera_video(tokens["chen"], Path(directory))
        # A second Chromium from the same Playwright, whose fake camera films the badge's code.
        camera_browser = launch_chromium(browser.browser_type, "--use-fake-ui-for-media-stream",
                                         "--use-fake-device-for-media-stream",
                                         f"--use-file-for-fake-video-capture={video}")
        try:
            context = camera_browser.new_context(locale="en-US", permissions=["camera"], **PHONE)
            page = context.new_page()
            log_in(page, volunteer.email, base=live_server)
            page.goto(f"{live_server}/checkin/{event.id}/")
            page.locator("[data-camera-start]").click()
            result = page.get_by_test_id("result")
            expect(result).to_have_attribute("data-status", "ok", timeout=15_000)
            expect(result).to_contain_text("陈静")
            screenshot(page, "checkin-camera-phone")
        finally:
            camera_browser.close()
    assert check_ins(app) == 1


def test_booth_staff_capture_and_rate_a_lead(app, browser, live_server, door, screenshot):
    event, _volunteer, numbers, _tokens, booth, staff = door
    context = browser.new_context(locale="en-US", **PHONE)
    page = context.new_page()
    log_in(page, staff.email, base=live_server)
    page.goto(f"{live_server}/employer/booths/{booth.id}/leads")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    type_number(page, numbers["wang"])
    result = page.get_by_test_id("lead-result")
    expect(result).to_have_attribute("data-status", "ok")
    expect(result).to_contain_text("王小雨")
    page.locator("[data-rate-buttons] button").nth(2).click()
    page.locator("#lead-note").fill("Knows Rust; call back")
    page.locator("[data-rate-form] button[type=submit]").click()
    expect(page.locator("[data-rate-message]")).to_have_text("Saved.")
    expect(page.locator("[data-leads-list]")).to_contain_text("1 lead")  # the list follows without a reload
    expect(page.locator("[data-leads-list] textarea")).to_have_value("Knows Rust; call back")
    screenshot(page, "leads-captured-phone")
    with app.app_context():
        entry = db.session.scalar(select(ShortlistEntry))
        assert (db.session.get(BoothLead, entry.id).rating, entry.note) == (3, "Knows Rust; call back")
    page.reload()
    expect(page.locator(f"[data-testid=lead-{entry.id}]")).to_contain_text("王小雨")
    screenshot(page, "leads-list-phone")
    desktop = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    wide = desktop.new_page()
    log_in(wide, staff.email, base=live_server)
    wide.goto(f"{live_server}/employer/booths/{booth.id}/leads")
    screenshot(wide, "leads-desktop")
    desktop.close()
    context.close()

