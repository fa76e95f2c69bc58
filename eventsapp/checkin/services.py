"""Letting people in at the door: what a scan, a typed number or a name search means, recording
one check-in per person and event, and the live counts.

Atomicity comes from the database: CheckIn is unique per (event, holder). A check-in is inserted
in a savepoint; when another gate won the race the insert fails and the existing row is read
and reported ("already checked in"). Nothing checks first and inserts after. Callers commit.
"""
from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased, selectinload

from eventsapp.accounts.models import User
from eventsapp.audit import services as audit
from eventsapp.badges import services as badges
from eventsapp.badges.models import Badge, BadgeRole, EventCrew
from eventsapp.badges.services import ScanResult, Verdict
from eventsapp.booths.models import Booth
from eventsapp.candidates.models import CandidateProfile
from eventsapp.checkin.models import CheckIn
from eventsapp.dbtypes import utcnow
from eventsapp.events.models import Event, EventStatus
from eventsapp.extensions import db
from eventsapp.organizations.access import active_booth_condition
from eventsapp.organizations.models import OrganizationMember
from eventsapp.registrations.models import Registration, RegistrationStatus
from eventsapp.registrations.services import mark_attended
from eventsapp.textsearch import contains_pattern
from eventsapp.webhooks import emit as webhooks

GATE_MAX_LENGTH = 40
NUMBER_MAX_LENGTH = 32
SEARCH_MAX_LENGTH = 50
SEARCH_LIMIT = 8
# A queued offline scan may be this old; older or future times are clamped (the phone's clock may be off).
OFFLINE_MAX_AGE = timedelta(hours=24)
ROLE_ORDER = (BadgeRole.CANDIDATE, BadgeRole.EMPLOYER, BadgeRole.VOLUNTEER, BadgeRole.ORGANIZER, BadgeRole.JUDGE)
# The door opens this long before the event starts unless the configuration says otherwise.
DEFAULT_OPENS_BEFORE = timedelta(minutes=120)


class Outcome(enum.StrEnum):
    CHECKED_IN = "checked_in"
    ALREADY = "already"
    REFUSED = "refused"


class Door(enum.StrEnum):
    OPEN = "open"
    NOT_OPEN_YET = "not_open_yet"
    ENDED = "ended"
    CANCELLED = "cancelled"  # the event was cancelled


@dataclass(frozen=True)
class DoorWindow:
    """When the door lets people in: from ``opens_before`` ahead of the start until the event ends."""

    opens_at: datetime
    closes_at: datetime
    cancelled: bool = False

    @classmethod
    def of(cls, event: Event, opens_before: timedelta = DEFAULT_OPENS_BEFORE) -> DoorWindow:
        return cls(event.starts_at - opens_before, event.ends_at, event.status == EventStatus.CANCELLED)

    def state(self, when: datetime) -> Door:
        if self.cancelled:
            return Door.CANCELLED
        if when < self.opens_at:
            return Door.NOT_OPEN_YET
        if when >= self.closes_at:
            return Door.ENDED
        return Door.OPEN


@dataclass(frozen=True)
class CheckInResult:
    outcome: Outcome
    verdict: Verdict
    badge: Badge | None = None
    check_in: CheckIn | None = None  # the new row, or the earlier one for ALREADY
    # ALREADY for the very same scan sent again (an offline queue retrying): not a conflict.
    repeated: bool = False
    door: Door = Door.OPEN  # REFUSED because the door was closed at the scan time, whatever the badge


def scan_time(scanned_at: datetime | None, now: datetime) -> datetime:
    """When the scan happened: the phone's time for queued scans, kept within the last day and not
    in the future."""
    if scanned_at is None or scanned_at.tzinfo is None:
        return now
    return min(max(scanned_at, now - OFFLINE_MAX_AGE), now)


