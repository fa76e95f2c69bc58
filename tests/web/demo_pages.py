"""The main pages of each role on the demo data, rendered as each role's browser gets them.

Shared by the checks that read whole pages (valid HTML, words instead of codes). The organizer's
pages include every tab of the event hub (eventsapp/manage/hub.py) of a fair, a Talent Day and a
contest, so a tab added there is checked without editing this list.
"""
from __future__ import annotations

import re
from datetime import date

import pytest
from flask import url_for
from sqlalchemy import delete, select

from eventsapp.accounts.models import Role, User
from eventsapp.accounts.services import create_account
from eventsapp.booths.models import Booth, Hall
from eventsapp.contests.models import (
    Contest,
    ContestJudge,
    ContestQuestion,
    Entry,
    ReviewAssignment,
    Round,
    RoundState,
    TeamMember,
    Track,
)
from eventsapp.demo.seed import DEMO_PASSWORD, seed_demo
from eventsapp.events.models import AgendaItem, Event, EventKind
from eventsapp.extensions import db
from eventsapp.manage.hub import EVENT_TABS
from eventsapp.matchmaking import preferences, runs
from eventsapp.organizations.models import Organization, OrganizationStatus
from eventsapp.registrations.models import Registration, RegistrationQuestion, RegistrationStatus

NEW_CANDIDATE = "new-candidate@example.com"
NEW_EMPLOYER = "new-employer@example.com"

PUBLIC = ["/", "/events", "/events/{spring}", "/events/{talent_day}", "/events/{contest}", "/events/{spring}/openings",
          "/events/{spring}/floor-plan", "/login", "/signup", "/password/forgot", "/password/reset/not-a-token",
          "/verify-email/not-a-token", "/no-such-page", "/events/{past_contest}/results", "/developers/api"]
CANDIDATE = ["/", "/my/profile", "/my/privacy", "/my/events", "/events/{spring}/register", "/events/{spring}",
             "/events/{talent_day}", "/my/bookmarks", "/events/{spring}/my-booths", "/my/interviews",
             "/my/profile-views", "/calendar/", "/account", "/my/contest-entries", "/my/contest-entries/{entry_id}",
             "/events/{contest}", "/my/contest-entries/{contest_entry_id}/results", "/account/tokens"]
# Just signed up: the onboarding steps lead to the profile and to the organization.
NEW_CANDIDATE_PAGES = ["/", "/my/profile", "/my/events", "/events/{contest}/contest/enter", "/my/contest-entries"]
NEW_EMPLOYER_PAGES = ["/", "/employer/organization/new", "/employer/booths"]
EMPLOYER = ["/", "/employer/organization", "/employer/organization/edit", "/employer/booths",
            "/employer/events/{spring_id}/booth", "/employer/events/{autumn_id}/booth",
            "/employer/events/{spring_id}/registrants", "/employer/booths/{booth_id}/shortlist",
            "/employer/booths/{booth_id}/leads", "/employer/booths/{booth_id}/ranking",
            "/employer/booths/{booth_id}/interviews", "/employer/openings", "/employer/events/{spring_id}/openings"]
ORGANIZER = ["/manage/", "/manage/events", "/manage/events/new", "/manage/events/{spring_id}/unpublish",
             "/manage/events/{spring_id}/cancel", "/manage/events/{roundtable_id}/registrations",
             "/manage/events/{spring_id}/questions/{question_id}", "/manage/events/{spring_id}/halls/{hall_id}",
             "/manage/events/{spring_id}/agenda/{agenda_item_id}", "/manage/events/{spring_id}/matching",
             "/manage/events/{spring_id}/matching/runs/{run_id}",
             "/manage/events/{spring_id}/matching/runs/{run_id}/publish",
             "/manage/organizations", "/manage/organizations/{pending_organization_id}", "/manage/series",
             "/manage/outbox/", "{hub_tabs}", "/manage/events/{contest_id}/contest/tracks",
             "/manage/events/{contest_id}/contest/groups", "/manage/events/{contest_id}/contest/tracks/{track_id}",
             "/manage/events/{contest_id}/contest/rounds", "/manage/events/{contest_id}/contest/rounds/{round_id}",
             "/manage/events/{contest_id}/contest/questions",
             "/manage/events/{contest_id}/contest/questions/{contest_question_id}",
             "/manage/events/{contest_id}/contest/entries/{entry_id}",
             "/manage/events/{past_contest_id}/results/rounds/{contest_first_round_id}",
             "/manage/events/{past_contest_id}/results/rounds/{contest_roadshow_id}",
             "/judging/rounds/{contest_roadshow_id}/running-order"]
