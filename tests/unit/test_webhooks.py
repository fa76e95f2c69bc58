"""Signed webhooks: signing (checked with the README's own function against a real receiver), the outbox
rows the features write and what each owner may see in them (consent), the worker's retries, back-off,
disabling and redelivery, and claiming that two workers never share."""
from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from eventsapp.booths.services import approve_booth, reject_booth
from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.notifications.models import OutboxMessage
from eventsapp.organizations.models import OrganizationStatus
from eventsapp.registrations.models import RegistrationStatus
from eventsapp.registrations.services import cancel_registration, register_for_event
from eventsapp.webhooks import delivery, emit, services, signing
from eventsapp.webhooks.events import (
    BOOTH_APPLICATION_DECIDED,
    CHECKIN_RECORDED,
    CONTEST_RESULTS_PUBLISHED,
    REGISTRATION_CANCELLED,
    REGISTRATION_CREATED,
    REGISTRATION_PROMOTED,
)
from eventsapp.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from eventsapp.webhooks.targets import TargetRefused, check_url
from tests.production_settings import PRODUCTION_SETTINGS
from tests.readme import readme_function
from tests.webhook_receiver import start_receiver

ALL_TYPES = " ".join([REGISTRATION_CREATED, REGISTRATION_CANCELLED, REGISTRATION_PROMOTED, CHECKIN_RECORDED,
                      BOOTH_APPLICATION_DECIDED, CONTEST_RESULTS_PUBLISHED, "matching_run.published"])


@pytest.fixture
def receiver():
    server = start_receiver()
    yield server
    server.close()


def endpoint(owner, url="https://hooks.example.com/in", types=ALL_TYPES, event=None, organization=None,
             **fields) -> WebhookEndpoint:
    row = WebhookEndpoint(created_by_id=owner.id, organization_id=organization.id if organization else None,
                          event_id=event.id if event else None, url=url, event_types=types,
                          secret=signing.new_secret(), consecutive_failures=0, disabled_reason="", **fields)
    db.session.add(row)
    db.session.commit()
    return row


def deliveries(endpoint_row=None) -> list[WebhookDelivery]:
    query = select(WebhookDelivery).order_by(WebhookDelivery.id)
    if endpoint_row is not None:
        query = query.where(WebhookDelivery.endpoint_id == endpoint_row.id)
    return list(db.session.scalars(query))


def body_of(row: WebhookDelivery) -> dict:
    return json.loads(row.body)


# --- Signing ---------------------------------------------------------------------------------------------

def test_the_signature_covers_time_and_body_and_expires_after_the_replay_window():
    secret, body = "whsec_test", b'{"id":"dlv_1"}'
    header = signing.signature_header(secret, body, timestamp=1_800_000_000)
    assert re.fullmatch(r"t=1800000000,v1=[0-9a-f]{64}", header)
    assert signing.verify(secret, header, body, now=1_800_000_000 + 299)
    assert not signing.verify(secret, header, body, now=1_800_000_000 + 301)  # replayed too late
    assert not signing.verify(secret, header, body + b" ", now=1_800_000_000)  # body changed
    assert not signing.verify("whsec_other", header, body, now=1_800_000_000)
    assert not signing.verify(secret, header.replace("t=1800000000", "t=1800000001"), body, now=1_800_000_000)
    assert not signing.verify(secret, "garbage", body)


def test_the_readme_check_accepts_what_we_sign_and_nothing_else():
    verify = readme_function("verify_talentday_signature")
    body = "{\"name\":\"李明\"}".encode()
    header = signing.signature_header("whsec_x", body)
    assert verify("whsec_x", header, body)
    assert not verify("whsec_y", header, body)
    assert not verify("whsec_x", signing.signature_header("whsec_x", body, timestamp=1_000_000_000), body)
    assert not verify("whsec_x", "t=abc,v1=00", body)


# --- Addresses ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["http://hooks.example.com/", "ftp://hooks.example.com/", "https://", "",
                                 "https://user:pw@hooks.example.com/", "https://hooks.example.com/a b",
                                 "https://10.0.0.8/hook", "https://127.0.0.1/hook", "https://localhost/x",
                                 "https://169.254.169.254/latest", "https://[::1]/x", "https://hooks.example.com:99999/",
                                 "https://" + "a" * 600 + ".com/"])
def test_only_https_to_public_hosts_is_accepted(url):
    with pytest.raises(TargetRefused):
        check_url(url, allow_http=False, allow_private=False, resolve=False)


