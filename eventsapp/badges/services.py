"""Who holds a badge at an event, issuing and reissuing badges, and what a scanned code means.

Badges are issued where people become entitled to one (``issue_badges``, idempotent): a registration
confirmed, an organization's booth approved or a member joining it, a place on the event's crew, a
judge accepting the invitation of the event's contest. Pages only read them (``current_badge``);
``sync_badges`` catches up a whole event (`flask badges sync`). A new registration on PostgreSQL gets its
badge in the one statement that registers it (eventsapp.registrations.one_statement); on SQLite, and when
that statement left the decision to Python, the outbox worker writing the confirmation issues it
(eventsapp.registrations.emails), or ``badge_of`` when a page shows it first.
Whether a badge still lets its holder in is decided live at scan time (`verify`), so a badge
printed before a cancellation scans as cancelled without reprinting anything.
"""
from __future__ import annotations

import enum
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, or_, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from eventsapp.accounts.models import User
from eventsapp.badges import tokens
from eventsapp.badges.models import CREW_ROLES, Badge, BadgeRole, EventCrew
from eventsapp.booths.models import Booth
from eventsapp.candidates.models import CandidateProfile
from eventsapp.checkin.models import CheckIn
from eventsapp.contests.models import Contest, ContestJudge
from eventsapp.dbtypes import utcnow
from eventsapp.events.models import Event
from eventsapp.extensions import db
from eventsapp.organizations.access import active_booth_condition, is_active_booth
from eventsapp.organizations.models import OrganizationMember
from eventsapp.registrations.models import Registration, RegistrationStatus
from eventsapp.talentcode import codes as personal_codes

# A badge keeps working until the end of the day after the event ends, then scans as expired.
VALID_AFTER_END = timedelta(days=1)


@dataclass(frozen=True)
class Entitlement:
    holder_id: int
    role: BadgeRole
    registration_id: int | None = None
    booth_id: int | None = None


def entitlements(event_id: int, holder_ids: Collection[int] | None = None) -> dict[int, Entitlement]:
    """Everyone who should hold a badge at the event (or those of ``holder_ids`` who should), by person.
    Crew first, then the contest's judges, booth staff, then candidates: one badge per person, in the role
    that matters most at the door."""
    def among(column):
        return column.in_(holder_ids) if holder_ids is not None else true()

    result: dict[int, Entitlement] = {}
    for user_id, role in db.session.execute(select(EventCrew.user_id, EventCrew.role)
                                            .where(EventCrew.event_id == event_id, among(EventCrew.user_id))):
        result.setdefault(user_id, Entitlement(user_id, role))
    for user_id in db.session.scalars(select(ContestJudge.user_id).join(Contest, Contest.id == ContestJudge.contest_id)
                                      .where(Contest.event_id == event_id, ContestJudge.user_id.is_not(None),
                                             among(ContestJudge.user_id))
                                      .order_by(ContestJudge.id)):
        result.setdefault(user_id, Entitlement(user_id, BadgeRole.JUDGE))
    staff = db.session.execute(
        select(OrganizationMember.user_id, Booth.id)
        .join(Booth, Booth.organization_id == OrganizationMember.organization_id)
        .where(Booth.event_id == event_id, active_booth_condition(), among(OrganizationMember.user_id))
        .order_by(Booth.id))
    for user_id, booth_id in staff:
        result.setdefault(user_id, Entitlement(user_id, BadgeRole.EMPLOYER, booth_id=booth_id))
    candidates = db.session.execute(select(Registration.user_id, Registration.id).where(
        Registration.event_id == event_id, Registration.status == RegistrationStatus.CONFIRMED,
        among(Registration.user_id)))
    for user_id, registration_id in candidates:
        result.setdefault(user_id, Entitlement(user_id, BadgeRole.CANDIDATE, registration_id=registration_id))
    return result


def active_badges(event_id: int, holder_ids: Collection[int] | None = None) -> dict[int, Badge]:
    query = select(Badge).where(Badge.event_id == event_id, Badge.revoked_at.is_(None))
    if holder_ids is not None:
        query = query.where(Badge.holder_id.in_(holder_ids))
    badges = db.session.scalars(query)
    return {badge.holder_id: badge for badge in badges}


def _new_badge(event_id: int, entitlement: Entitlement, taken_numbers: set[str]) -> Badge:
    number = tokens.new_number()
    while number in taken_numbers:
        number = tokens.new_number()
    taken_numbers.add(number)
    return Badge(event_id=event_id, holder_id=entitlement.holder_id, role=entitlement.role,
                 registration_id=entitlement.registration_id, booth_id=entitlement.booth_id,
                 number=number, code=tokens.new_secret())


