"""Check-ins through the API: the door's answers (green, amber, red), one check-in per person whatever the
gate or retry, the door crew's rule and the checkin:write scope, and the list."""
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from eventsapp.accounts.models import Role, User
from eventsapp.badges import services as badges
from eventsapp.badges.crew import add_to_crew
from eventsapp.badges.models import BadgeRole
from eventsapp.checkin.models import CheckIn
from eventsapp.extensions import db
from eventsapp.registrations.services import register_for_event
from eventsapp.talentcode import codes
from tests.web.api_helpers import auth, make_token, post_json


@pytest.fixture
def door(app, make_event, make_candidate, make_user):
    """A fair going on now with a confirmed candidate, and a volunteer of its door."""
    event = make_event(starts_at=datetime.now(UTC) - timedelta(hours=1))
    li = make_candidate(name="李明", name_latin="Li Ming")
    volunteer = make_user(Role.CANDIDATE, display_name="Volunteer Vera")
    with app.app_context():
        register_for_event(event.id, db.session.get(User, li.id))
        add_to_crew(event.id, volunteer.email, BadgeRole.VOLUNTEER, None)
        db.session.commit()
        badge = badges.badge_of(event.id, li.id)
        codes = {"token": badges.token_of(badge), "number": badge.number}
        db.session.commit()
    return event, volunteer, li, codes


def check_ins() -> int:
    return db.session.scalar(select(func.count()).select_from(CheckIn))


def test_green_then_amber_then_red(app, door):
    event, volunteer, li, codes = door
    secret = make_token(app, volunteer, scopes=["checkin:write", "read"])
    client = app.test_client()
    path = f"/api/v1/events/{event.id}/checkins"
    first = post_json(client, path, {"token": codes["token"], "gate": "North 2"}, secret)
    assert first.status_code == 200, first.json
    assert first.json["status"] == "ok", first.json
    assert first.json["outcome"] == "checked_in" and first.json["name"] == "李明"
    assert first.json["check_in_id"].isdigit() and first.json["checked_in_at"].endswith("+08:00")
    again = post_json(client, path, {"number": codes["number"], "gate": "South"}, secret).json
    assert again["status"] == "warn" and again["outcome"] == "already" and again["gate"] == "North 2"
    forged = post_json(client, path, {"token": "forged.token"}, secret).json
    assert forged["status"] == "bad" and "name" not in forged
    unknown = post_json(client, path, {"holder_id": "2147483647"}, secret).json
    assert unknown["outcome"] == "refused"
    with app.app_context():
        assert check_ins() == 1
    listed = client.get(path, headers=auth(secret)).json
    assert [row["holder_id"] for row in listed["data"]] == [str(li.id)] and listed["data"][0]["gate"] == "North 2"


def test_a_retried_check_in_with_its_key_replays_the_answer(app, door):
    event, volunteer, _li, codes = door
    secret = make_token(app, volunteer, scopes=["checkin:write"])
    client = app.test_client()
    path = f"/api/v1/events/{event.id}/checkins"
    first = post_json(client, path, {"token": codes["token"]}, secret, **{"Idempotency-Key": "scan-1"})
    retry = post_json(client, path, {"token": codes["token"]}, secret, **{"Idempotency-Key": "scan-1"})
    assert first.json == retry.json and retry.json["status"] == "ok"
    assert retry.headers["Idempotent-Replayed"] == "true"


@pytest.mark.parametrize("body", [{}, {"token": "a", "number": "b"}, {"holder_id": "99999999999"},
                                  {"holder_id": "12x"}, {"token": ""}, {"number": "x" * 33}, {"token": 5},
                                  {"token": "a", "gate": "g" * 41}, {"token": "a", "scanned_at": "yesterday"},
                                  {"token": "a", "scanned_at": "2026-01-01T10:00:00"}, {"token": "a", "x": 1}])
def test_bad_bodies_are_422(app, door, body):
    event, volunteer, _li, _codes = door
    answer = post_json(app.test_client(), f"/api/v1/events/{event.id}/checkins", body,
                       make_token(app, volunteer, scopes=["checkin:write"]))
    assert answer.status_code == 422 and answer.json["error"]["code"] == "invalid"


def test_who_may_check_in(app, door, make_candidate, make_user, make_event):
    event, volunteer, _li, codes = door
    client = app.test_client()
    path = f"/api/v1/events/{event.id}/checkins"
    body = {"token": codes["token"]}
    assert post_json(client, path, body).status_code == 401
    assert post_json(client, path, body, make_token(app, volunteer, scopes=["read"])).status_code == 403
    stranger = post_json(client, path, body, make_token(app, make_candidate()))
    assert stranger.status_code == 403 and stranger.json["error"]["code"] == "forbidden"
    other_event = make_event(starts_at=datetime.now(UTC) - timedelta(hours=1))
    elsewhere = post_json(client, f"/api/v1/events/{other_event.id}/checkins", body,
                          make_token(app, volunteer, scopes=["checkin:write"]))
    assert elsewhere.status_code == 403  # a volunteer of another event's door
    assert client.get(path, headers=auth(make_token(app, make_candidate()))).status_code == 403
    assert post_json(client, "/api/v1/events/99999999999/checkins", body,
                     make_token(app, make_user(Role.ORGANIZER))).status_code == 404
    organizer = post_json(client, path, body, make_token(app, make_user(Role.ORGANIZER)))
    assert organizer.status_code == 200 and organizer.json["status"] == "ok"


def personal_token(app, user_id: int) -> str:
    with app.app_context():
        token = codes.token_of(codes.code_of(user_id))
        db.session.commit()
    return token


def test_a_personal_code_at_the_api_door(app, door, make_candidate):
    """The person's own code (My code) checks them in as their badge does, once; a stranger's code is refused
    without a word of who they are."""
    event, volunteer, li, _codes = door
    stranger = make_candidate(name="赵六", name_latin="Zhao Liu")
    secret = make_token(app, volunteer, scopes=["checkin:write", "read"])
    client = app.test_client()
    path = f"/api/v1/events/{event.id}/checkins"

    first = post_json(client, path, {"token": personal_token(app, li.id), "gate": "North 2"}, secret)
    assert first.status_code == 200, first.json
    assert (first.json["status"], first.json["outcome"], first.json["name"]) == ("ok", "checked_in", "李明")
    again = post_json(client, path, {"token": personal_token(app, li.id), "gate": "South"}, secret).json
    assert (again["status"], again["outcome"], again["gate"]) == ("warn", "already", "North 2")
    refused = post_json(client, path, {"token": personal_token(app, stranger.id)}, secret)
    assert refused.status_code == 200
    assert (refused.json["status"], refused.json["outcome"], refused.json["verdict"]) == ("bad", "refused", "not_here")
    assert not {"name", "number", "role"} & refused.json.keys() and "赵六" not in refused.get_data(as_text=True)

    listed = client.get(path, headers=auth(secret)).json["data"]
    assert [(row["holder_id"], row["method"]) for row in listed] == [(str(li.id), "personal")]
    with app.app_context():
        assert check_ins() == 1