def test_the_flags_open_loopback_http_for_tests_and_development_only():
    assert check_url("https://hooks.example.com/in?x=1", allow_http=False, allow_private=False, resolve=False)
    assert check_url("http://127.0.0.1:8080/", allow_http=True, allow_private=True)
    with pytest.raises(TargetRefused):  # http only to a loopback host, even with the flag
        check_url("http://hooks.example.com/", allow_http=True, allow_private=True, resolve=False)
    with pytest.raises(TargetRefused):  # a loopback host needs the private flag too
        check_url("http://127.0.0.1:8080/", allow_http=True, allow_private=False)


def test_a_name_that_resolves_to_a_private_address_is_refused():
    with pytest.raises(TargetRefused):
        check_url("https://localhost.localdomain./", allow_http=False, allow_private=False)


# --- Emission: who gets what ------------------------------------------------------------------------------

def test_a_registration_writes_a_delivery_for_each_organizer_endpoint_that_covers_its_event(
        ctx, make_event, make_organizer, make_candidate):
    fair, other = make_event(), make_event()
    organizer = make_organizer()
    everything = endpoint(organizer)
    this_fair = endpoint(organizer, event=fair, types=REGISTRATION_CREATED)
    other_fair = endpoint(organizer, event=other)
    not_subscribed = endpoint(organizer, types=REGISTRATION_CANCELLED)
    person = make_candidate(name="李明")
    registration = register_for_event(fair.id, person).registration
    db.session.commit()

    assert [row.endpoint_id for row in deliveries()] == [everything.id, this_fair.id]
    assert deliveries(other_fair) == deliveries(not_subscribed) == []
    body = body_of(deliveries(everything)[0])
    assert body["type"] == REGISTRATION_CREATED and body["id"].startswith("dlv_")
    assert body["data"]["registration"]["id"] == str(registration.id)
    assert body["data"]["event"]["id"] == str(fair.id)
    assert body["data"]["candidate"] == {"id": str(person.id), "name": "李明", "email": person.email}
    assert body["created_at"].endswith("+00:00")
    assert body["data"]["registration"]["created_at"].endswith("+00:00")
    assert body_of(deliveries(this_fair)[0])["id"] != body["id"]  # one id per delivery


def test_nothing_is_written_when_the_change_is_rolled_back(ctx, make_event, make_organizer, make_candidate):
    fair = make_event()
    endpoint(make_organizer())
    register_for_event(fair.id, make_candidate())
    db.session.rollback()
    assert deliveries() == []


def test_an_organizer_no_longer_an_organizer_hears_nothing(ctx, make_event, make_organizer, make_candidate):
    from eventsapp.accounts.models import Role
    fair, former = make_event(), make_organizer()
    endpoint(former)
    former.role = Role.CANDIDATE
    db.session.commit()
    register_for_event(fair.id, make_candidate())
    db.session.commit()
    assert deliveries() == []


def test_cancellation_and_promotion_are_sent(ctx, make_event, make_organizer, make_candidate):
    fair = make_event(capacity=1)
    hook = endpoint(make_organizer())
    first = register_for_event(fair.id, make_candidate()).registration
    second = register_for_event(fair.id, make_candidate()).registration
    assert second.status == RegistrationStatus.WAITLISTED
    cancel_registration(first, actor=first.user)
    db.session.commit()
    kinds = [(body_of(row)["type"], body_of(row)["data"]["registration"]["id"]) for row in deliveries(hook)]
    assert kinds == [(REGISTRATION_CREATED, str(first.id)), (REGISTRATION_CREATED, str(second.id)),
                     (REGISTRATION_CANCELLED, str(first.id)), (REGISTRATION_PROMOTED, str(second.id))]


def test_employers_hear_only_of_consenting_confirmed_candidates_at_fairs_with_their_active_booth(
        ctx, make_event, make_organization, make_booth, make_candidate):
    fair, elsewhere = make_event(), make_event()
    exhibitor, absent, withdrawn = make_organization(), make_organization(), make_organization()
    make_booth(fair, exhibitor)
    make_booth(elsewhere, absent)
    from eventsapp.booths.models import BoothStatus
    make_booth(fair, withdrawn, status=BoothStatus.WITHDRAWN)
    hooks = {org.id: endpoint(db.session.get(type(org.members[0].user), org.owner_id), organization=org,
                              types=REGISTRATION_CREATED) for org in (exhibitor, absent, withdrawn)}
    shy = make_candidate(name="不公开", show_to_employers=False)
    open_ = make_candidate(name="公开", show_to_employers=True)
    register_for_event(fair.id, shy)
    register_for_event(fair.id, open_)
    db.session.commit()

    assert deliveries(hooks[absent.id]) == deliveries(hooks[withdrawn.id]) == []
    [seen] = deliveries(hooks[exhibitor.id])
    data = body_of(seen)["data"]
    assert data["candidate"] == {"id": str(open_.id), "name": "公开"}  # no e-mail, no profile
    assert "email" not in seen.body and shy.email not in seen.body and "不公开" not in seen.body


