"""Sending the deliveries: claim the due ones, send them from a thread pool, record what happened.

Claiming is one UPDATE of the due rows (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite runs one writer at
a time) that sets a lease (``locked_until``) and is committed before anything is sent: two workers never
send the same delivery at once, and a worker that dies frees its deliveries when the lease ends. The sending
threads touch no database; the results are written afterwards in one transaction.

A delivery answered with 2xx has succeeded. Any other answer, a timeout or a refused connection is a failed
attempt: retried after ``retry_delay`` (30 s, 1 min, 2 min, ... at most 6 h), given up after
``WEBHOOK_MAX_ATTEMPTS``. An endpoint whose last ``WEBHOOK_DISABLE_AFTER`` attempts all failed is disabled:
its deliveries wait (none is lost) until it is switched on again, and those who may open it are e-mailed
(``services.told_when_stopped``). Redirects are not followed.

Each attempt has one deadline for the whole of it (``WEBHOOK_TIMEOUT_SECONDS``: connecting, sending, reading
the answer, and looking the host up), so a receiver that trickles its answer a byte at a time, or a name
server that never answers, cannot outlive the lease and have the delivery sent twice. An outcome is written
only while the delivery is still pending, not erased and holding this worker's lease: a delivery erased or
ended meanwhile stays so, and a worker that comes back late cannot overwrite another's attempt. The host is
resolved once per attempt and the connection goes to the address that was checked (``targets.resolve_target``).
Claiming checks again that the endpoint's owner may still have it (``services.owner_keeps_access``): a
delivery for an owner who lost access is ended, not sent. So is one to an employer's endpoint about a change
at an event where its organization no longer holds an active booth (``emit.heard_when_sent``, the rule the
delivery was written by: code ``booth_lost``), or about a candidate who no longer agrees to be shown to
employers (``emit.consent_kept_when_sent``: code ``consent_withdrawn``). An endpoint whose secret no
configured key reads is disabled (code ``secret_unreadable``), logged as an error and the same people
e-mailed; its deliveries wait.
What went wrong is stored as a problem code (``webhooks.problems``), never as an exception's text.
"""
from __future__ import annotations

import http.client
import json
import logging
import socket
import ssl
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, case, or_, select, update

