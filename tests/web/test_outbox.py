"""The organizers' outbox page: who may see it, what it shows, and sending a failed message again."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from eventsapp.accounts.models import Role
from eventsapp.extensions import db
from eventsapp.notifications.models import OutboxMessage, OutboxStatus

EN = {"Accept-Language": "en"}


@pytest.fixture
def make_message(app):
    counter = iter(range(1, 10_000))

    def make(status: OutboxStatus = OutboxStatus.PENDING, **overrides) -> int:
        number = next(counter)
        now = datetime.now(UTC)
        values = dict(kind="registration_confirmed", to_email=f"person{number}@example.org",
                      subject=f"Your place at Job fair {number} is confirmed", body_text="secret link inside",
                      body_html="", locale="en", status=status, attempts=0, next_attempt_at=now, last_error="",
                      created_at=now - timedelta(minutes=number))
        values.update(overrides)
        with app.app_context():
            message = OutboxMessage(**values)
            db.session.add(message)
            db.session.commit()
            return message.id
    return make


def load(app, message_id: int) -> OutboxMessage:
    with app.app_context():
        message = db.session.get(OutboxMessage, message_id)
        db.session.expunge(message)
        return message


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get("/manage/outbox/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_candidates_may_not_see_the_outbox(client, make_user, login):
    login(make_user(Role.CANDIDATE))
    assert client.get("/manage/outbox/").status_code == 403
    assert client.post("/manage/outbox/1/retry").status_code == 403


def test_organizers_see_counts_by_status_and_the_messages(client, organizer, make_message):
    make_message(OutboxStatus.SENT, sent_at=datetime.now(UTC))
    make_message(OutboxStatus.FAILED, attempts=8, last_error="SMTPRecipientsRefused: 550 No such mailbox")
    make_message(OutboxStatus.PENDING)
    response = client.get("/manage/outbox/", headers=EN)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "E-mail outbox" in page and "No SMTP server is configured" in page
    for status, count in (("pending", 1), ("sent", 1), ("logged", 0), ("failed", 1)):
        section = page.split(f'data-testid="count-{status}"')[1][:200]
        assert f">{count}</div>" in section
    assert "person1@example.org" in page and "Registration confirmed" in page
    assert "550 No such mailbox" in page and "Send again" in page
    assert "secret link inside" not in page  # bodies may hold password-reset links: never shown


def test_the_list_filters_by_status(client, organizer, make_message):
    make_message(OutboxStatus.SENT, to_email="sent@example.org")
    make_message(OutboxStatus.FAILED, to_email="failed@example.org", last_error="timed out")
    page = client.get("/manage/outbox/?status=failed", headers=EN).get_data(as_text=True)
    assert "failed@example.org" in page and "sent@example.org" not in page
    everything = client.get("/manage/outbox/?status=nonsense", headers=EN).get_data(as_text=True)
    assert "failed@example.org" in everything and "sent@example.org" in everything


def test_the_list_is_paginated(client, organizer, make_message):
    for _ in range(30):
        make_message(OutboxStatus.LOGGED)
    first = client.get("/manage/outbox/", headers=EN).get_data(as_text=True)
    second = client.get("/manage/outbox/?page=2", headers=EN).get_data(as_text=True)
    assert "person1@example.org" in first and "person26@example.org" not in first
    assert "person26@example.org" in second and "person1@example.org" not in second
    assert client.get("/manage/outbox/?page=99").status_code == 200


def test_an_organizer_sends_a_failed_message_again(app, client, organizer, make_message):
    message_id = make_message(OutboxStatus.FAILED, attempts=8, last_error="Connection refused")
    response = client.post(f"/manage/outbox/{message_id}/retry?status=failed", headers=EN)
    assert response.status_code == 302 and response.headers["Location"] == "/manage/outbox/?status=failed"
    assert "back in the queue" in client.get("/manage/outbox/", headers=EN).get_data(as_text=True)
    message = load(app, message_id)
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 0)


def test_a_message_that_did_not_fail_is_not_sent_again(app, client, organizer, make_message):
    message_id = make_message(OutboxStatus.SENT, sent_at=datetime.now(UTC))
    client.post(f"/manage/outbox/{message_id}/retry", headers=EN)
    assert "Only failed messages" in client.get("/manage/outbox/", headers=EN).get_data(as_text=True)
    assert load(app, message_id).status == OutboxStatus.SENT
    assert client.post("/manage/outbox/999999/retry").status_code == 404
    assert client.get(f"/manage/outbox/{message_id}/retry").status_code == 405


def test_the_retry_button_carries_a_csrf_token(app, client, organizer, make_message, monkeypatch):
    message_id = make_message(OutboxStatus.FAILED, attempts=8)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    page = client.get("/manage/outbox/").get_data(as_text=True)
    assert f'action="/manage/outbox/{message_id}/retry"' in page and 'name="csrf_token"' in page
    assert client.post(f"/manage/outbox/{message_id}/retry").status_code == 400
    with app.app_context():
        assert db.session.scalar(select(OutboxMessage.status)) == OutboxStatus.FAILED
