"""Writing deliveries: the features call these functions where their state changes, in their transaction.

Nothing is sent here: each function finds the endpoints that picked the event type and may see the change,
and inserts one ``webhook_delivery`` row per endpoint (an outbox), committed or rolled back with the change
itself. The worker (``eventsapp.webhooks.delivery``) sends them. With no endpoint interested, a function costs
one indexed query.

What each endpoint receives is what its owner may see on the pages: organizers see the registrant (name,
e-mail); an employer's endpoint hears about a registrant only at a fair where its organization holds an
active booth, only when the candidate agreed to be seen by employers and is confirmed (a cancellation only
of a place that was confirmed: a waitlisted or pending registrant never showed on the employer's pages),
and only their id and name: the database is asked ``organizations.access.visible_registrants_condition``,
the rule of the registrants page itself (once per change, and only when an employer's endpoint is
interested).
Which employers hear of which change is ``EMPLOYERS``; the worker checks the booth again when it sends
(``heard_when_sent``), so a booth withdrawn or rejected after the change is not sent what it no longer sees.
Each row records whose personal data it carries (``subject_user_id``) and its event, so that deleting the
account or the event's retention erases it (``webhooks.lifecycle``).
Payloads carry ids as strings and ISO 8601 times with offsets.
"""
from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Collection, Mapping
from datetime import datetime
from functools import cache

from sqlalchemy import Integer, and_, bindparam, insert, literal, or_, select

from eventsapp.accounts.models import STAFF_ROLES, User
from eventsapp.booths.models import Booth
from eventsapp.candidates.models import CandidateProfile
from eventsapp.checkin.models import CheckIn
from eventsapp.contests.models import Contest
from eventsapp.dbtypes import utcnow
from eventsapp.events.models import Event
from eventsapp.extensions import db
from eventsapp.matchmaking.models import Interview, MatchRun
from eventsapp.organizations.access import (
    STATUS_SEEN_BY_EMPLOYERS,
    active_booth_condition,
    consents_to_employers_condition,
    visible_registrants_condition,
)
from eventsapp.organizations.models import Organization
from eventsapp.registrations.models import Registration, RegistrationStatus
from eventsapp.webhooks import events as types
from eventsapp.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

INSERT_DELIVERY = insert(WebhookDelivery.__table__)
AT_EVENT, LISTED = "at_event", "listed"
Data = Mapping[str, object]


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def sid(value: int | None) -> str | None:
    return str(value) if value is not None else None


def envelope(uid: str, event_type: str, data: Data, created_at: datetime, redelivery_of: str | None = None) -> str:
    """The JSON body of one delivery, exactly as sent and signed."""
    body = {"id": uid, "type": event_type, "created_at": iso(created_at), "data": data}
    if redelivery_of:
        body["redelivery_of"] = redelivery_of
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def new_uid() -> str:
    return "dlv_" + uuid.uuid4().hex


# Which employers' endpoints hear of each change (organizers' endpoints hear of every change they picked):
# AT_EVENT, those of the organizations holding an active booth at the change's event -- when the delivery is
# written and again when it is sent (``heard_when_sent``: a booth withdrawn or rejected in between stops it);
# LISTED, those of the organizations the change names (a booth's own, whatever was decided); none for the rest.
EMPLOYERS = {types.REGISTRATION_CREATED: AT_EVENT, types.REGISTRATION_CANCELLED: AT_EVENT,
             types.REGISTRATION_PROMOTED: AT_EVENT, types.CHECKIN_RECORDED: AT_EVENT,
             types.MATCHING_RUN_PUBLISHED: AT_EVENT, types.EVENT_CANCELLED: AT_EVENT,
             types.BOOTH_APPLICATION_DECIDED: LISTED}
HEARD_WITH_A_BOOTH = tuple(event_type for event_type, employers in EMPLOYERS.items() if employers == AT_EVENT)


def _holds_active_booth(event_id):
    """SQL condition on WebhookEndpoint: its organization holds an active booth at ``event_id`` (a value or
    a column)."""
    return WebhookEndpoint.organization_id.in_(select(Booth.organization_id).where(
        Booth.event_id == event_id, active_booth_condition()))


