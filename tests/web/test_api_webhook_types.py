"""The webhook types registration.rejected, registration.waitlisted and event.cancelled: picked in the endpoint
form, written when an organizer declines a registration (here through the API), approves one when no place is
free, or cancels an event, and sent only to those who may hear of it -- a declined or waitlisted registration
to organizers alone, a cancelled event to its organizers and to the organizations holding an active booth at
it."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from eventsapp.accounts.models import User
from eventsapp.booths.models import BoothStatus
from eventsapp.events import services as events
from eventsapp.events.models import Event
from eventsapp.extensions import db
from eventsapp.registrations.models import RegistrationStatus
from eventsapp.registrations.services import approve_registrations, register_for_event
from eventsapp.webhooks import delivery, signing
from eventsapp.webhooks.events import (
    EMPLOYER_EVENT_TYPES,
    EVENT_CANCELLED,
    EVENT_TYPES,
    REGISTRATION_PROMOTED,
    REGISTRATION_REJECTED,
    REGISTRATION_WAITLISTED,
)
from eventsapp.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.web.api_helpers import make_token, patch_json
from tests.web.clients import client_for
from tests.webhook_receiver import start_receiver

EN = {"Accept-Language": "en"}


def make_endpoint(app, user, types, event_id="", url="https://hooks.example.com/in") -> int:
    """An endpoint made through the form, as its owner does; its id."""
    answer = client_for(app, user).post("/webhooks/new", headers=EN, data={
        "url": url, "description": "HR", "event_types": list(types), "event_id": event_id})
    assert answer.status_code == 201, answer.get_data(as_text=True)
    with app.app_context():
        return db.session.scalar(select(WebhookEndpoint.id).where(WebhookEndpoint.url == url))


def sent_to(app, endpoint_id: int) -> list[tuple[str, dict]]:
    with app.app_context():
        rows = db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
                                  .order_by(WebhookDelivery.id))
        return [(row.event_type, json.loads(row.body)["data"]) for row in rows]


def owner_of(app, organization) -> User:
    with app.app_context():
        return db.session.get(User, organization.owner_id)


def test_the_form_offers_organizers_both_types_and_employers_only_the_cancelled_event(app, make_organizer,
                                                                                     make_organization):
    assert REGISTRATION_REJECTED in EVENT_TYPES and EVENT_CANCELLED in EVENT_TYPES
    assert EVENT_CANCELLED in EMPLOYER_EVENT_TYPES and REGISTRATION_REJECTED not in EMPLOYER_EVENT_TYPES
    organizer_form = client_for(app, make_organizer()).get("/webhooks/new", headers=EN).get_data(as_text=True)
    assert 'value="registration.rejected"' in organizer_form and 'value="event.cancelled"' in organizer_form
    employer = owner_of(app, make_organization())
    employer_form = client_for(app, employer).get("/webhooks/new", headers=EN).get_data(as_text=True)
    assert 'value="event.cancelled"' in employer_form and 'value="registration.rejected"' not in employer_form
    refused = client_for(app, employer).post("/webhooks/new", headers=EN, data={
        "url": "https://hooks.example.com/x", "event_types": [REGISTRATION_REJECTED]})
    assert refused.status_code != 201
    with app.app_context():
        assert db.session.scalar(select(WebhookEndpoint)) is None


def test_a_declined_registration_is_announced_to_organizers_only(app, make_event, make_organizer, make_candidate,
                                                                make_organization, make_booth):
    event, other_event = make_event(requires_approval=True), make_event()
    organization = make_organization()
    make_booth(event, organization)
    organizer = make_organizer()
    this_event = make_endpoint(app, organizer, [REGISTRATION_REJECTED], str(event.id), "https://a.example.com/in")
    every_event = make_endpoint(app, make_organizer(), [REGISTRATION_REJECTED], "", "https://b.example.com/in")
    elsewhere = make_endpoint(app, organizer, [REGISTRATION_REJECTED], str(other_event.id), "https://c.example.com/in")
    employer = make_endpoint(app, owner_of(app, organization), [EVENT_CANCELLED, "registration.cancelled"], "",
                             "https://d.example.com/in")
    candidate = make_candidate(name="王芳", show_to_employers=True)
    with app.app_context():
        registration = register_for_event(event.id, db.session.get(User, candidate.id)).registration
        db.session.commit()
        assert registration.status == RegistrationStatus.PENDING
        registration_id = registration.id

    answer = patch_json(app.test_client(), f"/api/v1/events/{event.id}/registrations/{registration_id}",
                        {"status": "rejected", "reason": "名额已满"}, make_token(app, organizer))
    assert answer.status_code == 200 and answer.json["status"] == "rejected"

    for endpoint_id in (this_event, every_event):
        [(kind, data)] = sent_to(app, endpoint_id)
        assert kind == REGISTRATION_REJECTED
        assert data["registration"] == {"id": str(registration_id), "status": "rejected",
                                        "created_at": data["registration"]["created_at"], "reason": "名额已满"}
        assert data["candidate"]["id"] == str(candidate.id) and data["candidate"]["name"] == "王芳"
        assert data["event"]["id"] == str(event.id)
    assert sent_to(app, elsewhere) == [] and sent_to(app, employer) == []
    with app.app_context():  # whose data it carries: deleting the candidate's account erases these bodies
        subjects = db.session.scalars(select(WebhookDelivery.subject_user_id)
                                      .where(WebhookDelivery.event_type == REGISTRATION_REJECTED)).all()
    assert subjects == [candidate.id, candidate.id]


@pytest.fixture
def receiver():
    server = start_receiver()
    yield server
    server.close()


def test_an_approval_onto_the_waiting_list_is_announced_to_organizers_only(app, make_event, make_organizer,
                                                                          make_candidate, make_organization,
                                                                          make_booth, receiver):
    assert REGISTRATION_WAITLISTED in EVENT_TYPES and REGISTRATION_WAITLISTED not in EMPLOYER_EVENT_TYPES
    organizer = make_organizer()
    assert 'value="registration.waitlisted"' in client_for(app, organizer).get(
        "/webhooks/new", headers=EN).get_data(as_text=True)
    organization = make_organization()
    employer_form = client_for(app, owner_of(app, organization)).get("/webhooks/new", headers=EN)
    assert 'value="registration.waitlisted"' not in employer_form.get_data(as_text=True)

    event = make_event(requires_approval=True, capacity=1)
    make_booth(event, organization)
    hook = make_endpoint(app, organizer, [REGISTRATION_PROMOTED, REGISTRATION_WAITLISTED], str(event.id),
                         f"{receiver.url}/organizer")
    employer = make_endpoint(app, owner_of(app, organization), ["registration.promoted", "registration.cancelled"],
                             "", f"{receiver.url}/employer")
    first = make_candidate(name="张伟", show_to_employers=True)
    second = make_candidate(name="王芳", show_to_employers=True)
    with app.app_context():
        ids = [register_for_event(event.id, db.session.get(User, person.id)).registration.id
               for person in (first, second)]
        db.session.commit()

    token = make_token(app, organizer)
    answers = [patch_json(app.test_client(), f"/api/v1/events/{event.id}/registrations/{registration_id}",
                          {"status": "confirmed"}, token) for registration_id in ids]
    assert [answer.json["status"] for answer in answers] == ["confirmed", "waitlisted"]

    with app.app_context():
        assert delivery.deliver_due().sent == 3
        secret = db.session.get(WebhookEndpoint, hook).secret
    received = {message.headers["X-Talentday-Event"]: message for message in receiver.received
                if message.path.endswith("/organizer")}
    assert sorted(received) == [REGISTRATION_PROMOTED, REGISTRATION_WAITLISTED]
    waitlisted = received[REGISTRATION_WAITLISTED]
    assert signing.verify(secret, waitlisted.headers["X-Talentday-Signature"], waitlisted.body)
    data = json.loads(waitlisted.body)["data"]
    assert data["registration"]["id"] == str(ids[1]) and data["registration"]["status"] == "waitlisted"
    assert data["registration"]["confirmed_at"] is None
    assert data["candidate"] == {"id": str(second.id), "name": "王芳", "email": second.email}
    assert data["event"]["id"] == str(event.id)
    # The exhibitor hears of the confirmed place only (a waitlisted registrant never shows on its pages).
    [heard] = [message for message in receiver.received if message.path.endswith("/employer")]
    assert heard.headers["X-Talentday-Event"] == REGISTRATION_PROMOTED
    assert json.loads(heard.body)["data"]["candidate"] == {"id": str(first.id), "name": "张伟"}
    assert [kind for kind, _ in sent_to(app, employer)] == [REGISTRATION_PROMOTED]
    with app.app_context():  # whose data it carries: deleting the candidate's account erases it
        assert db.session.scalar(select(WebhookDelivery.subject_user_id).where(
            WebhookDelivery.event_type == REGISTRATION_WAITLISTED)) == second.id


def test_an_approval_rolled_back_announces_nothing(app, make_event, make_organizer, make_candidate):
    organizer = make_organizer()
    event = make_event(requires_approval=True, capacity=1)
    hook = make_endpoint(app, organizer, [REGISTRATION_WAITLISTED, REGISTRATION_PROMOTED], str(event.id))
    with app.app_context():
        ids = [register_for_event(event.id, db.session.get(User, make_candidate().id)).registration.id
               for _ in range(2)]
        db.session.commit()
        approved = approve_registrations(event.id, ids, db.session.get(User, organizer.id))
        assert [row.status for row in approved] == [RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED]
        assert db.session.scalar(select(WebhookDelivery.event_type).where(
            WebhookDelivery.event_type == REGISTRATION_WAITLISTED)) == REGISTRATION_WAITLISTED
        db.session.rollback()
    assert sent_to(app, hook) == []


def test_a_cancelled_event_is_announced_to_its_organizers_and_its_exhibitors(app, make_event, make_organizer,
                                                                            make_organization, make_booth):
    event, other_event = make_event(), make_event()
    exhibitor, withdrawn, elsewhere = make_organization(), make_organization(), make_organization()
    make_booth(event, exhibitor)
    make_booth(event, withdrawn, status=BoothStatus.WITHDRAWN)
    make_booth(other_event, elsewhere)
    organizer = make_organizer()
    hooks = {
        "this event": make_endpoint(app, organizer, [EVENT_CANCELLED], str(event.id), "https://a.example.com/in"),
        "all events": make_endpoint(app, make_organizer(), [EVENT_CANCELLED], "", "https://b.example.com/in"),
        "other event": make_endpoint(app, organizer, [EVENT_CANCELLED], str(other_event.id),
                                     "https://c.example.com/in"),
        "not picked": make_endpoint(app, organizer, [REGISTRATION_REJECTED], "", "https://d.example.com/in"),
        "exhibitor": make_endpoint(app, owner_of(app, exhibitor), [EVENT_CANCELLED], "", "https://e.example.com/in"),
        "withdrawn": make_endpoint(app, owner_of(app, withdrawn), [EVENT_CANCELLED], "", "https://f.example.com/in"),
        "elsewhere": make_endpoint(app, owner_of(app, elsewhere), [EVENT_CANCELLED], "", "https://g.example.com/in"),
    }
    with app.app_context():
        events.cancel_event(db.session.get(Event, event.id), "台风预警")
        db.session.commit()

    for who in ("this event", "all events", "exhibitor"):
        [(kind, data)] = sent_to(app, hooks[who])
        assert kind == EVENT_CANCELLED, who
        assert data["event"]["id"] == str(event.id) and data["event"]["status"] == "cancelled"
        assert data["event"]["reason"] == "台风预警" and data["event"]["cancelled_at"]
    for who in ("other event", "not picked", "withdrawn", "elsewhere"):
        assert sent_to(app, hooks[who]) == [], who


def test_a_refused_cancellation_announces_nothing(app, make_event, make_organizer):
    import pytest

    from eventsapp.validation import ValidationFailed
    event = make_event()
    hook = make_endpoint(app, make_organizer(), [EVENT_CANCELLED])
    with app.app_context():
        with pytest.raises(ValidationFailed):
            events.cancel_event(db.session.get(Event, event.id), " ")
        db.session.commit()
        assert db.session.get(Event, event.id).status.value != "cancelled"
    assert sent_to(app, hook) == []


def test_the_api_reference_and_the_openapi_document_list_every_webhook_type(app):
    client = app.test_client()
    description = client.get("/api/v1/openapi.json").json["info"]["description"]
    page = client.get("/developers/api", headers=EN).get_data(as_text=True)
    for name in EVENT_TYPES:
        assert f"`{name}`" in description and f"<code>{name}</code>" in page
    table = page.split('data-testid="webhook-types"')[1].split("</table>")[0]
    rejected_row = table.split("<code>registration.rejected</code>")[1].split("</tr>")[0]
    cancelled_row = table.split("<code>event.cancelled</code>")[1].split("</tr>")[0]
    assert "employers" not in rejected_row and "organizers and employers" in cancelled_row
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    webhooks = readme.split("## Webhooks (signed)")[1]
    for name in EVENT_TYPES:
        assert f"| `{name}` |" in webhooks
