"""Lead capture over HTTP: only the booth's own staff while it is approved; scans, ratings, the list
and its CSV for that booth only."""
import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from eventsapp.accounts.models import Role, User
from eventsapp.badges import services as badges
from eventsapp.booths.models import BoothStatus
from eventsapp.browse.models import ShortlistEntry
from eventsapp.checkin.models import BoothLead
from eventsapp.extensions import db
from eventsapp.registrations.services import register_for_event
from tests.web.clients import JSON, client_for


@pytest.fixture
def booth_fair(app, make_event, make_organization, make_staff, make_booth, make_candidate):
    """A fair going on now; our booth with a staff member; a consenting and a shy candidate."""
    event = make_event(starts_at=datetime.now(UTC) - timedelta(hours=1), slug="lead-fair")
    organization = make_organization()
    booth = make_booth(event, organization)
    staff = make_staff(organization)
    keen = make_candidate(name="王小雨", name_latin="Wang Xiaoyu", show_to_employers=True)
    shy = make_candidate(name="赵六", show_to_employers=False)
    with app.app_context():
        for person in (keen, shy):
            register_for_event(event.id, db.session.get(User, person.id))
        db.session.commit()
        tokens = {name: badges.token_of(badges.badge_of(event.id, person.id))
                  for name, person in (("keen", keen), ("shy", shy), ("staff", staff))}
        db.session.commit()
    return event, booth, staff, tokens, keen


def lead_scan(client, booth, body):
    return client.post(f"/employer/booths/{booth.id}/leads/scan", data=json.dumps(body),
                       content_type="application/json", headers=JSON)


def shortlist_entries() -> int:
    return db.session.scalar(select(func.count()).select_from(ShortlistEntry))


def test_who_may_capture_leads(app, booth_fair, make_user, make_organization, make_staff, make_booth, make_event):
    event, booth, staff, tokens, keen = booth_fair
    rival = make_organization()
    make_booth(event, rival)
    withdrawn_org = make_organization()
    withdrawn = make_booth(event, withdrawn_org, status=BoothStatus.WITHDRAWN)
    withdrawn_staff = make_staff(withdrawn_org)

    anonymous = app.test_client()
    assert anonymous.get(f"/employer/booths/{booth.id}/leads").status_code == 302
    assert lead_scan(anonymous, booth, {"token": tokens["keen"]}).status_code == 401
    refused = {"candidate": keen, "employer of another organization": make_staff(rival),
               "organizer": make_user(Role.ORGANIZER)}
    for who, user in refused.items():
        client = client_for(app, user)
        assert client.get(f"/employer/booths/{booth.id}/leads").status_code == 403, who
        assert client.get(f"/employer/booths/{booth.id}/leads.csv").status_code == 403, who
        response = lead_scan(client, booth, {"token": tokens["keen"]})
        assert response.status_code == 403 and response.is_json, who
    gone = client_for(app, withdrawn_staff)
    assert gone.get(f"/employer/booths/{withdrawn.id}/leads").status_code == 403
    assert lead_scan(gone, withdrawn, {"token": tokens["keen"]}).status_code == 403
    ours = client_for(app, staff)
    assert ours.get("/employer/booths/99999/leads").status_code == 404
    assert lead_scan(ours, type("B", (), {"id": 99999}), {"token": tokens["keen"]}).status_code == 404
    with app.app_context():
        assert shortlist_entries() == 0
    page = ours.get(f"/employer/booths/{booth.id}/leads")
    assert page.status_code == 200 and 'id="leads"' in page.get_data(as_text=True)
    assert f'href="/employer/booths/{booth.id}/leads"' in ours.get("/employer/booths").get_data(as_text=True)


def test_scan_rate_and_list_a_lead(app, booth_fair):
    event, booth, staff, tokens, keen = booth_fair
    client = client_for(app, staff)
    saved = lead_scan(client, booth, {"token": tokens["keen"]}).get_json()
    assert (saved["status"], saved["headline"], saved["name"], saved["rating"]) == ("ok", "Lead saved", "王小雨", None)
    update_url = saved["update_url"]
    prefix = f"lead-{saved['entry_id']}-"
    rated = client.post(update_url, data={prefix + "rating": "4", prefix + "note": "Strong Rust skills"},
                        headers=JSON)
    assert rated.status_code == 200 and rated.get_json()["rating"] == 4
    again = lead_scan(client, booth, {"token": tokens["keen"]}).get_json()
    assert (again["headline"], again["rating"], again["note"]) == ("Already in your leads", 4, "Strong Rust skills")

    page = client.get(f"/employer/booths/{booth.id}/leads").get_data(as_text=True)
    assert "王小雨" in page and "Strong Rust skills" in page
    shortlist = client.get(f"/employer/booths/{booth.id}/shortlist").get_data(as_text=True)
    assert "Lead scanned at the booth" in shortlist and "rating 4 of 4" in shortlist

    wrong = client.post(update_url, data={prefix + "rating": "9", prefix + "note": "x"})
    assert wrong.status_code == 422
    assert "Choose a rating from 1 (weak) to 4 (strong)." in wrong.get_data(as_text=True)
    wrong_json = client.post(update_url, data={prefix + "rating": "0"}, headers=JSON)
    assert wrong_json.status_code == 422 and wrong_json.get_json()["fields"]["rating"]
    fixed = client.post(update_url, data={prefix + "rating": "2", prefix + "note": "second look"})
    assert fixed.status_code == 302
    with app.app_context():
        entry = db.session.scalar(select(ShortlistEntry))
        assert (db.session.get(BoothLead, entry.id).rating, entry.note) == (2, "second look")


