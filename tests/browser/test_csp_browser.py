"""The pages' scripts, moved out of the markup into static files, still work under the
Content-Security-Policy (the autouse fixture in conftest fails a test on any violation): the skill
preview, a candidate's ranked booths moved in place, the floor plan's click-to-fill, questions before
a form is sent, and a list re-sorted as soon as the choice changes."""
import json
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from eventsapp.accounts.models import Role
from eventsapp.booths.models import Hall
from eventsapp.extensions import db
from eventsapp.matchmaking.fitscore import DEFAULT_WEIGHTS
from eventsapp.matchmaking.models import CandidateChoice, MatchingRound
from eventsapp.registrations.models import Registration, RegistrationStatus
from eventsapp.security import CONTENT_SECURITY_POLICY
from tests.browser.helpers import PHONE, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def fair(app, make_event, make_organization, make_booth, make_candidate, make_staff):
    """A fair open for preferences, three approved booths the candidate ranked, a hall to place booths in."""
    event = make_event(slug="spring-fair", starts_at=datetime.now(UTC) + timedelta(days=20))
    organizations = [make_organization(name_en=name, name_zh=name) for name in ("Robotics", "Bank", "Studio")]
    booths = [make_booth(event, organization, code=None) for organization in organizations]
    candidate = make_candidate(email="li@example.org", show_to_employers=True)
    staff = make_staff(organizations[0], email="hr@example.org")
    with app.app_context():
        db.session.add(MatchingRound(event_id=event.id, deadline=datetime.now(UTC) + timedelta(days=5),
                                     interviews_start_at=event.starts_at, interviews_end_at=event.ends_at,
                                     weights_json=json.dumps(DEFAULT_WEIGHTS)))
        db.session.add(Registration(event_id=event.id, user_id=candidate.id, status=RegistrationStatus.CONFIRMED))
        db.session.add_all([CandidateChoice(event_id=event.id, candidate_id=candidate.id, booth_id=booth.id,
                                            position=position) for position, booth in enumerate(booths, start=1)])
        db.session.add(Hall(event_id=event.id, name="A", rows=3, cols=4, position=1))
        db.session.commit()
    return event, booths, candidate, staff


def test_a_candidate_moves_a_booth_and_previews_skills(browser, live_server, fair, screenshot):
    event, booths, _candidate, _staff = fair
    context = browser.new_context(locale="en-US", **PHONE)
    page = context.new_page()
    response = page.goto(live_server + "/login")
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    log_in(page, "li@example.org", base=live_server)

    page.goto(live_server + f"/events/{event.slug}/my-booths")
    page.evaluate("window.notReloaded = true")
    page.get_by_test_id(f"down-{booths[0].id}").click()
    rows = page.locator("#choice-list li[data-booth]")
    expect(rows.first).to_have_attribute("data-booth", str(booths[1].id))
    expect(rows.nth(1).locator("[data-position]")).to_have_text("2")
    assert page.evaluate("window.notReloaded === true")  # moved by my_booths.js, not by a new page
    screenshot(page, "csp-my-booths-phone")

    page.goto(live_server + "/my/profile")
    page.locator("#skills").fill("Python, 数据分析, python")
    expect(page.locator("#skill-preview .badge")).to_have_count(2)
    screenshot(page, "csp-profile-skills-phone")

    page.goto(live_server + "/my/privacy")
    page.once("dialog", lambda dialog: dialog.dismiss())  # "Delete your account…?" — no
    delete_form = page.locator("form[data-confirm]")
    delete_form.locator("input[type=password]").fill("whatever")
    delete_form.locator("button[type=submit]").click()
    expect(page).to_have_url(live_server + "/my/privacy")
    context.close()


def test_an_organizer_places_a_booth_by_clicking_a_free_cell(app, browser, live_server, fair, make_user, screenshot):
    event, _booths, _candidate, _staff = fair
    make_user(Role.ORGANIZER, email="org@example.org")
    with app.app_context():
        hall_id = db.session.scalar(select(Hall.id).where(Hall.event_id == event.id))
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log_in(page, "org@example.org", base=live_server)
    page.goto(live_server + f"/manage/events/{event.id}/floor-plan")
    page.locator("[data-hall-id] .cell-free[data-row='2'][data-col='3']").click()
    form = page.locator("#place")
    expect(form.locator("[name=hall_id]")).to_have_value(str(hall_id))
    expect(form.locator("[name=row]")).to_have_value("2")
    expect(form.locator("[name=col]")).to_have_value("3")
    screenshot(page, "csp-placement")
    context.close()


def test_an_employer_sorts_registrants_as_soon_as_the_choice_changes(browser, live_server, fair, screenshot):
    event, _booths, _candidate, _staff = fair
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log_in(page, "hr@example.org", base=live_server)
    page.goto(live_server + f"/employer/events/{event.id}/registrants")
    with page.expect_navigation():
        page.locator("#sort").select_option("graduation_year")
    assert "sort=graduation_year" in page.url
    screenshot(page, "csp-registrants")
    context.close()