ADMIN = ["/admin/users"]
JUDGE = ["/judging", "/judging/rounds/{judge_round_id}/entries/{judge_entry_id}",
         "/judging/rounds/{contest_roadshow_id}/running-order"]
ROLES = (("candidate@example.com", CANDIDATE), (NEW_CANDIDATE, NEW_CANDIDATE_PAGES), ("employer@example.com", EMPLOYER),
         (NEW_EMPLOYER, NEW_EMPLOYER_PAGES), ("organizer@example.com", ORGANIZER), ("admin@example.com", ADMIN),
         ("judge@example.com", JUDGE))


def _hub_tabs(events: list[Event]) -> list[str]:
    """Every tab of each event's hub, as the tab links it."""
    addresses = []
    for event in events:
        for tab in EVENT_TABS:
            if tab.applies_to(event):
                values = {key: value for key, value in tab.url_values(event).items() if key != "_anchor"}
                address = url_for(tab.endpoint, **values)
                if address not in addresses:
                    addresses.append(address)
    return addresses


@pytest.fixture
def demo(app) -> dict[str, object]:
    """The demo data with a matching run and two accounts just signed up; the slugs and ids the pages need."""
    today = date.today()
    with app.app_context():
        seed_demo(today, "testing")
        db.session.commit()
        spring = db.session.scalar(select(Event).where(Event.slug == f"spring-talent-fair-{today.year + 1}"))
        autumn = db.session.scalar(select(Event).where(Event.slug.like("autumn-graduate-fair-%"))
                                   .order_by(Event.starts_at.desc()))
        talent_day = db.session.scalar(select(Event).where(Event.slug.like("talent-day-%"))
                                       .order_by(Event.starts_at.desc()))
        contest = db.session.scalar(select(Event).where(Event.kind == EventKind.COMPETITION)
                                    .order_by(Event.starts_at.desc()))
        roundtable = db.session.scalar(select(Event).where(Event.slug.like("postdoc-roundtable-%")))
        booth = db.session.scalar(select(Booth).join(Organization).where(
            Organization.name_zh == "杭州云栖智能科技有限公司", Booth.event_id == spring.id))
        pending = db.session.scalar(select(Organization.id).where(Organization.status == OrganizationStatus.PENDING))
        organizer = db.session.scalar(select(User).where(User.email == "organizer@example.com"))
        preferences.save_round(spring, preferences.default_settings(spring))
        confirmed = db.session.scalars(select(User).join(Registration, Registration.user_id == User.id).where(
            Registration.event_id == spring.id, Registration.status == RegistrationStatus.CONFIRMED)
            .order_by(User.id).limit(5))
        for candidate in confirmed:
            preferences.add_choice(spring, candidate, booth.id)
        run = runs.run_matching(spring.id, organizer, seed=1)
        create_account(NEW_CANDIDATE, DEMO_PASSWORD, "新同学 New", Role.CANDIDATE)
        create_account(NEW_EMPLOYER, DEMO_PASSWORD, "新单位 New", Role.EMPLOYER)
        values = {"spring": spring.slug, "spring_id": spring.id, "autumn_id": autumn.id, "talent_day": talent_day.slug,
                  "contest": contest.slug, "roundtable_id": roundtable.id, "booth_id": booth.id,
                  "pending_organization_id": pending, "run_id": run.id,
                  "question_id": db.session.scalar(select(RegistrationQuestion.id).where(
                      RegistrationQuestion.event_id == spring.id).limit(1)),
                  "hall_id": db.session.scalar(select(Hall.id).where(Hall.event_id == spring.id).limit(1)),
                  "agenda_item_id": db.session.scalar(select(AgendaItem.id).limit(1)),
                  "contest_id": contest.id, "track_id": db.session.scalar(select(Track.id).limit(1)),
                  "round_id": db.session.scalar(select(Round.id).limit(1)),
                  "contest_question_id": db.session.scalar(select(ContestQuestion.id).limit(1)),
                  "entry_id": db.session.scalar(select(Entry.id).join(TeamMember).join(
                      User, User.id == TeamMember.user_id).where(User.email == "candidate@example.com"))}
        # This year's edition is over: its first round is scored, advanced and its results published.
        past_contest = db.session.scalar(select(Event).where(Event.slug == f"overseas-innovation-contest-{today.year}"))
        rounds = db.session.scalars(select(Round.id).join(Contest, Contest.id == Round.contest_id)
                                    .where(Contest.event_id == past_contest.id).order_by(Round.position)).all()
        values.update(past_contest=past_contest.slug, past_contest_id=past_contest.id, contest_first_round_id=rounds[0],
                      contest_roadshow_id=rounds[1],
                      contest_entry_id=db.session.scalar(select(TeamMember.entry_id).join(User).join(
                          Entry, Entry.id == TeamMember.entry_id).join(Contest, Contest.id == Entry.contest_id).where(
                          User.email == "candidate@example.com", Contest.event_id == past_contest.id)),
                      **dict(zip(("judge_round_id", "judge_entry_id"), db.session.execute(
                          select(ReviewAssignment.round_id, ReviewAssignment.entry_id).join(
                              ContestJudge, ContestJudge.id == ReviewAssignment.judge_id).join(
                              User, User.id == ContestJudge.user_id).join(
                              Round, Round.id == ReviewAssignment.round_id).where(
                              User.email == "judge@example.com", Round.state == RoundState.OPEN).limit(1)).one(),
                          strict=True)))
        with app.test_request_context():
            values["hub_tabs"] = _hub_tabs([spring, talent_day, contest, past_contest])
        # The demo candidate is registered at the spring fair: free the place so its form shows.
        db.session.execute(delete(Registration).where(
            Registration.event_id == spring.id,
            Registration.user_id == select(User.id).where(User.email == "candidate@example.com").scalar_subquery()))
        db.session.commit()
        assert all(value is not None for value in values.values()), values
        return values


