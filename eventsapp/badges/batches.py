"""Which badges a print run contains, in which order, and whether every name can be printed."""
from __future__ import annotations

import json
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass

from flask_babel import lazy_gettext as _l
from pypinyin import Style, lazy_pinyin
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from eventsapp.accounts.models import User
from eventsapp.badges import fonts
from eventsapp.badges.models import Badge, BadgeRole
from eventsapp.badges.rendering import LAYOUTS, BadgeCard, Layout
from eventsapp.badges.services import entitled_badge_condition, names_of, token_of
from eventsapp.booths.floorplan import code_sort_key
from eventsapp.booths.models import Booth
from eventsapp.candidates.models import CandidateProfile
from eventsapp.events.models import Event
from eventsapp.extensions import db
from eventsapp.i18n import format_local_datetime, format_local_time, localized, to_zone
from eventsapp.talentcode import codes as personal_codes

SORT_LABELS = {"name": _l("Family name"), "booth": _l("Booth code")}
SORTS = tuple(SORT_LABELS)


class BatchRefused(ValueError):
    """Options that cannot make a print run; the message is for the person who asked."""


@dataclass(frozen=True)
class BatchOptions:
    layout: str = "a4-2x4"
    role: str = ""  # a BadgeRole value, or "" for everyone
    hall: str = ""
    booth: str = ""  # booth code
    sort: str = "name"

    def check(self) -> BatchOptions:
        if self.layout not in LAYOUTS:
            raise BatchRefused(f"unknown layout {self.layout!r}; choose one of {', '.join(LAYOUTS)}")
        if self.role and self.role not in {role.value for role in BadgeRole}:
            raise BatchRefused(f"unknown role {self.role!r}; choose one of {', '.join(r.value for r in BadgeRole)}")
        if self.sort not in SORTS:
            raise BatchRefused(f"unknown sort order {self.sort!r}; choose one of {', '.join(SORTS)}")
        return self

    def to_json(self, **extra: str) -> str:
        return json.dumps({**asdict(self), **extra}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> BatchOptions:
        values = json.loads(text or "{}")
        return cls(**{key: str(value) for key, value in values.items() if key in cls.__dataclass_fields__})

    @property
    def layout_spec(self) -> Layout:
        return LAYOUTS[self.layout]  # checked by check(), the forms and the command line


@dataclass(frozen=True)
class Unprintable:
    """A name the badge fonts cannot draw, or one too long for the layout even at the smallest size."""

    number: str
    name: str
    missing: tuple[str, ...] = ()
    too_long: bool = False

    @property
    def code_points(self) -> str:
        return " ".join(f"U+{ord(char):04X}" for char in self.missing)


def _is_han(char: str) -> bool:
    return unicodedata.name(char, "").startswith("CJK")


def family_first(name: str) -> str:
    """A sort key that starts with the family name: pinyin for Chinese names (written family
    name first), the last word first for names in Latin letters."""
    name = name.strip()
    if any(_is_han(char) for char in name):
        return " ".join(lazy_pinyin(name, style=Style.NORMAL, errors="default")).lower()
    words = name.split()
    return " ".join(words[-1:] + words[:-1]).casefold()


def event_dates(event: Event) -> str:
    start = format_local_datetime(event.starts_at, event.timezone)
    same_day = to_zone(event.starts_at, event.timezone).date() == to_zone(event.ends_at, event.timezone).date()
    end = format_local_time(event.ends_at, event.timezone) if same_day else format_local_datetime(
        event.ends_at, event.timezone)
    return f"{start} – {end}"


def _organization_name(badge: Badge, profile: CandidateProfile | None) -> str:
    if badge.booth is not None:
        return localized(badge.booth.organization, "name")
    if profile is not None:
        return profile.school
    return ""


def cards_for(event: Event, badges: list[Badge], printing: bool = True) -> list[BadgeCard]:
    """What the given badges print; loads holders and their profiles for all of them at once. At an event
    whose badges carry personal codes, the QR is the holder's personal code, made now for those who have
    none yet (flushes: whoever prints the cards commits). A preview (``printing=False``) makes no code:
    its cards show the event's own code."""
    holder_ids = [badge.holder_id for badge in badges]
    personal = personal_codes.tokens_for(holder_ids) if event.badge_personal_code and printing else {}
    profiles = {p.user_id: p for p in db.session.scalars(
        select(CandidateProfile).where(CandidateProfile.user_id.in_(holder_ids)))} if holder_ids else {}
    holders = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(holder_ids)))} if holder_ids else {}
    title, dates = localized(event, "title"), event_dates(event)
    cards = []
    for badge in badges:
        profile = profiles.get(badge.holder_id)
        name, latin = names_of(holders[badge.holder_id], profile)
        booth = badge.booth
        cards.append(BadgeCard(
            number=badge.number, role=badge.role, name=name, name_latin=latin if latin != name else "",
            organization=_organization_name(badge, profile), event_title=title,
            dates=dates, token=personal.get(badge.holder_id) or token_of(badge),
            booth_code=(booth.code or "") if booth else "",
            hall=booth.hall.name if booth and booth.hall else "", sort_name=family_first(name)))
    return cards


def select_badges(event: Event, options: BatchOptions) -> list[Badge]:
    """The event's badges that still let their holders in, matching the filters."""
    query = (select(Badge).where(Badge.event_id == event.id, entitled_badge_condition())
             .options(selectinload(Badge.booth).selectinload(Booth.hall),
                      selectinload(Badge.booth).selectinload(Booth.organization)))
    if options.role:
        query = query.where(Badge.role == BadgeRole(options.role))
    badges = list(db.session.scalars(query))
    if options.hall:
        badges = [b for b in badges if b.booth is not None and b.booth.hall is not None
                  and b.booth.hall.name.casefold() == options.hall.strip().casefold()]
    if options.booth:
        wanted = options.booth.strip().casefold()
        badges = [b for b in badges if b.booth is not None and (b.booth.code or "").casefold() == wanted]
    return badges


def sort_cards(cards: list[BadgeCard], sort: str) -> list[BadgeCard]:
    if sort == "booth":
        # Booth staff by booth code (so each booth's badges come out together), everyone else after.
        return sorted(cards, key=lambda c: (code_sort_key(c.booth_code), c.sort_name, c.number))
    return sorted(cards, key=lambda c: (c.sort_name, c.number))


def batch_cards(event: Event, options: BatchOptions, printing: bool = True) -> list[BadgeCard]:
    options.check()
    return sort_cards(cards_for(event, select_badges(event, options), printing), options.sort)


def preprint_check(cards: list[BadgeCard], layout: Layout) -> list[Unprintable]:
    """Names that would print wrong: characters no badge font has, or too long to fit."""
    problems = []
    for card in cards:
        missing = tuple(fonts.missing_characters(card.name + card.name_latin))
        too_long = fonts.fit_size(card.name, layout.name_width, layout.name_largest, layout.name_smallest) is None
        if missing or too_long:
            problems.append(Unprintable(card.number, card.name, missing, too_long))
    return problems


def role_counts(event_id: int) -> Counter:
    return Counter(dict(db.session.execute(
        select(Badge.role, db.func.count()).where(Badge.event_id == event_id, entitled_badge_condition())
        .group_by(Badge.role)).all()))