def heard_when_sent():
    """SQL condition on a WebhookDelivery joined to its WebhookEndpoint: the endpoint may still hear of it
    by ``EMPLOYERS`` (an organizer's endpoint always; an employer's, of a change at an event, only while its
    organization still holds an active booth there). The worker checks it before sending, and so does a
    redelivery."""
    return or_(WebhookEndpoint.organization_id.is_(None), WebhookDelivery.event_type.not_in(HEARD_WITH_A_BOOTH),
               _holds_active_booth(WebhookDelivery.event_id))


def consent_kept_when_sent():
    """SQL condition on a WebhookDelivery joined to its WebhookEndpoint: an employer's endpoint is sent the
    data of the person a delivery is about only while that person still agrees to be shown to employers
    (the registrants page's rule, ``organizations.access``); a consent withdrawn after the delivery was
    written stops it. Organizers' endpoints, and deliveries about nobody, always pass."""
    return or_(WebhookEndpoint.organization_id.is_(None), WebhookDelivery.subject_user_id.is_(None),
               WebhookDelivery.subject_user_id.in_(select(CandidateProfile.user_id).where(
                   consents_to_employers_condition())))


# The endpoints a change may go to, as prebuilt statements (building one costs more than running it on the
# hot paths, e.g. a registration): organizers' endpoints for this event or all events, while their maker is
# still an organizer; and employers' endpoints, of the organizations holding an active booth at the event or
# of the organizations listed.
_COLUMNS = select(WebhookEndpoint.id, WebhookEndpoint.organization_id).where(
    (literal(" ") + WebhookEndpoint.event_types + literal(" ")).like(bindparam("pattern")))
_ORGANIZERS = and_(
    WebhookEndpoint.organization_id.is_(None),
    or_(WebhookEndpoint.event_id.is_(None), WebhookEndpoint.event_id == bindparam("event_id", type_=Integer)),
    WebhookEndpoint.created_by_id.in_(select(User.id).where(User.role.in_(STAFF_ROLES),
                                                            User.is_active_account.is_(True))))
_BOOTHS_AT_EVENT = _holds_active_booth(bindparam("event_id", type_=Integer))
_LISTED = WebhookEndpoint.organization_id.in_(bindparam("organizations", expanding=True))
ENDPOINTS = {None: _COLUMNS.where(_ORGANIZERS), AT_EVENT: _COLUMNS.where(or_(_ORGANIZERS, _BOOTHS_AT_EVENT)),
             LISTED: _COLUMNS.where(or_(_ORGANIZERS, _LISTED))}


Endpoints = list[tuple[int, int | None]]  # (endpoint id, its organization id or None for an organizer's)


def _insert_if_still_found(employers: str | None):
    """A delivery's INSERT ... SELECT from its endpoint, when the endpoint is still found as ``ENDPOINTS``
    finds it (same parameters, and ``endpoint_id``): for endpoints looked up earlier (before a lock), so that
    one deleted since is skipped (no foreign-key error) and one whose organization lost its booth at the
    event meanwhile (withdrawn, rejected: they take the event's lock) hears nothing of it."""
    table = WebhookDelivery.__table__
    names = [column.name for column in table.columns if column.name not in ("id", "endpoint_id")]
    values = [bindparam(f"v_{name}", type_=table.c[name].type) for name in names]
    return insert(table).from_select(
        ["endpoint_id", *names],
        select(WebhookEndpoint.id, *values).where(WebhookEndpoint.id == bindparam("endpoint_id", type_=Integer),
                                                  ENDPOINTS[employers].whereclause))


INSERT_IF_STILL_FOUND = {employers: _insert_if_still_found(employers) for employers in (None, AT_EVENT)}


def endpoints_for(event_type: str, event_id: int | None, employers: str | None = None,
                  organizations: Collection[int] = ()) -> Endpoints:
    """The endpoints that picked ``event_type`` and may see it at the event (see ``_write``)."""
    values = {"pattern": f"% {event_type} %", "event_id": event_id}
    if employers == LISTED:
        values["organizations"] = list(organizations)
    return [tuple(row) for row in db.session.execute(ENDPOINTS[employers], values)]


