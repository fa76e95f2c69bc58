"""Webhook gaps an audit of issue 16 found, each with its proof: a disabled endpoint is announced to those who
may open it now (an organization's owners, never a member who left), and employers hear only of the
registrants their pages show (one rule, organizations.access)."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from eventsapp.accounts.models import Role, User
from eventsapp.browse.services import visible_profile
from eventsapp.checkin.models import CheckIn
from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.notifications.models import OutboxMessage
from eventsapp.organizations.models import OrganizationMember
from eventsapp.organizations.services import leave_organization
from eventsapp.registrations.models import RegistrationStatus
from eventsapp.registrations.services import find_registration, register_for_event
from eventsapp.webhooks import delivery, emit, problems, signing, vault
from eventsapp.webhooks.events import BOOTH_APPLICATION_DECIDED, CHECKIN_RECORDED, REGISTRATION_CREATED
from eventsapp.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.webhook_receiver import start_receiver


@pytest.fixture
def receiver():
    server = start_receiver()
    yield server
    server.close()


def endpoint(maker, url, organization=None, types=BOOTH_APPLICATION_DECIDED) -> WebhookEndpoint:
    row = WebhookEndpoint(created_by_id=maker.id, organization_id=organization.id if organization else None,
                          url=url, event_types=types, secret=signing.new_secret(),
                          consecutive_failures=0, disabled_reason="")
    db.session.add(row)
    db.session.commit()
    return row


def failing_delivery(hook: WebhookEndpoint) -> None:
    """One delivery that counts towards the failures in a row (a ping does not)."""
    emit.queue_ping(hook)
    db.session.scalar(select(WebhookDelivery).where(WebhookDelivery.endpoint_id == hook.id)).event_type = \
        BOOTH_APPLICATION_DECIDED
    db.session.commit()


def sent(hook: WebhookEndpoint) -> list[tuple[str, dict]]:
    return [(row.event_type, json.loads(row.body)["data"]) for row in db.session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.endpoint_id == hook.id).order_by(WebhookDelivery.id))]


def told() -> list[str]:
    return sorted(db.session.scalars(select(OutboxMessage.to_email).where(OutboxMessage.kind == "webhook_disabled")))


# --- Who is told when an endpoint is disabled ---------------------------------------------------------------

def test_a_disabled_organization_endpoint_is_announced_to_its_owner_not_to_the_member_who_made_it_and_left(
        app, ctx, make_organization, make_staff, receiver, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_DISABLE_AFTER", 1)
    receiver.status = lambda received: 500
    organization = make_organization()
    maker = make_staff(organization, email="maker@org.example.com")
    make_staff(organization, email="colleague@org.example.com")
    hook = endpoint(db.session.get(User, maker.id), receiver.url, organization)
    leave_organization(db.session.scalar(select(OrganizationMember).where(OrganizationMember.user_id == maker.id)))
    db.session.commit()
    failing_delivery(hook)

    assert delivery.deliver_due().disabled == 1
    owner = db.session.get(User, organization.owner_id)
    assert told() == [owner.email]  # the organization's owners, as for every e-mail about it; not who left
    [mail] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "webhook_disabled"))
    assert hook.shown_as in mail.body_text and f"/webhooks/{hook.id}" in mail.body_text


def test_a_maker_still_in_the_organization_is_told_with_its_owners(app, ctx, make_organization, make_staff,
                                                                  receiver, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_DISABLE_AFTER", 1)
    receiver.status = lambda received: 500
    organization = make_organization()
    maker = make_staff(organization, email="maker@org.example.com")
    hook = endpoint(maker, receiver.url, organization)
    failing_delivery(hook)

    delivery.deliver_due()
    assert told() == sorted(["maker@org.example.com", db.session.get(User, organization.owner_id).email])


def test_an_unreadable_secret_is_announced_by_the_same_rule(ctx, make_organization, make_staff, receiver):
    organization = make_organization()
    maker = make_staff(organization, email="maker@org.example.com")
    hook = endpoint(maker, receiver.url, organization)
    leave_organization(db.session.scalar(select(OrganizationMember).where(OrganizationMember.user_id == maker.id)))
    hook.secret_sealed = vault.seal("whsec_x", key="the key before WEBHOOK_SECRET_KEY was changed")
    db.session.commit()
    failing_delivery(hook)

    delivery.deliver_due()
    db.session.refresh(hook)
    assert hook.disabled_reason == problems.SECRET_UNREADABLE
    assert told() == [db.session.get(User, organization.owner_id).email]


def test_an_organizer_endpoint_is_announced_to_its_maker_while_an_organizer_and_to_nobody_after(
        ctx, make_organizer):
    maker = make_organizer(email="organizer@example.org")
    kept, orphaned = endpoint(maker, "https://a.example.com/in"), endpoint(maker, "https://b.example.com/in")
    delivery.disable(kept, utcnow())
    assert told() == ["organizer@example.org"]

    maker.role = Role.CANDIDATE  # no longer an organizer: nobody else may open the endpoint, so nobody is told
    delivery.disable(orphaned, utcnow() + timedelta(seconds=1))
    assert told() == ["organizer@example.org"]


def test_a_deactivated_maker_is_not_told(ctx, make_organizer):
    """An administrator closed the organizer's account: still an organizer by role, but nobody who can sign in."""
    maker = make_organizer(email="closed@example.org")
    hook = endpoint(maker, "https://c.example.com/in")
    maker.is_active_account = False
    delivery.disable(hook, utcnow())
    assert told() == []


# --- One rule for the registrants employers see ---------------------------------------------------------------

def test_employers_hear_of_exactly_the_registrants_their_page_shows(ctx, make_event, make_organization, make_booth,
                                                                     make_organizer, make_candidate):
    fair = make_event(capacity=2, starts_at=utcnow() - timedelta(hours=1))
    organization = make_organization()
    make_booth(fair, organization)
    types = f"{REGISTRATION_CREATED} {CHECKIN_RECORDED}"
    employer_hook = endpoint(db.session.get(User, organization.owner_id), "https://e.example.com/in", organization,
                             types=types)
    organizer_hook = endpoint(make_organizer(), "https://o.example.com/in", types=types)
    seen = make_candidate(name="公开", show_to_employers=True)
    shy = make_candidate(name="不公开")
    waiting = make_candidate(name="候补", show_to_employers=True)
    for person in (seen, shy, waiting):
        register_for_event(fair.id, person)
        db.session.commit()
    assert find_registration(fair.id, waiting.id).status == RegistrationStatus.WAITLISTED

    on_the_page = {person.id for person in (seen, shy, waiting) if visible_profile(fair.id, person.id)}
    heard = {int(data["candidate"]["id"]) for kind, data in sent(employer_hook) if kind == REGISTRATION_CREATED}
    assert heard == on_the_page == {seen.id}

    # A check-in of someone the page does not show (here: not confirmed) is not the employers' to hear of.
    row = CheckIn(event_id=fair.id, holder_id=waiting.id, gate="北门", method="search")
    db.session.add(row)
    db.session.flush()
    emit.check_in_recorded(row, candidate=True)
    db.session.commit()
    assert [kind for kind, _ in sent(employer_hook)] == [REGISTRATION_CREATED]
    assert [kind for kind, _ in sent(organizer_hook)] == [REGISTRATION_CREATED] * 3 + [CHECKIN_RECORDED]
