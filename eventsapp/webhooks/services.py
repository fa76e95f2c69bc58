"""Endpoints: who may see and change which, and making, changing and removing them.

One rule decides access (``can_manage``): an organizer's endpoint is seen and changed only by the organizer
who made it (while still an organizer); an employer's endpoint by the staff of its organization, while the
organization is in good standing (verified). ``owner_keeps_access`` is the same rule for the worker, which
checks it again when it sends.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select, update

from eventsapp.accounts.models import STAFF_ROLES, User
from eventsapp.dbtypes import utcnow
from eventsapp.events.models import Event
from eventsapp.extensions import db
from eventsapp.organizations.access import in_good_standing, membership_of
from eventsapp.organizations.models import Organization, OrganizationStatus
from eventsapp.organizations.services import owners_to_tell
from eventsapp.validation import ValidationFailed
from eventsapp.webhooks import events as types
from eventsapp.webhooks import problems
from eventsapp.webhooks.models import WebhookDelivery, WebhookEndpoint
from eventsapp.webhooks.signing import new_secret
from eventsapp.webhooks.targets import TargetRefused, check_url
from eventsapp.webhooks.vault import SecretUnreadable, reseal

MAX_ENDPOINTS_PER_OWNER = 20
RESEAL_BATCH = 500
DESCRIPTION_MAX_LENGTH = 200
LOG_LENGTH = 50


def owner_kind(user: User | None) -> str | None:
    """"organizer", "employer" (with an organization) or None: who may have endpoints at all."""
    if user is None or not user.is_authenticated:
        return None
    if user.is_organizer:
        return "organizer"
    member = membership_of(user)
    return "employer" if member is not None and in_good_standing(member.organization) else None


def owner_keeps_access():
    """SQL condition on WebhookEndpoint: its owner may still have it (``owner_kind`` for the maker of an
    organizer's endpoint; a verified organization for an employer's)."""
    organizer_endpoint = WebhookEndpoint.organization_id.is_(None) & WebhookEndpoint.created_by_id.in_(
        select(User.id).where(User.role.in_(STAFF_ROLES), User.is_active_account.is_(True), User.erased_at.is_(None)))
    employer_endpoint = WebhookEndpoint.organization_id.in_(
        select(Organization.id).where(Organization.status == OrganizationStatus.VERIFIED))
    return organizer_endpoint | employer_endpoint


def allowed_types(user: User) -> tuple[str, ...]:
    return types.ORGANIZER_EVENT_TYPES if owner_kind(user) == "organizer" else types.EMPLOYER_EVENT_TYPES


def _owned_condition(user: User):
    kind = owner_kind(user)
    if kind == "organizer":
        return (WebhookEndpoint.created_by_id == user.id) & WebhookEndpoint.organization_id.is_(None)
    if kind == "employer":
        return WebhookEndpoint.organization_id == membership_of(user).organization_id
    return WebhookEndpoint.id.is_(None)  # nothing


def endpoints_of(user: User) -> list[WebhookEndpoint]:
    return list(db.session.scalars(select(WebhookEndpoint).where(_owned_condition(user))
                                   .order_by(WebhookEndpoint.id)))


def can_manage(user: User | None, endpoint: WebhookEndpoint) -> bool:
    kind = owner_kind(user)
    if kind == "organizer":
        return endpoint.organization_id is None and endpoint.created_by_id == user.id
    if kind == "employer":
        return endpoint.organization_id == membership_of(user).organization_id
    return False


def told_when_stopped(endpoint: WebhookEndpoint) -> list[User]:
    """Who is e-mailed when the endpoint is disabled: people who may open it now (``can_manage``), never a
    former member nor an account closed since. An organization's endpoint: its owners (whoever is told of
    the organization's affairs, ``organizations.services.owners_to_tell``) and its maker while still a
    member. An organizer's endpoint: its maker while still an active organizer -- only they may open it, so
    once they are not, nobody is told (its deliveries are ended unsent then: ``owner_keeps_access``)."""
    maker = db.session.get(User, endpoint.created_by_id)
    candidates = [maker] if maker is not None else []
    if endpoint.organization_id is not None:
        organization = db.session.get(Organization, endpoint.organization_id)
        candidates = [*owners_to_tell(organization), *candidates] if organization is not None else candidates
    told = {}
    for user in candidates:
        if user.erased_at is None and user.is_active_account and user.id not in told and can_manage(user, endpoint):
            told[user.id] = user
    return list(told.values())


def endpoint_for(user: User, endpoint_id: int) -> WebhookEndpoint | None:
    """The endpoint, when ``user`` may manage it (otherwise None: the page says 404, not who owns it)."""
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    return endpoint if endpoint is not None and can_manage(user, endpoint) else None


@dataclass(frozen=True)
class EndpointData:
    url: str
    description: str
    event_types: list[str]
    event_id: int | None = None  # organizers: one event, or None for all events


def _check(user: User, data: EndpointData) -> tuple[str, str, int | None]:
    errors = []
    url = ""
    try:
        url = check_url(data.url, allow_http=current_app.config["WEBHOOK_ALLOW_HTTP"],
                        allow_private=current_app.config["WEBHOOK_ALLOW_PRIVATE"],
                        within=current_app.config["WEBHOOK_TIMEOUT_SECONDS"])  # the bound of a delivery's lookup
    except TargetRefused as refused:
        errors.append(("url", refused.reason))
    picked = [name for name in allowed_types(user) if name in set(data.event_types)]
    if not picked or len(picked) != len(set(data.event_types)):
        errors.append(("event_types", _l("Pick at least one of the event types listed.")))
    if len(data.description) > DESCRIPTION_MAX_LENGTH:
        errors.append(("description", _l("At most %(max)d characters.", max=DESCRIPTION_MAX_LENGTH)))
    event_id = data.event_id if owner_kind(user) == "organizer" else None
    if event_id is not None and db.session.get(Event, event_id) is None:
        errors.append(("event_id", _l("Choose an event from the list.")))
    if errors:
        raise ValidationFailed(errors)
    return url, " ".join(picked), event_id


def create_endpoint(user: User, data: EndpointData) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its secret (shown to the user once). Flushes; the caller commits."""
    if owner_kind(user) is None:
        raise PermissionError
    url, event_types, event_id = _check(user, data)
    if len(endpoints_of(user)) >= MAX_ENDPOINTS_PER_OWNER:
        raise ValidationFailed([(None, _l("At most %(max)d endpoints.", max=MAX_ENDPOINTS_PER_OWNER))])
    secret = new_secret()
    member = membership_of(user)
    endpoint = WebhookEndpoint(created_by_id=user.id, organization_id=member.organization_id if member else None,
                               event_id=event_id, url=url, description=data.description, event_types=event_types,
                               secret=secret, consecutive_failures=0, disabled_reason="")
    db.session.add(endpoint)
    db.session.flush()
    return endpoint, secret


