"""Every id or number from a URL, a query string or a JSON body, however large, gives 400 or 404 (or
is ignored), never a 500: ids are INTEGER columns, and SQLite and PostgreSQL fail on larger values."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from eventsapp.accounts.models import User
from eventsapp.badges import services as badges
from eventsapp.badges.models import Badge
from eventsapp.extensions import db
from eventsapp.requestbounds import DB_INT_MAX
from tests.web.routes import log_in, paths, seed

TOO_LARGE = (DB_INT_MAX + 1, 10**25)


@pytest.mark.parametrize("who", ["anonymous", "organizer", "employer", "candidate"])
def test_ids_out_of_range_in_any_address_are_not_found(app, who):
    values = seed(app)
    client = app.test_client()
    log_in(client, who)
    int_names = {name for rule in app.url_map.iter_rules() for name, converter in rule._converters.items()
                 if type(converter).__name__ == "DatabaseIntegerConverter"}
    assert {"event_id", "booth_id", "user_id", "registration_id"} <= int_names
    failures = []
    for number in TOO_LARGE:
        for method, path in paths(app, {"GET", "POST"}, {**values, **dict.fromkeys(int_names, number)}):
            if path == "/logout" or str(number) not in path:
                continue
            response = client.open(path, method=method, data={"csrf_token": "x"})
            if response.status_code != 404:
                failures.append(f"{method} {path}: {response.status_code}")
    assert failures == []


@pytest.mark.parametrize("who", ["anonymous", "organizer", "employer", "candidate"])
def test_huge_page_numbers_and_ids_in_query_strings_never_fail(app, who):
    values = seed(app)
    client = app.test_client()
    log_in(client, who)
    failures = []
    for _method, path in paths(app, {"GET"}, values):
        if path in ("/logout",) or path.startswith("/static/"):
            continue
        for number in (*TOO_LARGE, -(10**25)):
            query = f"page={number}&organization={number}&booth={number}&year={number}"
            response = client.get(f"{path}?{query}")
            if response.status_code >= 500:
                failures.append(f"{path}?{query}: {response.status_code}")
    assert failures == []


def test_a_list_asked_for_an_impossible_page_shows_the_first(app, client, make_event):
    make_event(title_en="The only fair")
    page = client.get(f"/events?page={10**25}", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "The only fair" in page.get_data(as_text=True)


@pytest.fixture
def door(app, make_event, make_candidate, organizer):
    """A fair going on now, a candidate with a badge, and an organizer (logged in) at the door."""
    from eventsapp.registrations.services import register_for_event

    event = make_event(starts_at=datetime.now(UTC) - timedelta(hours=1))
    person = make_candidate()
    with app.app_context():
        register_for_event(event.id, db.session.get(User, person.id))
        db.session.commit()
        badges.sync_badges(event.id)
        db.session.commit()
        number = db.session.scalar(select(Badge.number).where(Badge.holder_id == person.id))
    return event, person, number


@pytest.mark.parametrize("holder_id", [DB_INT_MAX + 1, 10**25, -1, 0, 1.5, "7", True])
def test_a_scan_with_an_impossible_person_is_a_json_422_naming_the_field(client, door, holder_id):
    event, _person, _number = door
    response = client.post(f"/checkin/{event.id}/scan", json={"holder_id": holder_id})
    assert response.status_code == 422 and response.get_json()["error"] == "invalid"
    assert response.get_json()["fields"] == {"holder_id": "“holder_id” must be a whole number from 1 to 2147483647."}


def test_one_bad_scan_in_an_offline_batch_is_reported_alone(app, client, door):
    event, person, number = door
    response = client.post(f"/checkin/{event.id}/sync", json={"scans": [
        {"id": "a", "holder_id": 10**25}, {"id": "b", "number": number}, {"id": "c", "holder_id": DB_INT_MAX + 1},
        "not a scan", {"id": 10**25, "holder_id": person.id}]})
    assert response.status_code == 200
    results = {str(result["id"]): result for result in response.get_json()["results"]}
    assert results["a"]["outcome"] == results["c"]["outcome"] == "error"
    assert results["b"]["outcome"] == "checked_in"
    assert results[str(10**25)]["outcome"] == "already"  # the same person, checked in by "b"
    assert [result["outcome"] for result in response.get_json()["results"]][3] == "error"


def test_an_unexpected_failure_of_one_scan_leaves_the_others(app, client, door, monkeypatch):
    from eventsapp.checkin import services as checkin

    event, person, number = door
    real_check_in = checkin.check_in

    def failing_for_the_number(event, *, number=None, **fields):
        if number == "BOOM":
            raise RuntimeError("a bug")
        return real_check_in(event, number=number, **fields)

    monkeypatch.setattr(checkin, "check_in", failing_for_the_number)
    response = client.post(f"/checkin/{event.id}/sync", json={"scans": [
        {"id": 1, "number": "BOOM"}, {"id": 2, "number": number}]})
    assert response.status_code == 200
    assert [result["outcome"] for result in response.get_json()["results"]] == ["error", "checked_in"]


@pytest.mark.parametrize("path", ["/checkin/{event}/scan", "/checkin/{huge}/scan", "/checkin/{event}/nowhere",
                                  "/employer/booths/{huge}/leads/scan"])
def test_json_requests_get_json_errors(client, door, path):
    event, _person, _number = door
    response = client.post(path.format(event=event.id, huge=10**25), data="{not json", content_type="application/json")
    assert 400 <= response.status_code < 500 and response.is_json
    assert response.get_json()["message"]


def test_json_errors_cover_wrong_methods_and_large_bodies(app, client, door, monkeypatch):
    event, _person, _number = door
    wrong_method = client.put(f"/checkin/{event.id}/scan", json={})
    assert wrong_method.status_code == 405 and wrong_method.is_json
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 100)
    too_large = client.post(f"/checkin/{event.id}/scan", json={"token": "x" * 200})
    assert too_large.status_code == 413 and too_large.is_json
    anonymous = app.test_client()
    assert anonymous.post(f"/checkin/{event.id}/scan", json={}).is_json


@pytest.mark.parametrize(("who", "path", "data"), [
    ("employer", "/employer/booths/{booth_id}/shortlist", {"candidate_id": str(10**25)}),
    ("employer", "/employer/booths/{booth_id}/shortlist", {"candidate_id": str(DB_INT_MAX + 1)}),
    ("organizer", "/manage/events/{event_id}/registrations/decide",
     {"registration_ids": [str(10**25), "1"], "decision": "approve"}),
])
def test_ids_out_of_range_in_forms_are_refused_politely(app, who, path, data):
    values = seed(app)
    client = app.test_client()
    log_in(client, who)
    response = client.post(path.format(**values), data=data)
    assert response.status_code < 500
