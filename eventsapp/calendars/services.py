"""Calendar feeds: which rows each feed holds, in which language, and the private feed tokens.

Services take plain values, return ``ical.Feed`` objects (``ical.feed_bytes`` makes the bytes,
``ical.feed_calendar`` an icalendar object) and flush; the caller commits.
"""
from __future__ import annotations

import dataclasses
import hashlib
import re
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import has_app_context
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import event as sa_event
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from eventsapp.accounts.models import Role, User
from eventsapp.booths.models import Booth
from eventsapp.calendars import cache, ical
from eventsapp.calendars.models import CalendarFeed
from eventsapp.candidates.models import CandidateProfile
from eventsapp.contests.models import Contest, Entry, EntryState, PitchSlot, Round, TeamMember
from eventsapp.dbtypes import utcnow
from eventsapp.events.choices import KIND_LABELS
from eventsapp.events.models import AgendaItem, Event, EventKind, EventStatus, Series
from eventsapp.events.services import CALENDAR_EVENT_FIELDS, TALENT_DAY_DAY, TALENT_DAY_MONTH
from eventsapp.extensions import db
from eventsapp.matchmaking.interviews import employer_unavailable
from eventsapp.matchmaking.models import Interview, MatchRun, RunStatus
from eventsapp.organizations.models import OrganizationMember
from eventsapp.registrations.choices import STATUS_LABELS
from eventsapp.registrations.models import Registration, RegistrationLog, RegistrationStatus
from eventsapp.talentday.services import DEFAULT_END_HOUR, DEFAULT_START_HOUR

LANGUAGES = {"zh_CN": "zh", "zh-CN": "zh", "zh": "zh", "en": "en"}
BABEL_LOCALES = {"zh": "zh_CN", "en": "en"}
FEED_FILTERS = ("kind", "series", "lang")
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{20,100}$")
FETCH_RECORD_INTERVAL = timedelta(hours=1)  # how often a feed fetch is written down


class FeedFilterError(ValueError):
    """A query parameter the feed does not know, or a value it cannot use."""


# --- Public feeds ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class PublicFilters:
    kind: EventKind | None = None
    series: Series | None = None

    def key(self) -> str:
        return f"{self.kind.value if self.kind else ''}:{self.series.id if self.series else ''}"


def parse_language(value: str | None, default: str) -> str:
    """'zh' or 'en' from ?lang=zh_CN|en (or the given default locale)."""
    if value is None:
        return "zh" if str(default).startswith("zh") else "en"
    if value not in LANGUAGES:
        raise FeedFilterError(f"unknown language {value!r}; use one of: zh_CN, en")
    return LANGUAGES[value]


def check_parameters(args: Iterable[str], allowed: Iterable[str]) -> None:
    unknown = sorted(set(args) - set(allowed))
    if unknown:
        raise FeedFilterError(f"unknown parameter {unknown[0]!r}; this feed takes: {', '.join(allowed)}")


def parse_public_filters(args) -> PublicFilters:
    """Filters from the query string (a MultiDict); anything unknown raises FeedFilterError."""
    check_parameters(args.keys(), FEED_FILTERS)
    kind = series = None
    if "kind" in args:
        try:
            kind = EventKind(args["kind"])
        except ValueError:
            raise FeedFilterError(f"unknown kind {args['kind']!r}; use one of: "
                                  f"{', '.join(member.value for member in EventKind)}") from None
    if "series" in args:
        series = db.session.scalar(select(Series).where(Series.slug == args["series"]))
        if series is None:
            raise FeedFilterError(f"unknown series {args['series']!r}")
    return PublicFilters(kind, series)


@dataclass(frozen=True)
class Fingerprint:
    """Changes whenever any event changes, appears or goes: the public feeds' cache key."""

    count: int
    last_modified: datetime | None
    sequences: int

    def etag(self, *parts: str) -> str:
        return feed_etag(str(self.count), str(self.last_modified), str(self.sequences), *parts)


FEED_FORMAT = "1"  # raise when the renderers change, so cached feeds and ETags from before are not reused


def feed_etag(*parts: str) -> str:
    """The ETag of a feed: changes with the renderers (PRODID, FEED_FORMAT) and with ``parts``."""
    return hashlib.sha256("|".join([ical.PRODID, FEED_FORMAT, *parts]).encode()).hexdigest()[:32]


