"""Check-ins, for turnstiles and door apps: record one (eventsapp.checkin.services.check_in, the door's
own service, with its one-check-in guarantee) and list an event's."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, tuple_
from sqlalchemy.orm import selectinload

from eventsapp.api import access, core
from eventsapp.api import schemas as s
from eventsapp.api.events import local_iso
from eventsapp.badges.services import holder_names
from eventsapp.checkin import answers, services
from eventsapp.checkin.models import CheckIn
from eventsapp.extensions import db

blp = core.blueprint("checkins", "Check-ins at an event's door: record and list (organizers and door crew).")
SECURED = {"security": [{core.BEARER_SCHEME: []}]}


@blp.route("/events/<int:event_id>/checkins", methods=["POST"])
@blp.doc(**SECURED)
@core.creating
@blp.arguments(s.IdempotencyHeaderSchema, location="headers", as_kwargs=True)
@blp.arguments(s.CheckInBody, as_kwargs=True)
@blp.response(200, s.CheckInResultSchema)
def record(event_id: int, gate: str, scan_id: str, token: str | None = None, number: str | None = None,
           holder_id: str | None = None, scanned_at: datetime | None = None, idempotency_key: str | None = None):
    """Check someone in (door crew; scope: checkin:write)

    Send the badge's scanned `token`, its typed `number`, or the person's `holder_id`. The answer is the
    door's: `status` ok (green), warn (amber: already in) or bad (red), with `outcome` checked_in, already
    or refused and the reason in `verdict`/`detail`. A person is checked in once, whichever gate scans first."""
    user, event = access.door(event_id)
    result = services.check_in(event, token=token, number=number,
                               holder_id=int(holder_id) if holder_id is not None else None, actor=user, gate=gate,
                               scanned_at=scanned_at, scan_id=scan_id, opens_before=answers.opens_before())
    body = answers.result_json(event, result)
    row = result.check_in
    body["check_in_id"] = str(row.id) if row is not None else None
    if row is not None:
        body["checked_in_at"] = local_iso(row.checked_in_at, event.timezone)
    return body


@blp.route("/events/<int:event_id>/checkins")
@blp.doc(**SECURED)
@blp.arguments(s.ListArgs, location="query", as_kwargs=True)
@blp.response(200, s.list_of(s.CheckInSchema, "CheckInList"))
def list_checkins(event_id: int, limit: int, cursor: str | None = None):
    """An event's check-ins, the latest first (door crew; scope: read)"""
    _user, event = access.door(event_id, access.READ)
    query = (select(CheckIn).where(CheckIn.event_id == event.id)
             .options(selectinload(CheckIn.holder), selectinload(CheckIn.badge))
             .order_by(CheckIn.checked_in_at.desc(), CheckIn.id.desc()))
    if cursor is not None:
        before = core.decode_cursor(cursor, datetime, int)
        query = query.where(tuple_(CheckIn.checked_in_at, CheckIn.id) < before)
    rows, next_cursor = core.page(list(db.session.scalars(query.limit(limit + 1))), limit,
                                  lambda row: (row.checked_in_at, row.id))
    zone = event.timezone
    return {"data": [{
        "id": str(row.id), "holder_id": str(row.holder_id), "name": holder_names(row.holder)[0],
        "role": row.badge.role.value if row.badge else None, "badge_number": row.badge.number if row.badge else None,
        "checked_in_at": local_iso(row.checked_in_at, zone), "recorded_at": local_iso(row.recorded_at, zone),
        "gate": row.gate, "method": row.method,
    } for row in rows], "next_cursor": next_cursor}
