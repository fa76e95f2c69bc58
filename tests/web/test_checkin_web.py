"""The door page and its JSON API over HTTP: who may open it, what each answer says, bad input, and
offline scans sent in a batch (twice)."""
import json
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from eventsapp.accounts.models import Role, User
from eventsapp.badges import services as badges
from eventsapp.badges.crew import add_to_crew
from eventsapp.badges.models import BadgeRole, EventCrew
from eventsapp.checkin.models import CheckIn
from eventsapp.extensions import db
from eventsapp.registrations.models import Registration
from eventsapp.registrations.services import cancel_registration, register_for_event
from tests.web.clients import JSON, client_for


@pytest.fixture
def fair(app, make_event, make_candidate, make_user):
    """A fair going on now, two confirmed candidates (one cancels), and a volunteer."""
    event = make_event(starts_at=datetime.now(UTC) - timedelta(hours=1), slug="door-fair")
    li, gone = make_candidate(name="李明", name_latin="Li Ming"), make_candidate(name="张伟", name_latin="Zhang Wei")
    volunteer = make_user(Role.CANDIDATE, display_name="Volunteer Vera")
    with app.app_context():
        register_for_event(event.id, db.session.get(User, li.id))
        gone_registration = register_for_event(event.id, db.session.get(User, gone.id)).registration
        add_to_crew(event.id, volunteer.email, BadgeRole.VOLUNTEER, None)
        db.session.commit()
        li_badge, gone_badge = badges.badge_of(event.id, li.id), badges.badge_of(event.id, gone.id)
        cancel_registration(gone_registration)
        db.session.commit()
        tokens = {"li": badges.token_of(li_badge), "gone": badges.token_of(gone_badge), "li_number": li_badge.number}
    return event, volunteer, tokens, li


def scan(client, event, body, **headers):
    return client.post(f"/checkin/{event.id}/scan", data=json.dumps(body) if not isinstance(body, str | bytes)
                       else body, content_type="application/json", headers={**JSON, **headers})


def check_ins() -> int:
    return db.session.scalar(select(func.count()).select_from(CheckIn))


def test_who_may_run_the_door(app, fair, make_user, make_event, make_organization, make_staff, make_booth):
    event, volunteer, tokens, li = fair
    other_event = make_event()
    organization = make_organization()
    make_booth(event, organization)
    judge, crew_organizer, elsewhere = (make_user(Role.CANDIDATE) for _ in range(3))
    with app.app_context():
        db.session.add_all([EventCrew(event_id=event.id, user_id=judge.id, role=BadgeRole.JUDGE),
                            EventCrew(event_id=event.id, user_id=crew_organizer.id, role=BadgeRole.ORGANIZER),
                            EventCrew(event_id=other_event.id, user_id=elsewhere.id, role=BadgeRole.VOLUNTEER)])
        db.session.commit()
    anonymous = app.test_client()
    page = anonymous.get(f"/checkin/{event.id}/")
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    assert scan(anonymous, event, {"number": "X"}).status_code == 401
    assert anonymous.get(f"/checkin/{event.id}/counts", headers=JSON).status_code == 401

    refused = {"candidate": li, "employer": make_staff(organization), "volunteer elsewhere": elsewhere,
               "judge": judge}
    for who, user in refused.items():
        client = client_for(app, user)
        assert client.get(f"/checkin/{event.id}/").status_code == 403, who
        response = scan(client, event, {"token": tokens["li"]})
        assert response.status_code == 403 and "message" in response.get_json(), who
        assert client.get(f"/checkin/{event.id}/search?q=li", headers=JSON).status_code == 403, who
        assert client.post(f"/checkin/{event.id}/sync", json={"scans": []}, headers=JSON).status_code == 403, who
    with app.app_context():
        assert check_ins() == 0

    allowed = {"volunteer": volunteer, "crew organizer": crew_organizer, "organizer": make_user(Role.ORGANIZER),
               "admin": make_user(Role.ADMIN)}
    for who, user in allowed.items():
        client = client_for(app, user)
        page = client.get(f"/checkin/{event.id}/")
        assert page.status_code == 200, who
        assert 'id="door"' in page.get_data(as_text=True)
        assert client.get(f"/checkin/{event.id}/counts", headers=JSON).status_code == 200
    organizer_client = client_for(app, allowed["organizer"])
    assert organizer_client.get("/checkin/99999/").status_code == 404
    assert scan(organizer_client, type("E", (), {"id": 99999}), {"number": "X"}).status_code == 404


