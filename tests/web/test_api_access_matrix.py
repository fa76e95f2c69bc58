"""The access matrix, extended to tokens: for each actor, what each page and its API counterpart answer.
A token carries its account's rights (the pages' rules, decided in one place) narrowed to its scopes, so
the API allows exactly where the page allows, and says 404 where the page hides that the thing exists.

Statuses: pages answer 302 (to the login page) for anonymous visitors where the API answers 401; an API
token without the scope a resource needs gets 403 (insufficient_scope) where its account would get in.
"""
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from eventsapp.accounts.models import Role
from eventsapp.badges.crew import add_to_crew
from eventsapp.badges.models import BadgeRole
from eventsapp.booths.models import BoothStatus
from eventsapp.extensions import db
from tests.factories import add_registrant
from tests.web.api_helpers import auth, make_token
from tests.web.clients import client_for

ACTORS = ("anonymous", "candidate", "door_volunteer", "judge", "volunteer_elsewhere", "booth_staff",
          "withdrawn_booth_staff", "other_staff", "organizer")

# resource -> (page status, API status) per actor, in the order of ACTORS.
MATRIX = {
    "door":          ((302, 403, 200, 403, 403, 403, 403, 403, 200), (401, 403, 200, 403, 403, 403, 403, 403, 200)),
    "registrants":   ((302, 403, 403, 403, 403, 403, 403, 403, 200), (401, 403, 403, 403, 403, 403, 403, 403, 200)),
    "booth interviews": ((302, 404, 404, 404, 404, 200, 404, 404, 404),
                         (401, 404, 404, 404, 404, 200, 404, 404, 404)),
    "withdrawn booth interviews": ((302, 404, 404, 404, 404, 404, 403, 404, 404),
                                   (401, 404, 404, 404, 404, 404, 403, 404, 404)),
    "my registrations": ((302, 200, 200, 200, 200, 200, 200, 200, 200),
                         (401, 200, 200, 200, 200, 200, 200, 200, 200)),
}

PAGES = {
    "door": lambda w: f"/checkin/{w.fair.id}/",
    "registrants": lambda w: f"/manage/events/{w.fair.id}/registrations",
    "booth interviews": lambda w: f"/employer/booths/{w.booth.id}/interviews",
    "withdrawn booth interviews": lambda w: f"/employer/booths/{w.withdrawn.id}/interviews",
    "my registrations": lambda w: "/my/events",
}
API = {
    "door": lambda w: f"/api/v1/events/{w.fair.id}/checkins",
    "registrants": lambda w: f"/api/v1/events/{w.fair.id}/registrations",
    "booth interviews": lambda w: f"/api/v1/booths/{w.booth.id}/interviews",
    "withdrawn booth interviews": lambda w: f"/api/v1/booths/{w.withdrawn.id}/interviews",
    "my registrations": lambda w: "/api/v1/me/registrations",
}


@pytest.fixture
def world(app, make_event, make_user, make_candidate, make_organization, make_staff, make_booth):
    fair = make_event(starts_at=datetime.now(UTC) - timedelta(hours=1))
    elsewhere = make_event()
    candidate = add_registrant(app, make_candidate, fair)
    organization, gone = make_organization(), make_organization()
    booth = make_booth(fair, organization)
    withdrawn = make_booth(fair, gone, status=BoothStatus.WITHDRAWN)
    volunteer, judge, other_volunteer = (make_user(Role.CANDIDATE) for _ in range(3))
    with app.app_context():
        add_to_crew(fair.id, volunteer.email, BadgeRole.VOLUNTEER, None)
        add_to_crew(fair.id, judge.email, BadgeRole.JUDGE, None)
        add_to_crew(elsewhere.id, other_volunteer.email, BadgeRole.VOLUNTEER, None)
        db.session.commit()
    actors = {
        "anonymous": None, "candidate": candidate, "door_volunteer": volunteer, "judge": judge,
        "volunteer_elsewhere": other_volunteer, "booth_staff": make_staff(organization),
        "withdrawn_booth_staff": make_staff(gone), "other_staff": make_staff(make_organization()),
        "organizer": make_user(Role.ORGANIZER),
    }
    return SimpleNamespace(fair=fair, booth=booth, withdrawn=withdrawn, actors=actors)


def test_pages_and_tokens_allow_the_same(app, world):
    """One login and one token per actor (logging in checks a password: slow on purpose), every resource."""
    clients = {actor: client_for(app, person) if person else app.test_client()
               for actor, person in world.actors.items()}
    secrets = {actor: make_token(app, person) if person else None for actor, person in world.actors.items()}
    for resource, (page_expected, api_expected) in MATRIX.items():
        page_seen = [clients[actor].get(PAGES[resource](world)).status_code for actor in ACTORS]
        api_seen = [app.test_client().get(API[resource](world), headers=auth(secrets[actor])).status_code
                    for actor in ACTORS]
        assert dict(zip(ACTORS, page_seen, strict=True)) == dict(zip(ACTORS, page_expected, strict=True)), resource
        assert dict(zip(ACTORS, api_seen, strict=True)) == dict(zip(ACTORS, api_expected, strict=True)), resource
        for page_status, api_status in zip(page_seen, api_seen, strict=True):  # allowed on one = on the other
            assert (page_status == 200) == (api_status == 200), resource


def test_a_token_without_the_scope_gets_nothing_its_account_could(app, world):
    """Where the account gets in with a full token, a token with only checkin:write or registrations:write
    (no read) is refused with 403 insufficient_scope."""
    secrets = {actor: make_token(app, person, scopes=["registrations:write"])
               for actor, person in world.actors.items() if person is not None}
    for resource, (_page, api_expected) in MATRIX.items():
        for actor, expected in zip(ACTORS, api_expected, strict=True):
            if actor not in secrets or expected != 200:
                continue
            answer = app.test_client().get(API[resource](world), headers=auth(secrets[actor]))
            assert answer.status_code == 403, (actor, resource)
            assert answer.json["error"]["code"] == "insufficient_scope"
