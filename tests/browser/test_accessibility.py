"""axe-core on the organizer's event pages that no link reaches yet from the event's own page (the
event hub will link them; the journeys in test_journey.py then walk there by clicking), and on the
public pages in both languages. A page fails on any serious or critical violation."""
from datetime import date

import pytest
from sqlalchemy import select

from eventsapp.demo.seed import DEMO_PASSWORD
from eventsapp.events.models import Event
from tests.browser.accessibility import assert_accessible
from tests.browser.helpers import DESKTOP, log_in

pytestmark = pytest.mark.browser

EVENT_PAGES = ["registrations", "questions", "booths", "floor-plan", "halls", "badges", "matching/settings"]


@pytest.fixture
def spring_fair_id(app, demo) -> int:
    with app.app_context():
        return app.extensions["sqlalchemy"].session.scalar(
            select(Event.id).where(Event.slug == f"spring-talent-fair-{date.today().year + 1}"))


def test_the_organizers_event_pages_are_accessible(visit, live_server, spring_fair_id, screenshot):
    page = visit("en-US")
    log_in(page, "organizer@example.com", DEMO_PASSWORD)
    for path in [f"/manage/events/{spring_fair_id}/{name}" for name in EVENT_PAGES] + [f"/checkin/{spring_fair_id}/"]:
        page.goto(live_server + path)
        screenshot(page, "organizer-" + path.strip("/").replace("/", "-"))
        assert_accessible(page)


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_public_pages_are_accessible_in_both_languages(visit, demo, live_server, locale):
    spring_fair_slug = f"spring-talent-fair-{date.today().year + 1}"
    page = visit(locale, **DESKTOP)
    assert_accessible(page)
    for path in ("/events", "/login", "/signup", "/password/forgot"):
        page.goto(live_server + path)
        assert_accessible(page)
    for path in (f"/events/{spring_fair_slug}", f"/events/{spring_fair_slug}/openings",
                 f"/events/{spring_fair_slug}/floor-plan"):
        page.goto(live_server + path)
        assert_accessible(page)
