"""The webhook review's findings (issue 16), each with its proof: employers hear only of what their pages show,
an owner who lost access is sent nothing, personal data is erased with the account or the event, the worker
connects to the address it checked and gives each attempt one deadline, problems are stored as codes, and
secrets are encrypted at rest."""
from __future__ import annotations

import http.client
import ipaddress
import json
import socket
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select, text

from eventsapp.accounts.models import Role
from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.notifications.models import OutboxMessage
from eventsapp.notifications.services import public_url
from eventsapp.organizations.models import OrganizationStatus
from eventsapp.organizations.services import reject_organization, suspend_organization
from eventsapp.registrations.models import RegistrationStatus
from eventsapp.registrations.services import cancel_registration, register_for_event
from eventsapp.webhooks import delivery, emit, problems, services, signing, targets, vault
from eventsapp.webhooks.events import (
    BOOTH_APPLICATION_DECIDED,
    CHECKIN_RECORDED,
    REGISTRATION_CANCELLED,
    REGISTRATION_CREATED,
)
from eventsapp.webhooks.lifecycle import erase_deliveries_about_person, stop_endpoints_of_organization
from eventsapp.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from eventsapp.webhooks.targets import TargetRefused
from tests.production_settings import PRODUCTION_SETTINGS
from tests.webhook_receiver import start_receiver


@pytest.fixture
def receiver():
    server = start_receiver()
    yield server
    server.close()


def endpoint(owner, url="https://hooks.example.com/in", types=f"{REGISTRATION_CREATED} {REGISTRATION_CANCELLED}",
             organization=None) -> WebhookEndpoint:
    row = WebhookEndpoint(created_by_id=owner.id, organization_id=organization.id if organization else None,
                          url=url, event_types=types, secret=signing.new_secret(), consecutive_failures=0,
                          disabled_reason="")
    db.session.add(row)
    db.session.commit()
    return row


def deliveries(hook: WebhookEndpoint) -> list[WebhookDelivery]:
    return list(db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.endpoint_id == hook.id)
                                   .order_by(WebhookDelivery.id)))


def types_of(hook: WebhookEndpoint) -> list[str]:
    return [row.event_type for row in deliveries(hook)]


def outgoing(url: str, secret: str = "whsec_test") -> delivery.Outgoing:
    return delivery.Outgoing(1, 1, "dlv_1", REGISTRATION_CREATED, b"{}", url, secret, 0, utcnow())


# --- 1. Employers hear only of the registrations their pages show ----------------------------------------

def test_employers_hear_of_a_cancellation_only_of_a_confirmed_place(ctx, make_event, make_organization, make_booth,
                                                                     make_candidate):
    fair = make_event(capacity=1)
    organization = make_organization()
    make_booth(fair, organization)
    hook = endpoint(organization.members[0].user, organization=organization, types=REGISTRATION_CANCELLED)
    confirmed = register_for_event(fair.id, make_candidate(show_to_employers=True)).registration
    waiting = register_for_event(fair.id, make_candidate(show_to_employers=True)).registration
    assert waiting.status == RegistrationStatus.WAITLISTED
    cancel_registration(waiting, actor=waiting.user)
    db.session.commit()
    assert deliveries(hook) == []  # the waiting list never showed on the employer's pages

    cancel_registration(confirmed, actor=confirmed.user)
    db.session.commit()
    [row] = deliveries(hook)
    assert json.loads(row.body)["data"]["registration"]["id"] == str(confirmed.id)


def test_employers_hear_nothing_of_a_pending_registration_cancelled(ctx, make_event, make_organization, make_booth,
                                                                     make_candidate):
    fair = make_event(requires_approval=True)
    organization = make_organization()
    make_booth(fair, organization)
    hook = endpoint(organization.members[0].user, organization=organization, types=REGISTRATION_CANCELLED)
    pending = register_for_event(fair.id, make_candidate(show_to_employers=True)).registration
    assert pending.status == RegistrationStatus.PENDING
    cancel_registration(pending, actor=pending.user)
    db.session.commit()
    assert deliveries(hook) == []


# --- 2. Access is checked again when sending, and a stopped organization stops its endpoints ------------

def test_an_organizer_who_lost_the_role_is_sent_nothing_that_was_waiting(ctx, make_event, make_organizer,
                                                                          make_candidate, receiver):
    fair, organizer = make_event(), make_organizer()
    hook = endpoint(organizer, url=receiver.url)
    register_for_event(fair.id, make_candidate())
    db.session.commit()
    organizer.role = Role.CANDIDATE
    db.session.commit()

    report = delivery.deliver_due()
    assert receiver.received == [] and report.sent == report.failed == 0
    db.session.expire_all()
    [row] = deliveries(hook)
    assert (row.status, row.last_error, row.locked_until) == (DeliveryStatus.FAILED, problems.ACCESS_LOST, None)


def test_a_deactivated_organizer_is_sent_nothing(ctx, make_organizer, receiver):
    organizer = make_organizer()
    hook = endpoint(organizer, url=receiver.url)
    emit.queue_ping(hook)
    organizer.is_active_account = False
    db.session.commit()
    delivery.deliver_due()
    assert receiver.received == []
    db.session.expire_all()
    assert deliveries(hook)[0].last_error == problems.ACCESS_LOST


@pytest.mark.parametrize("status", [OrganizationStatus.SUSPENDED, OrganizationStatus.REJECTED,
                                    OrganizationStatus.PENDING])
