"""My code over HTTP: the page for every role, replacing the code (CSRF, confirmation), what the door and
the booth answer for a personal code, the manifest, icons and service worker, and the organizer's choice
of code on the badges."""
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from eventsapp.accounts.models import Role, User
from eventsapp.badges.crew import add_to_crew
from eventsapp.badges.models import BadgeRole
from eventsapp.events.models import Event
from eventsapp.extensions import db
from eventsapp.registrations.services import register_for_event
from eventsapp.talentcode import codes
from eventsapp.talentcode.models import PersonalCode
from tests.web.clients import EN, JSON, client_for

QR = re.compile(r'src="(data:image/svg\+xml[^"]+)"')


def token_of(app, user_id: int) -> str:
    with app.app_context():
        return codes.token_of(codes.active_code(user_id))


def test_my_code_needs_a_login(client):
    response = client.get("/my/code/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post("/my/code/replace").status_code == 302


@pytest.mark.parametrize("role", [Role.CANDIDATE, Role.EMPLOYER, Role.ORGANIZER, Role.ADMIN])
def test_every_role_reaches_its_code_from_the_menu(app, make_user, make_candidate, role):
    person = make_candidate(name="李明", name_latin="Li Ming") if role == Role.CANDIDATE else make_user(
        role, display_name="Wang Fang")
    client = client_for(app, person)
    menu = client.get("/account", headers=EN).get_data(as_text=True)
    assert 'href="/my/code/"' in menu and "My code" in menu
    response = client.get("/my/code/", headers=EN)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"]
    assert ("李明" in page and "Li Ming" in page) if role == Role.CANDIDATE else "Wang Fang" in page
    assert QR.search(page) and 'rel="manifest"' in page and "Replace my code" in page
    # The same code on the next visit: one row, made on the first.
    assert QR.search(client.get("/my/code/").get_data(as_text=True)).group(1) == QR.search(page).group(1)
    with app.app_context():
        assert len(db.session.scalars(select(PersonalCode).where(PersonalCode.user_id == person.id)).all()) == 1


def test_replacing_the_code_needs_the_form_s_token_and_voids_the_old_code(app, make_candidate, monkeypatch):
    person = make_candidate()
    client = client_for(app, person)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)  # forms carry their token from here on
    page = client.get("/my/code/", headers=EN).get_data(as_text=True)
    old = token_of(app, person.id)
    assert 'data-confirm="Replace your code?' in page
    assert client.post("/my/code/replace", data={}).status_code == 400  # forged: no CSRF token
    assert token_of(app, person.id) == old
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', page)
    response = client.post("/my/code/replace", data={"csrf_token": csrf.group(1) or csrf.group(2)}, headers=EN)
    assert response.status_code == 302 and response.headers["Location"].endswith("/my/code/")
    new = token_of(app, person.id)
    assert new != old
    with app.app_context():
        assert codes.read(old).state == codes.State.REPLACED
    assert "old code no longer works" in client.get("/my/code/", headers=EN).get_data(as_text=True)


def test_the_manifest_icons_and_worker(client):
    response = client.get("/my/code/manifest.webmanifest?lang=en")
    assert response.status_code == 200 and response.mimetype == "application/manifest+json"
    manifest = json.loads(response.get_data(as_text=True))
    assert manifest["start_url"] == manifest["scope"] == "/my/code/" and manifest["display"] == "standalone"
    assert manifest["short_name"] == "My code" and manifest["theme_color"].startswith("#")
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}
    assert any(icon["purpose"] == "maskable" for icon in manifest["icons"])
    chinese = json.loads(client.get("/my/code/manifest.webmanifest?lang=zh_CN").get_data(as_text=True))
    assert chinese["short_name"] != "My code" and chinese["lang"] == "zh-CN"
    assert json.loads(client.get("/my/code/manifest.webmanifest?lang=xx").get_data(as_text=True))["lang"] == "zh-CN"
    for icon in manifest["icons"]:
        image = client.get(icon["src"])
        assert image.status_code == 200 and image.mimetype == "image/png" and image.data[:8] == b"\x89PNG\r\n\x1a\n"
        assert "public" in image.headers["Cache-Control"]
    assert client.get("/my/code/icon-64.png").status_code == 404
    assert client.get("/my/code/icon-99999999999.png").status_code == 404
    worker = client.get("/my/code/sw.js")
    script = worker.get_data(as_text=True)
    assert worker.status_code == 200 and worker.mimetype == "text/javascript"
    assert '"/my/code/"' in script and "/static/css/my_code.css" in script and "my-code-" in script