def find_badge(event: Event, *, token: str | None = None, number: str | None = None,
               holder_id: int | None = None, now: datetime | None = None) -> ScanResult:
    """What the scanned code (an event badge's or a person's own code), typed number or chosen person
    means at this event's door. A personal code may issue its holder's badge here. Flushes."""
    if token is not None:
        return badges.verify_token(token, event, now)
    if number is not None:
        if len(number) > NUMBER_MAX_LENGTH:
            return ScanResult(Verdict.INVALID)
        return badges.judge(badges.find_by_number(event.id, number), event, now)
    if holder_id is not None:
        # The badge as it is, so that someone no longer entitled hears why rather than "unknown".
        return badges.judge(badges.active_badge(event.id, holder_id), event, now)
    return ScanResult(Verdict.INVALID)


def existing_check_in(event_id: int, holder_id: int) -> CheckIn | None:
    return db.session.scalar(select(CheckIn).where(CheckIn.event_id == event_id, CheckIn.holder_id == holder_id))


def check_in(event: Event, *, token: str | None = None, number: str | None = None, holder_id: int | None = None,
             actor: User, gate: str = "", scanned_at: datetime | None = None, scan_id: str = "",
             opens_before: timedelta = DEFAULT_OPENS_BEFORE, now: datetime | None = None) -> CheckInResult:
    """Let the badge's holder in, once, while the door is open (``DoorWindow``). A candidate's
    registration is marked attended in the same transaction. The door and the badge are judged at the
    scan time, so a scan queued offline during the event is not refused when it arrives after."""
    now = now or utcnow()
    when = scan_time(scanned_at, now)
    gate = (gate or "").strip()[:GATE_MAX_LENGTH]
    scan = find_badge(event, token=token, number=number, holder_id=holder_id, now=when)
    method = "number" if number is not None else "search" if holder_id is not None else \
        "personal" if scan.personal else "scan"
    door = DoorWindow.of(event, opens_before).state(when)
    if door != Door.OPEN:
        return CheckInResult(Outcome.REFUSED, scan.verdict, scan.badge, door=door)
    if not scan.ok:
        return CheckInResult(Outcome.REFUSED, scan.verdict, scan.badge)
    badge = scan.badge
    # One statement (no savepoint around it): the unique (event, holder) lets one check-in in; any other
    # finds it taken and does nothing, waiting on PostgreSQL for a concurrent one to commit or roll back.
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    row = db.session.scalar(
        dialect.insert(CheckIn).values(
            event_id=event.id, holder_id=badge.holder_id, badge_id=badge.id, checked_in_at=when, recorded_at=now,
            checked_in_by_id=actor.id, gate=gate, method=method, scan_id=scan_id[:40])
        .on_conflict_do_nothing(index_elements=["event_id", "holder_id"]).returning(CheckIn))
    if row is None:
        # Another gate (or this one, retrying) let the person in first: report theirs.
        earlier = existing_check_in(event.id, badge.holder_id)
        repeated = bool(scan_id) and earlier is not None and earlier.scan_id == scan_id[:40]
        return CheckInResult(Outcome.ALREADY, scan.verdict, badge, earlier, repeated)
    if badge.role == BadgeRole.CANDIDATE:  # VALID means a confirmed registration (badges._still_entitled)
        mark_attended(badge.registration, actor, now=when)
    audit.record(actor, "checked_in", row, after={"holder_id": badge.holder_id, "badge": badge.number,
                                                  "gate": gate, "method": method}, now=now)
    db.session.flush()
    webhooks.check_in_recorded(row, candidate=badge.role == BadgeRole.CANDIDATE, now=now)
    return CheckInResult(Outcome.CHECKED_IN, scan.verdict, badge, row)


def check_in_names(ids: Collection[int]) -> dict[int, str]:
    """Check-ins as people call them, by id: by who came in (a candidate's profile name, otherwise the
    account's name). One query, for the audit log's pages."""
    rows = db.session.execute(select(CheckIn.id, User.display_name, CandidateProfile.name)
                              .join(User, User.id == CheckIn.holder_id)
                              .outerjoin(CandidateProfile, CandidateProfile.user_id == CheckIn.holder_id)
                              .where(CheckIn.id.in_(list(ids))))
    return {check_in_id: profile_name or display_name for check_in_id, display_name, profile_name in rows}


