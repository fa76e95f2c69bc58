"""GET /api/v1/events: filters, keyset pagination with opaque cursors, detail and agenda, drafts only for
organizers, ETag/If-None-Match, errors in the request's language, ids that no database holds."""
from datetime import UTC, datetime, timedelta

import pytest

from eventsapp.accounts.models import Role
from eventsapp.events.models import EventKind, EventStatus
from tests.web.api_helpers import auth, make_token


@pytest.fixture
def events(make_event):
    now = datetime.now(UTC).replace(microsecond=0)
    upcoming = [make_event(starts_at=now + timedelta(days=day)) for day in (3, 1, 2, 5, 4)]
    past = make_event(starts_at=now - timedelta(days=10), kind=EventKind.CONFERENCE)
    draft = make_event(status=EventStatus.DRAFT, starts_at=now + timedelta(days=6))
    return upcoming, past, draft


def test_upcoming_events_soonest_first_page_by_page(app, events):
    upcoming, past, draft = events
    client = app.test_client()
    seen, cursor = [], None
    while True:
        answer = client.get("/api/v1/events", query_string={"limit": 2, **({"cursor": cursor} if cursor else {})})
        assert answer.status_code == 200
        seen += [item["id"] for item in answer.json["data"]]
        cursor = answer.json["next_cursor"]
        if cursor is None:
            break
    expected = [str(event.id) for event in sorted(upcoming, key=lambda event: event.starts_at)]
    assert seen == expected  # no draft, nothing past, nothing twice
    first = client.get("/api/v1/events?limit=1").json["data"][0]
    assert isinstance(first["id"], str) and first["starts_at"].endswith("+08:00")
    assert first["registration"] == "open" and first["url"].endswith(f"/events/{first['slug']}")


def test_filters(app, events):
    upcoming, past, draft = events
    client = app.test_client()
    assert [e["id"] for e in client.get("/api/v1/events?when=past").json["data"]] == [str(past.id)]
    assert len(client.get("/api/v1/events?when=all").json["data"]) == 6
    assert [e["id"] for e in client.get("/api/v1/events?when=all&kind=conference").json["data"]] == [str(past.id)]
    soon = (datetime.now(UTC) + timedelta(days=2, hours=12)).isoformat()
    assert len(client.get("/api/v1/events", query_string={"starts_before": soon}).json["data"]) == 2
    assert len(client.get("/api/v1/events", query_string={"starts_after": soon}).json["data"]) == 3
    bad = client.get("/api/v1/events?kind=party&when=soon&limit=1000&starts_after=yesterday")
    assert bad.status_code == 422
    assert set(bad.json["error"]["fields"]) == {"kind", "when", "limit", "starts_after"}


def test_detail_agenda_and_drafts(app, make_event, make_user):
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    event = make_event(starts_at=start, agenda=[
        {"starts_at": start + timedelta(hours=2), "title_zh": "午餐", "title_en": "Lunch"},
        {"starts_at": start, "title_zh": "开幕", "title_en": "Opening", "room": "A"}])
    draft = make_event(status=EventStatus.DRAFT)
    client = app.test_client()
    detail = client.get(f"/api/v1/events/{event.id}").json
    assert detail["id"] == str(event.id) and detail["capacity"] == 100 and detail["title"] == event.title_en
    agenda = client.get(f"/api/v1/events/{event.id}/agenda").json["data"]
    assert [item["title_en"] for item in agenda] == ["Opening", "Lunch"]
    assert client.get(f"/api/v1/events/{draft.id}").status_code == 404
    organizer = make_token(app, make_user(Role.ORGANIZER))
    assert client.get(f"/api/v1/events/{draft.id}", headers=auth(organizer)).status_code == 200
    candidate = make_token(app, make_user(Role.CANDIDATE))
    assert client.get(f"/api/v1/events/{draft.id}", headers=auth(candidate)).status_code == 404
    without_read = make_token(app, make_user(Role.ORGANIZER), scopes=["checkin:write"])
    assert client.get(f"/api/v1/events/{draft.id}", headers=auth(without_read)).status_code == 404


@pytest.mark.parametrize("path", ["/api/v1/events/99999999999999999999", "/api/v1/events/2147483647",
                                  "/api/v1/events/-1", "/api/v1/events/abc/agenda", "/api/v1/nothing"])
def test_ids_no_database_holds_are_json_404s(app, path):
    answer = app.test_client().get(path)
    assert answer.status_code == 404 and answer.json["error"]["code"] == "not_found"


def test_garbage_cursors_are_400(app):
    client = app.test_client()
    for cursor in ("zzz", "W10", "WyJ4IiwxXQ", "WyIyMDI2LTAxLTAxIiwgMV0", "%%%", "x" * 400):
        answer = client.get("/api/v1/events", query_string={"cursor": cursor})
        assert answer.status_code == 400, cursor
        assert answer.json["error"]["code"] == "invalid_cursor"


def test_etag_and_if_none_match(app, events):
    client = app.test_client()
    first = client.get("/api/v1/events")
    etag = first.headers["ETag"]
    assert client.get("/api/v1/events", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/api/v1/events", headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.get("/api/v1/events?when=all", headers={"If-None-Match": etag}).status_code == 200


def test_errors_speak_the_request_s_language(app):
    client = app.test_client()
    chinese = client.get("/api/v1/events/123456", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).json
    english = client.get("/api/v1/events/123456", headers={"Accept-Language": "en"}).json
    assert chinese["error"]["code"] == english["error"]["code"] == "not_found"
    assert chinese["error"]["message"] != english["error"]["message"]
    assert any("\u4e00" <= character <= "\u9fff" for character in chinese["error"]["message"])


def test_wrong_methods_and_bodies(app, make_event):
    event = make_event()
    client = app.test_client()
    answer = client.delete(f"/api/v1/events/{event.id}")
    assert answer.status_code == 405 and "GET" in answer.headers["Allow"]
    assert answer.json["error"]["code"] == "method_not_allowed"


def test_the_openapi_document_and_its_reference_page(app):
    client = app.test_client()
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"] == "3.1.0"
    assert {"/api/v1/events", "/api/v1/events/{event_id}/checkins",
            "/api/v1/events/{event_id}/registrations"} <= set(spec["paths"])
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    page = client.get("/developers/api")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "/api/v1/openapi.json" in html and "/api/v1/events/{event_id}/checkins" in html
    assert "/developers/api" in client.get("/").get_data(as_text=True)  # linked from every page's footer
    for scope in ("read", "registrations:write", "checkin:write", "contests:read", "analytics:read"):
        assert f"<code>{scope}</code>" in html  # every scope, with what it allows
    for path in ("/api/v1/me/contest-entries", "/api/v1/me/reviews", "/api/v1/events/{event_id}/contest/entries",
                 "/api/v1/events/{event_id}/contest/results", "/api/v1/analytics"):
        assert f"<code>{path}</code>" in html
    chinese = client.get("/developers/api", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "接口" in chinese