def test_a_waitlisted_registration_is_not_shown_to_employers(ctx, make_event, make_organization, make_booth,
                                                               make_candidate):
    fair = make_event(capacity=1)
    organization = make_organization()
    make_booth(fair, organization)
    hook = endpoint(organization.members[0].user, organization=organization, types=REGISTRATION_CREATED)
    register_for_event(fair.id, make_candidate(show_to_employers=False))  # takes the one place
    waiting = register_for_event(fair.id, make_candidate(show_to_employers=True)).registration
    assert waiting.status == RegistrationStatus.WAITLISTED
    db.session.commit()
    assert deliveries(hook) == []


def test_booth_decisions_go_to_the_organizers_and_the_booths_own_organization(
        ctx, make_event, make_organizer, make_organization, make_booth):
    from eventsapp.booths.models import BoothStatus
    fair = make_event()
    applicant, bystander = make_organization(), make_organization()
    make_booth(fair, bystander)
    booth = make_booth(fair, applicant, status=BoothStatus.PENDING)
    organizer_hook = endpoint(make_organizer(), types=BOOTH_APPLICATION_DECIDED)
    applicant_hook = endpoint(applicant.members[0].user, organization=applicant, types=BOOTH_APPLICATION_DECIDED)
    bystander_hook = endpoint(bystander.members[0].user, organization=bystander, types=BOOTH_APPLICATION_DECIDED)
    approve_booth(fair.id, booth.id)
    reject_booth(fair.id, booth.id, "场地调整")
    db.session.commit()
    assert [body_of(row)["data"]["booth"]["status"] for row in deliveries(applicant_hook)] == ["approved", "rejected"]
    assert len(deliveries(organizer_hook)) == 2 and deliveries(bystander_hook) == []
    assert body_of(deliveries(applicant_hook)[1])["data"]["booth"]["reason"] == "场地调整"


def test_a_suspended_organizations_endpoint_hears_of_no_registrant(ctx, make_event, make_organization, make_booth,
                                                                    make_candidate):
    fair = make_event()
    organization = make_organization(status=OrganizationStatus.SUSPENDED)
    make_booth(fair, organization)
    hook = endpoint(organization.members[0].user, organization=organization, types=REGISTRATION_CREATED)
    register_for_event(fair.id, make_candidate(show_to_employers=True))
    db.session.commit()
    assert deliveries(hook) == []


# --- The worker -------------------------------------------------------------------------------------------

def test_the_worker_signs_each_delivery_as_the_readme_checks_it(ctx, make_event, make_organizer, make_candidate,
                                                                receiver):
    verify = readme_function("verify_talentday_signature")
    fair = make_event()
    hook = endpoint(make_organizer(), url=receiver.url)
    for _ in range(3):
        register_for_event(fair.id, make_candidate())
    db.session.commit()

    report = delivery.deliver_due()
    assert (report.sent, report.failed) == (3, 0)
    assert len(receiver.received) == 3
    for received in receiver.received:
        assert received.path == "/hooks"
        assert received.headers["Content-Type"].startswith("application/json")
        assert verify(hook.secret, received.headers["X-Talentday-Signature"], received.body)
        assert not verify("whsec_wrong", received.headers["X-Talentday-Signature"], received.body)
        message = json.loads(received.body)
        assert received.headers["X-Talentday-Delivery"] == message["id"]
        assert received.headers["X-Talentday-Event"] == message["type"] == REGISTRATION_CREATED
    db.session.expire_all()
    rows = deliveries(hook)
    assert {row.status for row in rows} == {DeliveryStatus.SUCCEEDED}
    assert all(row.last_status_code == 204 and row.attempts == 1 and row.delivered_at for row in rows)
    assert delivery.deliver_due().sent == 0  # nothing twice


