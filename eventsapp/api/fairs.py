"""A fair's halls, booths and openings, and the verified organizations: what the public pages (the floor
plan, the openings search) show, with the same rules (an active booth: approved, its organization verified)."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select, tuple_
from sqlalchemy.orm import joinedload

from eventsapp.api import access, core
from eventsapp.api import schemas as s
from eventsapp.booths.models import Booth
from eventsapp.booths.services import halls_of, hosts_booths
from eventsapp.events.models import Event
from eventsapp.extensions import db
from eventsapp.i18n import localized
from eventsapp.openings.models import Opening
from eventsapp.openings.services import OpeningFilters, search_query, tags_of
from eventsapp.organizations.access import active_booth_condition
from eventsapp.organizations.models import Organization, OrganizationStatus
from eventsapp.textsearch import contains_pattern

blp = core.blueprint("fairs", "A fair's halls, booths and openings; verified organizations (public).")


def fair(event_id: int) -> Event:
    """A public event that has booths (a fair, Talent Day...); other kinds have no halls or booths."""
    event = access.visible_event(event_id)
    if not hosts_booths(event):
        raise core.not_found(_("This event has no booths."))
    return event


def organization_json(organization: Organization) -> dict:
    return {"id": str(organization.id), "name_zh": organization.name_zh, "name_en": organization.name_en,
            "name": localized(organization, "name"), "industry": organization.industry.value,
            "size": organization.size.value, "city": organization.city, "website": organization.website,
            "description": organization.description}


@blp.route("/events/<int:event_id>/halls")
@blp.response(200, s.list_of(s.HallSchema, "HallList"))
def list_halls(event_id: int):
    """A fair's halls, all of them (not paged: next_cursor is always null)"""
    event = fair(event_id)
    return {"data": [{"id": str(hall.id), "name": hall.name, "rows": hall.rows, "cols": hall.cols}
                     for hall in halls_of(event.id)], "next_cursor": None}


@blp.route("/events/<int:event_id>/booths")
@blp.arguments(s.ListArgs, location="query", as_kwargs=True)
@blp.response(200, s.list_of(s.BoothSchema, "BoothList"))
def list_booths(event_id: int, limit: int, cursor: str | None = None):
    """A fair's booths: approved, of verified organizations"""
    event = fair(event_id)
    query = (select(Booth).where(Booth.event_id == event.id, active_booth_condition())
             .options(joinedload(Booth.organization), joinedload(Booth.hall)).order_by(Booth.id))
    if cursor is not None:
        (after,) = core.decode_cursor(cursor, int)
        query = query.where(Booth.id > after)
    rows, next_cursor = core.page(list(db.session.scalars(query.limit(limit + 1))), limit, lambda row: (row.id,))
    return {"data": [{"id": str(booth.id), "code": booth.code, "hall": booth.hall.name if booth.hall else None,
                      "booth_type": booth.booth_type.value, "organization": organization_json(booth.organization)}
                     for booth in rows], "next_cursor": next_cursor}


@blp.route("/events/<int:event_id>/openings")
@blp.arguments(s.OrganizationListArgs, location="query", as_kwargs=True)
@blp.response(200, s.list_of(s.OpeningSchema, "OpeningList"))
def list_openings(event_id: int, limit: int, cursor: str | None = None, q: str = ""):
    """A fair's openings, the newest first, optionally matching a text (as the openings search page)"""
    event = fair(event_id)
    query = search_query(event.id, OpeningFilters(text=q))
    if cursor is not None:
        before = core.decode_cursor(cursor, datetime, int)
        query = query.where(tuple_(Opening.created_at, Opening.id) < before)
    rows, next_cursor = core.page(list(db.session.scalars(query.limit(limit + 1))), limit,
                                  lambda row: (row.created_at, row.id))
    booths = dict(db.session.execute(
        select(Booth.organization_id, Booth.id).where(Booth.event_id == event.id, active_booth_condition(),
                                                      Booth.organization_id.in_({row.organization_id for row in rows}))
        .order_by(Booth.id.desc())).tuples().all()) if rows else {}
    return {"data": [{
        "id": str(row.id), "organization_id": str(row.organization_id),
        "booth_id": str(booths[row.organization_id]) if row.organization_id in booths else None,
        "title": row.title, "description": row.description, "degree": row.degree.value if row.degree else None,
        "majors": tags_of(row.majors), "skills": tags_of(row.skills), "headcount": row.headcount,
        "salary_min": row.salary_min, "salary_max": row.salary_max, "work_city": row.work_city,
    } for row in rows], "next_cursor": next_cursor}


@blp.route("/organizations")
@blp.arguments(s.OrganizationListArgs, location="query", as_kwargs=True)
@blp.response(200, s.list_of(s.OrganizationSchema, "OrganizationList"))
def list_organizations(limit: int, cursor: str | None = None, q: str = ""):
    """Verified organizations, with their public fields"""
    query = select(Organization).where(Organization.status == OrganizationStatus.VERIFIED).order_by(Organization.id)
    text = " ".join(q.split())
    if text:
        pattern = contains_pattern(text)
        query = query.where(Organization.name_zh.ilike(pattern, escape="\\")
                            | Organization.name_en.ilike(pattern, escape="\\"))
    if cursor is not None:
        (after,) = core.decode_cursor(cursor, int)
        query = query.where(Organization.id > after)
    rows, next_cursor = core.page(list(db.session.scalars(query.limit(limit + 1))), limit, lambda row: (row.id,))
    return {"data": [organization_json(row) for row in rows], "next_cursor": next_cursor}


@blp.route("/organizations/<int:organization_id>")
@blp.response(200, s.OrganizationSchema)
def get_organization(organization_id: int):
    """One verified organization"""
    organization = db.session.get(Organization, organization_id)
    if organization is None or organization.status != OrganizationStatus.VERIFIED:
        raise core.not_found(_("There is no such organization."))
    return organization_json(organization)