def events_fingerprint() -> Fingerprint:
    """One aggregate over all events (drafts too: unpublishing one must change it)."""
    count, last_modified, sequences = db.session.execute(
        select(func.count(Event.id), func.max(Event.updated_at), func.coalesce(func.sum(Event.calendar_sequence), 0))
    ).one()
    if last_modified is not None and last_modified.tzinfo is None:  # SQLite aggregates skip the column type
        last_modified = datetime.fromisoformat(str(last_modified)).replace(tzinfo=UTC)
    return Fingerprint(count, last_modified, int(sequences))


# The fingerprint query reads every event row (~5 ms for 10,000 on SQLite); calendar apps poll
# often, so the answer is kept for a few seconds: in Redis when the feed cache is there (every node
# reads it, and a commit on any node that touches an event makes them all ask again, see
# calendars.cache), otherwise in this process, which forgets it at once after its own commit that
# touches an event; other processes' changes then show within those seconds.
_remembered: dict[str, tuple[float, Fingerprint]] = {}


def current_fingerprint(database_key: str, max_age: float, now: float | None = None) -> Fingerprint:
    if has_app_context() and cache.shared():
        return cache.shared_fingerprint(database_key, max_age, events_fingerprint)
    now = time.monotonic() if now is None else now
    held = _remembered.get(database_key)
    if held is not None and now - held[0] < max_age:
        return held[1]
    fingerprint = events_fingerprint()
    _remembered[database_key] = (now, fingerprint)
    return fingerprint


def forget_fingerprints() -> None:
    _remembered.clear()


@sa_event.listens_for(Session, "after_flush")
def _note_event_changes(session, flush_context) -> None:
    if any(isinstance(row, Event | AgendaItem) for row in (*session.new, *session.dirty, *session.deleted)):
        session.info["calendar_events_changed"] = True


@sa_event.listens_for(Session, "after_commit")
def _forget_after_commit(session) -> None:
    if session.info.pop("calendar_events_changed", False):
        forget_fingerprints()
        bind = session.get_bind()
        if has_app_context() and cache.shared() and bind is not None:
            cache.events_changed(bind.url.render_as_string())


# What a feed entry reads of an event: what calendars show, plus what identifies and versions it.
# Plain rows load several times faster than whole objects.
FEED_COLUMNS = (Event.id, Event.status, Event.updated_at, Event.calendar_sequence,
                *(getattr(Event, name) for name in CALENDAR_EVENT_FIELDS))


def public_feed(filters: PublicFilters, language: str, base_url: str) -> ical.Feed:
    query = select(*FEED_COLUMNS).where(Event.is_public).order_by(Event.starts_at, Event.id)
    if filters.kind is not None:
        query = query.where(Event.kind == filters.kind)
    if filters.series is not None:
        query = query.where(Event.series_id == filters.series.id)
    events = db.session.execute(query).all()
    with force_locale(BABEL_LOCALES[language]):
        name = ical.join_text(_("Hangzhou Talent Events"),
                              str(KIND_LABELS[filters.kind]) if filters.kind else "",
                              ical.pick(filters.series, "title", language) if filters.series else "",
                              separator=" · ")
        return ical.Feed(name, [ical.event_entry(event, language, base_url) for event in events])


def find_public_event(slug: str) -> Event | None:
    return db.session.scalar(select(Event).where(Event.slug == slug, Event.is_public))


def event_feed(event: Event, language: str, base_url: str) -> ical.Feed:
    """One event and each item of its agenda as its own VEVENT."""
    entries = [ical.event_entry(event, language, base_url)]
    entries += [ical.agenda_entry(item, event, language, base_url) for item in event.agenda_items]
    return ical.Feed(ical.pick(event, "title", language), entries)


# --- Talent Day: one yearly series, each year's event as an override ---------------------------------

# A tuple: entries are hashable.
TALENT_DAY_RULE = (("FREQ", "YEARLY"), ("BYMONTH", TALENT_DAY_MONTH), ("BYMONTHDAY", TALENT_DAY_DAY))