def test_a_failed_attempt_is_retried_with_doubling_pauses_then_given_up(app, ctx, make_organizer, receiver,
                                                                          monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_MAX_ATTEMPTS", 3)
    monkeypatch.setitem(app.config, "WEBHOOK_DISABLE_AFTER", 100)
    receiver.status = lambda received: 503
    hook = endpoint(make_organizer(), url=receiver.url)
    emit.queue_ping(hook)
    row = deliveries(hook)[0]
    row.event_type = REGISTRATION_CREATED  # an ordinary delivery: a ping is tried once
    db.session.commit()

    now = utcnow()
    delivery.deliver_due(now=now)
    db.session.refresh(row)
    assert (row.status, row.attempts, row.last_status_code) == (DeliveryStatus.PENDING, 1, 503)
    assert row.next_attempt_at == now + timedelta(seconds=30) and row.locked_until is None
    assert delivery.deliver_due(now=now + timedelta(seconds=29)).failed == 0  # not due yet
    delivery.deliver_due(now=now + timedelta(seconds=30))
    db.session.refresh(row)
    assert row.attempts == 2 and row.next_attempt_at == now + timedelta(seconds=30 + 60)
    delivery.deliver_due(now=now + timedelta(seconds=90))
    db.session.refresh(row)
    assert (row.status, row.attempts) == (DeliveryStatus.FAILED, 3)
    assert len(receiver.received) == 3


def test_back_off_doubles_up_to_the_longest_pause():
    assert [delivery.retry_delay(n, 30, 3600).total_seconds() for n in (1, 2, 3, 7, 8, 20)] == [
        30, 60, 120, 1920, 3600, 3600]


def test_an_unreachable_or_slow_receiver_fails_without_stopping_the_others(app, ctx, make_organizer, receiver,
                                                                             monkeypatch):
    import socket
    monkeypatch.setitem(app.config, "WEBHOOK_TIMEOUT_SECONDS", 0.5)
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    owner = make_organizer()
    dead = endpoint(owner, url=f"http://127.0.0.1:{port}/")
    alive = endpoint(owner, url=receiver.url)
    emit.queue_ping(dead)
    emit.queue_ping(alive)
    db.session.commit()
    report = delivery.deliver_due()
    assert (report.sent, report.failed) == (1, 1)
    db.session.expire_all()
    [failed] = deliveries(dead)
    assert failed.status == DeliveryStatus.FAILED and failed.last_error == "connect_failed"
    assert failed.last_status_code is None


def test_an_endpoint_that_keeps_failing_is_disabled_its_maker_told_and_switched_on_again(
        app, ctx, make_event, make_organizer, make_candidate, receiver, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_DISABLE_AFTER", 3)
    receiver.status = lambda received: 500
    fair, owner = make_event(), make_organizer(email="owner@example.org")
    hook = endpoint(owner, url=receiver.url)
    for _ in range(3):
        register_for_event(fair.id, make_candidate())
    db.session.commit()

    report = delivery.deliver_due()
    assert (report.failed, report.disabled) == (3, 1)
    db.session.refresh(hook)
    assert hook.disabled_at is not None and hook.consecutive_failures == 3
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "webhook_disabled"))
    assert mail.to_email == "owner@example.org" and hook.shown_as in mail.body_text
    assert f"/webhooks/{hook.id}" in mail.body_text

    # Disabled: new changes still write deliveries, but none leaves (a ping does: it tests a repair).
    register_for_event(fair.id, make_candidate())
    db.session.commit()
    later = utcnow() + timedelta(hours=1)
    assert delivery.deliver_due(now=later).failed == 0
    assert len(receiver.received) == 3
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.kind == "webhook_disabled")) == 1

    receiver.status = lambda received: 200
    services.reenable(hook)
    db.session.commit()
    report = delivery.deliver_due(now=later)
    assert report.sent == 4 and hook.consecutive_failures == 0
    assert {row.status for row in deliveries(hook)} == {DeliveryStatus.SUCCEEDED}


