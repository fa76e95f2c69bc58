"""Who may do what through the API: the pages' rules (accounts.access, checkin.access,
organizations.access, loaders.public_event_or_404, the contests' and judging's own queries), intersected
with the token's scopes. Each API view
asks one of these; none decides on its own."""
from __future__ import annotations

from flask_babel import gettext as _

from eventsapp.accounts.models import User
from eventsapp.api.core import current_api_user, current_token, forbidden, not_found, require_scope
from eventsapp.api.tokens import ANALYTICS_READ, CHECKIN_WRITE, CONTESTS_READ, READ, REGISTRATIONS_WRITE
from eventsapp.booths.models import Booth
from eventsapp.checkin.access import can_run_door
from eventsapp.contests.entries import takes_part
from eventsapp.contests.models import Contest
from eventsapp.contests.services import find_contest
from eventsapp.events.models import Event, EventKind
from eventsapp.extensions import db
from eventsapp.organizations.access import can_use_shortlist, owns_booth


def reader() -> User | None:
    """The account of a token with ``read``, or None for an anonymous request (public data only). A token
    without ``read`` reads only what the public reads."""
    token = current_token()
    if token is not None and READ in token.scope_set:
        return current_api_user()
    return None


def visible_event(event_id: int) -> Event:
    """An event the requester may know: a public one for everyone; a draft only for organizers reading with
    a token (as the event page shows drafts to organizers). Any other id is simply not there."""
    event = db.session.get(Event, event_id)
    if event is None:
        raise not_found(_("There is no such event."))
    if not event.is_public:
        user = reader()
        if user is None or not user.is_organizer:
            raise not_found(_("There is no such event."))
    return event


def organizer(scope: str) -> User:
    """Organizers and administrators manage every event's registrations (accounts.access.organizer_required)."""
    user = require_scope(scope)
    if not user.is_organizer:
        raise forbidden(_("Only organizers can do this."))
    return user


def manages_registrations(event_id: int, scope: str = READ) -> tuple[User, Event]:
    user = organizer(scope)
    event = db.session.get(Event, event_id)
    if event is None:
        raise not_found(_("There is no such event."))
    return user, event


def door(event_id: int, scope: str = CHECKIN_WRITE) -> tuple[User, Event]:
    """The door of an event: its organizers and door crew (checkin.access.can_run_door)."""
    user = require_scope(scope)
    event = db.session.get(Event, event_id)
    if event is None:
        raise not_found(_("There is no such event."))
    if not can_run_door(user, event.id):
        raise forbidden(_("Only organizers and this event's door volunteers can check people in."))
    return user, event


def candidate(scope: str = READ) -> User:
    """A person's own registrations and interviews: any account, its own only."""
    return require_scope(scope)


def booth_staff(booth_id: int, scope: str = READ) -> tuple[User, Booth]:
    """A booth's own interview list, as its page (/employer/booths/<id>/interviews) decides: staff of its
    organization (organizations.access.owns_booth), while the booth is active (can_use_shortlist: 403
    after it was withdrawn or rejected); everyone else, organizers included, gets a 404 for its id."""
    user = require_scope(scope)
    booth = db.session.get(Booth, booth_id)
    if booth is None or not owns_booth(user, booth):
        raise not_found(_("There is no such booth."))
    if not can_use_shortlist(user, booth):
        raise forbidden(_("Only the staff of this booth's organization can see its interviews, and only while "
                          "the booth is approved."))
    return user, booth


def _contest_of(event: Event) -> Contest:
    contest = find_contest(event.id) if event.kind == EventKind.COMPETITION else None
    if contest is None:
        raise not_found(_("This event has no contest."))
    return contest


def contest_organizer(event_id: int, scope: str = CONTESTS_READ) -> tuple[User, Contest]:
    """A contest's entries, as its organizers' pages show them (organizer_required, then the competition's
    contest, contests.loaders.contest_or_404): organizers and administrators, every contest."""
    user = organizer(scope)
    event = db.session.get(Event, event_id)
    if event is None:
        raise not_found(_("There is no such event."))
    return user, _contest_of(event)


def published_contest(event_id: int) -> Contest:
    """A contest whose results are published, of an event the requester may know (the public results page
    /events/<slug>/results: 404 until they are published)."""
    contest = _contest_of(visible_event(event_id))
    if contest.results_published_at is None:
        raise not_found(_("The results of this contest are not published."))
    return contest


def team_member(scope: str = CONTESTS_READ) -> User:
    """A team's own entries (contests.entries.entries_of, the page /my/contest-entries): accounts that take
    part in contests (contests.entries.takes_part: candidates), the entries whose team they are on."""
    user = require_scope(scope)
    if not takes_part(user):
        raise forbidden(_("Only candidates enter contests."))
    return user


def judge(scope: str = CONTESTS_READ) -> User:
    """A judge's assigned entries (reviews.scoring.my_reviews, the page /judging): any account; the query
    itself keeps to open rounds, the judge's own assignments and no conflict of interest."""
    return require_scope(scope)


def analyst(scope: str = ANALYTICS_READ) -> User:
    """The analytics figures: organizers and administrators (the analytics page's organizer_required)."""
    return organizer(scope)


__all__ = ["ANALYTICS_READ", "CHECKIN_WRITE", "CONTESTS_READ", "READ", "REGISTRATIONS_WRITE", "analyst", "booth_staff",
           "candidate", "contest_organizer", "door", "judge", "manages_registrations", "organizer",
           "published_contest", "reader", "team_member", "visible_event"]