def talent_day_feed(language: str, base_url: str, default_zone: str, today: datetime | None = None
                    ) -> ical.Feed:
    """Talent Day every 28 September (RRULE) from the first Talent Day on record, at its local time;
    each year's published Talent Day overrides its occurrence (RECURRENCE-ID) with its own times."""
    days = db.session.scalars(select(Event).where(Event.kind == EventKind.TALENT_DAY, Event.is_public)
                              .order_by(Event.talent_day_year)).all()
    # Every change to any Talent Day raises this, and every part of the series shares it.
    sequence = db.session.scalar(select(func.coalesce(func.sum(Event.calendar_sequence), 0))
                                 .where(Event.kind == EventKind.TALENT_DAY)) or 0
    if days:
        first = days[0]
        zone = ZoneInfo(first.timezone)
        starts, ends = first.starts_at.astimezone(zone), first.ends_at.astimezone(zone)
        stamp = max(day.updated_at for day in days)
    else:
        zone = ZoneInfo(default_zone)
        year = (today or utcnow()).astimezone(zone).year
        starts = datetime(year, TALENT_DAY_MONTH, TALENT_DAY_DAY, DEFAULT_START_HOUR, tzinfo=zone)
        ends = starts.replace(hour=DEFAULT_END_HOUR)
        stamp = datetime(year, 1, 1, tzinfo=UTC)
    with force_locale(BABEL_LOCALES[language]):
        name = _("Hangzhou Talent Day")
        series = ical.Entry(
            uid=ical.TALENT_DAY_UID, starts_at=starts, ends_at=ends, zone=zone.key, summary=name, stamp=stamp,
            sequence=sequence, rrule=TALENT_DAY_RULE,
            description=_("Hangzhou's day for talent, every 28 September: ceremony, awards, exchange "
                          "conference and job fair."))
    overrides = []
    for day in days:
        entry = ical.event_entry(day, language, base_url)
        occurrence = starts.replace(year=day.talent_day_year)
        overrides.append(dataclasses.replace(entry, uid=ical.TALENT_DAY_UID, sequence=sequence,
                                             recurrence_id=occurrence))
    return ical.Feed(name, [series, *overrides])


# --- Personal feeds ----------------------------------------------------------------------------------

def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_feed_token(user: User) -> str:
    """A new secret feed URL token for the user; the previous one stops working at once."""
    token = secrets.token_urlsafe(32)
    feed = feed_of(user)
    if feed is None:
        try:
            with db.session.begin_nested():  # a double click may insert the row at the same moment
                feed = CalendarFeed(user_id=user.id, token_digest=token_digest(token))
                db.session.add(feed)
        except IntegrityError:
            feed = feed_of(user)
    feed.token_digest, feed.created_at, feed.last_fetched_at = token_digest(token), utcnow(), None
    db.session.flush()
    return token


def feed_of(user: User) -> CalendarFeed | None:
    return db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))


def find_feed(token: str) -> CalendarFeed | None:
    """The feed whose token this is, for an active account; None for anything else, alike."""
    if not TOKEN_PATTERN.fullmatch(token or ""):
        return None
    digest = token_digest(token)
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.token_digest == digest)
                             .options(joinedload(CalendarFeed.user)))
    if feed is None:
        return None
    if not feed.user.is_active_account or feed.user.erased_at is not None:
        return None
    return feed


def record_fetch(feed: CalendarFeed, now: datetime | None = None) -> bool:
    """Note when the feed was last read (at most hourly, so polling clients cause few writes)."""
    now = now or utcnow()
    if feed.last_fetched_at is not None and now - feed.last_fetched_at < FETCH_RECORD_INTERVAL:
        return False
    feed.last_fetched_at = now
    db.session.flush()
    return True


REGISTRATION_STATES = {
    RegistrationStatus.CONFIRMED: "CONFIRMED",
    RegistrationStatus.WAITLISTED: "TENTATIVE",
    RegistrationStatus.PENDING: "TENTATIVE",
    RegistrationStatus.CANCELLED: "CANCELLED",
    RegistrationStatus.REJECTED: "CANCELLED",
}


