"""Every JSON endpoint answers bad input in one shape: {"error": code, "message": ..., "fields": ...}.

The code follows the status (eventsapp/main/errors.py ERROR_CODES); a bad field answers 422 and names
the field in its message; nothing answers HTML or a 500 to a script.
"""
from __future__ import annotations

import json

import pytest

from eventsapp.main.errors import ERROR_CODES
from eventsapp.requestbounds import DB_INT_MAX
from tests.web.routes import log_in, seed

JSON = {"Accept": "application/json"}
TOO_BIG = DB_INT_MAX + 1

# Every endpoint that answers JSON; the table below must reach each one.
JSON_ENDPOINTS = {"checkin.scan", "checkin.sync", "checkin.counts", "checkin.search", "checkin.lead_scan",
                  "checkin.lead_update", "badges_manage.job_status", "registrations.places",
                  "preferences.move_booth", "candidates.data_export"}

# (endpoint, who, method, address, body, status, the field at fault)
BAD_INPUT = [
    ("checkin.scan", "organizer", "POST", "/checkin/{event_id}/scan", "not json", 400, None),
    ("checkin.scan", "organizer", "POST", "/checkin/{event_id}/scan", [1, 2], 400, None),
    ("checkin.scan", "organizer", "POST", "/checkin/{event_id}/scan", {"holder_id": TOO_BIG}, 422, "holder_id"),
    ("checkin.scan", "organizer", "POST", "/checkin/{event_id}/scan", {"number": 7}, 422, "number"),
    ("checkin.scan", "organizer", "POST", "/checkin/{event_id}/scan", {"number": "A", "scanned_at": "x"}, 422,
     "scanned_at"),
    ("checkin.scan", "organizer", "POST", "/checkin/{event_id}/scan", {"token": "x" * 5000}, 413, None),
    ("checkin.scan", "organizer", "POST", "/checkin/{event_id}/scan", b"text/plain", 415, None),
    ("checkin.scan", "anonymous", "POST", "/checkin/{event_id}/scan", {"number": "A"}, 401, None),
    ("checkin.scan", "candidate", "POST", "/checkin/{event_id}/scan", {"number": "A"}, 403, None),
    ("checkin.scan", "organizer", "POST", f"/checkin/{DB_INT_MAX}/scan", {"number": "A"}, 404, None),
    ("checkin.sync", "organizer", "POST", "/checkin/{event_id}/sync", {"scans": "x"}, 422, "scans"),
    ("checkin.counts", "organizer", "GET", f"/checkin/{TOO_BIG}/counts", None, 404, None),
    ("checkin.search", "organizer", "GET", f"/checkin/{DB_INT_MAX}/search?q=li", None, 404, None),
    ("checkin.lead_scan", "employer", "POST", "/employer/booths/{booth_id}/leads/scan",
     {"token": "a", "rating": "4"}, 422, "rating"),
    ("checkin.lead_scan", "employer", "POST", "/employer/booths/{booth_id}/leads/scan", {"token": "a" * 40_000},
     413, None),
    ("checkin.lead_update", "employer", "POST", f"/employer/booths/{{booth_id}}/leads/{DB_INT_MAX}", {}, 404, None),
    ("badges_manage.job_status", "organizer", "GET", f"/manage/events/{{event_id}}/badges/jobs/{DB_INT_MAX}",
     None, 404, None),
    ("registrations.places", "anonymous", "GET", "/events/no-such-event/places.json", None, 404, None),
    ("preferences.move_booth", "candidate", "POST", f"/events/{{slug}}/my-booths/{DB_INT_MAX}/move",
     {"direction": "up"}, 404, None),
    ("candidates.data_export", "anonymous", "GET", "/my/data.json", None, 401, None),
    ("checkin.counts", "organizer", "DELETE", "/checkin/{event_id}/counts", None, 405, None),
]


@pytest.fixture
def demo_values(app):
    return seed(app)


@pytest.mark.parametrize(("endpoint", "who", "method", "address", "body", "status", "field"), BAD_INPUT,
                         ids=[f"{row[0]}-{row[5]}-{n}" for n, row in enumerate(BAD_INPUT)])
def test_bad_input_to_a_json_endpoint_gets_the_one_error_shape(app, demo_values, endpoint, who, method, address,
                                                               body, status, field):
    client = app.test_client()
    log_in(client, who)
    headers = dict(JSON)
    if isinstance(body, bytes):
        data, headers["Content-Type"] = body, "text/plain"
    elif endpoint == "preferences.move_booth":
        data = body  # a form, sent by the page's script
    elif body is not None:
        data, headers["Content-Type"] = (body if isinstance(body, str) else json.dumps(body)), "application/json"
    else:
        data = None
    response = client.open(address.format(**demo_values), method=method, data=data, headers=headers)
    answer = response.get_json(silent=True)
    assert response.status_code == status and answer is not None, response.get_data(as_text=True)[:300]
    assert set(answer) <= {"error", "message", "fields"} and answer["error"] == ERROR_CODES[status]
    assert answer["message"]
    if field is None:
        assert "fields" not in answer
    else:
        assert list(answer["fields"]) == [field] and field in answer["fields"][field]


def test_the_table_reaches_every_json_endpoint(app):
    assert {row[0] for row in BAD_INPUT} == JSON_ENDPOINTS
    assert JSON_ENDPOINTS <= {rule.endpoint for rule in app.url_map.iter_rules()}


def test_a_rate_limit_and_a_server_error_answer_scripts_in_the_same_shape(app):
    from eventsapp.main.errors import render_error
    for status, code in ((429, "too_many_requests"), (500, "server_error"), (413, "payload_too_large")):
        with app.test_request_context("/checkin/1/scan", headers=JSON):
            response, answered = render_error(status)
            assert answered == status and response.get_json()["error"] == code