def test_green_then_amber_then_red(app, fair):
    event, volunteer, tokens, li = fair
    client = client_for(app, volunteer)
    first = scan(client, event, {"token": tokens["li"], "gate": "North 2"})
    assert first.status_code == 200
    body = first.get_json()
    assert (body["status"], body["headline"], body["name"], body["name_latin"], body["role_label"]) == (
        "ok", "Checked in", "李明", "Li Ming", "Candidate")

    again = scan(client, event, {"number": tokens["li_number"].lower(), "gate": "South 1"}).get_json()
    assert again["status"] == "warn" and again["outcome"] == "already"
    assert (again["gate"], again["checked_in_by"]) == ("North 2", "Volunteer Vera")
    local = datetime.fromisoformat(again["checked_in_at"]).astimezone(ZoneInfo("Asia/Shanghai"))
    assert again["detail"] == f"Already checked in at {local:%H:%M} by gate North 2."

    cancelled = scan(client, event, {"token": tokens["gone"]}).get_json()
    assert (cancelled["status"], cancelled["headline"], cancelled["name"]) == ("bad", "Not valid", "张伟")
    assert "cancelled" in cancelled["detail"]
    unknown = scan(client, event, {"token": "forged.token"}).get_json()
    assert unknown["status"] == "bad" and "name" not in unknown
    with app.app_context():
        assert check_ins() == 1
        assert db.session.scalar(select(Registration.attended_at).where(Registration.user_id == li.id)) is not None


@pytest.mark.parametrize("body, status", [
    ("", 400),
    ("not json", 400),
    ("\xff\xfe not utf-8".encode("latin-1"), 400),
    ("[1, 2]", 400),
    ({}, 422),
    ({"token": "a", "number": "b"}, 422),
    ({"holder_id": "12"}, 422),
    ({"holder_id": True}, 422),
    ({"number": 1234567}, 422),
    ({"number": "ABC", "scanned_at": "yesterday"}, 422),
    ({"number": "ABC", "scanned_at": "2026-01-01T09:00:00"}, 422),  # no time zone
    ({"number": "ABC", "gate": ["a"]}, 422),
    ({"token": "x" * 5000}, 413),
])
def test_bad_input_gets_a_json_message_not_a_500(app, fair, body, status):
    event, volunteer, _tokens, _li = fair
    response = scan(client_for(app, volunteer), event, body)
    assert response.status_code == status
    assert response.is_json and response.get_json()["message"]
    assert response.get_json()["error"] == {400: "bad_request", 413: "payload_too_large", 422: "invalid"}[status]


def test_csrf_is_required_and_the_page_gives_the_token(app, fair, monkeypatch):
    event, volunteer, tokens, _li = fair
    client = client_for(app, volunteer)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    forged = scan(client, event, {"token": tokens["li"]})
    assert forged.status_code == 400 and forged.is_json
    page = client.get(f"/checkin/{event.id}/").get_data(as_text=True)
    token = re.search(r'data-csrf="([^"]+)"', page).group(1)
    assert scan(client, event, {"token": tokens["li"]}, **{"X-CSRFToken": token}).get_json()["status"] == "ok"


def test_offline_scans_sent_in_a_batch_twice_check_in_once(app, fair):
    event, volunteer, tokens, _li = fair
    client = client_for(app, volunteer)
    twenty_minutes_ago = (datetime.now(UTC) - timedelta(minutes=20)).isoformat()
    scans = {"scans": [
        {"id": "a1", "token": tokens["li"], "gate": "East", "scanned_at": twenty_minutes_ago},
        {"id": "a2", "token": tokens["gone"], "gate": "East", "scanned_at": twenty_minutes_ago},
        {"id": "a3", "number": ["not", "text"]},
        "not an object",
    ]}
    first = client.post(f"/checkin/{event.id}/sync", json=scans, headers=JSON).get_json()["results"]
    assert [(r["id"], r["outcome"]) for r in first] == [("a1", "checked_in"), ("a2", "refused"), ("a3", "error"),
                                                         (None, "error")]
    resent = client.post(f"/checkin/{event.id}/sync", json=scans, headers=JSON).get_json()["results"]
    assert (resent[0]["outcome"], resent[0]["repeated"]) == ("already", True)  # the same scan: no conflict
    other_gate = scan(client, event, {"token": tokens["li"], "gate": "West"}).get_json()
    assert (other_gate["outcome"], other_gate["repeated"]) == ("already", False)
    with app.app_context():
        [row] = db.session.scalars(select(CheckIn)).all()
        assert row.gate == "East" and row.checked_in_at == datetime.fromisoformat(twenty_minutes_ago)
    too_many = client.post(f"/checkin/{event.id}/sync", json={"scans": [{}] * 501}, headers=JSON)
    assert too_many.status_code == 422 and too_many.get_json()["fields"]["scans"]
    assert client.post(f"/checkin/{event.id}/sync", json={"scans": "x"}, headers=JSON).status_code == 422