def test_an_organization_not_in_good_standing_is_sent_nothing(ctx, make_organization, receiver, status):
    organization = make_organization()
    hook = endpoint(organization.members[0].user, organization=organization, url=receiver.url)
    emit.queue_ping(hook)
    organization.status = status  # changed behind the services' back: the worker checks for itself
    db.session.commit()
    delivery.deliver_due()
    assert receiver.received == []
    db.session.expire_all()
    assert deliveries(hook)[0].status == DeliveryStatus.FAILED


@pytest.mark.parametrize(("stop", "code"), [(suspend_organization, problems.ORGANIZATION_SUSPENDED),
                                            (reject_organization, problems.ORGANIZATION_REJECTED)])
def test_suspending_or_rejecting_an_organization_stops_its_endpoints_in_the_same_transaction(
        ctx, make_organization, make_organizer, stop, code):
    organization, other = make_organization(), make_organization()
    hook = endpoint(organization.members[0].user, organization=organization)
    bystander = endpoint(other.members[0].user, organization=other)
    emit.queue_ping(hook)
    emit.queue_ping(bystander)
    db.session.commit()

    stop(organization, "资质存疑")
    db.session.rollback()  # the decision undone: so is the stop
    db.session.refresh(hook)
    assert hook.is_enabled and deliveries(hook)[0].status == DeliveryStatus.PENDING

    stop(organization, "资质存疑")
    db.session.commit()
    db.session.expire_all()
    assert not hook.is_enabled and hook.disabled_reason == code
    assert [(row.status, row.last_error) for row in deliveries(hook)] == [(DeliveryStatus.FAILED,
                                                                            problems.ACCESS_LOST)]
    assert bystander.is_enabled and deliveries(bystander)[0].status == DeliveryStatus.PENDING


def test_reinstating_switches_on_the_endpoints_the_suspension_stopped_and_tells_the_owner(ctx, make_organization):
    from eventsapp.organizations.services import reinstate_organization
    organization, other = make_organization(), make_organization()
    owner = organization.members[0].user
    stopped, failing = endpoint(owner, organization=organization), endpoint(
        owner, url="https://failing.example.com/in", organization=organization)
    bystander = endpoint(other.members[0].user, organization=other)
    failing.disabled_at, failing.disabled_reason, failing.consecutive_failures = utcnow(), problems.FAILURES, 10
    bystander.disabled_at, bystander.disabled_reason = utcnow(), problems.ORGANIZATION_SUSPENDED  # not this one
    db.session.commit()
    suspend_organization(organization, "资质存疑")
    db.session.commit()
    assert (stopped.is_enabled, failing.disabled_reason) == (False, problems.FAILURES)

    [mail] = reinstate_organization(organization)
    db.session.commit()
    db.session.expire_all()
    assert stopped.is_enabled and (stopped.disabled_reason, stopped.consecutive_failures) == ("", 0)
    assert not failing.is_enabled and failing.disabled_reason == problems.FAILURES  # its cause is still there
    assert not bystander.is_enabled
    assert stopped.shown_as in mail.body_text and failing.shown_as not in mail.body_text
    assert "/webhooks/" in mail.body_text
    emit.queue_ping(stopped)
    db.session.commit()
    assert deliveries(stopped)[-1].status == DeliveryStatus.PENDING


def test_what_was_queued_while_stopped_is_sent_on_reinstatement_as_the_mail_says(ctx, make_organization):
    from eventsapp.organizations.services import reinstate_organization
    organization = make_organization()
    hook = endpoint(organization.members[0].user, organization=organization)
    suspend_organization(organization, "资质存疑")
    db.session.commit()
    emit.queue_ping(hook)
    deliveries(hook)[0].event_type = BOOTH_APPLICATION_DECIDED  # a change queued for it while it was stopped
    db.session.commit()
    assert delivery.claim(10, utcnow()) == []  # held
    [mail] = reinstate_organization(organization)
    db.session.commit()
    assert [item.delivery_id for item in delivery.claim(10, utcnow())] == [deliveries(hook)[0].id]
    held = "starting with the deliveries held for it while it was stopped"
    assert held in mail.body_text and held in mail.body_html and "not sent" not in mail.body_text


def test_the_mail_shows_an_endpoint_without_its_query_and_links_to_the_webhooks_page(ctx, make_organization):
    """Receivers' addresses often carry a token in their query (?access_token=…): the e-mail shows the host
    and path, after the description when there is one, and both versions link to the webhooks page."""
    from eventsapp.organizations.services import reinstate_organization
    organization = make_organization()
    owner = organization.members[0].user
    bare = endpoint(owner, url="https://hr.example.com:8443/hooks/in?access_token=s3cr3t-token",
                    organization=organization)
    described = endpoint(owner, url="https://user:pw@ats.example.com/in?key=other-token",
                         organization=organization)
    described.description = "Moka ATS"
    db.session.commit()
    suspend_organization(organization, "资质存疑")
    db.session.commit()
    [mail] = reinstate_organization(organization)
    for body in (mail.body_text, mail.body_html):
        assert "hr.example.com:8443/hooks/in" in body and "Moka ATS (ats.example.com/in)" in body
        assert "token" not in body and "pw@" not in body and bare.url not in body
    webhooks_url = public_url("webhooks.endpoint_list")
    assert f"Webhooks: {webhooks_url}" in mail.body_text and f'href="{webhooks_url}"' in mail.body_html