def test_what_is_not_a_lead_says_so_and_saves_nothing(app, booth_fair):
    event, booth, staff, tokens, keen = booth_fair
    client = client_for(app, staff)
    shy = lead_scan(client, booth, {"token": tokens["shy"]}).get_json()
    assert shy["status"] == "warn" and shy["detail"] == (
        "This visitor has not agreed to share their profile; nothing was saved.")
    assert "name" not in shy and "entry_id" not in shy
    colleague = lead_scan(client, booth, {"token": tokens["staff"]}).get_json()
    assert colleague["outcome"] == "not_candidate" and "Exhibitor" in colleague["detail"]
    forged = lead_scan(client, booth, {"token": tokens["keen"][:-4] + "AAAA"}).get_json()
    assert forged["status"] == "bad" and forged["verdict"] == "invalid"
    unknown_number = lead_scan(client, booth, {"number": "ZZZZZZZ"}).get_json()
    assert unknown_number["verdict"] == "invalid"
    with app.app_context():
        assert shortlist_entries() == 0


@pytest.mark.parametrize("body, status", [
    ({}, 422),
    ({"token": "a", "number": "b"}, 422),
    ({"token": "a", "rating": "4"}, 422),
    ({"token": "a", "rating": True}, 422),
    ({"token": "a", "rating": 5}, 422),
    ({"token": "a", "note": "说" * 2001}, 422),
    ({"token": "a" * 40_000}, 413),
])
def test_bad_lead_input_gets_a_json_message(app, booth_fair, body, status):
    _event, booth, staff, _tokens, _keen = booth_fair
    response = lead_scan(client_for(app, staff), booth, body)
    assert response.status_code == status and response.get_json()["message"]


def test_another_booths_lead_is_out_of_reach_and_the_csv_is_this_booths_only(app, booth_fair, make_organization,
                                                                            make_booth, make_staff):
    event, booth, staff, tokens, keen = booth_fair
    rival_org = make_organization()
    rival_booth = make_booth(event, rival_org)
    rival = client_for(app, make_staff(rival_org))
    rival_entry = lead_scan(rival, rival_booth, {"token": tokens["keen"], "note": "rival's secret"}).get_json()
    client = client_for(app, staff)
    ours = lead_scan(client, booth, {"token": tokens["keen"], "rating": 3, "note": "=ours"}).get_json()
    assert ours["entry_id"] != rival_entry["entry_id"]
    # Our booth's address with their entry's id, and their booth's address: both closed.
    prefix = f"lead-{rival_entry['entry_id']}-"
    assert client.post(f"/employer/booths/{booth.id}/leads/{rival_entry['entry_id']}",
                       data={prefix + "rating": "1"}).status_code == 404
    assert client.post(f"/employer/booths/{rival_booth.id}/leads/{rival_entry['entry_id']}",
                       data={prefix + "rating": "1"}).status_code == 403

    response = client.get(f"/employer/booths/{booth.id}/leads.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    assert response.headers["Content-Disposition"] == f'attachment; filename="leads-lead-fair-{booth.id}.csv"'
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[1][1:4] == ["3", "王小雨", "Wang Xiaoyu"] and rows[1][8] == "'=ours"
    assert "rival's secret" not in response.data.decode("utf-8-sig")


def test_the_leads_page_in_chinese(app, booth_fair, chinese_by_default):
    _event, booth, staff, tokens, _keen = booth_fair
    client = client_for(app, staff)
    lead_scan(client, booth, {"token": tokens["keen"]})
    page = client.get(f"/employer/booths/{booth.id}/leads")
    assert page.status_code == 200 and 'lang="zh-CN"' in page.get_data(as_text=True)


def test_the_lead_form_needs_its_csrf_token(app, booth_fair, monkeypatch):
    _event, booth, staff, tokens, _keen = booth_fair
    client = client_for(app, staff)
    entry_id = lead_scan(client, booth, {"token": tokens["keen"], "rating": 2}).get_json()["entry_id"]
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    forged = client.post(f"/employer/booths/{booth.id}/leads/{entry_id}", data={f"lead-{entry_id}-rating": "4"})
    assert forged.status_code == 400
    with app.app_context():
        assert db.session.get(BoothLead, entry_id).rating == 2
