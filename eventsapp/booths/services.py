"""Booths: applications, organizers' decisions, halls, placement and the public floor plan.

Services take plain values, flush and never commit. Everything that changes which booths an
organization holds at an event, or which cells are taken, first locks the event (a row lock on
PostgreSQL; SQLite transactions already hold the write lock), so two organizers placing booths at
once, or a double submit of an application, cannot leave two booths on one cell or one booth too
many.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from eventsapp.badges.services import issue_badges_of_organization
from eventsapp.booths import emails, floorplan
from eventsapp.booths.floorplan import HallGrid
from eventsapp.booths.models import Booth, BoothStatus, BoothType, Hall
from eventsapp.booths.placement import BoothToPlace, place_automatically
from eventsapp.dbtypes import utcnow
from eventsapp.events.models import Event, EventKind, EventStatus
from eventsapp.extensions import db
from eventsapp.i18n import localized
from eventsapp.matchmaking.interviews import cancel_interviews_at_booth
from eventsapp.openings.models import Opening
from eventsapp.organizations.access import in_good_standing, is_active_booth
from eventsapp.organizations.choices import INDUSTRY_LABELS
from eventsapp.organizations.models import Industry, MemberRole, Organization, OrganizationMember, OrganizationStatus
from eventsapp.registrations.services import lock_event
from eventsapp.validation import ValidationFailed
from eventsapp.webhooks import emit as webhooks

log = logging.getLogger(__name__)

BOOTH_EVENT_KINDS = (EventKind.FAIR, EventKind.TALENT_DAY)  # Talent Day hosts a job fair
ACTIVE_BOOTH_STATUSES = (BoothStatus.PENDING, BoothStatus.APPROVED)
MAX_INTERVIEWERS = 50
MAX_NOTE_LENGTH = 1000
MAX_REASON_LENGTH = 500
MAX_BOOTHS_LIMIT = 50
MAX_GRID_SIZE = 60
# A code is the hall's name, "-" and a number of up to 4 digits (60 × 60 cells): it must fit the
# 20 characters of booth.code.
MAX_HALL_NAME_LENGTH = 15
HALL_NAME_PATTERN = re.compile(r"^[A-Za-z0-9]+$")
MAX_AISLE_TEXT = 200


class BoothRefused(Exception):
    """The change cannot be made; ``reasons`` say why, for people."""

    def __init__(self, *reasons):
        self.reasons = list(reasons)
        super().__init__("; ".join(str(reason) for reason in reasons))


def hosts_booths(event: Event) -> bool:
    return event.kind in BOOTH_EVENT_KINDS


def organization_name(organization: Organization) -> str:
    return localized(organization, "name")


# --- Applications -------------------------------------------------------------------------------

@dataclass
class BoothApplication:
    booth_type: BoothType = BoothType.STANDARD
    interviewers: int | None = 1
    note: str = ""


def active_booth_count(event_id: int, organization_id: int) -> int:
    """Booths that count against the limit: pending and approved (not withdrawn, not rejected)."""
    return db.session.scalar(select(func.count()).select_from(Booth).where(
        Booth.event_id == event_id, Booth.organization_id == organization_id,
        Booth.status.in_(ACTIVE_BOOTH_STATUSES)))


def why_event_closed_for_booths(event: Event, now: datetime | None = None) -> list[str]:
    now = now or utcnow()
    if event.status == EventStatus.CANCELLED:
        return [_l("This event has been cancelled.")]
    if event.status != EventStatus.PUBLISHED:
        return [_l("This event is not open for booth applications.")]
    if now >= event.ends_at:
        return [_l("This fair is over.")]
    return []


def why_cannot_apply(event: Event, organization: Organization | None, now: datetime | None = None) -> list[str]:
    """Everything that stops this organization from applying for a booth at the event now; empty when it can."""
    closed = why_event_closed_for_booths(event, now)
    if closed:
        return closed
    if organization is None:
        return [_l("Your account does not belong to an organization yet. Register your organization first, or "
                   "ask a colleague to invite you.")]
    if organization.status == OrganizationStatus.PENDING:
        return [_l("Your organization is waiting to be verified by the organizers. You can apply for booths once "
                   "it is verified.")]
    if organization.status == OrganizationStatus.REJECTED:
        reason = organization.status_reason.strip()
        return [_l("Your organization was not verified: %(reason)s", reason=reason) if reason
                else _l("Your organization was not verified.")]
    if organization.status == OrganizationStatus.SUSPENDED:
        return [_l("Your organization is suspended by the organizers: %(reason)s",
                   reason=organization.status_reason.strip())]
    held = active_booth_count(event.id, organization.id)
    if held >= event.max_booths_per_organization:
        return [ngettext("Your organization already has %(num)d booth application here (awaiting a decision or "
                         "approved), as many as this event allows. Withdraw it to apply again.",
                         "Your organization already has %(num)d booth applications here (awaiting a decision or "
                         "approved), as many as this event allows. Withdraw one to apply again.", held)]
    return []


def check_application(application: BoothApplication) -> None:
    errors = []
    if application.booth_type not in BoothType:
        errors.append(("booth_type", _l("Choose a standard or a double booth.")))
    if application.interviewers is None or not 1 <= application.interviewers <= MAX_INTERVIEWERS:
        errors.append(("interviewers", _l("Enter a whole number from %(min)d to %(max)d.", min=1,
                                          max=MAX_INTERVIEWERS)))
    if len(application.note.strip()) > MAX_NOTE_LENGTH:
        errors.append(("note", _l("At most %(max)d characters.", max=MAX_NOTE_LENGTH)))
    if errors:
        raise ValidationFailed(errors)


def apply_for_booth(event_id: int, organization: Organization, application: BoothApplication,
                    now: datetime | None = None) -> Booth:
    """A pending booth application. Refused (BoothRefused) when the organization may not apply now."""
    event = lock_event(event_id)
    now = now or utcnow()
    problems = why_cannot_apply(event, organization, now)
    if problems:
        raise BoothRefused(*problems)
    check_application(application)
    booth = Booth(event_id=event.id, organization_id=organization.id, booth_type=application.booth_type,
                  interviewers=application.interviewers, note=application.note.strip(), status=BoothStatus.PENDING,
                  created_at=now)
    db.session.add(booth)
    db.session.flush()
    log.info("booth %s: organization %s applied at event %s", booth.id, organization.id, event.id)
    return booth


def _unplace(booth: Booth) -> None:
    booth.hall_id = booth.row = booth.col = booth.code = None
    booth.hall = None


def _staff_badges_without(booth: Booth) -> None:
    """The booth no longer works: its staff's badges scan as not entitled, and staff who hold another
    place at the fair (another booth, a registration) get the badge of that one."""
    issue_badges_of_organization(booth.organization_id)


def withdraw_booth(booth: Booth, now: datetime | None = None) -> Booth:
    """The organization withdraws its application; an approved booth's place and code become free."""
    lock_event(booth.event_id)
    db.session.refresh(booth)
    if booth.status not in ACTIVE_BOOTH_STATUSES:
        raise BoothRefused(_l("This application is no longer active."))
    if (now or utcnow()) >= booth.event.ends_at:
        raise BoothRefused(_l("This fair is over."))
    booth.status = BoothStatus.WITHDRAWN
    _unplace(booth)
    db.session.flush()
    _staff_badges_without(booth)
    cancel_interviews_at_booth(booth, now)
    log.info("booth %s withdrawn", booth.id)
    return booth