from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.notifications.services import public_url, queue_email
from eventsapp.webhooks import events as types
from eventsapp.webhooks import problems
from eventsapp.webhooks.emit import consent_kept_when_sent, envelope, heard_when_sent, new_uid
from eventsapp.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from eventsapp.webhooks.services import owner_keeps_access, told_when_stopped
from eventsapp.webhooks.signing import SIGNATURE_HEADER, signature_header
from eventsapp.webhooks.targets import Target, TargetRefused, resolve_target
from eventsapp.webhooks.vault import SecretUnreadable, unseal

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
    lease: datetime  # the locked_until this worker set: its outcome is written only while the row still has it


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
    """Take up to ``limit`` due deliveries for this worker and commit, so no other worker takes them.

    An endpoint whose owner lost access has its deliveries ended, and an employer's endpoint those about an
    event where its organization lost its booth, or about a candidate who withdrew their consent since; one
    whose secret no configured key reads is disabled, its owners told (``services.told_when_stopped``), and
    its deliveries wait (a test ping is ended with the code)."""
    due = (select(WebhookDelivery.id).join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
           .where(WebhookDelivery.status == DeliveryStatus.PENDING, WebhookDelivery.erased_at.is_(None),
                  WebhookDelivery.next_attempt_at <= now,
                  or_(WebhookDelivery.locked_until.is_(None), WebhookDelivery.locked_until <= now),
                  or_(WebhookEndpoint.disabled_at.is_(None), WebhookDelivery.event_type == types.PING))
           .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id).limit(limit))
    if db.session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(of=WebhookDelivery, skip_locked=True)
    locked_until = now + lease
    rows = db.session.execute(
        update(WebhookDelivery).where(WebhookDelivery.id.in_(due.scalar_subquery()))
        .values(locked_until=locked_until)
        .returning(WebhookDelivery.id, WebhookDelivery.endpoint_id, WebhookDelivery.uid, WebhookDelivery.event_type,
                   WebhookDelivery.body, WebhookDelivery.attempts)
        .execution_options(synchronize_session=False)).all()
    secrets, ended, unreadable = {}, {}, set()
    if rows:  # one statement for the batch: may each endpoint still hear of each delivery, and its secret
        for found in db.session.execute(
                select(WebhookDelivery.id, WebhookEndpoint.id.label("endpoint_id"), WebhookEndpoint.url,
                       WebhookEndpoint.secret_sealed, case((owner_keeps_access(), True), else_=False).label("allowed"),
                       case((heard_when_sent(), True), else_=False).label("heard"),
                       case((consent_kept_when_sent(), True), else_=False).label("consented"))
                .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
                .where(WebhookDelivery.id.in_([row.id for row in rows]))):
            if not found.allowed:
                ended[found.id] = problems.ACCESS_LOST
            elif not found.heard:
                ended[found.id] = problems.BOOTH_LOST
            elif not found.consented:
                ended[found.id] = problems.CONSENT_WITHDRAWN
            elif found.endpoint_id not in secrets and found.endpoint_id not in unreadable:
                try:
                    secrets[found.endpoint_id] = (found.url, unseal(found.secret_sealed))
                except SecretUnreadable:
                    unreadable.add(found.endpoint_id)
    ended.update({row.id: problems.SECRET_UNREADABLE for row in rows
                  if row.endpoint_id in unreadable and row.event_type == types.PING})
    if ended:
        end_deliveries(list(ended), now, ended)
    if unreadable:
        _stop_unreadable(unreadable, [row.id for row in rows if row.endpoint_id in unreadable and row.id not in ended],
                         now)
    db.session.commit()
    return [Outgoing(row.id, row.endpoint_id, row.uid, row.event_type, row.body.encode("utf-8"),
                     *secrets[row.endpoint_id], row.attempts, locked_until)
            for row in sorted(rows, key=lambda row: row.id) if row.endpoint_id in secrets and row.id not in ended]


def _stop_unreadable(endpoint_ids: set[int], waiting: list[int], now: datetime) -> None:
    """Endpoints whose secret no configured key reads (WEBHOOK_SECRET_KEY was changed and the former key is not
    in WEBHOOK_OLD_SECRET_KEYS): sending unsigned or giving up would both be wrong, so they are disabled and
    those who may open them told; ``waiting`` (deliveries claimed for them) are released to wait until the
    secret is replaced."""
    if waiting:
        db.session.execute(update(WebhookDelivery).where(WebhookDelivery.id.in_(waiting)).values(locked_until=None)
                           .execution_options(synchronize_session=False))
    for endpoint_id in sorted(endpoint_ids):
        log.error("webhook endpoint %s: its secret cannot be read with WEBHOOK_SECRET_KEY nor any of "
                  "WEBHOOK_OLD_SECRET_KEYS", endpoint_id)
        endpoint = db.session.get(WebhookEndpoint, endpoint_id, with_for_update=True)
        if endpoint is not None and endpoint.disabled_at is None:
            disable(endpoint, now, problems.SECRET_UNREADABLE)


_END = (update(WebhookDelivery.__table__).where(WebhookDelivery.__table__.c.id == bindparam("delivery_id"))
        .values(status=DeliveryStatus.FAILED, locked_until=None, last_error=bindparam("code")))


def end_deliveries(delivery_ids: list[int], now: datetime, codes: dict[int, str]) -> None:
    """Give up deliveries without sending them (their owner lost access), each with its problem code."""
    db.session.execute(_END, [{"delivery_id": delivery_id, "code": codes[delivery_id]} for delivery_id in delivery_ids],
                       execution_options={"synchronize_session": False})
    log.info("webhooks: %s deliveries ended unsent at %s", len(delivery_ids), now.isoformat())


