"""Lead capture at the booth: employer staff scan a candidate's badge and the candidate joins the
booth's shortlist as a lead (BoothLead: when, by whom, a rating from 1 weak to 4 strong), with a note
on the shortlist entry.

Only candidates who agreed to be shown to employers and are confirmed at the booth's event are
saved (the same rule as browsing registrants, eventsapp.organizations.access); for anyone else the
scan records nothing personal. Who may use a booth's leads is decided in organizations.access
(can_use_shortlist). Callers commit.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from eventsapp.accounts.models import User
from eventsapp.badges.models import Badge, BadgeRole
from eventsapp.badges.services import Verdict
from eventsapp.booths.models import Booth
from eventsapp.browse.models import ShortlistEntry
from eventsapp.browse.services import NOTE_MAX_LENGTH, entry_for, visible_profile
from eventsapp.candidates.choices import degree_words
from eventsapp.candidates.models import CandidateProfile
from eventsapp.checkin.models import BoothLead
from eventsapp.checkin.services import find_badge
from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.organizations.access import visible_registrants_condition
from eventsapp.spreadsheets import Column, csv_bytes, excel_safe, header
from eventsapp.validation import ValidationFailed

RATINGS = (1, 2, 3, 4)
RATING_MESSAGE = _l("Choose a rating from 1 (weak) to 4 (strong).")


class LeadOutcome(enum.StrEnum):
    SAVED = "saved"  # a new lead
    UPDATED = "updated"  # already on the booth's list: the scan is recorded on it
    NOT_CONSENTED = "not_consented"  # nothing saved
    NOT_CANDIDATE = "not_candidate"  # staff, crew: not a lead
    REFUSED = "refused"  # the badge is not valid at this event


@dataclass(frozen=True)
class LeadResult:
    outcome: LeadOutcome
    verdict: Verdict
    lead: BoothLead | None = None
    profile: CandidateProfile | None = None
    badge: Badge | None = None


def check_lead(rating: int | None, note: str) -> str:
    note = (note or "").strip()
    errors = []
    if rating is not None and rating not in RATINGS:
        errors.append(("rating", RATING_MESSAGE))
    if len(note) > NOTE_MAX_LENGTH:
        errors.append(("note", _l("At most %(max)d characters.", max=NOTE_MAX_LENGTH)))
    if errors:
        raise ValidationFailed(errors)
    return note


def capture_lead(booth: Booth, *, actor: User, token: str | None = None, number: str | None = None,
                 rating: int | None = None, note: str = "", now: datetime | None = None) -> LeadResult:
    """Add the scanned candidate to the booth's leads, or record the scan on their entry."""
    now = now or utcnow()
    note = check_lead(rating, note)
    scan = find_badge(booth.event, token=token, number=number, now=now)
    if not scan.ok:
        return LeadResult(LeadOutcome.REFUSED, scan.verdict, badge=scan.badge)
    if scan.badge.role != BadgeRole.CANDIDATE:
        return LeadResult(LeadOutcome.NOT_CANDIDATE, scan.verdict, badge=scan.badge)
    candidate_id = scan.badge.holder_id
    profile = visible_profile(booth.event_id, candidate_id)
    if profile is None:
        return LeadResult(LeadOutcome.NOT_CONSENTED, scan.verdict)
    entry = entry_for(booth, candidate_id)
    outcome = LeadOutcome.UPDATED
    if entry is None:
        entry = ShortlistEntry(booth_id=booth.id, candidate_id=candidate_id, added_by_id=actor.id)
        try:
            with db.session.begin_nested():
                db.session.add(entry)
                db.session.flush()
            outcome = LeadOutcome.SAVED
        except IntegrityError:
            entry = entry_for(booth, candidate_id)  # a colleague scanned the same person a moment ago
    lead = None if outcome == LeadOutcome.SAVED else db.session.get(BoothLead, entry.id)
    if lead is None:
        lead = BoothLead(entry=entry, captured_at=now, captured_by_id=actor.id)
        try:
            with db.session.begin_nested():
                db.session.add(lead)
                db.session.flush()
            outcome = LeadOutcome.SAVED  # new on the shortlist, or shortlisted before: a lead from now on
        except IntegrityError:
            lead = db.session.get(BoothLead, entry.id)  # a colleague made them a lead a moment ago
    if rating is not None:
        lead.rating = rating
    if note:
        entry.note = note
    db.session.flush()
    return LeadResult(outcome, scan.verdict, lead, profile, scan.badge)


def update_lead(lead: BoothLead, rating: int | None, note: str) -> BoothLead:
    lead.entry.note = check_lead(rating, note)
    lead.rating = rating
    db.session.flush()
    return lead


def find_lead(booth: Booth, entry_id: int) -> BoothLead | None:
    """The booth's lead on its shortlist entry ``entry_id`` (the number its pages and answers use)."""
    return db.session.scalar(select(BoothLead).join(BoothLead.entry).options(contains_eager(BoothLead.entry))
                             .where(BoothLead.shortlist_entry_id == entry_id, ShortlistEntry.booth_id == booth.id))


@dataclass(frozen=True)
class LeadRow:
    lead: BoothLead
    profile: CandidateProfile | None  # None: the candidate withdrew consent or their registration
    captured_by: str


def leads_of(booth: Booth) -> list[LeadRow]:
    """The booth's captured leads, newest first, each with the profile while it may still be seen."""
    rows = db.session.execute(
        select(BoothLead, User.display_name).join(BoothLead.entry)
        .outerjoin(User, User.id == BoothLead.captured_by_id)
        .where(ShortlistEntry.booth_id == booth.id)
        .order_by(BoothLead.captured_at.desc(), BoothLead.shortlist_entry_id.desc())
        .options(contains_eager(BoothLead.entry))).all()
    ids = [lead.entry.candidate_id for lead, _name in rows]
    profiles = {profile.user_id: profile for profile in db.session.scalars(
        select(CandidateProfile).where(CandidateProfile.user_id.in_(ids),
                                       visible_registrants_condition(booth.event_id)))} if ids else {}
    return [LeadRow(lead, profiles.get(lead.entry.candidate_id), name or "") for lead, name in rows]


LEADS_COLUMNS = [
    Column("captured_at", _l("Scanned")), Column("rating", _l("Rating")), Column("name", _l("Name")),
    Column("name_latin", _l("Name in Latin letters")), Column("degree", _l("Degree")), Column("school", _l("School")),
    Column("major", _l("Major")), Column("graduation_year", _l("Graduation year")), Column("note", _l("Note")),
    Column("captured_by", _l("Scanned by")),
]


def leads_csv(rows: list[LeadRow], zone_name: str, hidden_label: str) -> bytes:
    """The booth's leads as CSV that Excel opens with Chinese intact, in the employer's language; capture
    times in the event's time zone. A candidate who can no longer be seen keeps only the rating and note."""
    zone = ZoneInfo(zone_name)
    lines = []
    for row in rows:
        lead, profile = row.lead, row.profile
        when = lead.captured_at.astimezone(zone).isoformat(timespec="minutes")
        if profile is None:
            person = [hidden_label, "", "", "", "", ""]
        else:
            person = [excel_safe(profile.name), excel_safe(profile.name_latin), degree_words(profile.degree),
                      excel_safe(profile.school), excel_safe(profile.major), profile.graduation_year or ""]
        lines.append([when, lead.rating or "", *person, excel_safe(lead.entry.note), excel_safe(row.captured_by)])
    return csv_bytes(header(LEADS_COLUMNS), lines)