def _matches(badge: Badge, entitlement: Entitlement) -> bool:
    return (badge.role, badge.registration_id, badge.booth_id) == (
        entitlement.role, entitlement.registration_id, entitlement.booth_id)


def sync_badges(event_id: int, now: datetime | None = None, holder_ids: Collection[int] | None = None) -> list[Badge]:
    """Issue a badge to everyone entitled who has none, and reissue badges whose role or booth
    changed (a moved booth prints a new code); only to ``holder_ids`` when given. Returns the active
    badges of entitled people. Badges of people no longer entitled are left alone: they scan as not
    valid, and say why (a cancelled registration voids its badge: ``void_badges_of_registration``).
    Flushes; the caller commits."""
    if holder_ids is not None and not holder_ids:
        return []
    now = now or utcnow()
    current = active_badges(event_id, holder_ids)
    wanted = entitlements(event_id, holder_ids)
    changes = [(entitlement, current.get(holder_id)) for holder_id, entitlement in wanted.items()
               if current.get(holder_id) is None or not _matches(current[holder_id], entitlement)]
    if changes:
        taken = set(db.session.scalars(select(Badge.number).where(Badge.event_id == event_id)))
        try:
            # In a savepoint, so that losing a race leaves the session usable.
            with db.session.begin_nested():
                for entitlement, badge in changes:
                    if badge is not None:
                        badge.revoked_at, badge.revoked_reason = now, "role changed"
                        db.session.flush()
                    current[entitlement.holder_id] = _new_badge(event_id, entitlement, taken)
                    db.session.add(current[entitlement.holder_id])
                db.session.flush()
        except IntegrityError:
            # Another request issued the same badges a moment ago: take theirs.
            current = active_badges(event_id, holder_ids)
    return [current[holder_id] for holder_id in wanted if holder_id in current]


def active_badge(event_id: int, holder_id: int) -> Badge | None:
    """The person's badge at the event that has not been revoked, whether or not it still lets them in."""
    return db.session.scalar(select(Badge).where(Badge.event_id == event_id, Badge.holder_id == holder_id,
                                                 Badge.revoked_at.is_(None)))


def issue_badges(event_id: int, holder_ids: Collection[int], now: datetime | None = None) -> list[Badge]:
    """These people's badges at the event, issued (or reissued in a new role) where they are entitled to
    one: what every change that makes someone entitled calls. Flushes; the caller commits."""
    return sync_badges(event_id, now, holder_ids=set(holder_ids))


def issue_badges_of_organization(organization_id: int, holder_ids: Collection[int] | None = None,
                                 now: datetime | None = None) -> None:
    """Badges for the organization's staff (or ``holder_ids`` of them) at every event not over where it has
    a booth: a booth approved or taken back, the organization's standing changed, a member joined or left
    (someone who also registered then holds a candidate's badge). Flushes."""
    now = now or utcnow()
    event_ids = list(db.session.scalars(select(Booth.event_id).join(Event, Event.id == Booth.event_id).where(
        Booth.organization_id == organization_id, Event.ends_at >= now - VALID_AFTER_END).distinct()))
    members = set(holder_ids) if holder_ids is not None else set(db.session.scalars(
        select(OrganizationMember.user_id).where(OrganizationMember.organization_id == organization_id)))
    for event_id in event_ids:
        issue_badges(event_id, members, now)


def current_badge(event_id: int, holder_id: int) -> Badge | None:
    """The person's badge at the event while it lets them in; None for someone with no badge or no
    longer entitled (a cancelled registration, a withdrawn booth...). Reads only: pages call it."""
    badge = active_badge(event_id, holder_id)
    return badge if badge is not None and _still_entitled(badge) == Verdict.VALID else None


def badge_of(event_id: int, holder_id: int) -> Badge | None:
    """The person's badge at the event while it lets them in, issued now if they are entitled to one and
    have none; None for someone not entitled. Flushes; the caller commits."""
    return current_badge(event_id, holder_id) or next(iter(issue_badges(event_id, [holder_id])), None)


class AlreadyReplaced(Exception):
    """The badge was reissued (revoked) already, e.g. by a second click a moment earlier."""