def update_endpoint(user: User, endpoint: WebhookEndpoint, data: EndpointData) -> WebhookEndpoint:
    endpoint.url, endpoint.event_types, endpoint.event_id = _check(user, data)
    endpoint.description = data.description
    db.session.flush()
    return endpoint


def replace_secret(endpoint: WebhookEndpoint) -> str:
    """A new secret; an endpoint stopped because its old one could not be read is switched on again."""
    endpoint.secret = new_secret()
    if endpoint.disabled_at is not None and endpoint.disabled_reason == problems.SECRET_UNREADABLE:
        reenable(endpoint)
    db.session.flush()
    return endpoint.secret


def delete_endpoint(endpoint: WebhookEndpoint) -> None:
    db.session.delete(endpoint)  # its deliveries go with it (ON DELETE CASCADE)
    db.session.flush()


def reenable(endpoint: WebhookEndpoint) -> None:
    """Deliver again to an endpoint that was disabled; its waiting deliveries are sent at once."""
    endpoint.disabled_at, endpoint.disabled_reason, endpoint.consecutive_failures = None, "", 0
    db.session.flush()


def deliveries_of(endpoint: WebhookEndpoint, limit: int = LOG_LENGTH) -> list[WebhookDelivery]:
    return list(db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
                                   .order_by(WebhookDelivery.id.desc()).limit(limit)))


