"""The floor plan in a real browser: on a phone nothing scrolls sideways; a click on a map cell fills the form."""
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import expect, sync_playwright

from eventsapp.accounts.models import Role
from eventsapp.booths.models import BoothType, Hall
from eventsapp.extensions import db
from eventsapp.openings.models import Opening
from eventsapp.organizations.models import Industry
from tests.browser.helpers import launch_chromium, log_in, require_chromium

pytestmark = pytest.mark.browser
INDUSTRIES = [Industry.C, Industry.I, Industry.J, Industry.M, Industry.P, Industry.Q]


@pytest.fixture
def in_browser():
    """Runs a check with a Chromium of its own, in a thread of its own: the browser tests keep a
    Playwright session open in the main thread for the whole run, and two cannot share a thread."""
    require_chromium()

    def run(check) -> None:
        def body():
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright.chromium)
                try:
                    check(browser)
                finally:
                    browser.close()
        with ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(body).result()
    return run


@pytest.fixture
def big_fair(app, make_event, make_organization, make_booth):
    """A fair with a wide hall (24 columns) and 60 booths with long names."""
    event = make_event(slug="big-fair", title_en="Big fair")
    with app.app_context():
        hall = Hall(event_id=event.id, name="A", rows=8, cols=24, aisle_rows="4", aisle_cols="8, 16",
                    blocked_cells="1:1, 8:24")
        db.session.add(hall)
        db.session.commit()
        hall_id = hall.id
    from eventsapp.booths.floorplan import grid_from_text
    grid = grid_from_text("A", 8, 24, "4", "8, 16", "1:1, 8:24")
    for number in range(60):
        organization = make_organization(name_zh=f"杭州市数字经济示范科技发展股份有限公司{number}",
                                         name_en=f"Hangzhou Digital Economy Technology {number} Co., Ltd.",
                                         industry=INDUSTRIES[number % len(INDUSTRIES)])
        row, col = grid.booth_cells[number]
        make_booth(event, organization, hall_id=hall_id, row=row, col=col, code=f"A-{number + 1}",
                   booth_type=BoothType.STANDARD)
        with app.app_context():
            db.session.add(Opening(organization_id=organization.id, event_id=event.id,
                                   title="Senior embedded software engineer for intelligent manufacturing"))
            db.session.commit()
    return event


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_the_floor_plan_fits_a_phone_screen(in_browser, live_server, big_fair, screenshot, locale):  # noqa: F811
    def check(browser):
        context = browser.new_context(locale=locale, viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                      is_mobile=True, has_touch=True)
        page = context.new_page()
        page.goto(live_server + "/events/big-fair/floor-plan?q=engineer")
        expect(page.locator("svg.hall-map")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        map_box = page.locator("svg.hall-map").bounding_box()
        assert map_box["x"] >= 0 and map_box["x"] + map_box["width"] <= 390
        screenshot(page, f"floor-plan-phone-{locale}")
        page.locator("svg .booth").first.click()
        expect(page.locator("#booth-A-1")).to_be_in_viewport()
    in_browser(check)


def test_an_organizer_fills_the_place_form_by_clicking_a_free_cell(in_browser, live_server, big_fair,  # noqa: F811
                                                                  make_user, make_organization, make_booth,
                                                                  screenshot):  # noqa: F811
    make_booth(big_fair, make_organization(name_en="Newcomer Ltd"))
    organizer = make_user(Role.ORGANIZER, email="plans@example.org")

    def check(browser):
        page = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900}).new_page()
        log_in(page, organizer.email, base=live_server)
        page.goto(live_server + f"/manage/events/{big_fair.id}/floor-plan")
        page.locator("svg .cell-free[data-row='8'][data-col='23']").click()
        assert (page.input_value("#row"), page.input_value("#col")) == ("8", "23")
        page.get_by_role("button", name="Place", exact=True).click()
        expect(page.locator(".alert-success")).to_contain_text("Newcomer Ltd is at A-")
        expect(page.locator("svg .booth[data-code]")).to_have_count(61)
        screenshot(page, "floor-plan-organizer")
    in_browser(check)