class _Deadline:
    """Cuts a connection when the attempt's time is up, whatever it is doing (a receiver answering one
    byte every few seconds never trips a socket's own timeout, which counts from the last byte)."""

    def __init__(self, seconds: float):
        self.at = time.perf_counter() + seconds
        self.passed = False
        self.connection: http.client.HTTPConnection | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._cut)
        self._timer.daemon = True

    def remaining(self) -> float:
        return max(self.at - time.perf_counter(), 0.001)

    def answered_in_time(self) -> bool:
        """Called once the answer's head is read: whether it came before the cut (``_cut`` marks the deadline
        passed before it shuts the socket, so a head cut short is never taken for an answer)."""
        with self._lock:
            return not self.passed

    def _cut(self) -> None:
        with self._lock:
            self.passed = True
            sock = self.connection.sock if self.connection is not None else None
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._timer.cancel()


def _connection(target: Target, deadline: _Deadline) -> http.client.HTTPConnection:
    """A connection to the checked addresses (not the name, resolved again), presenting the name (Host
    header, TLS SNI and certificate check)."""
    connection_class = http.client.HTTPSConnection if target.scheme == "https" else http.client.HTTPConnection
    connection = connection_class(target.host, target.port, timeout=deadline.remaining())

    def connect_to_checked(_address, _timeout, source_address=None):
        problem: OSError | None = None
        for address in target.addresses:
            try:
                return socket.create_connection((address, target.port), deadline.remaining(), source_address)
            except OSError as refused:
                problem = refused
        raise problem or OSError("no address")

    connection._create_connection = connect_to_checked
    with deadline._lock:
        deadline.connection = connection
    return connection


def _problem_of(error: BaseException) -> str:
    if isinstance(error, ssl.SSLError | ssl.CertificateError):
        return problems.TLS_FAILED
    if isinstance(error, TimeoutError):
        return problems.TIMEOUT
    if isinstance(error, http.client.HTTPException) and not isinstance(error, ConnectionError):
        return problems.BAD_RESPONSE
    return problems.CONNECT_FAILED


def send(outgoing: Outgoing, timeout: float, allow_http: bool, allow_private: bool) -> Result:
    """POST one delivery, signed, within ``timeout`` seconds in all; never raises. Runs in a worker thread:
    no database here."""
    started, attempted_at = time.perf_counter(), utcnow()
    status, error = None, ""
    with _Deadline(timeout) as deadline:
        try:
            target = resolve_target(outgoing.url, allow_http=allow_http, allow_private=allow_private,
                                    within=deadline.remaining())
            connection = _connection(target, deadline)
            try:
                connection.request("POST", target.path, body=outgoing.body, headers={
                    "Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT,
                    "Connection": "close", SIGNATURE_HEADER: signature_header(outgoing.secret, outgoing.body),
                    "X-Talentday-Event": outgoing.event_type, "X-Talentday-Delivery": outgoing.uid})
                response = connection.getresponse()
                if not deadline.answered_in_time():
                    raise TimeoutError  # the head ended because the connection was cut: no answer
                status = response.status
                response.read(4096)
            finally:
                connection.close()
        except TargetRefused as refused:
            error = refused.code
        except (OSError, http.client.HTTPException, ValueError) as problem:
            error = _problem_of(problem)
        if status is not None:  # read in time, the status is the answer (whatever the body or the timer did next)
            error = "" if 200 <= status < 300 else problems.HTTP_STATUS
        elif deadline.passed:
            error = problems.TIMEOUT
    return Result(outgoing.delivery_id, status, error, int((time.perf_counter() - started) * 1000), attempted_at)


