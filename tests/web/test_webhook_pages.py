"""The webhook pages as organizers and employers use them: making an endpoint (the secret once), the list,
the delivery log, a test ping, redelivery, switching a disabled endpoint on, and who may see what."""
from __future__ import annotations

import socket
import threading
import time

import pytest
from sqlalchemy import func, select

from eventsapp.accounts.models import Role, User
from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.webhooks import delivery as worker
from eventsapp.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from tests.webhook_receiver import start_receiver

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def receiver():
    server = start_receiver()
    yield server
    server.close()


def create(client, url, types=("registration.created",), event_id="", headers=EN, **extra):
    return client.post("/webhooks/new", data={"url": url, "description": "HR", "event_types": list(types),
                                              "event_id": event_id, **extra}, headers=headers)


def only_endpoint(app) -> WebhookEndpoint:
    with app.app_context():
        row = db.session.scalar(select(WebhookEndpoint))
        db.session.expunge(row)
        return row


def secret_of(app, hook: WebhookEndpoint) -> str:
    with app.app_context():
        return hook.secret  # decrypted with the app's key


def test_an_organizer_makes_an_endpoint_sees_its_secret_once_and_finds_it_in_the_list(app, client, organizer,
                                                                                      make_event):
    event = make_event()
    page = text(client.get("/manage/", headers=EN))
    assert 'href="/webhooks/"' in page  # the Manage bar and the menu lead here
    form = text(client.get(f"/webhooks/new?event_id={event.id}", headers=EN))
    assert "All events" in form and f'<option selected value="{event.id}">' in form
    response = create(client, "https://hooks.example.com/in", event_id=str(event.id),
                      types=("registration.created", "checkin.recorded"))
    assert response.status_code == 201 and "no-store" in response.headers["Cache-Control"]
    hook = only_endpoint(app)
    secret = secret_of(app, hook)
    assert secret in text(response) and secret.startswith("whsec_")
    assert secret not in hook.secret_sealed  # stored encrypted
    assert hook.event_id == event.id and hook.types == ["registration.created", "checkin.recorded"]
    assert hook.created_by_id == organizer.id and hook.organization_id is None

    listing = text(client.get("/webhooks/", headers=EN))
    assert "https://hooks.example.com/in" in listing
    detail = text(client.get(f"/webhooks/{hook.id}", headers=EN))
    assert secret not in detail and secret[-4:] in detail  # shown once only
    tab = client.get(f"/webhooks/events/{event.id}", headers=EN)
    assert tab.status_code == 200 and "https://hooks.example.com/in" in text(tab)
    assert 'data-testid="tab-webhooks"' in text(tab)


@pytest.mark.parametrize(("url", "message"), [
    ("http://hooks.example.com/in", "must start with https://"),
    ("not a url", "may not contain spaces"),
    ("https://" + "a" * 500 + ".com", "At most 500 characters"),
    ("", "Give the address"),
])
def test_a_bad_address_is_shown_next_to_the_field(client, organizer, url, message):
    response = create(client, url)
    assert response.status_code == 422 and message in text(response)
    assert 'is-invalid' in text(response)


def test_no_event_type_or_an_unknown_one_is_refused(app, client, organizer):
    assert create(client, "https://hooks.example.com/", types=()).status_code == 422
    assert create(client, "https://hooks.example.com/", types=("user.deleted",)).status_code == 422
    assert create(client, "https://hooks.example.com/", event_id="99999999999999999999").status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(WebhookEndpoint)) == 0


def test_private_addresses_are_refused_unless_allowed(app, client, organizer, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", False)
    response = create(client, "https://10.1.2.3/hook")
    assert response.status_code == 422 and "private or local networks" in text(response)


def test_a_name_server_that_does_not_answer_is_given_up_and_said_so_next_to_the_field(app, client, organizer,
                                                                                      monkeypatch):
    """Saving an endpoint resolves its host: a name server that never answers holds the request no longer than
    WEBHOOK_TIMEOUT_SECONDS (as a delivery's lookup), and the form says what happened."""
    released = threading.Event()

    def getaddrinfo(*args, **kwargs):
        released.wait(10)
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", False)
    monkeypatch.setitem(app.config, "WEBHOOK_TIMEOUT_SECONDS", 0.5)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    started = time.perf_counter()
    response = create(client, "https://slow-dns.example.com/in")
    took = time.perf_counter() - started
    released.set()
    assert took < 3
    page = text(response)
    assert response.status_code == 422 and "did not answer within 0.5 seconds" in page and "is-invalid" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(WebhookEndpoint)) == 0


