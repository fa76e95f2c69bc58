"""The services behind navigation: an event's tabs, what waits for a decision, an event's figures,
the facts on event cards, and where a new account goes next."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event as sa_event

from eventsapp.accounts.models import Role
from eventsapp.accounts.onboarding import NextStep, next_step
from eventsapp.badges.models import Badge, BadgeRole
from eventsapp.booths.models import BoothStatus
from eventsapp.candidates.models import CandidateProfile
from eventsapp.checkin.models import CheckIn
from eventsapp.dbtypes import utcnow
from eventsapp.events.models import EventKind, EventStatus
from eventsapp.events.services import cancellation_consequences, unpublishing_consequences
from eventsapp.extensions import db
from eventsapp.manage.hub import EVENT_TABS, EventTab, tabs_for
from eventsapp.manage.services import decisions_waiting, event_overview
from eventsapp.notifications.models import OutboxMessage, OutboxStatus
from eventsapp.organizations.models import OrganizationStatus
from eventsapp.registrations.models import Registration, RegistrationStatus
from eventsapp.registrations.services import listing_facts

FAIR_TABS = ["overview", "registrants", "questions", "eligibility", "booths", "halls", "floor_plan", "openings",
             "matching", "badges", "checkin", "calendar", "messages", "survey", "activity", "webhooks"]


@contextmanager
def counting_statements():
    statements = []

    def record(_conn, _cursor, sql, *_args):
        if not sql.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE")):
            statements.append(sql)
    sa_event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", record)


def register(event, user, status=RegistrationStatus.CONFIRMED):
    db.session.add(Registration(event_id=event.id, user_id=user.id, status=status, queued_at=utcnow()))
    db.session.commit()


# --- Tabs -----------------------------------------------------------------------------------------

def test_a_fair_has_every_tool_and_a_conference_only_those_without_booths(ctx, make_event):
    fair = make_event(kind=EventKind.FAIR)
    talent_day = make_event(kind=EventKind.TALENT_DAY)
    conference = make_event(kind=EventKind.CONFERENCE)
    assert [shown.key for shown in tabs_for(fair, "manage.edit_event")] == FAIR_TABS
    assert [shown.key for shown in tabs_for(talent_day, None)] == FAIR_TABS
    assert [shown.key for shown in tabs_for(conference, None)] == [
        "overview", "registrants", "questions", "eligibility", "badges", "checkin", "calendar", "messages", "survey",
        "activity", "webhooks"]


def test_a_draft_has_no_tab_to_a_public_page(ctx, make_event):
    draft = make_event(kind=EventKind.FAIR, status=EventStatus.DRAFT)
    assert "openings" not in [shown.key for shown in tabs_for(draft, None)]


@pytest.mark.parametrize(("endpoint", "active"), [
    ("manage.edit_event", "overview"),  # not "eligibility", a section of the same page
    ("manage.edit_agenda_item", "overview"),
    ("manage.confirm_status", "overview"),
    ("registrants.registrants", "registrants"),
    ("registrants.decide", "registrants"),  # a form that shows the list again
    ("registrants.question_list", "questions"),
    ("registrants.edit_question", "questions"),  # the exact page wins over the registrants' blueprint
    ("booths.manage.applications", "booths"),
    ("booths.manage.edit_hall", "halls"),
    ("booths.manage.place", "floor_plan"),
    ("preferences.settings", "matching"),
    ("match_runs.confirm_publish", "matching"),
    ("badges_manage.render", "badges"),
    ("checkin.door", "checkin"),
    ("manage.event_calendar", "calendar"),
    ("surveys_manage.results", "survey"),
    ("activity.event_activity", "activity"),
    ("webhooks.event_endpoints", "webhooks"),
])
def test_the_tab_of_the_page_is_the_active_one(ctx, make_event, endpoint, active):
    shown = tabs_for(make_event(kind=EventKind.FAIR), endpoint)
    assert [tab.key for tab in shown if tab.active] == [active]


def test_other_pages_highlight_no_tab(ctx, make_event):
    assert not any(tab.active for tab in tabs_for(make_event(), "main.index"))


def test_a_tool_for_one_kind_of_event_appears_on_that_kind_only(ctx, make_event):
    contest = EventTab("entries", "Entries", "contest.entries", kinds=frozenset({EventKind.COMPETITION}))
    tabs = [*EVENT_TABS, contest]
    assert "entries" in [shown.key for shown in tabs_for(make_event(kind=EventKind.COMPETITION), None, tabs)]
    assert "entries" not in [shown.key for shown in tabs_for(make_event(kind=EventKind.FAIR), None, tabs)]


# --- Waiting for a decision ------------------------------------------------------------------------

def test_decisions_are_counted_per_event_and_leave_out_events_that_cannot_use_them(
        ctx, make_event, make_organization, make_booth, make_candidate):
    soon = make_event(title_en="Soon", starts_at=utcnow() + timedelta(days=3))
    later = make_event(title_en="Later", starts_at=utcnow() + timedelta(days=30))
    over = make_event(starts_at=utcnow() - timedelta(days=3))
    cancelled = make_event(status=EventStatus.CANCELLED)
    for event, booths in ((soon, 2), (later, 1), (over, 1), (cancelled, 1)):
        for _ in range(booths):
            make_booth(event, make_organization(), status=BoothStatus.PENDING)
    make_booth(soon, make_organization(), status=BoothStatus.APPROVED)
    for event, people in ((later, 3), (over, 1), (cancelled, 1)):
        for _ in range(people):
            register(event, make_candidate(), RegistrationStatus.PENDING)
    register(soon, make_candidate())
    make_organization(status=OrganizationStatus.PENDING)
    make_organization(status=OrganizationStatus.PENDING)
    make_organization(status=OrganizationStatus.REJECTED)
    make_organization(pending_name_zh="改名后的公司", pending_name_en="Renamed Co.",
                      pending_credit_code="91330100RENAME0001", change_requested_at=utcnow())
    db.session.add_all([OutboxMessage(kind="verify_email", to_email="a@example.org", subject="s", body_text="b",
                                      locale="en", status=status)
                        for status in (OutboxStatus.FAILED, OutboxStatus.SENT, OutboxStatus.PENDING)])
    db.session.commit()

    waiting = decisions_waiting()
    assert waiting.organizations == 2 and waiting.organization_changes == 1 and waiting.failed_emails == 1
    assert [(item.event.title_en, item.count) for item in waiting.booths] == [("Soon", 2), ("Later", 1)]
    assert [(item.event.title_en, item.count) for item in waiting.registrations] == [("Later", 3)]
    assert waiting.total == 2 + 1 + 1 + 3 + 3


def test_decisions_take_the_same_few_queries_however_many_events_wait(ctx, make_event, make_organization,
                                                                      make_booth):
    def queries() -> int:
        with counting_statements() as statements:
            decisions_waiting()
        return len(statements)
    make_booth(make_event(), make_organization(), status=BoothStatus.PENDING)
    one = queries()
    for _ in range(5):
        make_booth(make_event(), make_organization(), status=BoothStatus.PENDING)
    assert queries() == one == 5


def test_nothing_waiting_counts_zero(ctx):
    waiting = decisions_waiting()
    assert (waiting.total, waiting.booths, waiting.registrations) == (0, [], [])


# --- An event's figures --------------------------------------------------------------------------

def test_the_overview_counts_registrations_booths_and_check_ins(ctx, make_event, make_organization, make_booth,
                                                                make_candidate):
    fair = make_event(kind=EventKind.FAIR, capacity=10)
    people = [make_candidate() for _ in range(4)]
    for person, status in zip(people, (RegistrationStatus.CONFIRMED, RegistrationStatus.CONFIRMED,
                                       RegistrationStatus.WAITLISTED, RegistrationStatus.PENDING), strict=True):
        register(fair, person, status)
    make_booth(fair, make_organization(), status=BoothStatus.PENDING)
    make_booth(fair, make_organization(), status=BoothStatus.APPROVED)
    badge = Badge(event_id=fair.id, holder_id=people[0].id, role=BadgeRole.CANDIDATE, number="0001", code="c" * 32)
    db.session.add(badge)
    db.session.flush()
    db.session.add(CheckIn(event_id=fair.id, holder_id=people[0].id, badge_id=badge.id))
    db.session.commit()

    overview = event_overview(fair)
    assert (overview.confirmed, overview.waitlisted, overview.pending, overview.places_left) == (2, 1, 1, 8)
    assert (overview.booths_pending, overview.booths_approved, overview.unplaced_booths) == (1, 1, 1)
    assert overview.check_ins == 1 and overview.matching is None and overview.published_run is None


def test_an_event_without_booths_has_no_booth_figures(ctx, make_event):
    overview = event_overview(make_event(kind=EventKind.CONFERENCE))
    assert overview.booths is None and overview.booths_pending == 0


# --- What confirmations say ------------------------------------------------------------------------

def test_unpublishing_says_registrations_stay_and_nobody_is_told(ctx, make_event):
    lines = [str(line) for line in unpublishing_consequences(make_event(), 3, has_booths=True)]
    assert any("3 people registered" in line and "Nobody is told by e-mail" in line for line in lines)
    assert any("cannot apply for booths" in line for line in lines)
    lines = [str(line) for line in unpublishing_consequences(make_event(), 0, has_booths=False)]
    assert not any("registered" in line or "booths" in line for line in lines)


def test_cancelling_says_it_cannot_be_undone(ctx, make_event):
    lines = [str(line) for line in cancellation_consequences(make_event(), 1)]
    assert any("1 person is registered" in line for line in lines)
    assert any("cannot be undone" in line for line in lines)


# --- Event cards ---------------------------------------------------------------------------------

def test_cards_show_places_left_and_the_candidates_own_registration(ctx, make_event, make_candidate, make_user):
    open_event = make_event(capacity=2, registration_closes_at=utcnow() + timedelta(days=5))
    full = make_event(capacity=1)
    waiting = make_event()
    later = make_event(registration_opens_at=utcnow() + timedelta(days=2))
    me, other = make_candidate(), make_candidate()
    register(open_event, me)
    register(full, other)
    register(full, me, RegistrationStatus.WAITLISTED)
    register(waiting, me, RegistrationStatus.CANCELLED)

    facts = listing_facts([open_event, full, waiting, later], me)
    assert (facts[open_event.id].places_left, facts[open_event.id].my_status) == (1, RegistrationStatus.CONFIRMED)
    assert (facts[full.id].places_left, facts[full.id].my_status) == (0, RegistrationStatus.WAITLISTED)
    assert facts[waiting.id].my_status is None  # a cancelled registration is no registration
    assert facts[later.id].registration_state == "not_yet_open" and not facts[later.id].is_over
    assert listing_facts([open_event], make_user(Role.ORGANIZER))[open_event.id].my_status is None
    assert listing_facts([open_event], None)[open_event.id].my_status is None


def test_cards_take_two_queries_however_many_events(ctx, make_event, make_candidate):
    me = make_candidate()
    events = [make_event() for _ in range(12)]
    for event in events[:5]:
        register(event, me)
    for row in (me, *events):  # loaded as a page has them
        db.session.refresh(row)
    with counting_statements() as statements:
        listing_facts(events, me)
    assert len(statements) == 2
    with counting_statements() as statements:
        listing_facts(events, None)
    assert len(statements) == 1
    assert listing_facts([], me) == {}


# --- Onboarding ----------------------------------------------------------------------------------

def test_a_candidate_without_name_or_mobile_is_sent_to_the_profile(ctx, make_user, make_candidate):
    assert next_step(make_user(Role.CANDIDATE)) == NextStep.PROFILE
    half = make_user(Role.CANDIDATE)
    db.session.add(CandidateProfile(user_id=half.id, name="李明", name_latin="", phone="", school="", major="",
                                    city="", show_to_employers=False))
    db.session.commit()
    assert next_step(half) == NextStep.PROFILE
    assert next_step(make_candidate()) is None


def test_an_employer_without_organization_is_sent_to_create_it(ctx, make_user, make_organization):
    assert next_step(make_user(Role.EMPLOYER)) == NextStep.ORGANIZATION
    organization = make_organization(status=OrganizationStatus.PENDING)
    assert next_step(db.session.get(type(make_user()), organization.owner_id)) is None
    assert next_step(make_user(Role.ORGANIZER)) is None
    assert next_step(None) is None


def test_cancelling_a_draft_never_published_says_it_stays_hidden(ctx, make_event):
    draft = make_event(status=EventStatus.DRAFT)
    lines = [str(line) for line in cancellation_consequences(draft, 0)]
    assert any("never published, so it stays hidden" in line for line in lines)
    assert not any("Visitors see the event marked cancelled" in line for line in lines)