def test_verifying_a_rejected_organization_again_switches_on_what_the_rejection_stopped(ctx, make_organization):
    from eventsapp.organizations.services import verify_organization
    organization = make_organization()
    hook = endpoint(organization.members[0].user, organization=organization)
    reject_organization(organization, "资质存疑")
    db.session.commit()
    assert not hook.is_enabled
    [mail] = verify_organization(organization)
    db.session.commit()
    assert hook.is_enabled and hook.shown_as in mail.body_text


def test_only_what_the_current_stop_stopped_starts_again(ctx, make_organization):
    """An endpoint left off after an older suspension (its organization chose not to switch it on again: the
    address may be someone else's now) stays off when a later suspension is lifted; one stopped before the
    stops were timed (standing_lost_at None) is not switched on by itself either."""
    from eventsapp.organizations.services import reinstate_organization, verify_organization
    organization = make_organization()
    owner = organization.members[0].user
    current, older = endpoint(owner, organization=organization), endpoint(
        owner, url="https://old-partner.example.com/in", organization=organization)
    older.disabled_at, older.disabled_reason = utcnow() - timedelta(days=30), problems.ORGANIZATION_SUSPENDED
    db.session.commit()
    suspend_organization(organization, "资质存疑")
    db.session.commit()
    [mail] = reinstate_organization(organization)
    db.session.commit()
    db.session.expire_all()
    assert current.is_enabled and not older.is_enabled and older.shown_as not in mail.body_text
    assert organization.standing_lost_at is None

    reject_organization(organization, "资质存疑")  # rejected, corrected, rejected again: the first stop counts
    organization.status = OrganizationStatus.PENDING
    db.session.commit()
    reject_organization(organization, "仍然存疑")
    db.session.commit()
    verify_organization(organization)
    db.session.commit()
    db.session.expire_all()
    assert current.is_enabled and not older.is_enabled

    suspend_organization(organization, "资质存疑")
    organization.standing_lost_at = None  # a suspension from before the stops were timed
    db.session.commit()
    reinstate_organization(organization)
    db.session.commit()
    db.session.expire_all()
    assert not current.is_enabled and current.disabled_reason == problems.ORGANIZATION_SUSPENDED


def test_a_reinstatement_without_endpoints_says_nothing_of_webhooks(ctx, make_organization):
    from eventsapp.organizations.services import reinstate_organization
    organization = make_organization()
    suspend_organization(organization, "资质存疑")
    [mail] = reinstate_organization(organization)
    assert "webhook" not in mail.body_text.lower() and "\n\n\n" not in mail.body_text


def _exhibitor_hearing_of_a_registration(fair, make_organization, make_booth, make_candidate, receiver):
    organization = make_organization()
    booth = make_booth(fair, organization)
    hook = endpoint(organization.members[0].user, organization=organization, url=receiver.url)
    register_for_event(fair.id, make_candidate(name="公开", show_to_employers=True))
    db.session.commit()
    return booth, hook


@pytest.mark.parametrize("lose_the_booth", ["withdraw", "reject"])
def test_an_exhibitor_that_lost_its_booth_before_the_send_is_sent_nothing_and_its_log_says_why(
        ctx, make_event, make_organization, make_booth, make_candidate, make_organizer, receiver, lose_the_booth):
    from eventsapp.booths.services import reject_booth, withdraw_booth
    fair = make_event()
    booth, hook = _exhibitor_hearing_of_a_registration(fair, make_organization, make_booth, make_candidate, receiver)
    organizer_hook = endpoint(make_organizer(), url=receiver.url, types=REGISTRATION_CREATED)
    register_for_event(fair.id, make_candidate(name="另一位", show_to_employers=False))  # for the organizer only
    db.session.commit()
    [written] = deliveries(hook)  # written while the booth was active
    if lose_the_booth == "withdraw":
        withdraw_booth(booth)
    else:
        reject_booth(fair.id, booth.id, "场地调整")
    db.session.commit()

    report = delivery.deliver_due()
    assert report.sent == 1 and [message.headers["X-Talentday-Delivery"] for message in receiver.received] == [
        deliveries(organizer_hook)[0].uid]
    assert "公开" not in b"".join(message.body for message in receiver.received).decode()
    db.session.expire_all()
    [row] = deliveries(hook)
    assert (row.id, row.status, row.last_error, row.attempts, row.locked_until) == (
        written.id, DeliveryStatus.FAILED, problems.BOOTH_LOST, 0, None)
    assert problems.message(row.last_error) == str(problems.MESSAGES[problems.BOOTH_LOST])
    with pytest.raises(delivery.RedeliveryRefused):
        delivery.redeliver(row)
    assert len(deliveries(hook)) == 1


