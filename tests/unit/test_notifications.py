"""The outbox: e-mails written in the recipient's language, queued with the change, delivered with retries."""
from __future__ import annotations

import logging
import re
import socket
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from eventsapp.extensions import db
from eventsapp.notifications import services
from eventsapp.notifications.models import OutboxMessage, OutboxStatus
from eventsapp.registrations import emails as registration_emails
from eventsapp.registrations.models import Registration, RegistrationStatus
from tests.factories import local

NOW = datetime(2027, 9, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def registration(ctx, make_user, make_event):
    """A registration for Talent Day 2027 (28 September, 09:00–17:00 in Hangzhou) by a person with ``locale``."""
    def make(locale: str | None = "en", display_name: str = "王芳 Wang Fang", **event_overrides) -> Registration:
        values = dict(slug="talent-day-2027", title_zh="2027 杭州人才日", title_en="Hangzhou Talent Day 2027",
                      starts_at=local(2027, 9, 28, 9), ends_at=local(2027, 9, 28, 17),
                      venue_address="杭州市萧山区奔竞大道353号")
        values.update(event_overrides)
        registration = Registration(user=make_user(locale=locale, display_name=display_name, email_verified=True),
                                    event=make_event(**values), status=RegistrationStatus.CONFIRMED)
        db.session.add(registration)
        db.session.commit()
        return registration
    return make


@pytest.fixture
def mail_log(monkeypatch):
    """What the mail logger wrote (pytest's own log capture is off in `make test`)."""
    records: list[logging.LogRecord] = []
    # Alembic's logging set-up, run by the migrations in conftest, disables the loggers that exist then.
    monkeypatch.setattr(logging.getLogger("eventsapp.mail"), "disabled", False)

    class Collect(logging.Handler):
        def emit(self, record):
            records.append(record)

    handler = Collect(level=logging.INFO)
    logging.getLogger("eventsapp.mail").addHandler(handler)
    yield records
    logging.getLogger("eventsapp.mail").removeHandler(handler)


@pytest.fixture
def smtp_down(app, monkeypatch):
    """SMTP configured on a loopback port where nothing listens: every connection is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    for key, value in {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": port, "SMTP_STARTTLS": False,
                       "SMTP_SSL": False, "SMTP_TIMEOUT": 5}.items():
        monkeypatch.setitem(app.config, key, value)


def queue_one(to_email="li@example.org", locale="en") -> OutboxMessage:
    message = services.queue_email("verify_email", to_email, locale, "verify_email",
                                   user=type("Person", (), {"display_name": "李雷"})(),
                                   verify_url="http://talent.test/verify-email/abc", valid_days=3)
    db.session.commit()
    return message


# --- Writing in the recipient's language -------------------------------------------------------

def test_a_chinese_speaker_gets_the_event_in_chinese_with_a_chinese_date(registration):
    message = registration_emails.tell_confirmed(registration(locale="zh_CN"))
    assert message.locale == "zh_CN"
    assert "2027 杭州人才日" in message.subject
    for body in (message.body_text, message.body_html):
        assert "2027 杭州人才日" in body and "Hangzhou Talent Day 2027" not in body
        assert "2027年9月28日" in body and "09:00–17:00" in body and "Asia/Shanghai" in body
        assert "杭州国际博览中心" in body
        assert "http://talent.test/events/talent-day-2027" in body
        assert "http://talent.test/my/events" in body
    assert '<html lang="zh-CN">' in message.body_html


def test_an_english_speaker_gets_the_english_title_and_date(registration):
    message = registration_emails.tell_confirmed(registration(locale="en"))
    assert (message.locale, message.kind) == ("en", "registration_confirmed")
    assert message.subject == "Your place at Hangzhou Talent Day 2027 is confirmed"
    assert "Hello 王芳 Wang Fang," in message.body_text
    assert "28 Sep 2027, 09:00–17:00 (Asia/Shanghai, UTC+08:00)" in message.body_text
    assert "Hangzhou International Expo Center · 杭州市萧山区奔竞大道353号" in message.body_text
    assert '<html lang="en">' in message.body_html


def test_the_title_falls_back_to_the_other_language(registration):
    message = registration_emails.tell_confirmed(registration(locale="en", title_en=""))
    assert "2027 杭州人才日" in message.subject and "2027 杭州人才日" in message.body_text


def test_a_person_without_a_language_gets_the_sites_default(registration, chinese_by_default):
    message = registration_emails.tell_pending(registration(locale=None))
    assert message.locale == "zh_CN" and "2027年9月28日" in message.body_text


def test_an_event_over_several_days_shows_both_ends(registration):
    message = registration_emails.tell_confirmed(registration(ends_at=local(2027, 9, 29, 17)))
    assert "28 Sep 2027, 09:00 to 29 Sep 2027, 17:00" in message.body_text


def test_the_html_version_escapes_names_and_the_text_version_keeps_them(registration):
    message = registration_emails.tell_confirmed(registration(display_name="<b>Bold</b> & Co"))
    assert "Hello <b>Bold</b> & Co," in message.body_text
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; Co" in message.body_html and "<b>Bold" not in message.body_html


def test_an_address_not_yet_confirmed_is_greeted_without_the_name_typed_at_sign_up(registration):
    unconfirmed = registration(display_name="Claim your prize at evil.example")
    unconfirmed.user.email_verified_at = None
    message = registration_emails.tell_confirmed(unconfirmed)
    assert message.body_text.startswith("Hello,\n") and "evil" not in message.body_text + message.body_html


def test_what_people_wrote_never_becomes_a_link_in_an_e_mails_body(registration):
    message = registration_emails.tell_cancelled(registration(
        display_name="Wang at www.evil.example", title_en="Fair — prizes at https://evil.example/win",
        venue_name_en="Hall evil.example", venue_address="see evil．example"),
        reason="Details at http://evil.example/why", by_organizer=True)
    for body in (message.subject, message.body_text, message.body_html):
        assert "evil.example" not in body and "evil．example" not in body and "http://evil" not in body
        assert "https://evil" not in body
    assert "Fair — prizes at evil·example/win" in message.body_text
    assert "Details at evil·example/why" in message.body_text
    assert "Hello Wang at www·evil·example," in message.body_text and "evil·example/win" in message.body_html


def test_every_e_mail_template_makes_what_people_wrote_inert():
    """Names, titles and reasons reach an e-mail only through the ``written`` (or ``subject_text``) filter."""
    from pathlib import Path
    emails = Path(__file__).resolve().parents[2] / "templates" / "emails"
    bare = {}
    for path in sorted(emails.glob("*.*")):
        # What each {{ ... }} shows, without its string literals (the messages themselves).
        shown = [re.sub(r"'[^']*'|\"[^\"]*\"", "''", expression)
                 for expression in re.findall(r"\{\{(.*?)\}\}", path.read_text(encoding="utf-8"), flags=re.DOTALL)]
        found = [value for expression in shown for value in re.findall(
            r"localized\([^)]*\)(?!\|(?:written|subject_text))|\b(?:reason|name|[a-z_]+\.(?:display_name|name|title|"
            r"code|note|candidate_name\w*))\b(?![\w.(=|])(?!\s+else\b)", expression)]
        if found:
            bare[path.name] = found
    assert not bare, f"user-written text shown as typed in e-mails: {bare}"


@pytest.mark.parametrize(("text", "shown"), [
    ("Hangzhou Xizi Tech Co., Ltd.", "Hangzhou Xizi Tech Co., Ltd."),
    ("Visit www.evil.example now", "Visit www·evil·example now"),
    ("https://evil.example/win", "evil·example/win"),
    ("杭州西子科技 evil．example", "杭州西子科技 evil·example"),
    ("Spring fair\n2027", "Spring fair 2027"),
    ("长" * 80, "长" * 59 + "…"),
])
def test_what_people_wrote_is_made_inert_for_subjects(text, shown):
    assert services.subject_text(text) == shown


@pytest.mark.parametrize(("notify", "kind", "expected"), [
    (lambda r: registration_emails.tell_confirmed(r), "registration_confirmed", "is confirmed"),
    (lambda r: registration_emails.tell_waitlisted(r, 7), "registration_waitlisted", "at number 7"),
    (lambda r: registration_emails.tell_pending(r), "registration_pending", "The organizers review"),
    (lambda r: registration_emails.tell_promoted(r), "registration_promoted", "next on the waiting list"),
    (lambda r: registration_emails.tell_rejected(r, "Only for 2027 graduates"), "registration_rejected",
     "Their reason: Only for 2027 graduates"),
    (lambda r: registration_emails.tell_cancelled(r, "Hall closed", by_organizer=True),
     "registration_cancelled", "The organizers have cancelled your registration"),
    (lambda r: registration_emails.tell_cancelled(r, "", by_organizer=False), "registration_cancelled",
     "As you asked, your registration for Hangzhou Talent Day 2027 is cancelled."),
])
def test_each_registration_change_queues_one_message_for_the_person(registration, notify, kind, expected):
    person = registration(locale="en")
    message = notify(person)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
    assert (message.kind, message.to_email, message.status) == (kind, person.user.email, OutboxStatus.PENDING)
    assert expected in message.body_text
    assert message.subject and "\n" not in message.subject
    assert message.body_html.startswith("<!doctype html>")


def test_a_cancellation_without_a_reason_says_no_reason(registration):
    message = registration_emails.tell_cancelled(registration(), "  ", by_organizer=False)
    assert "Reason:" not in message.body_text


def test_nobody_is_written_to_after_deleting_their_account(registration):
    person = registration()
    person.user.erased_at, person.user.email = NOW, f"erased-{person.user.id}@invalid"
    assert registration_emails.tell_cancelled(person, "account deleted", by_organizer=False) is None
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_queueing_flushes_but_leaves_the_commit_to_the_caller(registration):
    registration_emails.tell_confirmed(registration())
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_links_use_the_public_base_url_outside_requests(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://talent.example.cn/portal/")
    assert services.public_url("events.event_detail", slug="fair") == "https://talent.example.cn/portal/events/fair"
    assert services.public_path_url("/my/events") == "https://talent.example.cn/portal/my/events"


# --- Delivery without SMTP: the log ------------------------------------------------------------

def test_without_smtp_messages_are_written_to_the_log_and_kept(ctx, mail_log):
    message = queue_one(to_email="han.meimei@example.org")
    report = services.deliver_due_messages(now=NOW)
    assert (report.logged, report.sent, report.handled) == (1, 0, 1)
    db.session.refresh(message)
    assert message.status == OutboxStatus.LOGGED and message.sent_at == NOW and message.attempts == 1
    logged = "\n".join(record.getMessage() for record in mail_log)
    assert "han.meimei@example.org" in logged and message.subject in logged
    assert "http://talent.test/verify-email/abc" in logged


def test_only_due_messages_are_delivered_and_at_most_the_limit(ctx):
    for number in range(3):
        queue_one(to_email=f"p{number}@example.org")
    later = queue_one(to_email="later@example.org")
    later.next_attempt_at = datetime.now(UTC) + timedelta(hours=1)
    db.session.commit()
    assert services.deliver_due_messages(limit=2).logged == 2
    assert services.deliver_due_messages().logged == 1
    assert services.deliver_due_messages().handled == 0
    db.session.refresh(later)
    assert later.status == OutboxStatus.PENDING


def test_a_message_that_cannot_be_written_fails_at_once_and_the_others_still_go(ctx):
    broken = queue_one(to_email="victim@example.org\nBcc: everyone@example.org")
    queue_one(to_email="fine@example.org")
    report = services.deliver_due_messages(now=NOW)
    assert (report.failed, report.logged) == (1, 1)
    db.session.refresh(broken)
    assert broken.status == OutboxStatus.FAILED and "linefeed" in broken.last_error


# --- Retries -----------------------------------------------------------------------------------

def test_the_back_off_doubles_from_one_minute_up_to_two_hours():
    assert [services.retry_delay(attempt) for attempt in range(1, 10)] == [
        timedelta(minutes=minutes) for minutes in (1, 2, 4, 8, 16, 32, 64, 120, 120)]


def test_a_refused_connection_is_retried_later_and_given_up_after_the_last_attempt(app, ctx, smtp_down, mail_log):
    message = queue_one()
    moment, waits = NOW, []
    for _ in range(app.config["MAIL_MAX_ATTEMPTS"] - 1):
        assert services.deliver_due_messages(now=moment).retrying == 1
        assert services.deliver_due_messages(now=moment).handled == 0  # not due again yet
        db.session.refresh(message)
        waits.append(message.next_attempt_at - moment)
        moment = message.next_attempt_at
    assert waits == [timedelta(minutes=minutes) for minutes in (1, 2, 4, 8, 16, 32, 64)]
    assert message.status == OutboxStatus.PENDING and "Connection" in message.last_error

    report = services.deliver_due_messages(now=moment)
    db.session.refresh(message)
    assert (report.failed, message.status, message.attempts) == (1, OutboxStatus.FAILED, 8)
    assert message.sent_at is None
    assert services.deliver_due_messages(now=moment + timedelta(days=1)).handled == 0
    assert any(record.levelno == logging.ERROR for record in mail_log)


def test_a_failed_message_can_be_put_back_in_the_queue(app, ctx, smtp_down, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 1)
    message = queue_one()
    assert services.deliver_due_messages(now=NOW).failed == 1
    services.retry_message(message.id, now=NOW + timedelta(hours=1))
    db.session.commit()
    db.session.refresh(message)
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 0)
    assert message.next_attempt_at == NOW + timedelta(hours=1)
    assert "Connection" in message.last_error  # kept until it is sent


def test_only_failed_messages_can_be_retried(ctx):
    message = queue_one()
    with pytest.raises(services.CannotRetry):
        services.retry_message(message.id)
    with pytest.raises(services.CannotRetry):
        services.retry_message(message.id + 1000)


def test_counts_by_status_list_every_status(ctx):
    queue_one()
    assert services.count_messages_by_status() == {OutboxStatus.PENDING: 1, OutboxStatus.SENT: 0,
                                                   OutboxStatus.LOGGED: 0, OutboxStatus.FAILED: 0}