def reissue(badge: Badge, reason: str = "reissued", now: datetime | None = None) -> Badge:
    """Void the badge's code and give its holder a new badge with a new code and number."""
    now = now or utcnow()
    # Two organizers reissuing at once: the row lock lets one win. A plain query, not a refresh, so
    # no eager loads the badge was read with end up on the nullable side of a FOR UPDATE join.
    revoked_at = db.session.scalar(select(Badge.revoked_at).where(Badge.id == badge.id).with_for_update())
    if revoked_at is not None:
        raise AlreadyReplaced(badge.number)
    taken = set(db.session.scalars(select(Badge.number).where(Badge.event_id == badge.event_id)))
    replacement = _new_badge(badge.event_id, Entitlement(badge.holder_id, badge.role, badge.registration_id,
                                                         badge.booth_id), taken)
    try:
        with db.session.begin_nested():
            badge.revoked_at, badge.revoked_reason = now, reason[:200]
            db.session.flush()
            db.session.add(replacement)
            db.session.flush()
    except IntegrityError:
        raise AlreadyReplaced(badge.number) from None
    return replacement


REVOKED_WITH_REGISTRATION = "registration cancelled"


def void_badges_of_registration(registration_id: int, now: datetime | None = None) -> None:
    """A registration ended: its badge is revoked (a new one is issued if the person registers again)
    and the check-in made with it is forgotten, so nothing shows the person as having come in."""
    badge_ids = select(Badge.id).where(Badge.registration_id == registration_id).scalar_subquery()
    db.session.execute(delete(CheckIn).where(CheckIn.badge_id.in_(badge_ids)))
    db.session.execute(update(Badge).where(Badge.registration_id == registration_id, Badge.revoked_at.is_(None))
                       .values(revoked_at=now or utcnow(), revoked_reason=REVOKED_WITH_REGISTRATION)
                       .execution_options(synchronize_session="fetch"))


def token_of(badge: Badge) -> str:
    return tokens.sign(badge.code)


class Verdict(enum.StrEnum):
    VALID = "valid"
    INVALID = "invalid"  # not our signature, or no such badge
    REVOKED = "revoked"  # replaced by a newer badge
    OTHER_EVENT = "other_event"
    EXPIRED = "expired"  # the event is over
    CANCELLED = "cancelled"  # the registration was cancelled or rejected
    WAITLISTED = "waitlisted"  # waiting list or pending approval: no place yet
    NOT_ENTITLED = "not_entitled"  # booth withdrawn, staff left, crew removed
    # A personal code (eventsapp.talentcode) that its holder replaced: it names nobody any more.
    CODE_REPLACED = "code_replaced"
    # A personal code whose holder has no place or role at this event: nothing about them is told.
    NOT_HERE = "not_here"


@dataclass(frozen=True)
class ScanResult:
    verdict: Verdict
    badge: Badge | None = None
    personal: bool = False  # read from a personal code rather than the event's badge


    @property
    def ok(self) -> bool:
        return self.verdict == Verdict.VALID


def find_by_token(token: str) -> Badge | None:
    """The badge a scanned code names, with its holder and their profile (the door shows the name: loaded
    in the same query, not two more); TokenInvalid if it was not signed by this app."""
    secret = tokens.unsign(token)
    return db.session.scalar(select(Badge).where(Badge.code == secret)
                             .options(joinedload(Badge.holder).joinedload(User.candidate_profile)))


def find_by_number(event_id: int, typed: str) -> Badge | None:
    number = tokens.normalize_number(typed)
    if not number:
        return None
    # Prefer the active badge; an old number still answers "revoked".
    return db.session.scalar(select(Badge).where(Badge.event_id == event_id, Badge.number == number)
                             .order_by(Badge.revoked_at.is_not(None), Badge.id.desc()).limit(1))


def entitled_badge_condition():
    """An SQL condition on Badge: an active badge whose holder is still entitled to it, the rule of
    ``entitlements`` and ``_still_entitled`` (a confirmed registration; staff of an active booth's
    organization; the event's crew). The badge page's counts and list, print runs and the door's search
    all ask it, so nobody who lost their place is counted, printed or found."""
    candidate = (Badge.role == BadgeRole.CANDIDATE) & exists().where(
        Registration.id == Badge.registration_id, Registration.status == RegistrationStatus.CONFIRMED)
    employer = (Badge.role == BadgeRole.EMPLOYER) & exists().where(
        Booth.id == Badge.booth_id, active_booth_condition(),
        OrganizationMember.organization_id == Booth.organization_id, OrganizationMember.user_id == Badge.holder_id)
    crew = Badge.role.in_(CREW_ROLES) & exists().where(EventCrew.event_id == Badge.event_id,
                                                       EventCrew.user_id == Badge.holder_id)
    judge = (Badge.role == BadgeRole.JUDGE) & exists().where(
        Contest.event_id == Badge.event_id, ContestJudge.contest_id == Contest.id,
        ContestJudge.user_id == Badge.holder_id)
    return Badge.revoked_at.is_(None) & or_(candidate, employer, crew, judge)