def booth_names(ids: Collection[int]) -> dict[int, str]:
    """Booths as people call them, by id: the number on the floor plan and the organization (the
    organization alone before it has a place). One query."""
    rows = db.session.execute(select(Booth.id, Booth.code, Organization).join(Booth.organization)
                              .where(Booth.id.in_(list(ids))))
    return {booth_id: f"{code} · {localized(organization, 'name')}" if code else localized(organization, "name")
            for booth_id, code, organization in rows}


def booths_of_organization(organization_id: int) -> list[Booth]:
    return list(db.session.scalars(
        select(Booth).join(Booth.event).where(Booth.organization_id == organization_id)
        .options(joinedload(Booth.event), joinedload(Booth.hall))
        .order_by(Event.starts_at.desc(), Booth.id.desc())))


def booths_at_event(event_id: int, organization_id: int) -> list[Booth]:
    return list(db.session.scalars(select(Booth).where(
        Booth.event_id == event_id, Booth.organization_id == organization_id).order_by(Booth.id.desc())))


def openings_at_event(event_id: int, organization_id: int) -> list[Opening]:
    return list(db.session.scalars(select(Opening).where(
        Opening.event_id == event_id, Opening.organization_id == organization_id).order_by(Opening.id)))


def fairs_open_for_booths(now: datetime | None = None) -> list[Event]:
    """Published fairs (and Talent Days) that have not ended, soonest first."""
    return list(db.session.scalars(select(Event).where(
        Event.kind.in_(BOOTH_EVENT_KINDS), Event.status == EventStatus.PUBLISHED, Event.ends_at > (now or utcnow()))
        .order_by(Event.starts_at, Event.id)))