def test_a_success_resets_the_count_of_failures_in_a_row(app, ctx, make_organizer, receiver, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_DISABLE_AFTER", 2)
    answers = iter([500, 200, 500])
    receiver.status = lambda received: next(answers)
    hook = endpoint(make_organizer(), url=receiver.url)
    for _ in range(3):
        emit.queue_ping(hook)
    for row in deliveries(hook):
        row.event_type = REGISTRATION_CREATED
    db.session.commit()
    delivery.deliver_due(limit=1)
    delivery.deliver_due(limit=1)
    delivery.deliver_due(limit=1)
    db.session.refresh(hook)
    assert hook.disabled_at is None and hook.consecutive_failures == 1


def test_redelivery_sends_the_same_data_under_a_new_id(ctx, make_event, make_organizer, make_candidate, receiver):
    verify = readme_function("verify_talentday_signature")
    fair = make_event()
    hook = endpoint(make_organizer(), url=receiver.url)
    register_for_event(fair.id, make_candidate())
    db.session.commit()
    delivery.deliver_due()
    [first] = deliveries(hook)
    again = delivery.redeliver(first)
    db.session.commit()
    delivery.deliver_due()
    assert len(receiver.received) == 2
    original, repeated = (json.loads(received.body) for received in receiver.received)
    assert repeated["id"] != original["id"] and repeated["redelivery_of"] == original["id"]
    assert repeated["data"] == original["data"] and repeated["type"] == original["type"]
    assert verify(hook.secret, receiver.received[1].headers["X-Talentday-Signature"], receiver.received[1].body)
    db.session.refresh(again)
    assert again.status == DeliveryStatus.SUCCEEDED


def test_a_claimed_delivery_is_not_claimed_again_until_its_lease_ends(ctx, make_organizer):
    hook = endpoint(make_organizer())
    for _ in range(5):
        emit.queue_ping(hook)
    db.session.commit()
    now = utcnow()
    first = delivery.claim(3, now)
    second = delivery.claim(10, now)
    assert len(first) == 3 and len(second) == 2
    assert not {item.delivery_id for item in first} & {item.delivery_id for item in second}
    assert delivery.claim(10, now) == []
    assert len(delivery.claim(10, now + delivery.LEASE)) == 5  # a worker that died frees them


def test_a_delivery_to_a_private_address_is_refused_when_the_flag_is_off(app, ctx, make_organizer, receiver,
                                                                           monkeypatch):
    hook = endpoint(make_organizer(), url=receiver.url)
    emit.queue_ping(hook)
    db.session.commit()
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", False)
    assert delivery.deliver_due().failed == 1
    assert receiver.received == []
    assert deliveries(hook)[0].last_error == "private_address"


def test_the_scheduler_runs_the_delivery(app, ctx, make_organizer, receiver):
    from eventsapp.scheduler.services import run_due_jobs
    hook = endpoint(make_organizer(), url=receiver.url)
    emit.queue_ping(hook)
    db.session.commit()
    assert "webhooks" in run_due_jobs(app)
    assert len(receiver.received) == 1


def test_the_command_delivers(app, ctx, runner, make_organizer, receiver):
    hook = endpoint(make_organizer(), url=receiver.url)
    emit.queue_ping(hook)
    db.session.commit()
    result = runner.invoke(args=["webhooks", "deliver"])
    assert result.exit_code == 0 and "1 delivered" in result.output
    assert len(receiver.received) == 1


def test_a_published_schedule_tells_organizers_its_size_and_each_booth_only_its_own(
        app, ctx, make_event, make_organization, make_booth, make_candidate, make_staff, make_organizer):
    from eventsapp.matchmaking import runs
    from tests.factories import MatchingFair
    fair = MatchingFair(app, make_event, make_organization, make_booth, make_candidate, make_staff, quota=2)
    robotics = fair.booth(interviewers=2)
    finance = fair.booth(interviewers=2)
    fair.candidate(robotics, finance, name="安安")
    fair.candidate(robotics, name="贝贝")
    organizer_hook = endpoint(make_organizer(), types="matching_run.published")
    robotics_org = robotics.organization_ref
    robotics_hook = endpoint(robotics_org.members[0].user, organization=robotics_org, types="matching_run.published")
    run = runs.run_matching(fair.event.id, None, seed=1)
    runs.publish_run(fair.event.id, run.id, before_deadline_confirmed=True)
    db.session.commit()
    [organizer_row] = deliveries(organizer_hook)
    assert body_of(organizer_row)["data"]["run"]["interviews"] == 3
    [robotics_row] = deliveries(robotics_hook)
    booths = body_of(robotics_row)["data"]["booths"]
    assert booths == [{"id": str(robotics.id), "code": robotics.code, "interviews": 2}]
    assert "安安" not in robotics_row.body and "贝贝" not in robotics_row.body


def test_a_check_in_is_sent_to_organizers_and_consenting_candidates_to_exhibitors(
        ctx, make_event, make_user, make_candidate, make_organizer, make_organization, make_booth):
    from eventsapp.accounts.models import Role
    from eventsapp.badges import services as badges
    from eventsapp.badges.models import BadgeRole, EventCrew
    from eventsapp.checkin import services as checkin
    from eventsapp.notifications.services import deliver_due_messages
    event = make_event(starts_at=utcnow() - timedelta(hours=1))
    volunteer = make_user(Role.CANDIDATE)
    db.session.add(EventCrew(event_id=event.id, user_id=volunteer.id, role=BadgeRole.VOLUNTEER))
    organization = make_organization()
    make_booth(event, organization)
    db.session.commit()
    organizer_hook = endpoint(make_organizer(), types=CHECKIN_RECORDED)
    employer_hook = endpoint(organization.members[0].user, organization=organization, types=CHECKIN_RECORDED)
    shy, open_ = make_candidate(name="不公开"), make_candidate(name="公开", show_to_employers=True)
    for person in (shy, open_):
        register_for_event(event.id, person)
        db.session.commit()
        deliver_due_messages()
        checkin.check_in(event, token=badges.token_of(badges.badge_of(event.id, person.id)), actor=volunteer,
                         gate="北门")
    db.session.commit()
    names = [body_of(row)["data"]["person"]["name"] for row in deliveries(organizer_hook)]
    assert names == ["不公开", "公开"]
    [seen] = deliveries(employer_hook)
    assert body_of(seen)["data"]["candidate"] == {"id": str(open_.id), "name": "公开"}


def test_someone_deleting_their_account_is_announced_by_id_only(ctx, make_event, make_organizer, make_candidate,
                                                                make_organization, make_booth):
    from eventsapp.candidates.erasure import erase_account
    fair = make_event()
    organization = make_organization()
    make_booth(fair, organization)
    organizer_hook = endpoint(make_organizer(), types=REGISTRATION_CANCELLED)
    employer_hook = endpoint(organization.members[0].user, organization=organization, types=REGISTRATION_CANCELLED)
    person = make_candidate(name="将删除", show_to_employers=True)
    register_for_event(fair.id, person)
    db.session.commit()
    erase_account(person)
    db.session.commit()
    [row] = deliveries(organizer_hook)
    assert body_of(row)["data"]["candidate"] == {"id": str(person.id)}
    assert deliveries(employer_hook) == []


@pytest.mark.parametrize("flag", ["WEBHOOK_ALLOW_HTTP", "WEBHOOK_ALLOW_PRIVATE"])
def test_production_refuses_the_development_flags(flag):
    from eventsapp.config import ConfigurationError, check_production_settings
    production = PRODUCTION_SETTINGS
    check_production_settings(production)
    with pytest.raises(ConfigurationError, match=flag):
        check_production_settings({**production, flag: True})


def _while_waiting_for_the_lock(monkeypatch, change):
    """Run ``change`` after the registration has looked up its endpoints, before it takes the event's lock."""
    looked_up = emit.registration_endpoints

    def then_change(*args):
        found = looked_up(*args)
        change()
        db.session.flush()
        return found
    monkeypatch.setattr(emit, "registration_endpoints", then_change)


def test_an_endpoint_deleted_while_a_registration_waits_for_the_lock_is_skipped(
        ctx, monkeypatch, make_event, make_organizer, make_candidate):
    fair = make_event()
    staying = endpoint(make_organizer(), types=REGISTRATION_CREATED)
    going = endpoint(make_organizer(), types=REGISTRATION_CREATED)
    going_id = going.id
    _while_waiting_for_the_lock(monkeypatch, lambda: db.session.delete(going))
    result = register_for_event(fair.id, make_candidate())
    db.session.commit()
    assert result.created
    assert len(deliveries(staying)) == 1
    assert db.session.scalar(select(func.count()).select_from(WebhookDelivery)
                             .where(WebhookDelivery.endpoint_id == going_id)) == 0


def test_a_booth_withdrawn_while_a_registration_waits_for_the_lock_hears_nothing_of_it(
        ctx, monkeypatch, make_event, make_organizer, make_organization, make_booth, make_candidate):
    from eventsapp.booths.models import BoothStatus
    fair = make_event()
    organization = make_organization()
    booth = make_booth(fair, organization)
    employer_hook = endpoint(organization.members[0].user, organization=organization, types=REGISTRATION_CREATED)
    organizer_hook = endpoint(make_organizer(), types=REGISTRATION_CREATED)

    def withdraw():
        booth.status = BoothStatus.WITHDRAWN
    _while_waiting_for_the_lock(monkeypatch, withdraw)
    register_for_event(fair.id, make_candidate(show_to_employers=True))
    db.session.commit()
    assert deliveries(employer_hook) == [] and len(deliveries(organizer_hook)) == 1