def _write(event_type: str, event_id: int | None, organizer_data: Callable[[], Data],
           employers: str | None = None, employer_data: Callable[[int], Data | None] | None = None,
           organizations: Collection[int] = (), now: datetime | None = None,
           subject_user_id: int | None = None, endpoints: Endpoints | None = None) -> int:
    """Insert a delivery for every endpoint that picked ``event_type`` and may see it; the number. A disabled
    endpoint's deliveries wait for it to be switched on again. ``employers``: None (organizers only),
    ``AT_EVENT`` (organizations with an active booth at the event) or ``LISTED`` (``organizations``).
    ``endpoints``: found already by ``endpoints_for`` (a registration looks them up before it takes the
    event's lock; ``employers`` None or ``AT_EVENT``): each delivery is inserted only if its endpoint is
    still found so (``INSERT_IF_STILL_FOUND``). The payloads are built only for the endpoints found (none,
    nearly always, on the hot paths)."""
    looked_up_before = endpoints is not None
    if not looked_up_before:
        endpoints = endpoints_for(event_type, event_id, employers, organizations)
    if not endpoints:
        return 0
    now = now or utcnow()
    rows, payloads = [], {}
    for endpoint_id, organization_id in endpoints:
        if organization_id not in payloads:
            payloads[organization_id] = organizer_data() if organization_id is None else employer_data(organization_id)
        data = payloads[organization_id]
        if data is None:
            continue
        uid = new_uid()
        rows.append({"endpoint_id": endpoint_id, "uid": uid, "event_type": event_type,
                     "body": envelope(uid, event_type, data, now), "status": DeliveryStatus.PENDING, "attempts": 0,
                     "next_attempt_at": now, "locked_until": None, "last_attempt_at": None,
                     "last_status_code": None, "last_duration_ms": None, "last_error": "", "created_at": now,
                     "delivered_at": None, "subject_user_id": subject_user_id, "event_id": event_id,
                     "erased_at": None})
    if not rows:
        return 0
    if looked_up_before:  # still there, and still allowed to see it (the lock may have been waited for since)
        found = {"pattern": f"% {event_type} %", "event_id": event_id}
        return sum(db.session.execute(INSERT_IF_STILL_FOUND[employers], {
            **found, "endpoint_id": row["endpoint_id"],
            **{f"v_{name}": value for name, value in row.items() if name != "endpoint_id"}}).rowcount
            for row in rows)
    db.session.execute(INSERT_DELIVERY, rows)
    return len(rows)


def queue_ping(endpoint: WebhookEndpoint, now: datetime | None = None) -> WebhookDelivery:
    """A test delivery to one endpoint (enabled or not: a ping is how its owner checks a repair)."""
    now = now or utcnow()
    uid = new_uid()
    delivery = WebhookDelivery(endpoint_id=endpoint.id, uid=uid, event_type=types.PING, status=DeliveryStatus.PENDING,
                               body=envelope(uid, types.PING, {"endpoint": {"id": str(endpoint.id)}}, now),
                               attempts=0, next_attempt_at=now, last_error="", created_at=now)
    db.session.add(delivery)
    db.session.flush()
    return delivery


# --- What each change says ----------------------------------------------------------------------------------

def _event(event: Event) -> dict:
    return {"id": str(event.id), "slug": event.slug, "title_zh": event.title_zh, "title_en": event.title_en}


def _person(user_id: int) -> tuple[User | None, CandidateProfile | None]:
    return db.session.get(User, user_id), db.session.get(CandidateProfile, user_id)


def _name(user: User | None, profile: CandidateProfile | None) -> str:
    if profile is not None and profile.name:
        return profile.name
    return user.display_name if user is not None else ""


def registration_endpoints(event_type: str, event_id: int) -> Endpoints:
    """The endpoints ``registration_changed`` writes to, for looking them up before a lock is taken."""
    return endpoints_for(event_type, event_id, EMPLOYERS.get(event_type))