def test_edit_ping_log_redeliver_and_delete(app, client, organizer, receiver):
    assert create(client, receiver.url).status_code == 201
    hook = only_endpoint(app)
    response = client.post(f"/webhooks/{hook.id}/edit", data={
        "url": receiver.url + "?v=2", "description": "新 HR", "event_types": ["booth_application.decided"],
        "event_id": ""}, headers=EN)
    assert response.status_code == 302
    assert only_endpoint(app).types == ["booth_application.decided"]

    assert client.post(f"/webhooks/{hook.id}/ping", headers=EN).status_code == 302
    assert receiver.received == []  # the page only queues it: the worker sends
    with app.app_context():
        worker.deliver_due()
    assert len(receiver.received) == 1 and receiver.received[0].path == "/hooks?v=2"
    log = text(client.get(f"/webhooks/{hook.id}", headers=EN))
    assert "HTTP 204" in log and "Delivered" in log and "ping" in log
    with app.app_context():
        delivery_id = db.session.scalar(select(WebhookDelivery.id))
    assert client.post(f"/webhooks/{hook.id}/deliveries/{delivery_id}/redeliver").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(WebhookDelivery)) == 2
    assert client.post(f"/webhooks/{hook.id}/deliveries/99999999999999999999/redeliver").status_code == 404

    assert client.post(f"/webhooks/{hook.id}/delete", headers=EN).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(WebhookDelivery)) == 0
        assert db.session.scalar(select(func.count()).select_from(WebhookEndpoint)) == 0


def test_replacing_the_secret_shows_the_new_one_once(app, client, organizer):
    create(client, "https://hooks.example.com/")
    old = only_endpoint(app)
    response = client.post(f"/webhooks/{old.id}/secret", headers=EN)
    new = only_endpoint(app)
    assert response.status_code == 200 and secret_of(app, new) != secret_of(app, old)
    assert secret_of(app, new) in text(response)


def test_a_disabled_endpoint_says_so_and_can_be_switched_on_again(app, client, organizer):
    create(client, "https://hooks.example.com/")
    hook = only_endpoint(app)
    with app.app_context():
        row = db.session.get(WebhookEndpoint, hook.id)
        row.disabled_at, row.consecutive_failures = utcnow(), 15
        db.session.commit()
    page = text(client.get(f"/webhooks/{hook.id}", headers=EN))
    assert 'data-testid="disabled"' in page and "15 failed attempts" in page
    assert "Disabled" in text(client.get("/webhooks/", headers=EN))
    client.post(f"/webhooks/{hook.id}/enable")
    again = only_endpoint(app)
    assert again.disabled_at is None and again.consecutive_failures == 0


def test_an_endpoint_stopped_for_an_unreadable_secret_says_so_and_a_new_secret_switches_it_on(app, client,
                                                                                              organizer):
    from eventsapp.webhooks import problems
    create(client, "https://hooks.example.com/")
    hook = only_endpoint(app)
    with app.app_context():
        row = db.session.get(WebhookEndpoint, hook.id)
        row.disabled_at, row.disabled_reason = utcnow(), problems.SECRET_UNREADABLE
        db.session.commit()
    page = text(client.get(f"/webhooks/{hook.id}", headers=EN))
    assert "its secret cannot be read" in page and "failed attempts" not in page
    assert "密钥" in text(client.get(f"/webhooks/{hook.id}", headers=ZH))
    client.post(f"/webhooks/{hook.id}/secret", headers=EN)
    assert only_endpoint(app).disabled_at is None


def test_an_employer_manages_the_organizations_endpoints_with_its_staff(app, client, login, make_organization,
                                                                        make_staff):
    organization = make_organization()
    colleague = make_staff(organization)
    with app.app_context():
        owner = db.session.get(type(colleague), organization.owner_id)
    login(owner)
    assert 'href="/webhooks/"' in text(client.get("/employer/organization", headers=EN))
    form = text(client.get("/webhooks/new", headers=EN))
    assert "contest_results.published" not in form and 'name="event_id"' not in form
    assert create(client, "https://hr.example.com/").status_code == 201
    assert create(client, "https://hr.example.com/", types=("contest_results.published",)).status_code == 422
    hook = only_endpoint(app)
    assert hook.organization_id == organization.id
    client.post("/logout")
    login(colleague)
    assert client.get(f"/webhooks/{hook.id}").status_code == 200  # the same organization


