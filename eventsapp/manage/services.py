"""The organizer's figures: what waits for a decision across events, and one event's overview.

Read-only; each figure is one grouped count, never a query per event.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from eventsapp.booths.models import Booth, BoothStatus, Hall
from eventsapp.booths.services import count_by_status as count_booths_by_status
from eventsapp.booths.services import hosts_booths
from eventsapp.checkin.models import CheckIn
from eventsapp.dbtypes import utcnow
from eventsapp.events.models import Event, EventStatus
from eventsapp.extensions import db
from eventsapp.matchmaking.models import MatchingRound, MatchRun
from eventsapp.matchmaking.run_results import published_run
from eventsapp.notifications.models import OutboxMessage, OutboxStatus
from eventsapp.organizations.models import Organization, OrganizationStatus
from eventsapp.registrations.models import Registration, RegistrationStatus
from eventsapp.registrations.services import count_by_status as count_registrations_by_status


@dataclass(frozen=True)
class EventCount:
    event: Event
    count: int


@dataclass
class DecisionsWaiting:
    """What organizers have to decide, with counts: the dashboard's "Waiting for a decision"."""

    organizations: int = 0  # awaiting verification
    organization_changes: int = 0  # verified organizations whose new name or credit code awaits verification
    booths: list[EventCount] = field(default_factory=list)  # pending booth applications per event
    registrations: list[EventCount] = field(default_factory=list)  # awaiting approval per event
    failed_emails: int = 0

    @property
    def total(self) -> int:
        return (self.organizations + self.organization_changes + self.failed_emails
                + sum(item.count for item in self.booths) + sum(item.count for item in self.registrations))


def _pending_per_event(model, pending, now: datetime) -> list[EventCount]:
    """Rows of ``model`` in state ``pending`` per event that is not over or cancelled: decisions that
    still matter. One grouped query that reads each event's rows through its (event, status) index."""
    rows = db.session.execute(
        select(Event, func.count(model.id)).join(model, model.event_id == Event.id)
        .where(model.status == pending, Event.status != EventStatus.CANCELLED, Event.ends_at >= now)
        .group_by(Event.id).order_by(Event.starts_at, Event.id)).tuples()
    return [EventCount(event, count) for event, count in rows]


def decisions_waiting(now: datetime | None = None) -> DecisionsWaiting:
    now = now or utcnow()
    return DecisionsWaiting(
        organizations=db.session.scalar(select(func.count()).select_from(Organization)
                                        .where(Organization.status == OrganizationStatus.PENDING)),
        organization_changes=db.session.scalar(select(func.count()).select_from(Organization)
                                               .where(Organization.change_requested_at.is_not(None))),
        booths=_pending_per_event(Booth, BoothStatus.PENDING, now),
        registrations=_pending_per_event(Registration, RegistrationStatus.PENDING, now),
        failed_emails=db.session.scalar(select(func.count()).select_from(OutboxMessage)
                                        .where(OutboxMessage.status == OutboxStatus.FAILED)),
    )


@dataclass
class EventOverview:
    """The figures at the top of an event's hub, each leading into its tool."""

    registrations: dict[RegistrationStatus, int]
    places_left: int
    check_ins: int
    booths: dict[BoothStatus, int] | None = None  # None: the event has no booths
    unplaced_booths: int = 0  # approved but not on the floor plan
    halls: int = 0
    matching: MatchingRound | None = None
    published_run: MatchRun | None = None
    runs: int = 0

    @property
    def confirmed(self) -> int:
        return self.registrations[RegistrationStatus.CONFIRMED]

    @property
    def waitlisted(self) -> int:
        return self.registrations[RegistrationStatus.WAITLISTED]

    @property
    def pending(self) -> int:
        return self.registrations[RegistrationStatus.PENDING]

    @property
    def booths_pending(self) -> int:
        return self.booths[BoothStatus.PENDING] if self.booths else 0

    @property
    def booths_approved(self) -> int:
        return self.booths[BoothStatus.APPROVED] if self.booths else 0


def event_overview(event: Event) -> EventOverview:
    registrations = count_registrations_by_status(event.id)
    overview = EventOverview(
        registrations=registrations,
        places_left=max(event.capacity - registrations[RegistrationStatus.CONFIRMED], 0),
        check_ins=db.session.scalar(select(func.count()).select_from(CheckIn).where(CheckIn.event_id == event.id)))
    if not hosts_booths(event):
        return overview
    overview.booths = count_booths_by_status(event.id)
    overview.unplaced_booths = db.session.scalar(select(func.count()).select_from(Booth).where(
        Booth.event_id == event.id, Booth.status == BoothStatus.APPROVED, Booth.code.is_(None)))
    overview.halls = db.session.scalar(select(func.count()).select_from(Hall).where(Hall.event_id == event.id))
    overview.matching = db.session.get(MatchingRound, event.id)
    overview.runs = db.session.scalar(select(func.count()).select_from(MatchRun).where(MatchRun.event_id == event.id))
    overview.published_run = published_run(event.id) if overview.runs else None
    return overview
