"""E-mail through the outbox: queue a message with the change that causes it, deliver it afterwards.

``queue_email`` only adds a row and flushes; the caller commits, so a message exists exactly when the
change it announces does. A hot path may queue its message unwritten instead (``message_written_later``:
kind + JSON context); the worker writes it before sending (``render_message``) with the renderer the
feature registered for that kind (``register_renderers``). The outbox knows no feature: each feature
writes its own e-mails (``<feature>/emails.py``).
``deliver_due_messages`` (run by ``flask outbox work``) sends what is due over SMTP, retrying with
back-off, or writes it to the log when no SMTP server is configured.
"""
from __future__ import annotations

import json
import logging
import re
import smtplib
import ssl
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import policy as email_policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from jinja2 import TemplateNotFound
from sqlalchemy import func, insert, select

from eventsapp.config import SUPPORTED_LOCALES
from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.i18n import format_local_date, format_local_datetime, format_local_time, localized, to_zone
from eventsapp.notifications.models import OutboxMessage, OutboxStatus

mail_log = logging.getLogger("eventsapp.mail")
if mail_log.level == logging.NOTSET:
    mail_log.setLevel(logging.INFO)  # without SMTP the log is where e-mails are read, so INFO must show

FIRST_RETRY_DELAY = timedelta(minutes=1)
LONGEST_RETRY_DELAY = timedelta(hours=2)
# A claimed message is not picked again by another worker for this long, while it is being sent.
SENDING_LEASE = timedelta(minutes=10)
SUBJECT_MAX_LENGTH = 300
# 7-bit transfer encodings (quoted-printable or base64, whichever is shorter): UTF-8 text arrives
# intact through any server, with or without 8BITMIME.
MAIL_POLICY = email_policy.default.clone(cte_type="7bit")


# --- Links -------------------------------------------------------------------------------------

def public_url(endpoint: str, **values) -> str:
    """An absolute link for an e-mail, built on PUBLIC_BASE_URL.

    Never on the request's Host header, which a visitor controls (a forged host in a password
    reset link would send the token to someone else); works outside requests (CLI, worker) too.
    """
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"].rstrip("/"))
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)


def public_path_url(path: str) -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path


# --- Writing messages --------------------------------------------------------------------------

def recipient_locale(locale: str | None) -> str:
    return locale if locale in SUPPORTED_LOCALES else current_app.config["BABEL_DEFAULT_LOCALE"]


def queue_email(kind: str, to_email: str, locale: str | None, template: str, **context) -> OutboxMessage:
    """Render ``templates/emails/<template>.txt`` (and ``.html`` when there is one) in the
    recipient's language and add it to the outbox. The ``.txt`` template's ``subject`` block is
    the subject. Flushes; the caller commits."""
    locale = recipient_locale(locale)
    subject, body_text, body_html = _render(template, locale, context)
    return _add_message(kind, to_email, locale, subject=subject, body_text=body_text, body_html=body_html)


def _add_message(kind: str, to_email: str, locale: str, **fields) -> OutboxMessage:
    message = OutboxMessage(kind=kind, to_email=to_email, locale=locale, status=OutboxStatus.PENDING, attempts=0,
                            next_attempt_at=utcnow(), last_error="", **fields)
    db.session.add(message)
    db.session.flush()
    return message


INSERT_MESSAGE = insert(OutboxMessage.__table__)


def preview(template: str, locale: str, context: dict) -> tuple[str, str]:
    """The subject and text body ``templates/emails/<template>.txt`` gives in ``locale``, for a page that
    shows a message before it is sent."""
    with force_locale(recipient_locale(locale)):
        return _render_text(template, context)


def _render(template: str, locale: str, context: dict) -> tuple[str, str, str]:
    with force_locale(locale):
        subject, body_text = _render_text(template, context)
        return subject, body_text, _render_html(template, dict(context, subject=subject))


class CannotRender(LookupError):
    """A message queued to be written later that cannot be written: what it is about no longer exists,
    or no renderer is registered for its kind."""


# A renderer turns the JSON context a message was queued with into its template's context, reading
# what it needs from the database; it raises CannotRender when that is gone.
Renderer = Callable[[dict], dict]
RENDERERS_KEY = "outbox_renderers"


def register_renderers(app, renderers: Mapping[str, Renderer]) -> None:
    """Let the outbox write messages of these kinds (``kind -> renderer``) that were queued unwritten."""
    app.extensions.setdefault(RENDERERS_KEY, {}).update(renderers)