def test_an_exhibitor_is_sent_nothing_of_a_candidate_who_withdrew_consent_before_the_send(
        ctx, make_event, make_organization, make_booth, make_candidate, make_organizer, receiver):
    """Consent withdrawn after the delivery was written (the endpoint disabled meanwhile, say): the employer's
    delivery is ended unsent with its reason and cannot be sent again by hand; the organizer's still goes."""
    from eventsapp.accounts.models import User
    from eventsapp.candidates.services import set_consent
    fair = make_event()
    organization = make_organization()
    make_booth(fair, organization)
    hook = endpoint(organization.members[0].user, organization=organization, url=receiver.url)
    organizer_hook = endpoint(make_organizer(), url=receiver.url, types=REGISTRATION_CREATED)
    person = make_candidate(name="撤回", show_to_employers=True)
    register_for_event(fair.id, person)
    db.session.commit()
    [written] = deliveries(hook)
    set_consent(db.session.get(User, person.id), False)
    db.session.commit()

    assert delivery.deliver_due().sent == 1
    assert [message.headers["X-Talentday-Delivery"] for message in receiver.received] == [
        deliveries(organizer_hook)[0].uid]
    db.session.expire_all()
    [row] = deliveries(hook)
    assert (row.id, row.status, row.last_error, row.attempts) == (
        written.id, DeliveryStatus.FAILED, problems.CONSENT_WITHDRAWN, 0)
    with pytest.raises(delivery.RedeliveryRefused, match="no longer agrees"):
        delivery.redeliver(row)
    set_consent(db.session.get(User, person.id), True)  # agreeing again makes it sendable by hand again
    delivery.redeliver(row)
    db.session.commit()
    assert delivery.deliver_due().sent == 1 and len(receiver.received) == 2


def test_an_exhibitor_whose_booth_is_still_there_is_sent_the_registration_and_may_have_it_again(
        ctx, make_event, make_organization, make_booth, make_candidate, receiver):
    fair = make_event()
    _, hook = _exhibitor_hearing_of_a_registration(fair, make_organization, make_booth, make_candidate, receiver)
    assert delivery.deliver_due().sent == 1
    assert json.loads(receiver.received[0].body)["data"]["candidate"]["name"] == "公开"
    delivery.redeliver(deliveries(hook)[0])
    db.session.commit()
    assert delivery.deliver_due().sent == 1 and len(receiver.received) == 2


def test_a_booth_decision_still_reaches_the_organization_whose_booth_was_rejected(
        ctx, make_event, make_organization, make_booth, receiver):
    from eventsapp.booths.models import BoothStatus
    from eventsapp.booths.services import reject_booth
    fair, organization = make_event(), make_organization()
    booth = make_booth(fair, organization, status=BoothStatus.PENDING)
    endpoint(organization.members[0].user, organization=organization, url=receiver.url,
             types=BOOTH_APPLICATION_DECIDED)
    reject_booth(fair.id, booth.id, "场地调整")
    db.session.commit()
    assert delivery.deliver_due().sent == 1  # told of its own booth, whatever was decided (emit.EMPLOYERS)


def test_every_type_an_employer_may_pick_says_which_employers_hear_of_it():
    from eventsapp.webhooks.events import EMPLOYER_EVENT_TYPES
    assert set(emit.EMPLOYERS) == set(EMPLOYER_EVENT_TYPES)


# --- 3. Personal data -------------------------------------------------------------------------------------

def test_each_delivery_records_whose_data_it_carries_and_its_event(ctx, make_event, make_organizer, make_candidate):
    fair = make_event()
    hook = endpoint(make_organizer())
    person = make_candidate()
    register_for_event(fair.id, person)
    db.session.commit()
    [row] = deliveries(hook)
    assert (row.subject_user_id, row.event_id, row.erased_at) == (person.id, fair.id, None)


def test_deleting_an_account_erases_the_deliveries_about_the_person_and_refuses_their_redelivery(
        ctx, make_event, make_organizer, make_candidate, receiver):
    from eventsapp.candidates.erasure import erase_account
    fair, other_fair = make_event(), make_event()
    hook = endpoint(make_organizer(), url=receiver.url)
    person, someone_else = make_candidate(name="将删除"), make_candidate(name="留下")
    register_for_event(fair.id, person)
    register_for_event(other_fair.id, someone_else)
    db.session.commit()
    delivery.deliver_due()
    register_for_event(other_fair.id, person)  # waiting to be sent when the account goes
    db.session.commit()

    erase_account(person)
    db.session.commit()
    db.session.expire_all()
    sent, kept, waiting, *cancellations = deliveries(hook)
    assert sent.erased_at is not None and sent.body == "" and sent.status == DeliveryStatus.SUCCEEDED
    assert waiting.erased_at is not None and waiting.body == ""
    assert (waiting.status, waiting.last_error) == (DeliveryStatus.FAILED, problems.ERASED)
    assert kept.erased_at is None and "留下" in kept.body
    # The cancellations announced by id only, to organizers, still leave.
    assert len(cancellations) == 2
    assert all(row.erased_at is None and json.loads(row.body)["data"]["candidate"] == {"id": str(person.id)}
               for row in cancellations)
    with pytest.raises(delivery.RedeliveryRefused):
        delivery.redeliver(sent)
    delivery.deliver_due()
    assert [json.loads(item.body)["type"] for item in receiver.received] == [REGISTRATION_CREATED] * 2 + [
        REGISTRATION_CANCELLED] * 2
    assert all("将删除" not in item.body.decode() for item in receiver.received[2:])