def _registration_for_organizers(registration: Registration, name_hidden: bool = False) -> dict:
    user, profile = _person(registration.user_id)
    candidate = {"id": str(registration.user_id)}
    if not name_hidden:
        candidate.update(name=_name(user, profile),
                         email=user.email if user is not None and user.erased_at is None else None)
    return {"event": _event(registration.event), "registration": {
        "id": str(registration.id), "status": registration.status.value,
        "created_at": iso(registration.created_at), "confirmed_at": iso(registration.confirmed_at),
        "cancelled_at": iso(registration.cancelled_at)}, "candidate": candidate}


def registration_changed(event_type: str, registration: Registration, now: datetime | None = None,
                         name_hidden: bool = False, previous_status: RegistrationStatus | None = None,
                         endpoints: Endpoints | None = None) -> int:
    """registration.created / .cancelled / .promoted, after the registration has been flushed.
    ``name_hidden``: the person is deleting their account; the message carries their id only, and only to
    organizers. ``previous_status``: a cancelled registration's status before (employers hear of the
    cancellation of a confirmed place only). ``endpoints``: from ``registration_endpoints``, when looked
    up already."""

    def organizer_data() -> dict:
        return _registration_for_organizers(registration, name_hidden)

    @cache
    def seen_by_employers() -> bool:
        """Whether the registrants page shows the candidate (a cancellation: showed them, until now)."""
        if name_hidden:
            return False
        if event_type != types.REGISTRATION_CANCELLED:
            return _seen_by_employers(registration.user_id, visible_registrants_condition(registration.event_id))
        return (previous_status == STATUS_SEEN_BY_EMPLOYERS
                and _seen_by_employers(registration.user_id, consents_to_employers_condition()))

    def employer_data(organization_id: int) -> dict | None:
        if not seen_by_employers():
            return None
        user, profile = _person(registration.user_id)
        return {"event": _event(registration.event), "registration": {
            "id": str(registration.id), "status": registration.status.value},
            "candidate": {"id": str(registration.user_id), "name": _name(user, profile)}}

    return _write(event_type, registration.event_id, organizer_data, EMPLOYERS[event_type], employer_data, now=now,
                  subject_user_id=None if name_hidden else registration.user_id, endpoints=endpoints)


def _seen_by_employers(user_id: int, condition) -> bool:
    """Whether the candidate's profile meets ``condition``, an ``organizations.access`` rule on
    CandidateProfile (a deleted account has no profile): one lookup by primary key."""
    return db.session.scalar(select(CandidateProfile.user_id).where(CandidateProfile.user_id == user_id,
                                                                   condition)) is not None


def check_in_recorded(row: CheckIn, candidate: bool, now: datetime | None = None) -> int:
    """checkin.recorded: organizers hear of everyone let in; employers of the candidates their registrants
    page shows (confirmed, consenting) only."""

    def organizer_data() -> dict:
        user, profile = _person(row.holder_id)
        return {"event": _event(db.session.get(Event, row.event_id)), "check_in": {
            "id": str(row.id), "checked_in_at": iso(row.checked_in_at), "recorded_at": iso(row.recorded_at),
            "gate": row.gate, "method": row.method},
            "person": {"id": str(row.holder_id), "name": _name(user, profile),
                       "role": "candidate" if candidate else "staff"}}

    @cache
    def seen_by_employers() -> bool:
        return candidate and _seen_by_employers(row.holder_id, visible_registrants_condition(row.event_id))

    def employer_data(organization_id: int) -> dict | None:
        if not seen_by_employers():
            return None
        user, profile = _person(row.holder_id)
        return {"event": _event(db.session.get(Event, row.event_id)), "check_in": {
            "id": str(row.id), "checked_in_at": iso(row.checked_in_at)},
            "candidate": {"id": str(row.holder_id), "name": _name(user, profile)}}

    return _write(types.CHECKIN_RECORDED, row.event_id, organizer_data, EMPLOYERS[types.CHECKIN_RECORDED],
                  employer_data, now=now, subject_user_id=row.holder_id)


def _booth(booth: Booth) -> dict:
    organization = db.session.get(Organization, booth.organization_id)
    return {"id": str(booth.id), "code": booth.code, "status": booth.status.value, "reason": booth.status_reason,
            "decided_at": iso(booth.decided_at), "organization": {
                "id": str(booth.organization_id),
                "name_zh": organization.name_zh if organization else "",
                "name_en": organization.name_en if organization else ""}}