def _still_entitled(badge: Badge) -> Verdict:
    if badge.role == BadgeRole.CANDIDATE:
        registration = badge.registration
        if registration is None:
            return Verdict.CANCELLED
        if registration.status == RegistrationStatus.CONFIRMED:
            return Verdict.VALID
        if registration.status in (RegistrationStatus.WAITLISTED, RegistrationStatus.PENDING):
            return Verdict.WAITLISTED
        return Verdict.CANCELLED
    if badge.role == BadgeRole.EMPLOYER:
        booth = badge.booth
        member = db.session.scalar(select(OrganizationMember).where(OrganizationMember.user_id == badge.holder_id))
        if booth is None or not is_active_booth(booth) or member is None \
                or member.organization_id != booth.organization_id:
            return Verdict.NOT_ENTITLED
        return Verdict.VALID
    crew = db.session.scalar(select(EventCrew.id).where(EventCrew.event_id == badge.event_id,
                                                        EventCrew.user_id == badge.holder_id))
    if crew is None and badge.role == BadgeRole.JUDGE:
        crew = db.session.scalar(select(ContestJudge.id).join(Contest, Contest.id == ContestJudge.contest_id)
                                 .where(Contest.event_id == badge.event_id, ContestJudge.user_id == badge.holder_id))
    return Verdict.VALID if crew is not None else Verdict.NOT_ENTITLED


def judge(badge: Badge | None, event: Event, now: datetime | None = None) -> ScanResult:
    """What a badge found by token or number means at this event's door, right now."""
    if badge is None:
        return ScanResult(Verdict.INVALID)
    if badge.event_id != event.id:
        return ScanResult(Verdict.OTHER_EVENT, badge)
    if badge.revoked_at is not None:
        # A candidate's badge revoked with the registration says why, while the registration is not back.
        verdict = _still_entitled(badge) if badge.role == BadgeRole.CANDIDATE else Verdict.VALID
        return ScanResult(Verdict.REVOKED if verdict == Verdict.VALID else verdict, badge)
    if (now or utcnow()) > event.ends_at + VALID_AFTER_END:
        return ScanResult(Verdict.EXPIRED, badge)
    return ScanResult(_still_entitled(badge), badge)


# A personal code tells who its holder is only where they have a place or a role now (a confirmed registration,
# booth staff, crew, judge): someone waiting for a place, cancelled or no longer staff hears NOT_HERE.
PERSONAL_CODE_SHOWS = (Verdict.VALID,)


def verify_personal_code(token: str, event: Event, now: datetime | None = None) -> ScanResult:
    """A personal code at this event's door or booth: the answer its holder's badge here would give, as
    long as they have a place or a role at the event (the badge is issued now if it was not yet). For anyone
    else the answer is NOT_HERE, with no badge: the scanner learns nothing about the person. Flushes."""
    reading = personal_codes.read(token)
    if reading.state == personal_codes.State.INVALID:
        return ScanResult(Verdict.INVALID, personal=True)
    if reading.state == personal_codes.State.REPLACED:
        return ScanResult(Verdict.CODE_REPLACED, personal=True)
    if reading.user_id is None:  # the account is closed
        return ScanResult(Verdict.NOT_HERE, personal=True)
    badge = active_badge(event.id, reading.user_id) or next(iter(issue_badges(event.id, [reading.user_id])), None)
    if badge is None or _still_entitled(badge) not in PERSONAL_CODE_SHOWS:
        return ScanResult(Verdict.NOT_HERE, personal=True)
    result = judge(badge, event, now)
    return ScanResult(result.verdict, result.badge, personal=True)


def verify_token(token: str, event: Event, now: datetime | None = None) -> ScanResult:
    """A scanned code: an event badge's, or a person's own code (``verify_personal_code``)."""
    if personal_codes.is_personal_token(token):
        return verify_personal_code(token, event, now)
    try:
        badge = find_by_token(token)
    except tokens.TokenInvalid:
        return ScanResult(Verdict.INVALID)
    return judge(badge, event, now)


def names_of(holder: User, profile: CandidateProfile | None) -> tuple[str, str]:
    """The name as written and in Latin letters, for badges and the door: a candidate's profile
    names, otherwise the account's display name."""
    if profile is not None and profile.name:
        return profile.name, profile.name_latin
    return holder.display_name, ""


def holder_names(holder: User) -> tuple[str, str]:
    return names_of(holder, db.session.get(CandidateProfile, holder.id))