def test_an_events_retention_erases_its_deliveries(ctx, make_event, make_organizer, make_candidate):
    from eventsapp.retention import services as retention
    now = utcnow()
    old = make_event(starts_at=now - timedelta(days=801), ends_at=now - timedelta(days=800))
    recent = make_event()
    hook = endpoint(make_organizer(), types=f"{REGISTRATION_CREATED} {CHECKIN_RECORDED}")
    for event in (old, recent):
        db.session.add(WebhookDelivery(endpoint_id=hook.id, uid=emit.new_uid(), event_type=REGISTRATION_CREATED,
                                       body='{"data":{"candidate":{"name":"李明"}}}', status=DeliveryStatus.SUCCEEDED,
                                       attempts=1, next_attempt_at=now, last_error="", created_at=now,
                                       event_id=event.id))
    db.session.commit()
    retention.run_retention(now, default_months=24)
    db.session.expire_all()
    erased, kept = deliveries(hook)
    assert erased.event_id == old.id and erased.body == "" and erased.erased_at is not None
    assert kept.event_id == recent.id and "李明" in kept.body and kept.erased_at is None


# --- 4. Addresses: resolved once, every form of a private address refused, problems as codes -------------

@pytest.mark.parametrize("address", [
    "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::127.0.0.1", "::10.0.0.1",
    "64:ff9b::a00:1", "64:ff9b::808:808", "64:ff9b:1::a00:1", "2002:a00:1::1", "2002:7f00:1::1",
    "2001:0:4136:e378:8000:63bf:3fff:fdd2", "::ffff:0:a00:1", "fc00::1", "fe80::1", "::1", "100.64.0.1",
    "198.18.0.1", "0.0.0.0", "224.0.0.1", "ff02::1", "fec0::1", "feff:ffff::1"])
def test_every_form_of_a_private_address_is_refused(address):
    assert not targets.is_public(ipaddress.ip_address(address))
    with pytest.raises(TargetRefused) as refused:
        targets.check_url(f"https://[{address}]/" if ":" in address else f"https://{address}/", allow_http=False,
                          allow_private=False, resolve=False)
    assert refused.value.code == problems.PRIVATE_ADDRESS


def test_public_addresses_are_accepted():
    assert targets.is_public(ipaddress.ip_address("8.8.8.8"))
    assert targets.is_public(ipaddress.ip_address("2606:4700:4700::1111"))


def test_a_name_with_one_private_address_among_public_ones_is_refused(monkeypatch):
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kw: [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 443)),
        (socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("::ffff:10.0.0.1", 443, 0, 0))])
    with pytest.raises(TargetRefused):
        targets.check_url("https://hooks.example.com/", allow_http=False, allow_private=False)


def test_the_worker_connects_to_the_address_it_checked_not_to_the_name_again(monkeypatch):
    """DNS rebinding: the name answers a public address to the check, then a private one."""
    answers = iter(["93.184.216.34", "127.0.0.1", "127.0.0.1"])
    looked_up, connected = [], []

    def getaddrinfo(host, port, *args, **kwargs):
        looked_up.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    def create_connection(address, *args, **kwargs):
        connected.append(address)
        raise ConnectionRefusedError(111, "Connection refused (secret internal detail)")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    result = delivery.send(outgoing("https://rebind.example.com/in"), timeout=2, allow_http=False,
                           allow_private=False)
    assert looked_up == ["rebind.example.com"] and connected == [("93.184.216.34", 443)]
    assert result.error == problems.CONNECT_FAILED and result.status_code is None  # a code, not the text


