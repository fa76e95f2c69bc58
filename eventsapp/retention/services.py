"""Erasing an event's personal data once its retention period has passed.

Each event keeps personal data for ``Event.retention_months`` after it ends (None: the site's
``RETENTION_MONTHS``, 24 by default). Then ``erase_event_personal_data``:

- deletes the answers given to its registration questions,
- anonymises its registrations: the organizers' reasons and the reasons in their log are cleared,
- deletes the record of which employer opened whose profile or résumé there (profile views),
- anonymises the e-mails sent to its registrants up to its end (address, subject and bodies cleared),
- deletes the résumé of every registrant whom no event still within its retention period needs it for,
- deletes its background jobs and their files (badge print runs, certificates: people's names),
- blanks the bodies of the webhook deliveries about the event (and ends those not sent yet),
- and stamps ``Event.personal_data_erased_at``, with an audit log entry.

What the analytics count stays: each registration's status, times and attendance and the account it
belongs to (the analytics count people once across events and group them by their profile), so the
figures of an erased event are the same after as before (tests/unit/test_retention.py). An account is
the person's own and is erased only when they delete it (eventsapp.candidates.erasure).

Services flush; the caller commits. ``run_retention`` is the scheduled job and the CLI.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select, update

from eventsapp.accounts.models import User
from eventsapp.audit import services as audit
from eventsapp.browse.models import ProfileView
from eventsapp.candidates.models import CandidateProfile
from eventsapp.candidates.services import remove_resume
from eventsapp.dbtypes import utcnow
from eventsapp.events.models import Event
from eventsapp.extensions import db
from eventsapp.jobs.files import delete_event_jobs
from eventsapp.notifications.models import OutboxMessage, OutboxStatus
from eventsapp.registrations.models import Registration, RegistrationAnswer, RegistrationLog
from eventsapp.webhooks.lifecycle import erase_deliveries_of_event

log = logging.getLogger(__name__)
ERASED_ADDRESS = "erased@invalid"
MIN_MONTHS, MAX_MONTHS = 1, 120


def add_months(moment: datetime, months: int, zone_name: str) -> datetime:
    """The same local day and time ``months`` later (the month's last day when it is shorter)."""
    local = moment.astimezone(ZoneInfo(zone_name))
    month_index = local.month - 1 + months
    year, month = local.year + month_index // 12, month_index % 12 + 1
    day = local.day
    while True:
        try:
            return local.replace(year=year, month=month, day=day).astimezone(UTC)
        except ValueError:  # 29–31 in a shorter month
            day -= 1


def retention_months(event: Event, default_months: int) -> int:
    return event.retention_months if event.retention_months is not None else default_months


def kept_until(event: Event, default_months: int) -> datetime:
    """When the event's personal data is erased: its end plus its retention period."""
    return add_months(event.ends_at, retention_months(event, default_months), event.timezone)


@dataclass(frozen=True)
class KeptData:
    """For a person's data page: until when an event keeps their data, or when it was erased."""

    event: Event
    until: datetime
    erased_at: datetime | None


def kept_data_of(user_id: int, default_months: int) -> list[KeptData]:
    """Every event the person registered for, latest first, with the date its personal data goes."""
    events = db.session.scalars(select(Event).join(Registration, Registration.event_id == Event.id)
                                .where(Registration.user_id == user_id).order_by(Event.ends_at.desc(), Event.id))
    return [KeptData(event, kept_until(event, default_months), event.personal_data_erased_at) for event in events]


def events_due(now: datetime, default_months: int) -> list[Event]:
    """Events not yet erased whose retention period has passed, oldest end first."""
    # No period is shorter than MIN_MONTHS: events that ended since then cannot be due.
    candidates = db.session.scalars(
        select(Event).where(Event.personal_data_erased_at.is_(None),
                            Event.ends_at <= add_months(now, -MIN_MONTHS, "UTC"))
        .order_by(Event.ends_at, Event.id))
    return [event for event in candidates if kept_until(event, default_months) <= now]


@dataclass
class Erased:
    """What erasing one event removed (or would remove, in a dry run)."""

    event_id: int
    slug: str
    answers: int = 0
    registrations: int = 0
    profile_views: int = 0
    emails: int = 0
    resumes: int = 0
    jobs: int = 0


def _registrants(event_id: int):
    return select(Registration.user_id).where(Registration.event_id == event_id)


def _resumes_no_longer_needed(event: Event, now: datetime, default_months: int) -> list[CandidateProfile]:
    """Profiles of the event's registrants with a résumé and no registration at an event still kept."""
    profiles = db.session.scalars(select(CandidateProfile).where(
        CandidateProfile.user_id.in_(_registrants(event.id)), CandidateProfile.resume_storage_name.is_not(None)))
    needed = []
    for profile in profiles:
        others = db.session.scalars(select(Event).join(Registration, Registration.event_id == Event.id).where(
            Registration.user_id == profile.user_id, Event.id != event.id,
            Event.personal_data_erased_at.is_(None)))
        if all(kept_until(other, default_months) <= now for other in others):
            needed.append(profile)
    return needed


def _emails_of(event: Event):
    return (OutboxMessage.to_email.in_(select(User.email).where(User.id.in_(_registrants(event.id)))),
            OutboxMessage.created_at <= event.ends_at, OutboxMessage.status != OutboxStatus.PENDING)


def erase_event_personal_data(event: Event, now: datetime, default_months: int, *, dry_run: bool = False,
                              actor: User | None = None) -> Erased:
    """Erase the event's personal data (see the module); with ``dry_run``, only count what would go."""
    erased = Erased(event.id, event.slug)
    answers = select(RegistrationAnswer.id).join(Registration).where(Registration.event_id == event.id)
    erased.answers = len(db.session.scalars(answers).all())
    erased.registrations = len(db.session.scalars(_registrants(event.id)).all())
    erased.profile_views = len(db.session.scalars(select(ProfileView.id).where(ProfileView.event_id == event.id))
                               .all())
    erased.emails = len(db.session.scalars(select(OutboxMessage.id).where(*_emails_of(event))).all())
    resumes = _resumes_no_longer_needed(event, now, default_months)
    erased.resumes = len(resumes)
    erased.jobs = delete_event_jobs(event.id, dry_run=True)
    if dry_run:
        return erased
    db.session.execute(delete(RegistrationAnswer).where(RegistrationAnswer.id.in_(answers)))
    db.session.execute(update(Registration).where(Registration.event_id == event.id).values(decision_reason=""))
    db.session.execute(update(RegistrationLog).where(RegistrationLog.event_id == event.id).values(reason=""))
    db.session.execute(delete(ProfileView).where(ProfileView.event_id == event.id))
    db.session.execute(update(OutboxMessage).where(*_emails_of(event)).values(
        to_email=ERASED_ADDRESS, subject="", body_text="", body_html="", render_context=None))
    for profile in resumes:
        remove_resume(profile)
    delete_event_jobs(event.id)
    erase_deliveries_of_event(event.id, now)
    event.personal_data_erased_at = now
    audit.record(actor, "personal_data_erased", event, event_id=event.id, now=now,
                 after={"answers": erased.answers, "registrations": erased.registrations,
                        "profile_views": erased.profile_views, "emails": erased.emails, "resumes": erased.resumes,
                        "jobs": erased.jobs})
    db.session.flush()
    log.info("retention: erased the personal data of event %s (%s)", event.slug, erased)
    return erased


def run_retention(now: datetime | None = None, *, default_months: int, dry_run: bool = False) -> list[Erased]:
    """Erase every event that is due, one commit per event (so a failure keeps what was done)."""
    now = now or utcnow()
    results = []
    for event in events_due(now, default_months):
        results.append(erase_event_personal_data(event, now, default_months, dry_run=dry_run))
        if dry_run:
            continue
        db.session.commit()
    if dry_run:
        db.session.rollback()
    return results