def test_nobody_else_sees_or_changes_an_endpoint(app, client, login, organizer, make_organizer, make_organization,
                                                 make_user):
    create(client, "https://hooks.example.com/")
    hook = only_endpoint(app)
    client.post("/logout")
    pages = [("get", f"/webhooks/{hook.id}"), ("get", f"/webhooks/{hook.id}/edit"),
             ("post", f"/webhooks/{hook.id}/edit"), ("post", f"/webhooks/{hook.id}/delete"),
             ("post", f"/webhooks/{hook.id}/ping"), ("post", f"/webhooks/{hook.id}/enable"),
             ("post", f"/webhooks/{hook.id}/secret")]

    login(make_organizer(email="other@example.org"))
    assert "https://hooks.example.com/" not in text(client.get("/webhooks/"))
    for method, path in pages:
        assert getattr(client, method)(path).status_code == 404, path
    client.post("/logout")

    organization = make_organization()
    with app.app_context():
        employer = db.session.get(type(organizer), organization.owner_id)
    login(employer)
    for method, path in pages:
        assert getattr(client, method)(path).status_code == 404, path
    client.post("/logout")

    login(make_user(Role.CANDIDATE))
    assert client.get("/webhooks/").status_code == 403
    assert client.get(f"/webhooks/{hook.id}").status_code == 403
    client.post("/logout")
    assert client.get("/webhooks/").status_code in (302, 401)
    with app.app_context():
        assert db.session.get(WebhookEndpoint, hook.id).url == "https://hooks.example.com/"


def test_huge_ids_are_not_found(client, organizer):
    assert client.get("/webhooks/99999999999999999999999").status_code == 404
    assert client.post("/webhooks/99999999999999999999999/ping").status_code == 404
    assert client.get("/webhooks/events/99999999999999999999").status_code == 404


def test_a_post_without_its_csrf_token_is_refused(app, client, organizer, monkeypatch):
    create(client, "https://hooks.example.com/")
    hook = only_endpoint(app)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    page = text(client.get(f"/webhooks/{hook.id}"))
    assert 'name="csrf_token"' in page
    assert client.post(f"/webhooks/{hook.id}/delete").status_code == 400
    assert client.post("/webhooks/new", data={"url": "https://x.example.com/",
                                              "event_types": ["registration.created"]}).status_code in (400, 422)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(WebhookEndpoint)) == 1


def test_the_pages_speak_chinese(app, client, organizer):
    create(client, "https://hooks.example.com/")
    hook = only_endpoint(app)
    page = text(client.get(f"/webhooks/{hook.id}", headers=ZH))
    assert "发送测试" in page and "推送记录" in page
    assert "新建" in text(client.get("/webhooks/", headers=ZH))


def test_the_delivery_log_shows_failures_with_the_answer(app, client, organizer, receiver):
    receiver.status = lambda received: 500
    create(client, receiver.url)
    hook = only_endpoint(app)
    client.post(f"/webhooks/{hook.id}/ping")
    with app.app_context():
        worker.deliver_due()
        assert db.session.scalar(select(WebhookDelivery.status)) == DeliveryStatus.FAILED
    page = text(client.get(f"/webhooks/{hook.id}", headers=EN))
    assert "HTTP 500" in page and "Failed" in page and "answered with an error status" in page


# --- The review's findings (issue 16) on the pages ----------------------------------------------------------

@pytest.mark.parametrize("status", ["suspended", "rejected", "pending"])
def test_staff_of_an_organization_not_in_good_standing_cannot_reach_its_endpoints(app, client, login,
                                                                                  make_organization, status):
    from eventsapp.organizations.models import Organization, OrganizationStatus
    organization = make_organization()
    with app.app_context():
        owner = db.session.get(User, organization.owner_id)
    login(owner)
    assert create(client, "https://hr.example.com/").status_code == 201
    hook = only_endpoint(app)
    with app.app_context():
        db.session.get(Organization, organization.id).status = OrganizationStatus(status)
        db.session.commit()
    assert 'data-testid="webhooks-link"' not in text(client.get("/employer/organization", headers=EN))
    for method, path in [("get", "/webhooks/"), ("get", f"/webhooks/{hook.id}"), ("get", f"/webhooks/{hook.id}/edit"),
                         ("post", f"/webhooks/{hook.id}/enable"), ("post", f"/webhooks/{hook.id}/ping"),
                         ("post", f"/webhooks/{hook.id}/deliveries/1/redeliver"), ("get", "/webhooks/new")]:
        assert getattr(client, method)(path).status_code in (403, 404), path


def test_the_organization_page_links_the_webhooks_when_verified(app, client, login, make_organization):
    organization = make_organization()
    with app.app_context():
        owner = db.session.get(User, organization.owner_id)
    login(owner)
    assert 'data-testid="webhooks-link"' in text(client.get("/employer/organization", headers=EN))