def test_the_request_keeps_the_name_as_its_host(monkeypatch, receiver):
    port = receiver.server.server_address[1]
    real = socket.getaddrinfo
    looked_up = []

    def getaddrinfo(host, *args, **kwargs):
        looked_up.append(host)
        return real("127.0.0.1", *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    result = delivery.send(outgoing(f"http://localhost:{port}/hooks"), timeout=2, allow_http=True,
                           allow_private=True)
    assert result.ok and looked_up.count("localhost") == 1  # then only the address it gave
    assert receiver.received[0].headers["Host"] == f"localhost:{port}"


def test_problems_are_codes_shown_translated_and_an_unknown_one_reads_as_a_failure(app):
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        app.config["BABEL_DEFAULT_LOCALE"] = "en"
        assert problems.message(problems.TIMEOUT) == str(problems.MESSAGES[problems.TIMEOUT])
        assert problems.message("ConnectionRefusedError: [Errno 111] 10.0.0.5") == str(problems.UNKNOWN)
        assert problems.message("") == ""


def test_an_endpoint_that_keeps_failing_is_disabled_with_a_code(app, ctx, make_organizer, receiver, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_DISABLE_AFTER", 1)
    receiver.status = lambda received: 500
    hook = endpoint(make_organizer(), url=receiver.url)
    emit.queue_ping(hook)
    deliveries(hook)[0].event_type = REGISTRATION_CREATED
    db.session.commit()
    delivery.deliver_due()
    db.session.refresh(hook)
    assert hook.disabled_reason == problems.FAILURES
    assert deliveries(hook)[0].last_error == problems.HTTP_STATUS


# --- 5. One deadline for the whole attempt ----------------------------------------------------------------

@pytest.fixture
def trickling_receiver():
    """Answers a byte every 0.2 s: never silent long enough for a socket's own timeout."""

    class Trickle(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            for _ in range(25):  # five seconds of headers
                try:
                    self.wfile.write(b"X-Slow: 1\r\n")
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(0.2)
            self.wfile.write(b"Content-Length: 0\r\n\r\n")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Trickle)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hooks"
    server.shutdown()
    server.server_close()


def test_a_receiver_that_trickles_its_answer_is_cut_off_at_the_deadline(trickling_receiver):
    started = time.perf_counter()
    result = delivery.send(outgoing(trickling_receiver), timeout=1, allow_http=True, allow_private=True)
    assert time.perf_counter() - started < 2.5
    assert (result.status_code, result.error) == (None, problems.TIMEOUT) and not result.ok


# --- 6. Secrets encrypted at rest -------------------------------------------------------------------------

def test_the_secret_is_stored_encrypted_and_read_back_with_the_key(app, ctx, make_organizer):
    hook = endpoint(make_organizer())
    clear = hook.secret
    stored = db.session.execute(select(WebhookEndpoint.__table__.c.secret)).scalar_one()
    assert clear.startswith("whsec_") and clear not in stored and clear[-4:] not in stored
    assert vault.unseal(stored) == clear
    with pytest.raises(vault.SecretUnreadable):
        vault.unseal(stored, key="another key entirely")


def test_the_webhook_key_is_apart_from_the_session_key(app, ctx, make_organizer, monkeypatch):
    hook = endpoint(make_organizer())
    sealed_with_default = hook.secret_sealed
    monkeypatch.setitem(app.config, "WEBHOOK_SECRET_KEY", "a separate key for webhook secrets, long enough")
    with pytest.raises(vault.SecretUnreadable):
        vault.unseal(sealed_with_default)
    hook.secret = "whsec_new"
    assert vault.unseal(hook.secret_sealed) == "whsec_new"


def test_a_secret_that_cannot_be_read_ends_its_deliveries_with_a_code(app, ctx, make_organizer, receiver):
    hook = endpoint(make_organizer(), url=receiver.url)
    hook.secret_sealed = vault.seal("whsec_x", key="a key since lost")
    emit.queue_ping(hook)
    db.session.commit()
    delivery.deliver_due()
    assert receiver.received == []
    db.session.expire_all()
    assert deliveries(hook)[0].last_error == problems.SECRET_UNREADABLE


def test_production_requires_a_webhook_key():
    from eventsapp.config import ConfigurationError, check_production_settings
    production = PRODUCTION_SETTINGS
    check_production_settings(production)
    for weak in ("", "short"):
        with pytest.raises(ConfigurationError, match="WEBHOOK_SECRET_KEY"):
            check_production_settings({**production, "WEBHOOK_SECRET_KEY": weak})


def test_the_migration_encrypts_existing_secrets_and_finds_whose_data_each_delivery_carries(tmp_path):
    from flask_migrate import upgrade

    from tests.apps import make_app
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/m.db")
    with app.app_context():
        upgrade(revision="c15s4a7e2b91")
        with db.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO user_account (id, email, display_name, password_hash, role, created_at) "
                "VALUES (7, 'o@example.cn', 'O', 'x', 'organizer', '2026-01-01')")
            connection.exec_driver_sql(
                "INSERT INTO webhook_endpoint (id, created_by_id, url, description, event_types, secret, "
                "consecutive_failures, disabled_reason, created_at, updated_at) VALUES (1, 7, 'https://x.example.cn/', "
                "'', 'registration.created', 'whsec_old_clear_secret', 15, '15 failed attempts in a row', "
                "'2026-01-01', '2026-01-01')")
            connection.exec_driver_sql(
                "INSERT INTO webhook_delivery (id, endpoint_id, uid, event_type, body, status, attempts, "
                "next_attempt_at, last_error, created_at) VALUES (1, 1, 'dlv_1', 'registration.created', "
                "'{\"data\":{\"candidate\":{\"id\":\"7\"},\"event\":{\"id\":\"3\"}}}', 'succeeded', 1, "
                "'2026-01-01', '', '2026-01-01')")
            # Erased before this deploy: an account deleted (8) and an event past its retention (4), whose
            # deliveries did not yet know whose data they carried; 9 and 5 are not erased.
            connection.exec_driver_sql(
                "INSERT INTO user_account (id, email, display_name, password_hash, role, created_at, erased_at) "
                "VALUES (8, 'gone@erased.invalid', '', 'x', 'candidate', '2026-01-01', '2026-06-01'), "
                "(9, 'kept@example.cn', 'K', 'x', 'candidate', '2026-01-01', NULL)")
            connection.exec_driver_sql(
                "INSERT INTO event (id, slug, kind, status, title_zh, title_en, description_zh, description_en, "
                "venue_name_zh, venue_name_en, venue_address, venue_halls, timezone, starts_at, ends_at, capacity, "
                "created_at, updated_at, personal_data_erased_at) VALUES "
                "(4, 'old', 'fair', 'published', '旧', 'Old', '', '', '', '', '', '', 'Asia/Shanghai', '2025-01-01', "
                "'2025-01-02', 10, '2025-01-01', '2025-01-01', '2026-06-01'), "
                "(5, 'new', 'fair', 'published', '新', 'New', '', '', '', '', '', '', 'Asia/Shanghai', '2026-01-01', "
                "'2026-01-02', 10, '2026-01-01', '2026-01-01', NULL)")
            for delivery_id, status, person, event in ((2, "pending", 8, 5), (3, "succeeded", 9, 4),
                                                       (4, "pending", 9, 5)):
                body = json.dumps({"data": {"candidate": {"id": str(person), "name": "李明"}, "event": {"id": event}}},
                                  ensure_ascii=False)
                connection.execute(text(
                    "INSERT INTO webhook_delivery (id, endpoint_id, uid, event_type, body, status, attempts, "
                    "next_attempt_at, last_error, created_at) VALUES (:id, 1, :uid, 'registration.created', :body, "
                    ":status, 0, '2026-01-01', '', '2026-01-01')"),
                    {"id": delivery_id, "uid": f"dlv_{delivery_id}", "body": body, "status": status})
        upgrade()
        endpoint_row = db.session.get(WebhookEndpoint, 1)
        assert endpoint_row.secret_sealed != "whsec_old_clear_secret"
        assert endpoint_row.secret == "whsec_old_clear_secret"
        assert endpoint_row.disabled_reason == problems.FAILURES
        row = db.session.get(WebhookDelivery, 1)
        assert (row.subject_user_id, row.event_id) == (7, 3)
        about_deleted, of_erased_event, kept = (db.session.get(WebhookDelivery, n) for n in (2, 3, 4))
        for erased in (about_deleted, of_erased_event):
            assert erased.body == "" and erased.erased_at is not None
        assert (about_deleted.status, about_deleted.last_error) == (DeliveryStatus.FAILED, problems.ERASED)
        assert (of_erased_event.status, of_erased_event.last_error) == (DeliveryStatus.SUCCEEDED, "")
        assert "李明" in kept.body and kept.erased_at is None and kept.status == DeliveryStatus.PENDING
        db.session.remove()
        db.engine.dispose()


# --- Round 2 (issue 16): what happens while a delivery is in flight, an unreadable secret, slow DNS -------

def failed_meanwhile(batch: list[delivery.Outgoing], now) -> None:
    """The worker that claimed ``batch`` comes back: every attempt failed with a 503."""
    delivery.record(batch, [delivery.Result(item.delivery_id, 503, problems.HTTP_STATUS, 5, now) for item in batch],
                    now, delivery.Report())


def test_a_delivery_erased_while_it_was_being_sent_stays_erased(ctx, make_event, make_organizer, make_candidate):
    fair, hook, person = make_event(), endpoint(make_organizer()), make_candidate()
    register_for_event(fair.id, person)
    db.session.commit()
    now = utcnow()
    batch = delivery.claim(10, now)
    erase_deliveries_about_person(person.id, now)  # the account is deleted during the attempt
    db.session.commit()

    failed_meanwhile(batch, now)
    db.session.expire_all()
    [row] = deliveries(hook)
    assert (row.status, row.last_error, row.body, row.attempts) == (DeliveryStatus.FAILED, problems.ERASED, "", 0)
    assert delivery.claim(10, now + timedelta(days=1)) == []


def test_a_delivery_ended_while_it_was_being_sent_stays_ended(ctx, make_organization):
    organization = make_organization()
    hook = endpoint(organization.members[0].user, organization=organization)
    emit.queue_ping(hook)
    deliveries(hook)[0].event_type = BOOTH_APPLICATION_DECIDED  # a ping would give up after one attempt anyway
    db.session.commit()
    now = utcnow()
    batch = delivery.claim(10, now)
    stop_endpoints_of_organization(organization.id, problems.ORGANIZATION_SUSPENDED, now)
    db.session.commit()

    failed_meanwhile(batch, now)
    db.session.expire_all()
    assert [(row.status, row.last_error) for row in deliveries(hook)] == [(DeliveryStatus.FAILED,
                                                                            problems.ACCESS_LOST)]


def test_a_worker_back_after_its_lease_cannot_overwrite_the_worker_that_took_over(ctx, make_organizer):
    hook = endpoint(make_organizer())
    emit.queue_ping(hook)
    deliveries(hook)[0].event_type = REGISTRATION_CREATED
    db.session.commit()
    now = utcnow()
    late = delivery.claim(10, now, lease=timedelta(minutes=2))
    later = now + timedelta(minutes=3)
    taken_over = delivery.claim(10, later, lease=timedelta(minutes=2))
    assert [item.delivery_id for item in late] == [item.delivery_id for item in taken_over]

    failed_meanwhile(late, later)  # the first worker comes back while the second is still sending
    db.session.expire_all()
    [row] = deliveries(hook)
    assert (row.status, row.attempts, row.locked_until) == (DeliveryStatus.PENDING, 0, taken_over[0].lease)
    delivery.record(taken_over, [delivery.Result(row.id, 204, "", 5, later)], later, delivery.Report())
    db.session.expire_all()
    assert (row.status, row.attempts, row.last_error) == (DeliveryStatus.SUCCEEDED, 1, "")
    failed_meanwhile(late, later)  # and after it has succeeded
    db.session.expire_all()
    assert (row.status, row.last_status_code) == (DeliveryStatus.SUCCEEDED, 204)


def test_an_erased_delivery_left_waiting_is_never_claimed(ctx, make_organizer, receiver):
    """Rows written back as pending before the guard above: erased, they must not leave with an empty body."""
    hook = endpoint(make_organizer(), url=receiver.url)
    emit.queue_ping(hook)
    row = deliveries(hook)[0]
    row.event_type, row.body, row.erased_at = REGISTRATION_CREATED, "", utcnow()
    db.session.commit()
    assert delivery.claim(10, utcnow() + timedelta(minutes=1)) == []
    delivery.deliver_due()
    assert receiver.received == []


def test_an_unreadable_secret_disables_the_endpoint_tells_its_owner_and_its_deliveries_wait(
        app, ctx, make_event, make_organizer, make_candidate, receiver, caplog, monkeypatch):
    # The session's migration (alembic's fileConfig) disables the loggers that existed before it.
    monkeypatch.setattr(delivery.log, "disabled", False)
    fair, owner = make_event(), make_organizer(email="owner@example.org")
    hook = endpoint(owner, url=receiver.url)
    hook.secret_sealed = vault.seal("whsec_x", key="the key before WEBHOOK_SECRET_KEY was changed")
    register_for_event(fair.id, make_candidate())
    db.session.commit()

    with caplog.at_level("ERROR", logger="eventsapp.webhooks"):
        delivery.deliver_due()
        delivery.deliver_due(now=utcnow() + timedelta(hours=1))
    assert receiver.received == []
    assert [record.levelname for record in caplog.records if "secret" in record.getMessage()] == ["ERROR"]
    db.session.expire_all()
    assert (hook.is_enabled, hook.disabled_reason) == (False, problems.SECRET_UNREADABLE)
    [row] = deliveries(hook)
    assert (row.status, row.attempts, row.locked_until, row.last_error) == (DeliveryStatus.PENDING, 0, None, "")
    [mail] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "webhook_disabled"))
    assert mail.to_email == "owner@example.org" and "secret" in mail.body_text and hook.shown_as in mail.body_text

    services.replace_secret(hook)  # the cause is gone: the endpoint is on again and what waited leaves
    db.session.commit()
    assert hook.is_enabled
    assert delivery.deliver_due().sent == 1 and len(receiver.received) == 1


