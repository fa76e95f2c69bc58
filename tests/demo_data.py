"""The demo data (eventsapp/demo) as the tests that walk the site or drive a browser need it."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from eventsapp.accounts.services import find_user_by_email
from eventsapp.booths.models import Booth, BoothStatus
from eventsapp.demo.seed import seed_demo
from eventsapp.events.services import find_event_by_slug
from eventsapp.extensions import db
from eventsapp.matchmaking import preferences, runs
from eventsapp.matchmaking.models import CandidateChoice


def seed_demo_data(app) -> None:
    """The demo data as of today, committed."""
    with app.app_context():
        seed_demo(date.today(), "testing")
        db.session.commit()


def seed_demo_with_matching(app) -> int:
    """The demo data, plus matching at the spring fair: one published run and one draft after it.
    Returns the fair's id."""
    today = date.today()
    with app.app_context():
        seed_demo(today, "testing")
        fair = find_event_by_slug(f"spring-talent-fair-{today.year + 1}")
        preferences.save_round(fair, preferences.default_settings(fair))
        candidate = find_user_by_email("candidate@example.com")
        booth_id = db.session.scalar(select(Booth.id).where(Booth.event_id == fair.id,
                                                            Booth.status == BoothStatus.APPROVED).limit(1))
        db.session.add(CandidateChoice(event_id=fair.id, candidate_id=candidate.id, booth_id=booth_id, position=1))
        db.session.flush()
        runs.publish_run(fair.id, runs.run_matching(fair.id, None, seed=1).id, before_deadline_confirmed=True)
        runs.run_matching(fair.id, None, seed=2)
        db.session.commit()
        return fair.id
