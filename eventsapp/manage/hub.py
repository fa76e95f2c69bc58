"""An event's hub: the tabs to every organizer tool the event has.

Every organizer page that belongs to an event shows the same row of tabs
(templates/manage/_event_nav.html), built here from plain entries. A tab names the page it opens,
the other pages it stands for (so the right one is highlighted) and the kinds of event it applies
to. A feature adds its tools by adding entries to ``EVENT_TABS``: contest tools, for example, add
theirs with ``kinds=frozenset({EventKind.COMPETITION})`` and appear on competitions only.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from eventsapp.booths.services import BOOTH_EVENT_KINDS
from eventsapp.events.models import Event, EventKind

FAIR_KINDS = frozenset(BOOTH_EVENT_KINDS)  # booths, halls, floor plan, openings and matching
CONTEST_KINDS = frozenset({EventKind.COMPETITION})


@dataclass(frozen=True)
class EventTab:
    key: str
    label: object  # a lazy string: translated when shown
    endpoint: str  # the page the tab opens, addressed by ``event_id`` (or ``slug`` when ``by_slug``)
    # Other endpoints shown under this tab; an entry ending in "." stands for a whole blueprint.
    covers: tuple[str, ...] = ()
    kinds: frozenset[EventKind] | None = None  # None: every kind of event
    anchor: str | None = None  # a section of the page
    by_slug: bool = False
    public: bool = False  # a public page, outside the organizers' area: drafts have none

    def applies_to(self, event: Event) -> bool:
        if self.public and not event.is_public:
            return False
        return self.kinds is None or event.kind in self.kinds

    def url_values(self, event: Event) -> dict:
        values = {"slug": event.slug} if self.by_slug else {"event_id": event.id}
        if self.anchor:
            values["_anchor"] = self.anchor
        return values

    def matches_exactly(self, endpoint: str) -> bool:
        return (endpoint == self.endpoint and self.anchor is None) or endpoint in self.covers

    def matches_blueprint(self, endpoint: str) -> bool:
        return any(entry.endswith(".") and endpoint.startswith(entry) for entry in self.covers)


EVENT_TABS: list[EventTab] = [
    EventTab("overview", _l("Overview"), "manage.edit_event",
             covers=("manage.add_agenda_item", "manage.edit_agenda_item", "manage.confirm_status")),
    EventTab("registrants", _l("Registrants"), "registrants.registrants", covers=("registrants.",)),
    EventTab("questions", _l("Questions"), "registrants.question_list",
             covers=("registrants.edit_question", "registrants.delete_question")),
    EventTab("eligibility", _l("Eligibility"), "manage.edit_event", anchor="eligibility"),
    EventTab("booths", _l("Booths"), "booths.manage.applications",
             covers=("booths.manage.approve", "booths.manage.reject", "booths.manage.booth_limit"), kinds=FAIR_KINDS),
    EventTab("halls", _l("Halls"), "booths.manage.hall_list",
             covers=("booths.manage.edit_hall", "booths.manage.delete_hall"), kinds=FAIR_KINDS),
    EventTab("floor_plan", _l("Floor plan"), "booths.manage.placement", covers=("booths.manage.",), kinds=FAIR_KINDS),
    # Organizers have no openings page of their own: the fair's public search lists them all.
    EventTab("openings", _l("Openings"), "openings.search", kinds=FAIR_KINDS, by_slug=True, public=True),
    EventTab("matching", _l("Matching"), "preferences.settings", covers=("match_runs.",), kinds=FAIR_KINDS),
    EventTab("contest", _l("Contest"), "contests_manage.settings", covers=("contests_manage.",), kinds=CONTEST_KINDS),
    EventTab("entries", _l("Entries"), "contests_manage.entries",
             covers=("contests_manage.entry_detail", "contests_manage.entries_export"), kinds=CONTEST_KINDS),
    EventTab("judging", _l("Judging"), "reviews.manage.overview", covers=("reviews.manage.",),
             kinds=frozenset({EventKind.COMPETITION})),
    EventTab("results", _l("Results"), "awards.overview", covers=("awards.",),
             kinds=frozenset({EventKind.COMPETITION})),
    EventTab("badges", _l("Badges"), "badges_manage.overview", covers=("badges_manage.",)),
    EventTab("checkin", _l("Check-in"), "checkin.door"),
    EventTab("calendar", _l("Calendar"), "manage.event_calendar"),
    EventTab("messages", _l("Messages"), "messages.overview", covers=("messages.",)),
    EventTab("survey", _l("Survey"), "surveys_manage.survey", covers=("surveys_manage.",)),
    EventTab("activity", _l("Activity"), "activity.event_activity"),
    EventTab("webhooks", _l("Webhooks"), "webhooks.event_endpoints"),
]


@dataclass(frozen=True)
class ShownTab:
    tab: EventTab
    active: bool

    @property
    def key(self) -> str:
        return self.tab.key


def tabs_for(event: Event, endpoint: str | None, tabs: Iterable[EventTab] | None = None) -> list[ShownTab]:
    """The event's tabs in order, the one for ``endpoint`` marked active: an exact match wins over a
    whole blueprint (the registrants tab covers its blueprint, the questions tab its own pages)."""
    applicable = [tab for tab in (EVENT_TABS if tabs is None else tabs) if tab.applies_to(event)]
    endpoint = endpoint or ""
    active = next((tab for tab in applicable if tab.matches_exactly(endpoint)), None) or next(
        (tab for tab in applicable if tab.matches_blueprint(endpoint)), None)
    return [ShownTab(tab, tab is active) for tab in applicable]