def test_a_name_server_that_does_not_answer_is_cut_off_at_the_deadline(monkeypatch):
    released = threading.Event()

    def getaddrinfo(*args, **kwargs):
        released.wait(5)
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    started = time.perf_counter()
    result = delivery.send(outgoing("https://slow-dns.example.com/in"), timeout=0.5, allow_http=False,
                           allow_private=False)
    released.set()
    assert time.perf_counter() - started < 1.5
    assert (result.status_code, result.error) == (None, problems.TIMEOUT)


def test_lookups_a_name_server_never_answers_hold_a_few_threads_not_one_each(monkeypatch):
    """Saves that wait on a hung name server hold at most 4 lookup threads: twelve give up in time without
    twelve threads piling up; a delivery's lookup does not wait behind them; once the server answers, the
    saves' lookups go through again."""
    released = threading.Event()

    def getaddrinfo(host, port, **kwargs):
        if host == "slow-dns.example.com":
            released.wait(10)
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("93.184.216.34", port))]

    def save(url: str) -> str:
        return targets.check_url(url, allow_http=False, allow_private=False, within=0.05)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    try:
        for _ in range(12):
            with pytest.raises(TargetRefused) as refused:
                save("https://slow-dns.example.com/in")
            assert refused.value.code == problems.TIMEOUT
        looking_up = [thread for thread in threading.enumerate() if thread.name == "webhook-dns" and thread.daemon]
        assert 1 <= len(looking_up) <= 4
        with pytest.raises(TargetRefused):  # every place taken: given up within its bound, not started
            save("https://fast.example.com/in")
        sending = targets.resolve_target("https://fast.example.com/in", allow_http=False, allow_private=False,
                                         within=1)
        assert sending.addresses == ("93.184.216.34",)
    finally:
        released.set()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            assert save("https://fast.example.com/in") == "https://fast.example.com/in"
            break
        except TargetRefused:  # the hung lookups are still letting go of their places
            time.sleep(0.05)
    else:
        raise AssertionError("the saves' lookups did not recover")