# --- Search by name -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Match:
    badge: Badge
    name: str
    name_latin: str
    checked_in_at: datetime | None


def search_holders(event_id: int, text: str, limit: int = SEARCH_LIMIT) -> list[Match]:
    """Badge holders of the event whose name (as written, in Latin letters, or the account's name)
    contains every word typed; active badges only, a few at most."""
    words = (text or "").strip()[:SEARCH_MAX_LENGTH].split()[:4]
    if not words:
        return []
    profile = aliased(CandidateProfile)
    conditions = [or_(*(column.ilike(contains_pattern(word), escape="\\")
                        for column in (profile.name, profile.name_latin, User.display_name))) for word in words]
    rows = db.session.execute(
        select(Badge, profile, User, CheckIn.checked_in_at)
        .join(User, User.id == Badge.holder_id)
        .outerjoin(profile, profile.user_id == Badge.holder_id)
        .outerjoin(CheckIn, and_(CheckIn.event_id == Badge.event_id, CheckIn.holder_id == Badge.holder_id))
        .where(Badge.event_id == event_id, badges.entitled_badge_condition(), *conditions)
        .options(selectinload(Badge.booth).selectinload(Booth.organization))  # the matches show their booth
        .order_by(func.coalesce(profile.name_latin, User.display_name), Badge.id).limit(limit)).all()
    return [Match(badge, *badges.names_of(user, found), checked_in_at) for badge, found, user, checked_in_at in rows]


# --- Live counts ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class RoleCount:
    role: BadgeRole
    checked_in: int
    expected: int


@dataclass(frozen=True)
class Counts:
    roles: list[RoleCount]
    hours: list[tuple[datetime, int]]  # local start of each hour with check-ins, and how many

    @property
    def checked_in(self) -> int:
        return sum(count.checked_in for count in self.roles)

    @property
    def expected(self) -> int:
        return sum(count.expected for count in self.roles)


def expected_by_role(event_id: int) -> Counter:
    """Everyone entitled to a badge, counted in SQL with the same precedence as badge issuing
    (crew, then booth staff, then candidates: each person once)."""
    expected: Counter = Counter(dict(db.session.execute(
        select(EventCrew.role, func.count()).where(EventCrew.event_id == event_id).group_by(EventCrew.role)).all()))
    crew = select(EventCrew.user_id).where(EventCrew.event_id == event_id)
    staff = (select(OrganizationMember.user_id)
             .join(Booth, Booth.organization_id == OrganizationMember.organization_id)
             .where(Booth.event_id == event_id, active_booth_condition()))
    expected[BadgeRole.EMPLOYER] = db.session.scalar(select(func.count()).select_from(
        staff.where(OrganizationMember.user_id.not_in(crew)).distinct().subquery()))
    expected[BadgeRole.CANDIDATE] = db.session.scalar(select(func.count()).where(
        Registration.event_id == event_id, Registration.status == RegistrationStatus.CONFIRMED,
        Registration.user_id.not_in(crew), Registration.user_id.not_in(staff)))
    return expected


def live_counts(event: Event) -> Counts:
    """Checked in against expected, per role, and check-ins per hour in the event's time zone."""
    rows = db.session.execute(
        select(Badge.role, CheckIn.checked_in_at).select_from(CheckIn).outerjoin(Badge, Badge.id == CheckIn.badge_id)
        .where(CheckIn.event_id == event.id)).all()
    checked = Counter(role for role, _when in rows if role is not None)
    expected = expected_by_role(event.id)
    roles = [RoleCount(role, checked[role], expected[role]) for role in ROLE_ORDER
             if checked[role] or expected[role]]
    zone = ZoneInfo(event.timezone)
    hours: Counter = Counter()
    for _role, when in rows:
        hours[when.astimezone(zone).replace(minute=0, second=0, microsecond=0)] += 1
    return Counts(roles, sorted(hours.items()))