# --- Organizers' decisions ------------------------------------------------------------------------

def count_by_status(event_id: int) -> dict[BoothStatus, int]:
    rows = db.session.execute(select(Booth.status, func.count()).where(Booth.event_id == event_id)
                              .group_by(Booth.status))
    counts = {status: 0 for status in BoothStatus}
    counts.update(dict(rows.tuples().all()))
    return counts


def booths_query(event_id: int, status: BoothStatus | None = None, industry: Industry | None = None,
                 search: str = ""):
    """An event's booth applications with their organizations: those awaiting a decision first, oldest first."""
    query = (select(Booth).join(Booth.organization).where(Booth.event_id == event_id)
             .options(joinedload(Booth.organization), joinedload(Booth.hall))
             .order_by(Booth.status != BoothStatus.PENDING, Booth.created_at, Booth.id))
    if status is not None:
        query = query.where(Booth.status == status)
    if industry is not None:
        query = query.where(Organization.industry == industry)
    if search:
        query = query.where(Organization.name_zh.icontains(search, autoescape=True)
                            | Organization.name_en.icontains(search, autoescape=True))
    return query


def _owners_of(organization_id: int) -> list:
    return list(db.session.scalars(select(OrganizationMember).where(
        OrganizationMember.organization_id == organization_id, OrganizationMember.role == MemberRole.OWNER)
        .options(joinedload(OrganizationMember.user))))


def _tell_owner(booth: Booth, kind: str, **context) -> None:
    """The organization's owner hears about the decision (nobody, when the owner deleted the account)."""
    for member in _owners_of(booth.organization_id):
        user = member.user
        if user.erased_at is not None:
            continue
        emails.tell_owner(user, booth, kind, **context)


def _booth_of_event(event_id: int, booth_id: int) -> Booth:
    booth = db.session.get(Booth, booth_id)
    if booth is None or booth.event_id != event_id:
        raise LookupError(booth_id)
    return booth


def approve_booth(event_id: int, booth_id: int, now: datetime | None = None) -> Booth:
    lock_event(event_id)
    booth = _booth_of_event(event_id, booth_id)
    db.session.refresh(booth)
    if booth.status != BoothStatus.PENDING:
        raise BoothRefused(_l("Only applications awaiting a decision can be approved."))
    if not in_good_standing(booth.organization):
        raise BoothRefused(_l("This organization is not verified (or is suspended): its booth cannot be approved."))
    booth.status, booth.status_reason, booth.decided_at = BoothStatus.APPROVED, "", now or utcnow()
    db.session.flush()
    issue_badges_of_organization(booth.organization_id)  # its staff's badges for the fair
    _tell_owner(booth, "booth_approved")
    webhooks.booth_decided(booth)
    log.info("booth %s approved", booth.id)
    return booth