def test_an_answer_read_in_time_stands_when_the_deadline_fires_just_after(monkeypatch, receiver):
    """The timer fires between the 2xx read and the end of the attempt: the receiver has the delivery, so the
    attempt succeeded (calling it a timeout would send it twice)."""

    started = []

    class FiresJustAfter(delivery._Deadline):
        def __init__(self, seconds):
            super().__init__(seconds)
            started.append(self)

    real_read = http.client.HTTPResponse.read

    def read_then_fire(response, *args):
        answer = real_read(response, *args)
        started[-1]._cut()
        return answer

    monkeypatch.setattr(delivery, "_Deadline", FiresJustAfter)
    monkeypatch.setattr(http.client.HTTPResponse, "read", read_then_fire)
    result = delivery.send(outgoing(receiver.url), timeout=5, allow_http=True, allow_private=True)
    assert (result.status_code, result.error, result.ok) == (204, "", True)
    assert len(receiver.received) == 1


def test_an_answer_cut_after_its_2xx_status_succeeded_without_a_problem(monkeypatch, receiver):
    def reset(response, *args):
        raise ConnectionResetError(104, "Connection reset by peer")

    monkeypatch.setattr(http.client.HTTPResponse, "read", reset)
    result = delivery.send(outgoing(receiver.url), timeout=5, allow_http=True, allow_private=True)
    assert (result.status_code, result.error, result.ok) == (204, "", True)


@pytest.fixture
def trickling_body_receiver():
    """Answers 200 at once, then its body a byte every 0.2 s."""

    class TrickleBody(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 25\r\n\r\n")
            for _ in range(25):
                try:
                    self.wfile.write(b".")
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(0.2)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), TrickleBody)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hooks"
    server.shutdown()
    server.server_close()


def test_a_2xx_whose_body_trickles_past_the_deadline_succeeded(trickling_body_receiver):
    started = time.perf_counter()
    result = delivery.send(outgoing(trickling_body_receiver), timeout=1, allow_http=True, allow_private=True)
    assert time.perf_counter() - started < 2.5
    assert (result.status_code, result.error, result.ok) == (200, "", True)