def test_counts_and_search(app, fair):
    event, volunteer, tokens, li = fair
    client = client_for(app, volunteer)
    scan(client, event, {"token": tokens["li"]})
    counts = client.get(f"/checkin/{event.id}/counts", headers=JSON).get_json()
    assert (counts["checked_in"], counts["expected"]) == (1, 2)  # li, the volunteer; the cancelled one is not expected
    assert {row["role"]: (row["checked_in"], row["expected"]) for row in counts["roles"]} == {
        "candidate": (1, 1), "volunteer": (0, 1)}
    assert len(counts["hours"]) == 1 and counts["hours"][0]["count"] == 1
    matches = client.get(f"/checkin/{event.id}/search?q=li%20ming", headers=JSON).get_json()["matches"]
    assert [(m["holder_id"], m["name"], m["checked_in"] != "") for m in matches] == [(li.id, "李明", True)]
    assert client.get(f"/checkin/{event.id}/search?q=" + "x" * 5000, headers=JSON).get_json()["matches"] == []
    by_person = scan(client, event, {"holder_id": volunteer.id}).get_json()
    assert by_person["status"] == "ok" and by_person["role_label"] == "Volunteer"


def test_the_door_page_in_chinese_and_from_the_manage_tabs(app, fair, make_user, chinese_by_default):
    event, volunteer, tokens, _li = fair
    organizer = client_for(app, make_user(Role.ORGANIZER))
    tabs = organizer.get(f"/manage/events/{event.id}/registrations").get_data(as_text=True)
    assert f'href="/checkin/{event.id}/"' in tabs
    page = organizer.get(f"/checkin/{event.id}/")
    assert page.status_code == 200 and 'lang="zh-CN"' in page.get_data(as_text=True)


# --- The door's window: from CHECKIN_OPENS_BEFORE_MINUTES before the start until the end ---------------

def _move_event(app, event, starts_at, ends_at):
    with app.app_context():
        row = db.session.get(type(event), event.id)
        row.starts_at, row.ends_at = starts_at, ends_at
        db.session.commit()


def test_before_the_door_opens_a_scan_says_when_it_will(app, fair, monkeypatch):
    event, volunteer, tokens, li = fair
    monkeypatch.setitem(app.config, "CHECKIN_OPENS_BEFORE_MINUTES", 60)
    starts = datetime(2030, 3, 9, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
    _move_event(app, event, starts, starts + timedelta(hours=8))
    client = client_for(app, volunteer)
    body = scan(client, event, {"token": tokens["li"]}, **{"Accept-Language": "en"}).get_json()
    assert (body["outcome"], body["status"], body["door"]) == ("refused", "warn", "not_open_yet")
    assert body["headline"] == "The door is not open yet" and body["name"] == "李明"
    assert "08:00" in body["detail"] and "Asia/Shanghai" in body["detail"] and "60 minutes" in body["detail"]
    page = client.get(f"/checkin/{event.id}/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'data-testid="door-closed"' in page and "The door is not open yet" in page
    chinese = scan(client, event, {"number": tokens["li_number"]}, **{"Accept-Language": "zh-CN"}).get_json()
    assert chinese["headline"] == "入口尚未开放"
    with app.app_context():
        assert check_ins() == 0


def test_after_the_event_a_scan_says_it_has_ended_and_a_cancelled_registration_still_says_why(app, fair):
    event, volunteer, tokens, li = fair
    ended = datetime.now(UTC) - timedelta(hours=1)
    _move_event(app, event, ended - timedelta(hours=8), ended)
    client = client_for(app, volunteer)
    body = scan(client, event, {"token": tokens["li"]}, **{"Accept-Language": "en"}).get_json()
    assert (body["outcome"], body["status"], body["door"], body["headline"]) == (
        "refused", "bad", "ended", "The event has ended")
    assert format_hhmm(ended) in body["detail"]
    # A scan made while the door was open and sent afterwards is judged at its scan time.
    queued = {"id": "q1", "token": tokens["li"], "scanned_at": (ended - timedelta(hours=2)).isoformat()}
    late = {"id": "q2", "token": tokens["gone"], "scanned_at": (ended - timedelta(hours=2)).isoformat()}
    results = client.post(f"/checkin/{event.id}/sync", data=json.dumps({"scans": [queued, late]}),
                          content_type="application/json", headers=JSON).get_json()["results"]
    assert [(item["id"], item["outcome"]) for item in results] == [("q1", "checked_in"), ("q2", "refused")]
    assert results[1]["verdict"] == "cancelled" and "door" not in results[1]
    with app.app_context():
        assert check_ins() == 1


def format_hhmm(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%H:%M")
