"""A volunteer of the door makes an API token by clicking (My account → Manage API tokens), copies it
once, a turnstile checks someone in with it, and the token is revoked; the API reference is reached from
every page's footer. Each page is photographed at desktop and phone width and checked with axe."""
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from eventsapp.accounts.models import Role, User
from eventsapp.badges import services as badges
from eventsapp.badges.crew import add_to_crew
from eventsapp.badges.models import BadgeRole
from eventsapp.extensions import db
from eventsapp.registrations.services import register_for_event
from tests.browser.helpers import DESKTOP, FLASH_SUCCESS, PHONE, account_menu, checked, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def door(app, make_event, make_candidate, make_user):
    event = make_event(starts_at=datetime.now(UTC) - timedelta(hours=1))
    li = make_candidate(name="李明", name_latin="Li Ming")
    volunteer = make_user(Role.CANDIDATE, email="gate@example.org", display_name="Volunteer Vera")
    with app.app_context():
        register_for_event(event.id, db.session.get(User, li.id))
        add_to_crew(event.id, volunteer.email, BadgeRole.VOLUNTEER, None)
        db.session.commit()
        code = badges.token_of(badges.badge_of(event.id, li.id))
        db.session.commit()
    return event, code


@pytest.mark.parametrize("size,name", [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_a_token_made_by_clicking_checks_someone_in_and_is_revoked(browser, live_server, door, screenshot,
                                                                   size, name):
    event, code = door
    context = browser.new_context(locale="en-US", **size)
    page = context.new_page()
    page.goto(live_server + "/")
    log_in(page, "gate@example.org")
    account_menu(page, "Volunteer Vera", "My account")
    page.get_by_role("link", name="Manage API tokens").click()
    expect(page.get_by_role("heading", name="API tokens", level=1)).to_be_visible()
    checked(page, screenshot, f"api-tokens-empty-{name}")
    page.get_by_label("Name").fill("North gate turnstile")
    page.get_by_label("Check-in: let people in at the door of events you run").check()
    page.get_by_role("button", name="Make token").click()
    secret = page.get_by_test_id("token-secret").inner_text().strip()
    assert secret.startswith("tdp_")
    checked(page, screenshot, f"api-tokens-made-{name}")

    answer = context.request.post(f"{live_server}/api/v1/events/{event.id}/checkins",
                                  headers={"Authorization": f"Bearer {secret}", "Idempotency-Key": "gate-1"},
                                  data={"token": code, "gate": "North"})
    assert answer.status == 200 and answer.json()["status"] == "ok" and answer.json()["name"] == "李明"

    page.goto(f"{live_server}/account/tokens")  # the secret was in the form's answer only
    expect(page.get_by_test_id("token-secret")).to_have_count(0)
    expect(page.get_by_test_id("tokens")).to_contain_text("last used")
    page.once("dialog", lambda dialog: dialog.accept())  # "Revoke this token? …"
    page.get_by_role("button", name="Revoke").click()
    expect(page.locator(FLASH_SUCCESS)).to_contain_text("revoked")
    refused = context.request.get(f"{live_server}/api/v1/events/{event.id}/checkins",
                                  headers={"Authorization": f"Bearer {secret}"})
    assert refused.status == 401
    context.close()


@pytest.mark.parametrize("locale,size,name", [("en-US", DESKTOP, "desktop"), ("zh-CN", PHONE, "phone-zh")])
def test_the_api_reference_from_the_footer(browser, live_server, screenshot, locale, size, name):
    context = browser.new_context(locale=locale, **size)
    page = context.new_page()
    page.goto(live_server + "/")
    page.locator("footer").get_by_role("link", name="API for developers" if locale == "en-US" else "开发者接口").click()
    expect(page.locator("[data-testid=operation]").first).to_be_visible()
    assert page.locator("[data-testid=operation]").count() >= 20
    scopes = page.get_by_test_id("scopes")
    for scope in ("read", "registrations:write", "checkin:write", "contests:read", "analytics:read"):
        expect(scopes).to_contain_text(scope)
    checked(page, screenshot, f"api-reference-{name}")
    page.get_by_role("link", name="/api/v1/openapi.json").click()
    assert '"openapi": "3.1.0"' in page.content()
    context.close()
