"""Public fair data (halls, booths, openings), verified organizations, and the interviews of published
matching runs through the API."""
import pytest

from eventsapp.accounts.models import Role
from eventsapp.booths.models import BoothStatus
from eventsapp.events.models import EventKind, EventStatus
from eventsapp.organizations.models import OrganizationStatus
from tests.factories import MatchingFair
from tests.web.api_helpers import auth, make_token, run_and_maybe_publish
from tests.web.clients import client_for


@pytest.fixture
def interview_fair(app, make_event, make_organization, make_booth, make_candidate, make_staff):
    """One 30-minute slot, one interview each: Ben gets the spare booth (as in tests/web/test_interviews.py)."""
    fair = MatchingFair(app, make_event, make_organization, make_booth, make_candidate, make_staff,
                        hours=0.5, quota=1)
    fair.popular = fair.booth(interviewers=1, name_en="Westlake Robotics")
    fair.picky = fair.booth(interviewers=1, name_en="Picky Partners")
    fair.spare = fair.booth(interviewers=1, name_en="Qiantang Finance")
    fair.ann = fair.candidate(fair.popular, name="安安", name_latin="An Ann", phone="+8613911112222")
    fair.ben = fair.candidate(fair.popular, fair.picky, fair.spare, name="贝贝", name_latin="Bei Ben")
    fair.shortlist(fair.popular, fair.ann, 1)
    fair.exclude(fair.picky, fair.ben)
    fair.staff = fair.make_staff(fair.spare.organization_ref)
    return fair


def test_halls_booths_and_openings_of_a_fair(app, make_event, make_organization, make_booth, make_hall,
                                             make_opening):
    event = make_event()
    hall = make_hall(event)
    approved = make_organization(name_en="Westlake Robotics")
    booth = make_booth(event, approved, hall_id=hall.id, row=1, col=1, code="A-1")
    make_booth(event, make_organization(), status=BoothStatus.PENDING)
    suspended = make_organization(status=OrganizationStatus.SUSPENDED)
    make_booth(event, suspended)
    make_opening(booth, title="Robot engineer", majors="机械,AI")
    client = app.test_client()
    assert client.get(f"/api/v1/events/{event.id}/halls").json["data"][0]["id"] == str(hall.id)
    booths = client.get(f"/api/v1/events/{event.id}/booths").json["data"]
    assert [item["id"] for item in booths] == [str(booth.id)]
    assert booths[0]["code"] == "A-1" and booths[0]["organization"]["name_en"] == "Westlake Robotics"
    assert "credit_code" not in booths[0]["organization"]
    openings = client.get(f"/api/v1/events/{event.id}/openings").json["data"]
    assert openings[0]["title"] == "Robot engineer" and openings[0]["booth_id"] == str(booth.id)
    assert openings[0]["majors"] == ["机械", "AI"]
    assert client.get(f"/api/v1/events/{event.id}/openings?q=nurse").json["data"] == []
    assert client.get(f"/api/v1/events/{event.id}/openings?q=%00robot").status_code == 200
    contest = make_event(kind=EventKind.COMPETITION)
    assert client.get(f"/api/v1/events/{contest.id}/booths").status_code == 404


def test_only_verified_organizations_are_public(app, make_organization):
    verified = make_organization(name_en="Open Co")
    pending = make_organization(status=OrganizationStatus.PENDING)
    client = app.test_client()
    listed = client.get("/api/v1/organizations").json["data"]
    assert [item["id"] for item in listed] == [str(verified.id)]
    assert client.get(f"/api/v1/organizations/{verified.id}").json["name_en"] == "Open Co"
    assert client.get(f"/api/v1/organizations/{pending.id}").status_code == 404
    assert client.get("/api/v1/organizations?q=open").json["data"][0]["id"] == str(verified.id)
    assert client.get("/api/v1/organizations?q=%25").json["data"] == []  # % taken literally


def test_a_candidate_reads_their_interviews_and_a_booth_its_list(app, interview_fair, make_user,
                                                                  make_organization):
    fair = interview_fair
    client = app.test_client()
    ben = make_token(app, fair.ben)
    assert client.get("/api/v1/me/interviews", headers=auth(ben)).json["data"] == []  # nothing published yet
    run_and_maybe_publish(app, fair)
    mine = client.get("/api/v1/me/interviews", headers=auth(ben)).json["data"]
    assert [item["booth_id"] for item in mine] == [str(fair.spare.id)]
    assert mine[0]["organization"] == "Qiantang Finance" and mine[0]["starts_at"].endswith("+08:00")
    staff = make_token(app, fair.staff)
    listed = client.get(f"/api/v1/booths/{fair.spare.id}/interviews", headers=auth(staff)).json["data"]
    assert [item["candidate_id"] for item in listed] == [str(fair.ben.id)]
    for outsider in (fair.ben, make_user(Role.ORGANIZER), fair.make_staff(make_organization())):
        answer = client.get(f"/api/v1/booths/{fair.spare.id}/interviews", headers=auth(make_token(app, outsider)))
        assert answer.status_code == 404
    assert client.get(f"/api/v1/booths/{fair.spare.id}/interviews").status_code == 401
    no_read = make_token(app, fair.staff, scopes=["checkin:write"])
    assert client.get(f"/api/v1/booths/{fair.spare.id}/interviews", headers=auth(no_read)).status_code == 403


@pytest.mark.parametrize("path", ["/api/v1/booths/99999999999/interviews", "/api/v1/organizations/0",
                                  "/api/v1/events/0/halls", "/api/v1/events/2147483647/openings"])
def test_unknown_ids(app, path, make_candidate):
    answer = app.test_client().get(path, headers=auth(make_token(app, make_candidate())))
    assert answer.status_code == 404 and answer.json["error"]["code"] == "not_found"


def test_a_draft_fairs_openings_page_and_api_agree(app, make_event, make_organization, make_booth, make_opening,
                                                   make_user, make_candidate):
    """Organizers preview a draft fair's openings, as on its floor plan, on the page and through the API;
    for everyone else the draft is not there."""
    draft = make_event(status=EventStatus.DRAFT)
    make_opening(make_booth(draft, make_organization()), title="Robot engineer")
    organizer, candidate = make_user(Role.ORGANIZER), make_candidate()
    page, api = f"/events/{draft.slug}/openings", f"/api/v1/events/{draft.id}/openings"

    organizer_page = client_for(app, organizer).get(page)
    assert organizer_page.status_code == 200 and "Robot engineer" in organizer_page.get_data(as_text=True)
    assert app.test_client().get(api, headers=auth(make_token(app, organizer))).json["data"][0]["title"] == \
        "Robot engineer"
    assert client_for(app, organizer).get(f"/events/{draft.slug}/floor-plan").status_code == 200
    for person in (None, candidate):
        client = client_for(app, person) if person else app.test_client()
        assert client.get(page).status_code == 404
        assert app.test_client().get(api, headers=auth(make_token(app, person) if person else None)
                                     ).status_code == 404