def _registration_entries(user: User, language: str, base_url: str) -> list[ical.Entry]:
    # The registration's SEQUENCE: the event's, plus one for each change of the registration.
    changes = (select(func.count()).where(RegistrationLog.registration_id == Registration.id)
               .correlate(Registration).scalar_subquery())
    rows = db.session.execute(
        select(Registration.id.label("registration_id"), Registration.status.label("registration_status"),
               Registration.updated_at.label("registration_updated_at"), changes.label("changes"), *FEED_COLUMNS)
        .select_from(Registration).join(Event, Event.id == Registration.event_id)
        .where(Registration.user_id == user.id, Event.is_public)
        .order_by(Event.starts_at, Event.id)).all()
    # Translated once per feed, not once per entry.
    labels = {status: str(label) for status, label in STATUS_LABELS.items()}
    notes = {status: _("Your registration: %(status)s", status=label) for status, label in labels.items()}
    entries = []
    for row in rows:
        entry = ical.event_entry(row, language, base_url)
        state = "CANCELLED" if entry.status == "CANCELLED" else REGISTRATION_STATES[row.registration_status]
        label = labels[row.registration_status]
        entries.append(dataclasses.replace(
            entry, uid=ical.registration_uid(row.registration_id), status=state,
            stamp=max(row.updated_at, row.registration_updated_at), sequence=entry.sequence + row.changes,
            summary=entry.summary if state == "CONFIRMED" else f"({label}) {entry.summary}",
            description=ical.join_text(notes[row.registration_status], entry.description, separator="\n\n")))
    return entries


def _booth_place(booth: Booth, event: Event, language: str) -> str:
    return ical.join_text(_("Booth %(code)s", code=booth.code) if booth.code else "",
                          _("Hall %(hall)s", hall=booth.hall.name) if booth.hall else "",
                          ical.event_location(event, language), separator=", ")


def _interview_entries(condition, language: str, base_url: str, for_staff: bool) -> list[ical.Entry]:
    """Interviews of published matching runs that meet ``condition``. A pair that an earlier
    published run had and the current one dropped stays, cancelled, so calendars remove it."""
    rows = db.session.execute(
        select(Interview, MatchRun, Event)
        .join(MatchRun, MatchRun.id == Interview.run_id).join(Event, Event.id == MatchRun.event_id)
        .where(condition, Event.is_public, MatchRun.status.in_((RunStatus.PUBLISHED, RunStatus.SUPERSEDED)))
        .options(joinedload(Interview.booth).joinedload(Booth.organization),
                 joinedload(Interview.booth).joinedload(Booth.hall))
        .order_by(MatchRun.id)).tuples().all()
    current = {event.id: run for _interview, run, event in rows if run.status == RunStatus.PUBLISHED}
    latest: dict[tuple[int, int, int], tuple[Interview, MatchRun, Event]] = {}
    for interview, run, event in rows:  # ordered by run: the latest wins
        latest[(event.id, interview.booth_id, interview.candidate_id)] = (interview, run, event)
    names = _candidate_names({key[2] for key in latest}) if for_staff else {}
    entries = []
    for (event_id, booth_id, candidate_id), (interview, run, event) in latest.items():
        if event_id not in current:
            continue  # no published run any more: nothing to show
        booth, current_run = interview.booth, current[event_id]
        dropped = run.id != current_run.id  # a later run did not keep the pair
        withdrawn = interview.cancelled_at is not None  # the registration ended, or the booth left, after the run
        # The organization is suspended or rejected, for now: CANCELLED rather than left out, so that
        # subscribed calendars take it off the day at once (a vanished entry may linger in some clients),
        # and CONFIRMED again, with a higher SEQUENCE, if the organization is reinstated.
        unavailable = employer_unavailable(interview)
        cancelled = dropped or withdrawn or unavailable or event.status == EventStatus.CANCELLED
        organization = ical.pick(booth.organization, "name", language)
        summary = (_("Interview: %(name)s", name=names.get(candidate_id, "")) if for_staff
                   else _("Interview: %(organization)s", organization=organization))
        if unavailable and not dropped:
            summary = _("(employer currently unavailable) %(summary)s", summary=summary)
        url = ical.event_url(base_url, event.slug)
        place = _booth_place(booth, event, language)
        entries.append(ical.Entry(
            uid=ical.interview_uid(event_id, booth_id, candidate_id), starts_at=interview.starts_at,
            ends_at=interview.ends_at, zone=event.timezone, summary=summary,
            stamp=max(event.updated_at, current_run.published_at or event.updated_at,
                      interview.cancelled_at or event.updated_at),
            # Rises with every re-run (run ids only grow, two steps each), once more when the interview is
            # cancelled, with every change to the event, and whenever the organization stops or starts again.
            sequence=(2 * current_run.id + withdrawn + (event.calendar_sequence or 0)
                      + (booth.organization.calendar_sequence or 0)),
            status="CANCELLED" if cancelled else "CONFIRMED",
            description=ical.join_text(ical.pick(event, "title", language), organization, place, url),
            location=place, url=url))
    return entries