def message_written_later(kind: str, to_email: str, locale: str | None, render_context: dict) -> dict:
    """The outbox row of a message for the worker to write before sending (see ``rendered``), to insert
    with ``INSERT_MESSAGE`` in the caller's transaction: a plain INSERT costs less CPU than an ORM object.

    ``render_context`` holds JSON values; the renderer registered for ``kind`` turns them into the
    template's context."""
    now = utcnow()
    return {"kind": kind, "to_email": to_email, "locale": recipient_locale(locale), "subject": "",
            "body_text": "", "body_html": "", "status": OutboxStatus.PENDING, "attempts": 0,
            "next_attempt_at": now, "last_error": "", "created_at": now, "sent_at": None, "message_id": None,
            "render_context": render_context}


COPY_COLUMNS = ("kind", "to_email", "locale", "subject", "body_text", "body_html", "status", "attempts",
                "next_attempt_at", "last_error", "created_at", "render_context")
INSERT_CHUNK_ROWS = 5_000


def insert_messages(rows: Iterable[dict]) -> int:
    """Insert many rows made by ``message_written_later`` in the caller's transaction, in bulk: COPY on
    PostgreSQL (100,000 rows in about a second), executemany in chunks elsewhere. The number inserted."""
    connection = db.session.connection()
    count = 0
    if connection.dialect.name == "postgresql":
        names = ", ".join(COPY_COLUMNS)
        with connection.connection.dbapi_connection.cursor() as cursor, cursor.copy(
                f"COPY outbox_message ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([json.dumps(row[name], separators=(",", ":")) if name == "render_context"
                                else row[name].value if name == "status" else row[name] for name in COPY_COLUMNS])
                count += 1
        return count
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == INSERT_CHUNK_ROWS:
            connection.execute(INSERT_MESSAGE, chunk)
            count, chunk = count + len(chunk), []
    if chunk:
        connection.execute(INSERT_MESSAGE, chunk)
        count += len(chunk)
    return count


def rendered(message: OutboxMessage) -> tuple[str, str, str]:
    """Subject, text and HTML body of a message; written now when it was queued to be written later."""
    if message.render_context is None:
        return message.subject, message.body_text, message.body_html
    renderer = current_app.extensions.get(RENDERERS_KEY, {}).get(message.kind)
    if renderer is None:
        raise CannotRender(f"no renderer is registered for e-mails of kind {message.kind!r}")
    return _render(message.kind, message.locale, renderer(dict(message.render_context)))


def render_message(message: OutboxMessage) -> None:
    """Write the subject and bodies of a message queued to be written later (nothing to do otherwise)."""
    if message.render_context is not None:
        message.subject, message.body_text, message.body_html = rendered(message)
        message.render_context = None


def _render_text(template: str, context: dict) -> tuple[str, str]:
    name = f"emails/{template}.txt"
    full_context = dict(context)
    current_app.update_template_context(full_context)
    compiled = current_app.jinja_env.get_template(name)
    subject_block = compiled.blocks.get("subject")
    if subject_block is None:
        raise LookupError(f"{name} has no {{% block subject %}}")
    subject = " ".join("".join(subject_block(compiled.new_context(full_context))).split())
    return subject[:SUBJECT_MAX_LENGTH], _tidy_text(render_template(name, **context))


def _render_html(template: str, context: dict) -> str:
    try:
        return render_template(f"emails/{template}.html", **context).strip() + "\n"
    except TemplateNotFound:
        return ""


