"""Every GET page of the app, filled in with ids from the demo data: for tests that walk the whole site."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from werkzeug.routing import AnyConverter

from eventsapp.accounts.models import User
from eventsapp.badges.models import Badge, EventCrew
from eventsapp.booths.models import Booth, BoothStatus, Hall
from eventsapp.contests.models import Award, ContestGroup, ContestJudge, Panel, PitchSlot, Round, RubricCriterion, Track
from eventsapp.demo.seed import DEMO_PASSWORD, seed_demo
from eventsapp.events.models import AgendaItem, Event
from eventsapp.extensions import db
from eventsapp.jobs.models import BackgroundJob
from eventsapp.matchmaking.models import MatchRun
from eventsapp.notifications.models import OutboxMessage
from eventsapp.openings.models import Opening
from eventsapp.organizations.models import Invitation, OrganizationMember
from eventsapp.registrations.models import Registration, RegistrationQuestion

DEMO_LOGINS = {"anonymous": None, "candidate": "candidate@example.com", "employer": "employer@example.com",
               "organizer": "organizer@example.com", "admin": "admin@example.com", "judge": "judge@example.com"}


def seed(app) -> dict[str, object]:
    """The demo data, and a value for each URL parameter: the demo fair and the employer's booth at it."""
    with app.app_context():
        seed_demo(date.today(), "testing")
        db.session.commit()
        employer = db.session.scalar(select(User).where(User.email == DEMO_LOGINS["employer"]))
        member = db.session.scalar(select(OrganizationMember).where(OrganizationMember.user_id == employer.id))
        booth = db.session.scalar(select(Booth).where(Booth.organization_id == member.organization_id,
                                                      Booth.status == BoothStatus.APPROVED).order_by(Booth.id))
        fair = db.session.get(Event, booth.event_id)
        candidate = db.session.scalar(select(User).where(User.email == DEMO_LOGINS["candidate"]))

        def first(model, *where):
            return db.session.scalar(select(model.id).where(*where).order_by(model.id).limit(1)) or 1

        return {
            "event_id": fair.id, "slug": fair.slug, "booth_id": booth.id, "organization_id": member.organization_id,
            "candidate_id": candidate.id, "user_id": candidate.id, "member_id": member.id,
            "hall_id": first(Hall, Hall.event_id == fair.id), "opening_id": first(Opening, Opening.event_id == fair.id),
            "registration_id": first(Registration, Registration.event_id == fair.id),
            "question_id": first(RegistrationQuestion), "item_id": first(AgendaItem), "badge_id": first(Badge),
            "job_id": first(BackgroundJob), "crew_id": first(EventCrew), "run_id": first(MatchRun),
            "message_id": first(OutboxMessage), "invitation_id": first(Invitation), "entry_id": 1,
            "row_id": first(Track), "round_id": first(Round), "group_id": first(ContestGroup),
            "year": date.today().year, "locale": "en", "token": "not-a-real-token", "filename": "css/app.css",
            "action": "publish", "decision": "reject",
            "award_id": first(Award), "slot_id": first(PitchSlot),
            "judge_id": first(ContestJudge), "panel_id": first(Panel),
            "criterion_id": first(RubricCriterion), "size": 192, "token_id": 1,
            "endpoint_id": 1, "delivery_id": 1,  # webhooks: none in the demo (their pages answer 404)
        }


def log_in(client, who: str) -> None:
    email = DEMO_LOGINS[who]
    if email is not None:
        response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, f"{who} could not log in"


def _value_for(rule, name: str, values: dict[str, object]) -> object:
    """The value for one URL parameter; an ``any(...)`` parameter takes the first of its own choices."""
    converter = rule._converters.get(name)
    if isinstance(converter, AnyConverter):
        return values[name] if values.get(name) in converter.items else sorted(converter.items)[0]
    return values[name]


def paths(app, methods: set[str], values: dict[str, object]) -> list[tuple[str, str]]:
    """(method, path) for every rule of the app that takes one of ``methods``, with ``values`` filled in."""
    found = []
    with app.test_request_context():
        adapter = app.url_map.bind("localhost")
        for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
            filled = {name: _value_for(rule, name, values) for name in rule.arguments}
            for method in sorted(methods & (rule.methods or set())):
                found.append((method, adapter.build(rule.endpoint, filled, method=method)))
    return found

