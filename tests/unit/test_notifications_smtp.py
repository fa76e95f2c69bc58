"""Delivery to a real SMTP server (aiosmtpd) on the loopback interface: what arrives is what was written."""
from __future__ import annotations

import email
import socket
import threading
from datetime import UTC, datetime, timedelta
from email import policy

import pytest
from aiosmtpd.controller import Controller

from eventsapp.extensions import db
from eventsapp.notifications import services
from eventsapp.notifications.models import OutboxStatus
from eventsapp.registrations.models import Registration, RegistrationStatus
from tests.conftest import local

NOW = datetime(2027, 9, 1, 8, 0, tzinfo=UTC)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps what it receives, or refuses every recipient."""

    def __init__(self):
        self.envelopes = []
        self.refuse = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self) -> list[email.message.EmailMessage]:
        return [email.message_from_bytes(envelope.content, policy=policy.default) for envelope in self.envelopes]


@pytest.fixture
def smtp_server(app, monkeypatch):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    for key, value in {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": controller.port, "SMTP_STARTTLS": False,
                       "SMTP_SSL": False, "SMTP_TIMEOUT": 5,
                       "MAIL_FROM": "杭州人才活动 Hangzhou Talent Events <noreply@talent.test>"}.items():
        monkeypatch.setitem(app.config, key, value)
    yield inbox
    controller.stop()


@pytest.fixture
def chinese_registration(ctx, make_user, make_event):
    registration = Registration(
        user=make_user(locale="zh_CN", email="wang.fang@example.org", display_name="王芳", email_verified=True),
        event=make_event(slug="talent-day-2027", title_zh="2027 杭州人才日", title_en="Hangzhou Talent Day 2027",
                         starts_at=local(2027, 9, 28, 9), ends_at=local(2027, 9, 28, 17)),
        status=RegistrationStatus.CONFIRMED)
    db.session.add(registration)
    db.session.commit()
    return registration


def test_a_chinese_message_arrives_intact_with_text_and_html(smtp_server, chinese_registration):
    message = services.notify_registration_confirmed(chinese_registration)
    db.session.commit()

    report = services.deliver_due_messages(now=NOW)

    assert (report.sent, report.retrying, report.failed) == (1, 0, 0)
    db.session.refresh(message)
    assert (message.status, message.sent_at, message.last_error) == (OutboxStatus.SENT, NOW, "")
    [envelope] = smtp_server.envelopes
    assert envelope.mail_from == "noreply@talent.test" and envelope.rcpt_tos == ["wang.fang@example.org"]
    assert all(byte < 128 for byte in envelope.content), "every part is in a 7-bit transfer encoding"
    [received] = smtp_server.messages()
    assert received.get_content_type() == "multipart/alternative"
    assert received["Subject"] == message.subject and "2027 杭州人才日" in received["Subject"]
    assert received["From"].addresses[0].display_name == "杭州人才活动 Hangzhou Talent Events"
    assert received["To"] == "wang.fang@example.org"
    assert received["Content-Language"] == "zh-CN"
    # Text parts travel with CRLF line ends, as MIME wants them.
    text = received.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = received.get_body(("html",)).get_content().replace("\r\n", "\n")
    assert text == message.body_text and "王芳" in text and "2027年9月28日" in text
    assert html == message.body_html and "2027 杭州人才日" in html and "2027年9月28日" in html


def test_several_messages_go_through_one_run(smtp_server, chinese_registration):
    services.notify_registration_confirmed(chinese_registration)
    services.notify_registration_waitlisted(chinese_registration, 3)
    db.session.commit()
    assert services.deliver_due_messages(now=NOW).sent == 2
    assert len(smtp_server.envelopes) == 2


def test_a_refused_recipient_is_retried_then_failed_after_the_last_attempt(app, smtp_server, chinese_registration,
                                                                           monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 3)
    smtp_server.refuse = True
    message = services.notify_registration_confirmed(chinese_registration)
    db.session.commit()

    assert services.deliver_due_messages(now=NOW).retrying == 1
    db.session.refresh(message)
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 1)
    assert message.next_attempt_at == NOW + timedelta(minutes=1) and "550" in message.last_error

    assert services.deliver_due_messages(now=NOW + timedelta(minutes=1)).retrying == 1
    assert services.deliver_due_messages(now=NOW + timedelta(minutes=3)).failed == 1
    db.session.refresh(message)
    assert (message.status, message.attempts, message.sent_at) == (OutboxStatus.FAILED, 3, None)
    assert smtp_server.envelopes == []


def test_a_server_that_is_down_gets_the_message_once_it_is_back(app, smtp_server, chinese_registration,
                                                                monkeypatch):
    live_port = app.config["SMTP_PORT"]
    monkeypatch.setitem(app.config, "SMTP_PORT", free_port())  # nothing listens there
    message = services.notify_registration_confirmed(chinese_registration)
    db.session.commit()

    assert services.deliver_due_messages(now=NOW).retrying == 1
    db.session.refresh(message)
    assert message.status == OutboxStatus.PENDING and "Connection" in message.last_error

    monkeypatch.setitem(app.config, "SMTP_PORT", live_port)
    assert services.deliver_due_messages(now=NOW + timedelta(seconds=30)).handled == 0  # waits its turn
    assert services.deliver_due_messages(now=NOW + timedelta(minutes=1)).sent == 1
    db.session.refresh(message)
    assert (message.status, message.attempts, message.last_error) == (OutboxStatus.SENT, 2, "")
    assert len(smtp_server.envelopes) == 1


def test_workers_running_at_once_send_each_message_exactly_once(app, smtp_server):
    with app.app_context():
        for number in range(24):
            services.queue_email("verify_email", f"person{number}@example.org", "en", "verify_email",
                                 user=type("Person", (), {"display_name": f"Person {number}"})(),
                                 verify_url="http://talent.test/verify-email/x", valid_days=3)
        db.session.commit()

    reports = []

    def worker():
        with app.app_context():
            reports.append(services.deliver_due_messages())

    workers = [threading.Thread(target=worker) for _ in range(4)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=60)

    assert sum(report.sent for report in reports) == 24
    recipients = [address for envelope in smtp_server.envelopes for address in envelope.rcpt_tos]
    assert sorted(recipients) == sorted(f"person{number}@example.org" for number in range(24))
