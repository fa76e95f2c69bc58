"""The organizer's badge page in a real browser: check, render in the background, download; and a
candidate's badge button. Screenshots at desktop and phone widths, in English and Chinese."""
from __future__ import annotations

import shutil
import subprocess

import pytest
from playwright.sync_api import expect

from eventsapp.accounts.models import Role
from eventsapp.badges.services import sync_badges
from eventsapp.extensions import db
from eventsapp.registrations.models import Registration, RegistrationStatus
from tests.browser.helpers import SCREENSHOTS, log_in

pytestmark = pytest.mark.browser


def rasterize(pdf, name: str) -> None:
    """The downloaded PDF's first page as a PNG beside the screenshots, to look at."""
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "80", "-png", "-singlefile", "-f", "1", "-l", "1", str(pdf),
                        str(SCREENSHOTS / name)], check=True)
        assert (SCREENSHOTS / f"{name}.png").stat().st_size > 10_000


@pytest.fixture
def fair(app, make_event, make_candidate):
    event = make_event(title_en="Spring Talent Fair", title_zh="春季人才交流会")
    people = [make_candidate(name=name, name_latin=latin) for name, latin in
              [("张伟", "Zhang Wei"), ("欧阳䶮", "Ouyang Yan"), ("王\ue000明", "Wang Ming"), ("Anna Schmidt", "")]]
    with app.app_context():
        for person in people:
            db.session.add(Registration(event_id=event.id, user_id=person.id, status=RegistrationStatus.CONFIRMED))
        db.session.commit()
        sync_badges(event.id)  # written directly above: their badges, as confirming a place issues them
        db.session.commit()
    return event, people


@pytest.mark.parametrize("width, locale", [(1280, "en-US"), (390, "zh-CN")])
def test_organizer_checks_names_and_renders_in_the_background(app, browser, live_server, make_user, fair, screenshot,
                                                              monkeypatch, tmp_path, width, locale):
    monkeypatch.setitem(app.config, "BADGE_INLINE_LIMIT", 2)  # four badges: a background job
    monkeypatch.setitem(app.config, "BADGE_FOLDER", str(tmp_path))
    event, _people = fair
    organizer = make_user(Role.ORGANIZER, email="organizer@example.org", display_name="主办方 Organizer",
                          locale="zh_CN" if locale == "zh-CN" else "en")
    context = browser.new_context(locale=locale, viewport={"width": width, "height": 900})
    page = context.new_page()
    log_in(page, organizer.email, base=live_server)
    page.goto(f"{live_server}/manage/events/{event.id}/badges")
    expect(page.get_by_test_id("count-candidate")).to_have_text("4")
    expect(page.get_by_test_id("unprintable")).to_contain_text("U+E000")
    expect(page.get_by_test_id("unprintable")).not_to_contain_text("欧阳䶮")
    screenshot(page, f"badges-manage-{width}-{locale}")

    page.locator("#print_anyway").check()
    page.get_by_test_id("render").click()
    job = page.locator("[data-testid=jobs] li[id^=job-]").first
    download_link = job.locator(".job-result a")
    expect(download_link).to_be_visible(timeout=60_000)  # the page polls until the job is done
    expect(job).to_have_attribute("data-status", "done")
    screenshot(page, f"badges-job-done-{width}-{locale}")
    with page.expect_download() as download:
        download_link.click()
    assert download.value.suggested_filename.endswith(".pdf")
    rasterize(download.value.path(), f"badges-sheet-{width}-{locale}")
    context.close()


def test_candidate_downloads_the_badge_from_my_events(browser, live_server, fair, screenshot):
    event, people = fair
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 800})
    page = context.new_page()
    log_in(page, people[1].email, base=live_server)
    page.goto(live_server + "/my/events")
    button = page.locator(f"a[href='/events/{event.slug}/badge.pdf']")
    expect(button).to_be_visible()
    screenshot(page, "badges-my-events-390-zh")
    with page.expect_download() as download:
        button.click()
    assert download.value.suggested_filename.startswith(f"badge-{event.slug}-")
    rasterize(download.value.path(), "badges-single-zh")
    context.close()