def booth_decided(booth: Booth, now: datetime | None = None) -> int:
    """booth_application.decided: the organizers, and the booth's own organization."""

    def data(_organization_id: int | None = None) -> dict:
        return {"event": _event(db.session.get(Event, booth.event_id)), "booth": _booth(booth)}

    return _write(types.BOOTH_APPLICATION_DECIDED, booth.event_id, data, EMPLOYERS[types.BOOTH_APPLICATION_DECIDED],
                  data, [booth.organization_id], now)


def matching_run_published(run: MatchRun, now: datetime | None = None) -> int:
    """matching_run.published: the organizers get the run's figures, each booth's organization its own
    booths' interview counts (the names are on its interview list, behind its login)."""
    live = (Interview.run_id == run.id) & Interview.cancelled_at.is_(None)

    def run_data() -> dict:
        return {"id": str(run.id), "published_at": iso(run.published_at), "slots": run.slots}

    def organizer_data() -> dict:
        count = db.session.scalar(select(db.func.count()).select_from(Interview).where(live))
        return {"event": _event(db.session.get(Event, run.event_id)), "run": {**run_data(), "interviews": count}}

    def employer_data(organization_id: int) -> dict:
        counts = db.session.execute(select(Booth.id, Booth.code, db.func.count(Interview.id))
                                    .join(Interview, live & (Interview.booth_id == Booth.id))
                                    .where(Booth.organization_id == organization_id, Booth.event_id == run.event_id)
                                    .group_by(Booth.id, Booth.code).order_by(Booth.id)).all()
        return {"event": _event(db.session.get(Event, run.event_id)), "run": run_data(),
                "booths": [{"id": str(booth_id), "code": code, "interviews": count}
                           for booth_id, code, count in counts]}

    return _write(types.MATCHING_RUN_PUBLISHED, run.event_id, organizer_data, EMPLOYERS[types.MATCHING_RUN_PUBLISHED],
                  employer_data, now=now)


def contest_results_published(contest: Contest, awards: int, now: datetime | None = None) -> int:
    """contest_results.published: organizers only (the results page itself is public)."""

    def data() -> dict:
        return {"event": _event(db.session.get(Event, contest.event_id)), "contest": {
            "id": str(contest.id), "results_published_at": iso(contest.results_published_at), "awards": awards}}

    return _write(types.CONTEST_RESULTS_PUBLISHED, contest.event_id, data, now=now)


def registration_rejected(registration: Registration, now: datetime | None = None) -> int:
    """registration.rejected: organizers only (employers never see a registration awaiting approval)."""

    def data() -> dict:
        user, profile = _person(registration.user_id)
        return {"event": _event(registration.event), "registration": {
            "id": str(registration.id), "status": registration.status.value,
            "created_at": iso(registration.created_at), "reason": registration.decision_reason},
            "candidate": {"id": str(registration.user_id), "name": _name(user, profile),
                          "email": user.email if user is not None and user.erased_at is None else None}}

    return _write(types.REGISTRATION_REJECTED, registration.event_id, data, now=now,
                  subject_user_id=registration.user_id)


def registration_waitlisted(registration: Registration, now: datetime | None = None) -> int:
    """registration.waitlisted: a registration awaiting approval was approved when no place was free, so it
    waits on the waiting list (``registration.promoted`` follows when it gets a place). Organizers only:
    employers see confirmed registrations alone. The same data as ``registration_changed`` gives them."""
    return _write(types.REGISTRATION_WAITLISTED, registration.event_id,
                  lambda: _registration_for_organizers(registration), now=now, subject_user_id=registration.user_id)


def event_cancelled(event: Event, now: datetime | None = None) -> int:
    """event.cancelled: the organizers (of this event or all events), and the organizations holding an active
    booth at it. The reason is the one every registrant is told."""

    def data(_organization_id: int | None = None) -> dict:
        return {"event": {**_event(event), "status": event.status.value, "starts_at": iso(event.starts_at),
                          "cancelled_at": iso(event.cancelled_at), "reason": event.cancellation_reason}}

    return _write(types.EVENT_CANCELLED, event.id, data, EMPLOYERS[types.EVENT_CANCELLED], data, now=now)
