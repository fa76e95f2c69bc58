"""Delivery to a real SMTP server (aiosmtpd) on the loopback interface: what arrives is what was written."""
from __future__ import annotations

import asyncio
import email
import os
import signal
import socket
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from eventsapp.extensions import db
from eventsapp.notifications import services
from eventsapp.notifications.models import OutboxMessage, OutboxStatus
from eventsapp.registrations import emails as registration_emails
from eventsapp.registrations.models import Registration, RegistrationStatus
from tests.factories import local

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
    message = registration_emails.tell_confirmed(chinese_registration)
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
    registration_emails.tell_confirmed(chinese_registration)
    registration_emails.tell_waitlisted(chinese_registration, 3)
    db.session.commit()
    assert services.deliver_due_messages(now=NOW).sent == 2
    assert len(smtp_server.envelopes) == 2


def test_a_refused_recipient_is_retried_then_failed_after_the_last_attempt(app, smtp_server, chinese_registration,
                                                                           monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 3)
    smtp_server.refuse = True
    message = registration_emails.tell_confirmed(chinese_registration)
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
    message = registration_emails.tell_confirmed(chinese_registration)
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


def test_workers_running_at_once_send_each_message_exactly_once(app, smtp_server, real_commits):
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


# --- One Message-ID per message, and a worker that stops or dies ---------------------------------------------

class DropsTheLine(Inbox):
    """Takes the message, then hangs up before saying so: the sender cannot know it arrived."""

    def __init__(self):
        super().__init__()
        self.drop = True

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        if self.drop:
            self.drop = False
            server.transport.close()
            return None
        return "250 Message accepted for delivery"


def test_a_send_cut_off_after_the_server_took_it_is_sent_again_with_the_same_message_id(app, monkeypatch,
                                                                                         chinese_registration):
    inbox = DropsTheLine()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        for key, value in {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": controller.port, "SMTP_STARTTLS": False,
                           "SMTP_SSL": False, "SMTP_TIMEOUT": 5, "MAIL_FROM": "Talent <noreply@talent.test>"}.items():
            monkeypatch.setitem(app.config, key, value)
        message = registration_emails.tell_confirmed(chinese_registration)
        db.session.commit()
        assert message.message_id is None
        assert services.deliver_due_messages(now=NOW).retrying == 1
        db.session.refresh(message)
        first_id = message.message_id
        assert first_id and first_id.endswith("@talent.test>") and message.status == OutboxStatus.PENDING
        assert services.deliver_due_messages(now=NOW + timedelta(minutes=1)).sent == 1
    finally:
        controller.stop()
    received = inbox.messages()
    assert len(received) == 2 and {mail["Message-ID"] for mail in received} == {first_id}
    db.session.refresh(message)
    assert message.message_id == first_id and message.status == OutboxStatus.SENT


def test_a_message_claimed_by_a_worker_that_died_is_sent_after_the_lease_with_its_message_id(
        app, smtp_server, chinese_registration):
    message = registration_emails.tell_confirmed(chinese_registration)
    db.session.commit()
    claimed, _email = services._claim_next_due(NOW, app.config["MAIL_FROM"])  # ...and the worker is killed
    claimed_id = claimed.message_id
    assert claimed_id and claimed.attempts == 1
    assert services.deliver_due_messages(now=NOW + timedelta(minutes=1)).handled == 0  # leased to the dead one
    assert services.deliver_due_messages(now=NOW + services.SENDING_LEASE).sent == 1
    [received] = smtp_server.messages()
    assert received["Message-ID"] == claimed_id
    db.session.refresh(message)
    assert (message.status, message.attempts) == (OutboxStatus.SENT, 2)


def test_a_worker_told_to_stop_finishes_the_message_in_flight_and_claims_no_other(app, smtp_server,
                                                                                 chinese_registration):
    for position in (1, 2, 3):
        registration_emails.tell_waitlisted(chinese_registration, position)
    db.session.commit()
    def stop_after_one() -> bool:
        return len(smtp_server.envelopes) >= 1  # e.g. SIGTERM arrived while the first was on its way

    report = services.deliver_due_messages(now=NOW, should_stop=stop_after_one)
    assert report.sent == 1 and len(smtp_server.envelopes) == 1
    waiting = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING)).all()
    assert len(waiting) == 2 and all(m.attempts == 0 and m.message_id is None for m in waiting)


class SlowInbox(Inbox):
    """Takes two seconds over each message, and says when one has started to arrive."""

    def __init__(self):
        super().__init__()
        self.receiving = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.receiving.set()
        await asyncio.sleep(2)
        return await super().handle_DATA(server, session, envelope)


def test_sigterm_lets_the_worker_finish_the_message_in_flight_then_stop(app, chinese_registration,
                                                                         real_commits):
    for position in (1, 2, 3):
        registration_emails.tell_waitlisted(chinese_registration, position)
    db.session.commit()
    inbox = SlowInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    environment = dict(os.environ, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], SMTP_HOST="127.0.0.1",
                       SMTP_PORT=str(controller.port), SMTP_STARTTLS="false", MAIL_FROM="Talent <noreply@talent.test>",
                       PUBLIC_BASE_URL="http://talent.test")
    root = Path(__file__).resolve().parents[2]
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "outbox", "work", "--interval", "0"],
                              cwd=root, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert inbox.receiving.wait(timeout=60), "the worker never started sending"
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=60)
    finally:
        worker.kill()
        controller.stop()
    assert worker.returncode == 0 and output.rstrip().endswith("Stopped."), output
    assert len(inbox.envelopes) == 1
    db.session.expire_all()
    rows = db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [row.status for row in rows] == [OutboxStatus.SENT, OutboxStatus.PENDING, OutboxStatus.PENDING]
    assert [row.attempts for row in rows] == [1, 0, 0]
