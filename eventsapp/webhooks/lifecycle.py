"""What other features call when webhooks must follow a change of theirs, in their transaction: a person
deletes their account or an event's retention period ends (the deliveries' bodies that carry their data
are blanked and marked erased; those not sent yet are ended), and an organization is rejected or suspended
(its endpoints stop, with the reason as a code, and their waiting deliveries are ended). Flushes; the
caller commits."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from eventsapp.extensions import db
from eventsapp.webhooks import problems
from eventsapp.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint


def _erase(condition, now: datetime) -> None:
    waiting = condition & (WebhookDelivery.status == DeliveryStatus.PENDING)
    db.session.execute(update(WebhookDelivery).where(waiting).values(
        status=DeliveryStatus.FAILED, locked_until=None, last_error=problems.ERASED))
    db.session.execute(update(WebhookDelivery).where(condition, WebhookDelivery.erased_at.is_(None))
                       .values(body="", erased_at=now))


def erase_deliveries_about_person(user_id: int, now: datetime) -> None:
    """The person deleted their account: no delivery keeps (or sends) what it said about them."""
    _erase(WebhookDelivery.subject_user_id == user_id, now)


def erase_deliveries_of_event(event_id: int, now: datetime) -> None:
    """The event's retention period ended: its deliveries' bodies go with the rest of its personal data."""
    _erase(WebhookDelivery.event_id == event_id, now)


def stop_endpoints_of_organization(organization_id: int, reason: str, now: datetime) -> None:
    """The organization was rejected or suspended (``reason``: a ``problems`` code): its endpoints are
    disabled and what waited for them is ended. Reinstated, its staff switch them on again."""
    endpoints = WebhookEndpoint.organization_id == organization_id
    db.session.execute(update(WebhookEndpoint).where(endpoints, WebhookEndpoint.disabled_at.is_(None))
                       .values(disabled_at=now, disabled_reason=reason))
    db.session.execute(update(WebhookDelivery).where(
        WebhookDelivery.status == DeliveryStatus.PENDING,
        WebhookDelivery.endpoint_id.in_(select(WebhookEndpoint.id).where(endpoints)))
        .values(status=DeliveryStatus.FAILED, locked_until=None, last_error=problems.ACCESS_LOST))