def _pitch_entries(user: User, language: str, base_url: str) -> list[ical.Entry]:
    """The roadshow and final pitches of the entries the user is on the team of. A pitch whose slot was removed
    or whose entry was withdrawn stays, cancelled, so calendars remove it; an entry given a new slot after a
    removal has one calendar entry (its UID is the round and the entry), the newest."""
    rows = db.session.execute(
        select(PitchSlot, Round, Entry, Event)
        .join(Round, Round.id == PitchSlot.round_id).join(Entry, Entry.id == PitchSlot.entry_id)
        .join(Contest, Contest.id == Entry.contest_id).join(Event, Event.id == Contest.event_id)
        .join(TeamMember, TeamMember.entry_id == Entry.id)
        .where(TeamMember.user_id == user.id, Event.is_public)
        .order_by(PitchSlot.cancelled_at.is_(None), PitchSlot.sequence, PitchSlot.id)).tuples().all()
    newest = {(round_.id, entry.id): (slot, round_, entry, event) for slot, round_, entry, event in rows}
    entries = []
    for slot, round_, entry, event in newest.values():
        withdrawn = entry.state == EntryState.WITHDRAWN
        cancelled = withdrawn or slot.cancelled_at is not None or event.status == EventStatus.CANCELLED
        url = ical.event_url(base_url, event.slug)
        place = ical.join_text(_("Room %(room)s", room=slot.room) if slot.room else "",
                               ical.event_location(event, language), separator=", ")
        entries.append(ical.Entry(
            uid=ical.pitch_uid(round_.id, entry.id), starts_at=slot.starts_at, ends_at=slot.ends_at,
            zone=event.timezone,
            summary=_("Pitch: %(title)s (%(round)s)", title=ical.pick(entry, "title", language),
                      round=ical.pick(round_, "name", language)),
            stamp=max(event.updated_at, slot.updated_at or event.updated_at,
                      entry.withdrawn_at or event.updated_at),
            # Rises with every move or removal of the slot, with every change to the event, and once when
            # the entry is withdrawn.
            sequence=slot.sequence + (event.calendar_sequence or 0) + withdrawn,
            status="CANCELLED" if cancelled else "CONFIRMED",
            description=ical.join_text(ical.pick(event, "title", language), place, url),
            location=place, url=url))
    return entries


def _candidate_names(candidate_ids: set[int]) -> dict[int, str]:
    rows = db.session.execute(
        select(User.id, User.display_name, CandidateProfile.name, CandidateProfile.name_latin)
        .outerjoin(CandidateProfile, CandidateProfile.user_id == User.id).where(User.id.in_(candidate_ids))).all()
    return {user_id: ical.join_text(name or display_name, f"({latin})" if latin else "", separator=" ")
            for user_id, display_name, name, latin in rows}


def personal_feed(user: User, language: str, base_url: str) -> ical.Feed:
    """The user's registrations and contest pitches; a candidate's interviews; an employer's booths' interviews."""
    with force_locale(BABEL_LOCALES[language]):
        entries = _registration_entries(user, language, base_url) + _pitch_entries(user, language, base_url)
        if user.role == Role.CANDIDATE:
            entries += _interview_entries(Interview.candidate_id == user.id, language, base_url, for_staff=False)
        elif user.role == Role.EMPLOYER:
            booths = select(Booth.id).join(OrganizationMember,
                                           OrganizationMember.organization_id == Booth.organization_id) \
                .where(OrganizationMember.user_id == user.id)
            entries += _interview_entries(Interview.booth_id.in_(booths), language, base_url, for_staff=True)
        entries.sort(key=lambda entry: (entry.starts_at, entry.uid))
        return ical.Feed(_("My talent events"), entries, refresh_minutes=30)
