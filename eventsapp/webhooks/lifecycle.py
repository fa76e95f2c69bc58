"""What other features call when webhooks must follow a change of theirs, in their transaction: a person
deletes their account or an event's retention period ends (the deliveries' bodies that carry their data
are blanked and marked erased; those not sent yet are ended), an organization is rejected or suspended
(its endpoints stop, with the reason as a code, and their waiting deliveries are ended), and it is in good
standing again (the endpoints that decision stopped start again). Flushes; the caller commits."""
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
    disabled and what waited for them is ended. Only those still on: one already stopped (for failures) keeps
    its own reason, and stays stopped when the organization is reinstated (``resume_endpoints_of_organization``)."""
    endpoints = WebhookEndpoint.organization_id == organization_id
    db.session.execute(update(WebhookEndpoint).where(endpoints, WebhookEndpoint.disabled_at.is_(None))
                       .values(disabled_at=now, disabled_reason=reason))
    db.session.execute(update(WebhookDelivery).where(
        WebhookDelivery.status == DeliveryStatus.PENDING,
        WebhookDelivery.endpoint_id.in_(select(WebhookEndpoint.id).where(endpoints)))
        .values(status=DeliveryStatus.FAILED, locked_until=None, last_error=problems.ACCESS_LOST))


# Why an endpoint stopped when its organization lost its standing: the stops that end with it.
STANDING_REASONS = (problems.ORGANIZATION_SUSPENDED, problems.ORGANIZATION_REJECTED)


def resume_endpoints_of_organization(organization_id: int, stopped_at: datetime | None) -> list[WebhookEndpoint]:
    """The organization is in good standing again (reinstated, or verified after a rejection): the endpoints
    its suspension or rejection stopped (at ``stopped_at``, when it lost its standing, or since) deliver
    again, with a fresh count of failures. Those stopped for another reason (failures in a row, an unreadable
    secret) stay stopped, as that cause is still there; so do those left off from an older stop, which the
    organization chose not to switch on again (the address may be someone else's by now), and all of them
    when ``stopped_at`` is None (a stop from before the time was recorded). What was ended when it stopped
    stays ended (its owner may redeliver it); what was queued for them while it was stopped is sent now, each
    delivery still only if the organization may see it then (eventsapp.webhooks.delivery). Returns the
    endpoints switched on, oldest first, for the owners' e-mail."""
    if stopped_at is None:
        return []
    resumed = list(db.session.scalars(select(WebhookEndpoint).where(
        WebhookEndpoint.organization_id == organization_id, WebhookEndpoint.disabled_at >= stopped_at,
        WebhookEndpoint.disabled_reason.in_(STANDING_REASONS)).order_by(WebhookEndpoint.id)))
    for endpoint in resumed:
        endpoint.disabled_at, endpoint.disabled_reason, endpoint.consecutive_failures = None, "", 0
    db.session.flush()
    return resumed
