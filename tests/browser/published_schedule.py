"""A fair with a published interview schedule, for the browser tests of state that stays consistent: the
``fair`` fixture (a test module takes it with ``fair = published_schedule.fair``)."""
from __future__ import annotations

import pytest

from eventsapp.extensions import db
from eventsapp.matchmaking import runs
from eventsapp.registrations.services import find_registration
from tests.factories import MatchingFair


@pytest.fixture
def fair(app, make_event, make_organization, make_booth, make_candidate, make_staff):
    """A fair with a published schedule: Ann and Ben each have an interview at Westlake Robotics."""
    fair = MatchingFair(app, make_event, make_organization, make_booth, make_candidate, make_staff, quota=1)
    fair.robotics = fair.booth(interviewers=2, name_en="Westlake Robotics", name_zh="西湖机器人")
    fair.ann = fair.candidate(fair.robotics, name="安安", name_latin="An Ann", email="ann@example.org")
    fair.ben = fair.candidate(fair.robotics, name="贝贝", name_latin="Bei Ben", email="ben@example.org")
    fair.staff = make_staff(fair.robotics.organization_ref, email="hr@robotics.example")
    with app.app_context():
        run = runs.run_matching(fair.event.id, None, seed=1)
        runs.publish_run(fair.event.id, run.id, before_deadline_confirmed=True)
        db.session.commit()
        fair.ann_registration = find_registration(fair.event.id, fair.ann.id).id
    return fair
