"""Sending the deliveries: claim the due ones, send them from a thread pool, record what happened.

Claiming is one UPDATE of the due rows (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite runs one writer at
a time) that sets a lease (``locked_until``) and is committed before anything is sent: two workers never
send the same delivery at once, and a worker that dies frees its deliveries when the lease ends. The sending
threads touch no database; the results are written afterwards in one transaction.

A delivery answered with 2xx has succeeded. Any other answer, a timeout or a refused connection is a failed
attempt: retried after ``retry_delay`` (30 s, 1 min, 2 min, ... at most 6 h), given up after
``WEBHOOK_MAX_ATTEMPTS``. An endpoint whose last ``WEBHOOK_DISABLE_AFTER`` attempts all failed is disabled:
its deliveries wait (none is lost) until it is switched on again, and its owner is e-mailed. Redirects are not followed.
"""
from __future__ import annotations

import http.client
import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import bindparam, or_, select, update

from eventsapp.accounts.models import User
from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.notifications.services import public_url, queue_email
from eventsapp.webhooks import events as types
from eventsapp.webhooks.emit import envelope, new_uid
from eventsapp.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from eventsapp.webhooks.signing import SIGNATURE_HEADER, signature_header
from eventsapp.webhooks.targets import TargetRefused, check_url

log = logging.getLogger("eventsapp.webhooks")
LEASE = timedelta(minutes=2)
USER_AGENT = "Talentday-Webhooks/1"
RESPONSE_KEPT = 200  # characters of a failed answer's body kept in the log