@pytest.fixture
def csrf_on(app, monkeypatch):
    """Pages as a browser gets them: every form carries its CSRF field."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


def addresses_of(addresses: list[str], demo: dict[str, object]) -> list[str]:
    filled = []
    for address in addresses:
        filled.extend(demo["hub_tabs"] if address == "{hub_tabs}" else [address.format(**demo)])
    return filled


def render(client, addresses: list[str], demo: dict[str, object], email: str | None = None) -> dict[str, str]:
    """The addresses' pages, after logging in as ``email`` through the login form."""
    if email:
        login_page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page)
        response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD,
                                               "csrf_token": token[1] if token else ""})
        assert response.status_code == 302, email
    pages = {}
    for address in addresses_of(addresses, demo):
        response = client.get(address)
        assert response.status_code in (200, 400, 404), f"{address}: {response.status_code}"
        assert response.mimetype == "text/html", address
        pages[address] = response.get_data(as_text=True)
    return pages


def render_every_role(app, demo: dict[str, object], public_languages=("zh-CN", "en")) -> dict[str, str]:
    """Every page above, named "address (who)"; visitors' pages once per language."""
    pages = {}
    for language in public_languages:
        visitor = app.test_client()
        visitor.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
        pages |= {f"{address} ({language})": html for address, html in render(visitor, PUBLIC, demo).items()}
    for email, addresses in ROLES:
        pages |= {f"{address} ({email})": html
                  for address, html in render(app.test_client(), addresses, demo, email).items()}
    return pages