@pytest.fixture
def fair(app, make_event, make_user):
    event = make_event(starts_at=datetime.now(UTC) - timedelta(hours=1))
    volunteer = make_user(Role.CANDIDATE, display_name="Volunteer Vera")
    with app.app_context():
        add_to_crew(event.id, volunteer.email, BadgeRole.VOLUNTEER, None)
        db.session.commit()
    return event, volunteer


def scan(client, event, token):
    return client.post(f"/checkin/{event.id}/scan", data=json.dumps({"token": token}),
                       content_type="application/json", headers={**JSON, **EN})


def test_the_door_answers_a_personal_code_and_tells_nothing_of_strangers(app, fair, make_candidate):
    event, volunteer = fair
    guest, stranger = make_candidate(name="李明", name_latin="Li Ming"), make_candidate(name="赵六")
    with app.app_context():
        register_for_event(event.id, db.session.get(User, guest.id))
        db.session.commit()
    for person in (guest, stranger):
        client_for(app, person).get("/my/code/")  # each opens their code once
    door = client_for(app, volunteer)

    first = scan(door, event, token_of(app, guest.id)).get_json()
    assert (first["status"], first["outcome"], first["name"]) == ("ok", "checked_in", "李明")
    again = scan(door, event, token_of(app, guest.id)).get_json()
    assert (again["status"], again["outcome"]) == ("warn", "already")

    refused = scan(door, event, token_of(app, stranger.id))
    body = refused.get_json()
    assert refused.status_code == 200 and (body["status"], body["verdict"]) == ("bad", "not_here")
    assert "name" not in body and "number" not in body and "role" not in body
    assert "赵六" not in refused.get_data(as_text=True)

    old = token_of(app, guest.id)
    with app.app_context():
        codes.replace(guest.id)
        db.session.commit()
    replaced = scan(door, event, old).get_json()
    assert replaced["verdict"] == "code_replaced" and "name" not in replaced


def test_the_booth_scanner_takes_a_personal_code(app, make_event, make_organization, make_booth, make_staff,
                                                 make_candidate):
    event = make_event(starts_at=datetime.now(UTC) - timedelta(hours=1))
    organization = make_organization()
    booth = make_booth(event, organization)
    staff = make_staff(organization)
    willing, stranger = make_candidate(name="王芳", show_to_employers=True), make_candidate(show_to_employers=True)
    with app.app_context():
        register_for_event(event.id, db.session.get(User, willing.id))
        codes.code_of(willing.id), codes.code_of(stranger.id)
        db.session.commit()
    client = client_for(app, staff)

    def capture(token):
        return client.post(f"/employer/booths/{booth.id}/leads/scan", data=json.dumps({"token": token}),
                           content_type="application/json", headers={**JSON, **EN}).get_json()

    saved = capture(token_of(app, willing.id))
    assert saved["outcome"] == "saved" and saved["name"] == "王芳"
    refused = capture(token_of(app, stranger.id))
    assert refused["outcome"] == "refused" and refused["verdict"] == "not_here" and "name" not in refused


def test_organizers_choose_the_code_on_the_badges(app, make_event, make_organizer, make_candidate):
    event = make_event()
    organizer = client_for(app, make_organizer())
    page = organizer.get(f"/manage/events/{event.id}/badges", headers=EN).get_data(as_text=True)
    assert "Each person's personal code" in page and "stop working too" in page
    response = organizer.post(f"/manage/events/{event.id}/badges/code", data={"qr": "personal"}, headers=EN)
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Event, event.id).badge_personal_code is True
    bad = organizer.post(f"/manage/events/{event.id}/badges/code", data={"qr": "both"}, headers=EN)
    assert bad.status_code == 422 and "Not a valid choice" in bad.get_data(as_text=True)
    assert organizer.post("/manage/events/2147483648/badges/code", data={"qr": "event"}).status_code == 404
    assert organizer.post("/manage/events/99999/badges/code", data={"qr": "event"}).status_code == 404
    candidate = client_for(app, make_candidate())
    assert candidate.post(f"/manage/events/{event.id}/badges/code", data={"qr": "event"}).status_code == 403
    with app.app_context():
        assert db.session.get(Event, event.id).badge_personal_code is True