_DELIVERY = WebhookDelivery.__table__.c
# Only while the row is still this worker's: pending, not erased, and holding the lease this worker set. A
# delivery erased, ended (its owner lost access) or claimed by another worker meanwhile keeps what happened to it.
_RECORD = (update(WebhookDelivery.__table__)
           .where(_DELIVERY.id == bindparam("delivery_id"), _DELIVERY.status == DeliveryStatus.PENDING,
                  _DELIVERY.erased_at.is_(None), _DELIVERY.locked_until == bindparam("lease"))
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
        rows.append({"delivery_id": outgoing.delivery_id, "lease": outgoing.lease, "new_status": status,
                     "new_attempts": attempts, "next_at": next_at, "attempted_at": result.attempted_at,
                     "status_code": result.status_code, "duration_ms": result.duration_ms, "error": result.error[:500],
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


def disable(endpoint: WebhookEndpoint, now: datetime, reason: str = problems.FAILURES) -> None:
    """Stop delivering to an endpoint (it keeps failing, or its secret cannot be read: ``reason``, a problem
    code), and tell by e-mail those who may open it now (``services.told_when_stopped``: an organization's
    owners, not a member who left)."""
    endpoint.disabled_at = now
    endpoint.disabled_reason = reason
    link = public_url("webhooks.detail", endpoint_id=endpoint.id)
    for user in told_when_stopped(endpoint):
        queue_email("webhook_disabled", user.email, user.locale, "webhook_disabled", user=user, endpoint=endpoint,
                    failures=endpoint.consecutive_failures, reason=reason, link=link)
    log.warning("webhook endpoint %s disabled (%s) after %s failures", endpoint.id, reason,
                endpoint.consecutive_failures)


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


class RedeliveryRefused(Exception):
    """A delivery that may not be sent again; ``reason`` says why, for people."""

    def __init__(self, reason):
        self.reason = reason
        super().__init__(str(reason))


def redeliver(delivery: WebhookDelivery, now: datetime | None = None) -> WebhookDelivery:
    """Send a delivery again, by hand: a new delivery with a new id, the same data, and ``redelivery_of``
    naming the first. The worker sends it while the endpoint is enabled. Refused for an erased delivery:
    the personal data it carried is gone and must not be sent again; and for one the endpoint may no longer
    hear of (``emit.heard_when_sent``: its organization lost its booth at the event) or whose candidate no
    longer agrees to be shown to employers (``emit.consent_kept_when_sent``)."""
    if delivery.erased_at is not None:
        raise RedeliveryRefused(_l("This delivery cannot be sent again: the personal data it carried has been "
                                   "erased (the account was deleted or the event's retention period ended)."))
    heard, consented = db.session.execute(
        select(case((heard_when_sent(), True), else_=False), case((consent_kept_when_sent(), True), else_=False))
        .select_from(WebhookDelivery).join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(WebhookDelivery.id == delivery.id)).one()
    if not heard:
        raise RedeliveryRefused(_l("This delivery cannot be sent again: your organization no longer holds an "
                                   "active booth at the event it is about."))
    if not consented:
        raise RedeliveryRefused(_l("This delivery cannot be sent again: the candidate it is about no longer "
                                   "agrees to be shown to employers."))
    now = now or utcnow()
    data = json.loads(delivery.body).get("data", {})
    uid = new_uid()
    again = WebhookDelivery(endpoint_id=delivery.endpoint_id, uid=uid, event_type=delivery.event_type,
                            body=envelope(uid, delivery.event_type, data, now, redelivery_of=delivery.uid),
                            status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now, last_error="",
                            created_at=now, subject_user_id=delivery.subject_user_id, event_id=delivery.event_id)
    db.session.add(again)
    db.session.flush()
    return again


def scheduled_round(now: datetime) -> str | None:
    """The scheduler's job: what ``deliver_due`` did, when it did anything (for the log)."""
    report = deliver_due()
    return str(report) if report.sent or report.failed else None