def test_a_reinstated_organizations_endpoint_is_on_again_and_its_owner_told(app, client, login, make_organization):
    from eventsapp.notifications.models import OutboxMessage
    from eventsapp.organizations.models import Organization
    from eventsapp.organizations.services import reinstate_organization, suspend_organization
    organization = make_organization()
    with app.app_context():
        owner = db.session.get(User, organization.owner_id)
    login(owner)
    create(client, "https://hr.example.com/")
    hook = only_endpoint(app)
    with app.app_context():
        suspend_organization(db.session.get(Organization, organization.id), "资质存疑")
        db.session.commit()
        assert not db.session.get(WebhookEndpoint, hook.id).is_enabled
        reinstate_organization(db.session.get(Organization, organization.id))
        db.session.commit()
        mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "organization_reinstated"))
        assert "hr.example.com/" in mail.body_text and "hr.example.com/" in mail.body_html
    assert only_endpoint(app).is_enabled
    page = text(client.get(f"/webhooks/{hook.id}", headers=EN))
    assert "Stopped because your organization was suspended." not in page


def test_an_erased_delivery_is_not_redelivered_and_the_page_says_why(app, client, organizer):
    create(client, "https://hooks.example.com/")
    hook = only_endpoint(app)
    client.post(f"/webhooks/{hook.id}/ping")
    with app.app_context():
        row = db.session.scalar(select(WebhookDelivery))
        row.body, row.erased_at, row.status = "", utcnow(), DeliveryStatus.SUCCEEDED
        db.session.commit()
        delivery_id = row.id
    page = text(client.get(f"/webhooks/{hook.id}", headers=EN))
    assert 'data-testid="erased"' in page and f"/deliveries/{delivery_id}/redeliver" not in page
    response = client.post(f"/webhooks/{hook.id}/deliveries/{delivery_id}/redeliver", headers=ZH,
                           follow_redirects=True)
    assert "已被删除" in text(response)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(WebhookDelivery)) == 1


def test_a_failure_is_shown_as_a_translated_message_not_the_error_text(app, client, organizer):
    create(client, "https://hooks.example.com/")
    hook = only_endpoint(app)
    client.post(f"/webhooks/{hook.id}/ping")
    with app.app_context():
        row = db.session.scalar(select(WebhookDelivery))
        row.status, row.attempts, row.last_error = DeliveryStatus.FAILED, 1, "timeout"
        db.session.add(WebhookDelivery(endpoint_id=hook.id, uid="dlv_old", event_type="ping", body="{}",
                                       status=DeliveryStatus.FAILED, attempts=1, next_attempt_at=utcnow(),
                                       last_error="ConnectionRefusedError: [Errno 111] 10.1.2.3", created_at=utcnow()))
        db.session.commit()
    page = text(client.get(f"/webhooks/{hook.id}", headers=EN))
    assert "did not answer in time" in page and "The attempt failed." in page
    assert "Errno" not in page and "10.1.2.3" not in page
    assert "超时" in text(client.get(f"/webhooks/{hook.id}", headers=ZH)) or "未及时" in text(
        client.get(f"/webhooks/{hook.id}", headers=ZH))


def test_an_exhibitor_sees_why_a_registration_was_not_sent_after_its_booth_went_and_cannot_redeliver_it(
        app, client, login, make_event, make_organization, make_booth, make_candidate, receiver):
    from eventsapp.booths.models import Booth
    from eventsapp.booths.services import withdraw_booth
    from eventsapp.registrations.services import register_for_event
    fair, organization = make_event(), make_organization()
    booth = make_booth(fair, organization)
    with app.app_context():
        login(db.session.get(User, organization.owner_id))
    create(client, receiver.url)
    hook = only_endpoint(app)
    with app.app_context():
        register_for_event(fair.id, make_candidate(show_to_employers=True))
        db.session.commit()
        withdraw_booth(db.session.get(Booth, booth.id))  # after the registration, before the worker sends
        db.session.commit()
        worker.deliver_due()
        delivery_id = db.session.scalar(select(WebhookDelivery.id))
    assert receiver.received == []
    page = text(client.get(f"/webhooks/{hook.id}", headers=EN))
    assert "Not sent: your organization no longer holds an active booth at this event." in page
    response = client.post(f"/webhooks/{hook.id}/deliveries/{delivery_id}/redeliver", headers=ZH,
                           follow_redirects=True)
    assert "已没有有效的展位" in text(response)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(WebhookDelivery)) == 1