def _tidy_text(text: str) -> str:
    """Template indentation and blank lines left by tags are not part of a plain-text e-mail."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


# --- What e-mail templates say about events and people ---------------------------------------------

def event_when(event) -> str:
    """The event's dates and times on its own clock, in the current language, naming the zone:
    'Tue 28 Sep 2027, 09:00–17:00 (Asia/Shanghai, UTC+08:00)'."""
    zone = event.timezone
    first_day, last_day = format_local_date(event.starts_at, zone), format_local_date(event.ends_at, zone)
    if first_day == last_day:
        span = gettext("%(day)s, %(start)s–%(end)s", day=first_day, start=format_local_time(event.starts_at, zone),
                       end=format_local_time(event.ends_at, zone))
    else:
        span = gettext("%(start)s to %(end)s", start=format_local_datetime(event.starts_at, zone),
                       end=format_local_datetime(event.ends_at, zone))
    offset = to_zone(event.starts_at, zone).strftime("%z")
    return f"{span} ({zone}, UTC{offset[:3]}:{offset[3:]})"


# --- What people wrote, in e-mails --------------------------------------------------------------

SUBJECT_TEXT_MAX_LENGTH = 60
# A dot between two letters or digits ("evil.example", "www.x"), in ASCII or full width, and a URL
# scheme: what mail programs turn into a link.
_LINK_DOT = re.compile(r"(?<=\w)[.\uff0e\u3002\uff61](?=\w)")
_SCHEME = re.compile(r"(?i)\b[a-z][a-z0-9+.-]*://")


def written_text(value: object) -> str:
    """Something a person wrote (a name, a title, a reason) for an e-mail's body: nothing a mail
    program would show as a link ("https://evil.example" becomes "evil·example"), so that what
    someone types into a form cannot turn our e-mails into an advertisement or a phishing link."""
    return _LINK_DOT.sub("·", _SCHEME.sub("", str(value or "")))


def subject_text(value: object, limit: int = SUBJECT_TEXT_MAX_LENGTH) -> str:
    """Something a person wrote for an e-mail's subject: as in the body (``written_text``), on one
    line and at most ``limit`` characters."""
    text = written_text(" ".join(str(value or "").split()))
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def greeting(user) -> str:
    """ "Hello Li Ming," — with the name only once the account's address is confirmed: until then the
    address may be someone else's, and the name is whatever the person who signed up with it typed."""
    if user is not None and user.email_verified_at is not None and user.display_name:
        return gettext("Hello %(name)s,", name=written_text(user.display_name))
    return gettext("Hello,")


def event_where(event) -> str:
    return " · ".join(part for part in (localized(event, "venue_name"), event.venue_address) if part)


# --- Delivery ----------------------------------------------------------------------------------

@dataclass
class DeliveryReport:
    sent: int = 0
    logged: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.logged + self.retrying + self.failed

    def __str__(self) -> str:
        return (f"{self.sent} sent, {self.logged} logged, {self.retrying} to retry later, "
                f"{self.failed} failed for good")


def retry_delay(attempts: int) -> timedelta:
    """Wait 1, 2, 4, 8 ... minutes after the 1st, 2nd, 3rd, 4th ... failed attempt, at most 2 hours."""
    return min(FIRST_RETRY_DELAY * 2 ** max(attempts - 1, 0), LONGEST_RETRY_DELAY)


def deliver_due_messages(now: datetime | None = None, limit: int = 100,
                         should_stop: Callable[[], bool] = lambda: False) -> DeliveryReport:
    """Send up to ``limit`` pending messages that are due, one at a time. Commits after each.

    Each message is claimed in a short transaction (rows locked with SKIP LOCKED on PostgreSQL,
    and pushed a lease into the future), sent with no transaction open, and its outcome committed:
    two workers never send the same message, and no database lock is held while SMTP talks.
    ``should_stop`` is asked before each claim: a worker told to stop finishes the message in flight
    and claims no other. A worker that dies mid-send leaves its message claimed until the lease ends;
    then it is sent again, with the same Message-ID.
    """
    clock: Callable[[], datetime] = (lambda: now) if now is not None else utcnow
    config = current_app.config
    report = DeliveryReport()
    with _SmtpSession(config) as smtp:
        for _ in range(limit):
            if should_stop():
                break
            claimed = _claim_next_due(clock(), config["MAIL_FROM"])
            if claimed is None:
                break
            message, email = claimed
            if email is None:
                report.failed += 1
                continue
            if not config.get("SMTP_HOST"):
                _write_to_log(message, clock())
                report.logged += 1
            else:
                try:
                    smtp.send(email)
                except Exception as error:  # whatever went wrong is recorded on the message and retried
                    _record_failure(message, error, clock(), config["MAIL_MAX_ATTEMPTS"])
                    if message.status == OutboxStatus.FAILED:
                        report.failed += 1
                    else:
                        report.retrying += 1
                else:
                    message.status, message.sent_at, message.last_error = OutboxStatus.SENT, clock(), ""
                    report.sent += 1
            db.session.commit()
    return report