def retry_delay(attempts: int, base: float, longest: float) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt: doubling from ``base``, at most ``longest``."""
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), longest))


@dataclass(frozen=True)
class Outgoing:
    delivery_id: int
    endpoint_id: int
    uid: str
    event_type: str
    body: bytes
    url: str
    secret: str
    attempts: int  # before this one


@dataclass(frozen=True)
class Result:
    delivery_id: int
    status_code: int | None
    error: str
    duration_ms: int
    attempted_at: datetime

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@dataclass
class Report:
    sent: int = 0
    failed: int = 0
    disabled: int = 0

    def __str__(self) -> str:
        return f"{self.sent} delivered, {self.failed} failed attempts, {self.disabled} endpoints disabled"


def claim(limit: int, now: datetime, lease: timedelta = LEASE) -> list[Outgoing]:
    """Take up to ``limit`` due deliveries for this worker and commit, so no other worker takes them."""
    due = (select(WebhookDelivery.id).join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
           .where(WebhookDelivery.status == DeliveryStatus.PENDING, WebhookDelivery.next_attempt_at <= now,
                  or_(WebhookDelivery.locked_until.is_(None), WebhookDelivery.locked_until <= now),
                  or_(WebhookEndpoint.disabled_at.is_(None), WebhookDelivery.event_type == types.PING))
           .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id).limit(limit))
    if db.session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(of=WebhookDelivery, skip_locked=True)
    rows = db.session.execute(
        update(WebhookDelivery).where(WebhookDelivery.id.in_(due.scalar_subquery()))
        .values(locked_until=now + lease)
        .returning(WebhookDelivery.id, WebhookDelivery.endpoint_id, WebhookDelivery.uid, WebhookDelivery.event_type,
                   WebhookDelivery.body, WebhookDelivery.attempts)
        .execution_options(synchronize_session=False)).all()
    endpoints = {}
    if rows:
        endpoints = {row.id: row for row in db.session.execute(
            select(WebhookEndpoint.id, WebhookEndpoint.url, WebhookEndpoint.secret)
            .where(WebhookEndpoint.id.in_({row.endpoint_id for row in rows})))}
    db.session.commit()
    return [Outgoing(row.id, row.endpoint_id, row.uid, row.event_type, row.body.encode("utf-8"),
                     endpoints[row.endpoint_id].url, endpoints[row.endpoint_id].secret, row.attempts)
            for row in sorted(rows, key=lambda row: row.id)]


def send(outgoing: Outgoing, timeout: float, allow_http: bool, allow_private: bool) -> Result:
    """POST one delivery, signed; never raises. Runs in a worker thread: no database here."""
    started, attempted_at = time.perf_counter(), utcnow()
    status, error = None, ""
    try:
        check_url(outgoing.url, allow_http=allow_http, allow_private=allow_private)
        parts = urlsplit(outgoing.url)
        connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        connection = connection_class(parts.hostname, parts.port, timeout=timeout)
        try:
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            connection.request("POST", path, body=outgoing.body, headers={
                "Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT, "Connection": "close",
                SIGNATURE_HEADER: signature_header(outgoing.secret, outgoing.body),
                "X-Talentday-Event": outgoing.event_type, "X-Talentday-Delivery": outgoing.uid})
            response = connection.getresponse()
            status = response.status
            answer = response.read(4096)
            if not 200 <= status < 300:
                error = answer.decode("utf-8", "replace")[:RESPONSE_KEPT]
        finally:
            connection.close()
    except TargetRefused as refused:
        error = str(refused.reason)
    except (OSError, http.client.HTTPException) as problem:
        error = f"{type(problem).__name__}: {problem}"[:500] or type(problem).__name__
    return Result(outgoing.delivery_id, status, error, int((time.perf_counter() - started) * 1000), attempted_at)


_RECORD = (update(WebhookDelivery.__table__).where(WebhookDelivery.__table__.c.id == bindparam("delivery_id"))
           .values(status=bindparam("new_status"), attempts=bindparam("new_attempts"),
                   next_attempt_at=bindparam("next_at"), locked_until=None,
                   last_attempt_at=bindparam("attempted_at"), last_status_code=bindparam("status_code"),
                   last_duration_ms=bindparam("duration_ms"), last_error=bindparam("error"),
                   delivered_at=bindparam("delivered")))


def record(batch: list[Outgoing], results: list[Result], now: datetime, report: Report) -> None:
    """Write the attempts' outcomes, count each endpoint's failures in a row and disable those with too many."""
    config = current_app.config
    max_attempts, disable_after = config["WEBHOOK_MAX_ATTEMPTS"], config["WEBHOOK_DISABLE_AFTER"]
    rows, streaks = [], {}
    for outgoing, result in zip(batch, results, strict=True):
        attempts = outgoing.attempts + 1
        ping = outgoing.event_type == types.PING
        if result.ok:
            status, next_at = DeliveryStatus.SUCCEEDED, result.attempted_at
            report.sent += 1
        else:
            report.failed += 1
            gives_up = ping or attempts >= max_attempts
            status = DeliveryStatus.FAILED if gives_up else DeliveryStatus.PENDING
            next_at = now + retry_delay(attempts, config["WEBHOOK_RETRY_BASE_SECONDS"],
                                        config["WEBHOOK_RETRY_LONGEST_SECONDS"])
        if not ping:  # a test ping tells its owner how the endpoint answers; it changes nothing else
            streaks.setdefault(outgoing.endpoint_id, []).append(result.ok)
        rows.append({"delivery_id": outgoing.delivery_id, "new_status": status, "new_attempts": attempts,
                     "next_at": next_at, "attempted_at": result.attempted_at, "status_code": result.status_code,
                     "duration_ms": result.duration_ms, "error": result.error[:500],
                     "delivered": result.attempted_at if result.ok else None})
    if rows:
        db.session.execute(_RECORD, rows, execution_options={"synchronize_session": False})
    for endpoint_id, outcomes in streaks.items():
        endpoint = db.session.get(WebhookEndpoint, endpoint_id, with_for_update=True)
        if endpoint is None:
            continue
        for ok in outcomes:
            endpoint.consecutive_failures = 0 if ok else endpoint.consecutive_failures + 1
        if endpoint.disabled_at is None and endpoint.consecutive_failures >= disable_after:
            disable(endpoint, now)
            report.disabled += 1
    db.session.commit()


def disable(endpoint: WebhookEndpoint, now: datetime) -> None:
    """Stop delivering to an endpoint that keeps failing, and tell whoever made it (by e-mail)."""
    endpoint.disabled_at = now
    endpoint.disabled_reason = f"{endpoint.consecutive_failures} failed attempts in a row"
    owner = db.session.get(User, endpoint.created_by_id)
    if owner is not None and owner.erased_at is None and owner.is_active_account:
        queue_email("webhook_disabled", owner.email, owner.locale, "webhook_disabled", user=owner, endpoint=endpoint,
                    failures=endpoint.consecutive_failures,
                    link=public_url("webhooks.detail", endpoint_id=endpoint.id))
    log.warning("webhook endpoint %s disabled after %s failures", endpoint.id, endpoint.consecutive_failures)


def deliver_due(limit: int | None = None, now: datetime | None = None) -> Report:
    """Send what is due, batch after batch, until nothing is due (or a batch came back short)."""
    config = current_app.config
    limit = limit or config["WEBHOOK_BATCH"]
    report = Report()
    # Held long enough for the slowest batch (every attempt timing out), so no other worker takes it meanwhile.
    rounds = -(-limit // config["WEBHOOK_CONCURRENCY"]) + 1
    lease = max(LEASE, timedelta(seconds=config["WEBHOOK_TIMEOUT_SECONDS"] * rounds))
    with ThreadPoolExecutor(max_workers=config["WEBHOOK_CONCURRENCY"], thread_name_prefix="webhook") as pool:
        while True:
            started = now or utcnow()
            batch = claim(limit, started, lease)
            if not batch:
                break
            results = list(pool.map(lambda outgoing: send(
                outgoing, config["WEBHOOK_TIMEOUT_SECONDS"], config["WEBHOOK_ALLOW_HTTP"],
                config["WEBHOOK_ALLOW_PRIVATE"]), batch))
            record(batch, results, now or utcnow(), report)
            if len(batch) < limit or now is not None:
                break
    return report


def redeliver(delivery: WebhookDelivery, now: datetime | None = None) -> WebhookDelivery:
    """Send a delivery again, by hand: a new delivery with a new id, the same data, and ``redelivery_of``
    naming the first. The worker sends it while the endpoint is enabled."""
    now = now or utcnow()
    data = json.loads(delivery.body).get("data", {})
    uid = new_uid()
    again = WebhookDelivery(endpoint_id=delivery.endpoint_id, uid=uid, event_type=delivery.event_type,
                            body=envelope(uid, delivery.event_type, data, now, redelivery_of=delivery.uid),
                            status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now, last_error="",
                            created_at=now)
    db.session.add(again)
    db.session.flush()
    return again


def scheduled_round(now: datetime) -> str | None:
    """The scheduler's job: what ``deliver_due`` did, when it did anything (for the log)."""
    report = deliver_due()
    return str(report) if report.sent or report.failed else None