def delivery_of(endpoint: WebhookEndpoint, delivery_id: int) -> WebhookDelivery | None:
    delivery = db.session.get(WebhookDelivery, delivery_id)
    return delivery if delivery is not None and delivery.endpoint_id == endpoint.id else None


def events_to_choose() -> list[Event]:
    """The events an organizer may limit an endpoint to: those not over, newest first."""
    return list(db.session.scalars(select(Event).where(Event.ends_at >= utcnow()).order_by(Event.starts_at.desc())
                                   .limit(200)))


@dataclass
class Resealing:
    """What ``reseal_secrets`` did: secrets sealed again with the current key, those that already were, the
    endpoints switched on again (disabled because their secret could not be read, and it now can), and the
    endpoints whose secret no configured key reads (their ids)."""

    resealed: int = 0
    current: int = 0
    reenabled: int = 0
    unreadable: list[int] = field(default_factory=list)


_RESEAL = (update(WebhookEndpoint.__table__)
           .where(WebhookEndpoint.__table__.c.id == bindparam("endpoint_id"),
                  WebhookEndpoint.__table__.c.secret == bindparam("was"))
           .values(secret=bindparam("sealed")))
# Stopped only because the secret could not be read: with a key that reads it now, they are on again.
# (Not one whose owner has lost access since: it stays off, as it would have been stopped then.)
_REENABLE = (update(WebhookEndpoint).where(WebhookEndpoint.id.in_(bindparam("ids", expanding=True)),
                                           WebhookEndpoint.disabled_reason == problems.SECRET_UNREADABLE,
                                           owner_keeps_access())
             .values(disabled_at=None, disabled_reason="", consecutive_failures=0)
             .execution_options(synchronize_session=False))
_SEALED = select(WebhookEndpoint.id, WebhookEndpoint.secret_sealed, WebhookEndpoint.disabled_reason)
RESEAL_ROUNDS = 5  # a secret replaced again and again while this runs is left for the next run


def reseal_secrets(batch: int = RESEAL_BATCH) -> Resealing:
    """Seal every endpoint's secret with the current WEBHOOK_SECRET_KEY (read with it or a former key,
    WEBHOOK_OLD_SECRET_KEYS), ``batch`` endpoints per transaction; commits each. Running it again re-seals
    nothing more. A secret replaced while this runs is read again and sealed with the current key if it is
    not (a process still on the old settings may have sealed it with the old key). An endpoint disabled
    because its secret could not be read is switched on again once a configured key reads it; one no key
    reads is counted and left for the worker, which disables its endpoint (``secret_unreadable``)."""
    outcome, after = Resealing(), 0
    while True:
        rows = db.session.execute(_SEALED.where(WebhookEndpoint.id > after).order_by(WebhookEndpoint.id)
                                  .limit(batch)).all()
        if not rows:
            return outcome
        last_id, readable = rows[-1].id, []
        for _ in range(RESEAL_ROUNDS):  # again for the secrets replaced between the read and the write
            changed = []
            for endpoint_id, sealed, disabled_reason in rows:
                try:
                    again = reseal(sealed)
                except SecretUnreadable:
                    outcome.unreadable.append(endpoint_id)
                    continue
                if disabled_reason == problems.SECRET_UNREADABLE:
                    readable.append(endpoint_id)
                if again is None:
                    outcome.current += 1
                else:
                    changed.append({"endpoint_id": endpoint_id, "was": sealed, "sealed": again})
            if not changed:
                break
            written = db.session.execute(_RESEAL, changed, execution_options={"synchronize_session": False}).rowcount
            outcome.resealed += written
            if written == len(changed):
                break
            rows = db.session.execute(
                _SEALED.where(WebhookEndpoint.id.in_([change["endpoint_id"] for change in changed]),
                              WebhookEndpoint.secret_sealed.not_in([change["sealed"] for change in changed]))).all()
        if readable:
            outcome.reenabled += db.session.execute(_REENABLE, {"ids": sorted(set(readable))}).rowcount
        db.session.commit()
        after = last_id