def _claim_next_due(now: datetime, sender: str) -> tuple[OutboxMessage, EmailMessage | None] | None:
    """Lock the next due message, push it a lease into the future and commit.

    The e-mail is built before the commit, so that sending it reads nothing from the database
    (which would open a transaction, and on SQLite hold the write lock, while SMTP talks). A message
    that cannot even be built (e.g. a line break in the address) fails at once: retrying cannot help.
    """
    message = db.session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True))
    if message is None:
        db.session.rollback()
        return None
    message.attempts += 1
    message.next_attempt_at = now + SENDING_LEASE
    if message.message_id is None:  # once, committed with the claim: every attempt sends the same one
        message.message_id = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or None)
    try:
        render_message(message)
        email = _as_email(message, sender)
    except (ValueError, CannotRender) as error:
        email, message.status, message.last_error = None, OutboxStatus.FAILED, f"{type(error).__name__}: {error}"
        mail_log.error("E-mail %s cannot be written: %s", message.id, message.last_error)
    db.session.commit()
    return message, email


def _write_to_log(message: OutboxMessage, now: datetime) -> None:
    current_app.logger  # noqa: B018 - Flask installs its stderr handler on "eventsapp" when first used
    mail_log.info("E-mail to %s (no SMTP_HOST configured, not sent)\nSubject: %s\n\n%s",
                  message.to_email, message.subject, message.body_text)
    message.status, message.sent_at, message.last_error = OutboxStatus.LOGGED, now, ""


def _record_failure(message: OutboxMessage, error: Exception, now: datetime, max_attempts: int) -> None:
    message.last_error = f"{type(error).__name__}: {error}"[:2000]
    if message.attempts >= max_attempts:
        message.status = OutboxStatus.FAILED
        mail_log.error("Gave up on e-mail %s to %s after %d attempts: %s", message.id, message.to_email,
                       message.attempts, message.last_error)
    else:
        message.next_attempt_at = now + retry_delay(message.attempts)
        mail_log.warning("E-mail %s to %s failed (attempt %d), retrying at %s: %s", message.id, message.to_email,
                         message.attempts, message.next_attempt_at.isoformat(), message.last_error)


def _as_email(message: OutboxMessage, sender: str) -> EmailMessage:
    """A UTF-8 message: plain text, and the HTML version as its alternative when there is one."""
    email = EmailMessage(policy=MAIL_POLICY)
    email["Subject"] = message.subject
    email["From"] = sender
    email["To"] = message.to_email
    email["Date"] = formatdate(usegmt=True)
    email["Message-ID"] = message.message_id  # given when the message was claimed
    email.set_content(message.body_text, charset="utf-8")
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html", charset="utf-8")
    email["Content-Language"] = message.locale.replace("_", "-")  # after set_content, which drops Content-*
    return email


class _SmtpSession:
    """One SMTP connection for a delivery run, opened when first needed and again after an error."""

    def __init__(self, config):
        self.config = config
        self.connection: smtplib.SMTP | None = None

    def __enter__(self) -> _SmtpSession:
        return self

    def __exit__(self, *exc_info) -> None:
        self._close()

    def send(self, email: EmailMessage) -> None:
        try:
            if self.connection is None:
                self.connection = self._connect()
            self.connection.send_message(email)
        except Exception:
            self._close()
            raise

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        host, port, timeout = config["SMTP_HOST"], config["SMTP_PORT"], config["SMTP_TIMEOUT"]
        if config["SMTP_SSL"]:
            connection = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
        else:
            connection = smtplib.SMTP(host, port, timeout=timeout)
            if config["SMTP_STARTTLS"]:
                connection.starttls(context=ssl.create_default_context())
        if config["SMTP_USERNAME"]:
            connection.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
        return connection

    def _close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (smtplib.SMTPException, OSError):
                self.connection.close()
            self.connection = None


# --- Organizers' view of the outbox -------------------------------------------------------------

class CannotRetry(Exception):
    """Only a message that failed for good can be put back in the queue."""


def retry_message(message_id: int, now: datetime | None = None) -> OutboxMessage:
    """Put a FAILED message back in the queue, due now, with a fresh round of attempts. Flushes."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        raise CannotRetry(_l("There is no message %(id)d.", id=message_id))
    if message.status != OutboxStatus.FAILED:
        raise CannotRetry(_l("Only failed messages can be sent again."))
    message.status, message.attempts, message.next_attempt_at = OutboxStatus.PENDING, 0, now or utcnow()
    db.session.flush()
    return message


def count_messages_by_status() -> dict[OutboxStatus, int]:
    counts = dict(db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).tuples().all())
    return {status: counts.get(status, 0) for status in OutboxStatus}


def outbox_query(status: OutboxStatus | None = None):
    query = select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    if status is not None:
        query = query.where(OutboxMessage.status == status)
    return query