def reject_booth(event_id: int, booth_id: int, reason: str, now: datetime | None = None) -> Booth:
    """Reject an application, or take back an approved booth (which frees its place); the reason is sent."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed([("reason", _l("Give a reason: the organization is told."))])
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationFailed([("reason", _l("At most %(max)d characters.", max=MAX_REASON_LENGTH))])
    lock_event(event_id)
    booth = _booth_of_event(event_id, booth_id)
    db.session.refresh(booth)
    if booth.status not in ACTIVE_BOOTH_STATUSES:
        raise BoothRefused(_l("This application is no longer active."))
    booth.status, booth.status_reason, booth.decided_at = BoothStatus.REJECTED, reason, now or utcnow()
    _unplace(booth)
    db.session.flush()
    _staff_badges_without(booth)
    cancel_interviews_at_booth(booth, booth.decided_at)
    _tell_owner(booth, "booth_rejected", reason=reason)
    webhooks.booth_decided(booth)
    log.info("booth %s rejected", booth.id)
    return booth


def set_max_booths(event_id: int, limit: int | None) -> Event:
    if limit is None or not 1 <= limit <= MAX_BOOTHS_LIMIT:
        raise ValidationFailed([("max_booths_per_organization",
                                 _l("Enter a whole number from %(min)d to %(max)d.", min=1, max=MAX_BOOTHS_LIMIT))])
    event = lock_event(event_id)
    event.max_booths_per_organization = limit
    db.session.flush()
    return event


# --- Halls ----------------------------------------------------------------------------------------

@dataclass
class HallData:
    name: str = ""
    rows: int | None = None
    cols: int | None = None
    aisle_rows: str = ""
    aisle_cols: str = ""
    blocked_cells: str = ""


def halls_of(event_id: int) -> list[Hall]:
    return list(db.session.scalars(select(Hall).where(Hall.event_id == event_id)
                                   .order_by(Hall.position, Hall.name, Hall.id)))


def grid_of(hall: Hall) -> HallGrid:
    return floorplan.grid_from_text(hall.name, hall.rows, hall.cols, hall.aisle_rows, hall.aisle_cols,
                                    hall.blocked_cells)


def placed_booths(event_id: int, hall_id: int | None = None) -> list[Booth]:
    query = (select(Booth).where(Booth.event_id == event_id, Booth.hall_id.is_not(None))
             .options(joinedload(Booth.organization), joinedload(Booth.hall)))
    if hall_id is not None:
        query = query.where(Booth.hall_id == hall_id)
    return list(db.session.scalars(query))


def _is_double(booth: Booth) -> bool:
    return booth.booth_type == BoothType.DOUBLE


def _booth_name(booth: Booth) -> str:
    return f"{booth.code} ({organization_name(booth.organization)})"


def _check_size(value: int | None, field_name: str, errors: list) -> bool:
    if value is None or not 1 <= value <= MAX_GRID_SIZE:
        errors.append((field_name, _l("Enter a whole number from %(min)d to %(max)d.", min=1, max=MAX_GRID_SIZE)))
        return False
    return True


def _parse_lines(text: str, field_name: str, limit: int | None, what: str, errors: list) -> list[int]:
    try:
        numbers = floorplan.parse_numbers(text)
    except floorplan.BadToken as bad:
        errors.append((field_name, _l("“%(token)s” is not a number. Write %(what)s numbers separated by commas, "
                                      "e.g. 4, 8.", token=bad.token[:20], what=what)))
        return []
    outside = [number for number in numbers if limit is not None and not 1 <= number <= limit]
    if outside:
        errors.append((field_name, _l("%(numbers)s: not in the grid, which has %(count)d %(what)s.",
                                      numbers=floorplan.format_numbers(outside), count=limit, what=what)))
    return numbers


def _parse_blocked(text: str, rows: int | None, cols: int | None, errors: list) -> list[floorplan.Cell]:
    try:
        cells = floorplan.parse_cells(text)
    except floorplan.BadToken as bad:
        errors.append(("blocked_cells", _l("“%(token)s” is not a cell. Write row:column pairs separated by "
                                           "commas, e.g. 3:4, 3:5.", token=bad.token[:20])))
        return []
    if rows is not None and cols is not None:
        outside = [cell for cell in cells if not (1 <= cell[0] <= rows and 1 <= cell[1] <= cols)]
        if outside:
            errors.append(("blocked_cells", _l("%(cells)s: not in the grid of %(rows)d rows × %(cols)d columns.",
                                               cells=floorplan.format_cells(outside), rows=rows, cols=cols)))
    return cells


def check_hall(event_id: int, data: HallData, hall: Hall | None = None) -> HallGrid:
    """The grid the organizer typed, or ValidationFailed with a message beside every bad field.

    Booths already placed in the hall must stay on booth cells: a smaller grid, a new aisle or a
    blocked cell under a booth is refused, naming the booth.
    """
    errors: list[tuple[str, str]] = []
    name = data.name.strip().upper()
    if not name:
        errors.append(("name", _l("Give the hall a name, e.g. A.")))
    elif len(name) > MAX_HALL_NAME_LENGTH or not HALL_NAME_PATTERN.match(name):
        errors.append(("name", _l("Use 1 to %(max)d letters or digits, e.g. A or B2.", max=MAX_HALL_NAME_LENGTH)))
    elif db.session.scalar(select(Hall.id).where(Hall.event_id == event_id, func.upper(Hall.name) == name,
                                                 Hall.id != (hall.id if hall else -1))) is not None:
        errors.append(("name", _l("This event already has a hall %(name)s.", name=name)))
    rows = data.rows if _check_size(data.rows, "rows", errors) else None
    cols = data.cols if _check_size(data.cols, "cols", errors) else None
    aisle_rows = _parse_lines(data.aisle_rows, "aisle_rows", rows, _l("rows"), errors)
    aisle_cols = _parse_lines(data.aisle_cols, "aisle_cols", cols, _l("columns"), errors)
    blocked = _parse_blocked(data.blocked_cells, rows, cols, errors)
    if errors:
        raise ValidationFailed(errors)
    grid = HallGrid(name=name, rows=rows, cols=cols, aisle_rows=frozenset(aisle_rows),
                    aisle_cols=frozenset(aisle_cols), blocked=frozenset(blocked))
    if hall is not None:
        _check_booths_still_fit(grid, placed_booths(event_id, hall.id))
    return grid


def _check_booths_still_fit(grid: HallGrid, booths: Iterable[Booth]) -> None:
    errors = []
    for booth in sorted(booths, key=lambda b: (b.row, b.col)):
        for row, col in floorplan.footprint(booth.row, booth.col, _is_double(booth)):
            where = {"booth": _booth_name(booth), "row": row, "col": col}
            if row > grid.rows:
                errors.append(("rows", _l("Booth %(booth)s stands in row %(row)d: unplace it first.", **where)))
            elif col > grid.cols:
                errors.append(("cols", _l("Booth %(booth)s stands in column %(col)d: unplace it first.", **where)))
            elif row in grid.aisle_rows:
                errors.append(("aisle_rows", _l("Booth %(booth)s stands in row %(row)d: unplace it first.",
                                                **where)))
            elif col in grid.aisle_cols:
                errors.append(("aisle_cols", _l("Booth %(booth)s stands in column %(col)d: unplace it first.",
                                                **where)))
            elif (row, col) in grid.blocked:
                errors.append(("blocked_cells", _l("Booth %(booth)s stands on cell %(row)d:%(col)d: unplace it "
                                                   "first.", **where)))
            else:
                continue
            break  # one message per booth
    if errors:
        raise ValidationFailed(errors)


def _numbers_text(numbers: Iterable[int]) -> str:
    text = floorplan.format_numbers(numbers)
    return text if len(text) <= MAX_AISLE_TEXT else text.replace(" ", "")


@dataclass
class SavedHall:
    hall: Hall
    renumbered: list[tuple[str, str]] = field(default_factory=list)  # (old code, new code) of booths in it


def save_hall(event_id: int, data: HallData, hall: Hall | None = None) -> SavedHall:
    """Create or change a hall. Booth numbers follow the booth cells, so the codes of booths in the hall
    are worked out again (a new aisle or blocked cell before a booth changes its number)."""
    lock_event(event_id)
    grid = check_hall(event_id, data, hall)
    hall = hall or Hall(event_id=event_id)
    hall.name, hall.rows, hall.cols = grid.name, grid.rows, grid.cols
    hall.aisle_rows, hall.aisle_cols = _numbers_text(grid.aisle_rows), _numbers_text(grid.aisle_cols)
    hall.blocked_cells = floorplan.format_cells(grid.blocked)
    db.session.add(hall)
    db.session.flush()
    return SavedHall(hall, _recode(event_id, hall, grid))


def _recode(event_id: int, hall: Hall, grid: HallGrid) -> list[tuple[str, str]]:
    booths = placed_booths(event_id, hall.id)
    changes = [(booth, booth.code, floorplan.code_for_cell(grid, booth.row, booth.col)) for booth in booths]
    changes = [(booth, old, new) for booth, old, new in changes if old != new]
    if not changes:
        return []
    # Two steps, because codes may swap between booths and (event, code) is unique at every statement.
    for booth, _old, _new in changes:
        booth.code = f"~{booth.id}"
    db.session.flush()
    for booth, _old, new in changes:
        booth.code = new
    db.session.flush()
    return sorted(((old, new) for _booth, old, new in changes), key=lambda pair: floorplan.parse_code(pair[1]))


def delete_hall(hall: Hall) -> None:
    lock_event(hall.event_id)
    standing = sorted(placed_booths(hall.event_id, hall.id), key=lambda b: (b.row, b.col))
    if standing:
        raise BoothRefused(_l("Booths stand in hall %(hall)s: %(booths)s. Unplace them first.", hall=hall.name,
                              booths=", ".join(booth.code for booth in standing[:10])
                              + (" …" if len(standing) > 10 else "")))
    db.session.delete(hall)
    db.session.flush()


# --- Placement ------------------------------------------------------------------------------------

def _taken(event_id: int, except_booth_id: int | None = None) -> dict[tuple[int, int, int], Booth]:
    """(hall id, row, col) → the booth standing there."""
    return {(booth.hall_id, row, col): booth for booth in placed_booths(event_id) if booth.id != except_booth_id
            for row, col in floorplan.footprint(booth.row, booth.col, _is_double(booth))}


def _target(event_id: int, code: str, hall_id: int | None, row: int | None, col: int | None,
            halls: list[Hall]) -> tuple[Hall, int, int]:
    """The hall and first cell the organizer chose, by code or by hall, row and column."""
    if code.strip():
        grids = [grid_of(hall) for hall in halls]
        try:
            grid, row, col = floorplan.cell_for_code(code, grids)
        except floorplan.MalformedCode:
            raise ValidationFailed([("code", _l("Write a code like A-12: the hall, a dash and the booth "
                                                "number."))]) from None
        except floorplan.UnknownHall as unknown:
            raise ValidationFailed([("code", _l("There is no hall %(hall)s at this event.",
                                                hall=unknown.name))]) from None
        except floorplan.NoSuchCell as missing:
            count = len(missing.grid.booth_cells)
            raise ValidationFailed([("code", _l("Hall %(hall)s has booth numbers 1 to %(count)d.",
                                                hall=missing.grid.name, count=count) if count
                                     else _l("Hall %(hall)s has no booth cells.", hall=missing.grid.name))]) from None
        return next(hall for hall in halls if hall.name.upper() == grid.name), row, col
    hall = next((hall for hall in halls if hall.id == hall_id), None)
    errors = []
    if hall is None:
        errors.append(("hall_id", _l("Choose a hall, or type a code.")))
    if row is None:
        errors.append(("row", _l("Enter the row.")))
    if col is None:
        errors.append(("col", _l("Enter the column.")))
    if errors:
        raise ValidationFailed(errors)
    return hall, row, col


def _cell_problem(grid: HallGrid, row: int, col: int) -> tuple[str, str] | None:
    """What stops a booth from standing on this cell, as (field, message)."""
    if not 1 <= row <= grid.rows:
        return "row", _l("Row %(row)d is outside hall %(hall)s, which has rows 1 to %(rows)d.", row=row,
                         hall=grid.name, rows=grid.rows)
    if not 1 <= col <= grid.cols:
        return "col", _l("Column %(col)d is outside hall %(hall)s, which has columns 1 to %(cols)d.", col=col,
                         hall=grid.name, cols=grid.cols)
    if row in grid.aisle_rows:
        return "row", _l("Row %(row)d of hall %(hall)s is an aisle.", row=row, hall=grid.name)
    if col in grid.aisle_cols:
        return "col", _l("Column %(col)d of hall %(hall)s is an aisle.", col=col, hall=grid.name)
    if (row, col) in grid.blocked:
        return "col", _l("Cell %(row)d:%(col)d of hall %(hall)s is blocked.", row=row, col=col, hall=grid.name)
    return None


def place_booth(event_id: int, booth_id: int, code: str = "", hall_id: int | None = None, row: int | None = None,
                col: int | None = None) -> Booth:
    """Put an approved booth on a cell (or move it there), by code ("A-12") or by hall, row and column."""
    lock_event(event_id)
    try:
        booth = _booth_of_event(event_id, booth_id)
    except LookupError:
        raise ValidationFailed([("booth_id", _l("Choose a booth of this event."))]) from None
    if booth.status != BoothStatus.APPROVED:
        raise ValidationFailed([("booth_id", _l("Only approved booths can be placed."))])
    by_code = bool(code.strip())
    hall, row, col = _target(event_id, code, hall_id, row, col, halls_of(event_id))
    grid = grid_of(hall)
    where = "code" if by_code else None
    problem = _cell_problem(grid, row, col)
    if problem:
        raise ValidationFailed([(where or problem[0], problem[1])])
    double = _is_double(booth)
    if double and not grid.is_placeable(row, col + 1):
        raise ValidationFailed([(where or "col", _l(
            "A double booth takes two cells side by side, and cell %(row)d:%(col)d to the right is not a booth "
            "cell of hall %(hall)s.", row=row, col=col + 1, hall=grid.name))])
    taken = _taken(event_id, except_booth_id=booth.id)
    for cell_row, cell_col in floorplan.footprint(row, col, double):
        other = taken.get((hall.id, cell_row, cell_col))
        if other is not None:
            raise ValidationFailed([(where or "col", _l("Cell %(row)d:%(col)d is taken by booth %(booth)s.",
                                                        row=cell_row, col=cell_col, booth=_booth_name(other)))])
    new_code = floorplan.code_for_cell(grid, row, col)
    holder = db.session.scalar(select(Booth).where(Booth.event_id == event_id, Booth.code == new_code,
                                                   Booth.id != booth.id))
    if holder is not None:
        raise ValidationFailed([(where or "col", _l("Code %(code)s is already used by %(booth)s.", code=new_code,
                                                    booth=organization_name(holder.organization)))])
    booth.hall, booth.row, booth.col, booth.code = hall, row, col, new_code
    db.session.flush()
    log.info("booth %s placed at %s", booth.id, new_code)
    return booth


def unplace_booth(event_id: int, booth_id: int) -> Booth:
    lock_event(event_id)
    booth = _booth_of_event(event_id, booth_id)
    _unplace(booth)
    db.session.flush()
    return booth


@dataclass
class AutoPlacementResult:
    placed: list[Booth] = field(default_factory=list)
    not_placed: list[Booth] = field(default_factory=list)


def unplaced_approved_booths(event_id: int) -> list[Booth]:
    return list(db.session.scalars(
        select(Booth).join(Booth.organization)
        .where(Booth.event_id == event_id, Booth.status == BoothStatus.APPROVED, Booth.hall_id.is_(None))
        .options(joinedload(Booth.organization)).order_by(Organization.industry, Booth.id)))


def place_remaining(event_id: int) -> AutoPlacementResult:
    """Every approved booth without a place goes on free cells, grouped by industry (see placement.py)."""
    lock_event(event_id)
    halls = halls_of(event_id)
    by_name = {hall.name: hall for hall in halls}
    grids = [grid_of(hall) for hall in halls]
    waiting = {booth.id: booth for booth in unplaced_approved_booths(event_id)}
    hall_names = {hall.id: hall.name for hall in halls}
    taken = [(hall_names[hall_id], row, col) for hall_id, row, col in _taken(event_id)]
    plan = place_automatically(grids, taken, [
        BoothToPlace(booth.id, booth.organization.industry.value, _is_double(booth),
                     booth.organization.name_zh or booth.organization.name_en) for booth in waiting.values()])
    result = AutoPlacementResult()
    grid_by_name = {grid.name: grid for grid in grids}
    for placement in plan.placements:
        booth = waiting[placement.booth_id]
        booth.hall, booth.row, booth.col = by_name[placement.hall], placement.row, placement.col
        booth.code = floorplan.code_for_cell(grid_by_name[placement.hall], placement.row, placement.col)
        result.placed.append(booth)
    result.not_placed = [waiting[booth_id] for booth_id in plan.not_placed]
    db.session.flush()
    log.info("event %s: %d booths placed automatically, %d did not fit", event_id, len(result.placed),
             len(result.not_placed))
    return result


# --- The public floor plan ------------------------------------------------------------------------

@dataclass
class BoothOnPlan:
    booth: Booth
    grid: HallGrid
    number: int
    openings: list[str]
    matches: bool = True


@dataclass
class HallPlan:
    hall: Hall
    grid: HallGrid
    booths: list[BoothOnPlan]


@dataclass
class FloorPlan:
    halls: list[HallPlan]
    searching: bool
    industries: list[Industry]  # present on the plan, A to T

    @property
    def listed(self) -> list[BoothOnPlan]:
        return [entry for hall in self.halls for entry in hall.booths if entry.matches]

    @property
    def booth_count(self) -> int:
        return sum(len(hall.booths) for hall in self.halls)


def _matches(entry: BoothOnPlan, text: str, industry: Industry | None) -> bool:
    organization = entry.booth.organization
    if industry is not None and organization.industry != industry:
        return False
    if not text:
        return True
    label = str(INDUSTRY_LABELS.get(organization.industry, ""))
    haystack = [organization.name_zh, organization.name_en, label, entry.booth.code or "", *entry.openings]
    return any(text in value.casefold() for value in haystack)


def floor_plan(event: Event, search: str = "", industry: Industry | None = None) -> FloorPlan:
    """The active booths on the event's halls, and which match a search by organization, industry or opening."""
    halls = halls_of(event.id)
    openings: dict[int, list[str]] = {}
    for organization_id, title in db.session.execute(
            select(Opening.organization_id, Opening.title).where(Opening.event_id == event.id)
            .order_by(Opening.id)).tuples():
        openings.setdefault(organization_id, []).append(title)
    booths_by_hall: dict[int, list[Booth]] = {}
    for booth in placed_booths(event.id):
        if is_active_booth(booth):  # a suspended organization keeps its cell but leaves the public plan
            booths_by_hall.setdefault(booth.hall_id, []).append(booth)
    text = " ".join(search.split()).casefold()
    plans, industries = [], set()
    for hall in halls:
        grid = grid_of(hall)
        entries = sorted((BoothOnPlan(booth, grid, grid.number_of(booth.row, booth.col) or 0,
                                      openings.get(booth.organization_id, []))
                          for booth in booths_by_hall.get(hall.id, [])), key=lambda entry: entry.number)
        for entry in entries:
            entry.matches = _matches(entry, text, industry)
            industries.add(entry.booth.organization.industry)
        plans.append(HallPlan(hall, grid, entries))
    return FloorPlan(plans, bool(text) or industry is not None, sorted(industries, key=lambda i: i.value))
