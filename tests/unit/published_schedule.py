"""A published interview schedule and what the tests of its changes read back: the ``fair`` fixture (Ann has
interviews at two booths, Ben at one), each person's registration and personal calendar feed.

Shared by the tests of releasing a registration, moving an event and an interview's standing; a test module
takes the fixture with ``fair = published_schedule.fair``.
"""
from __future__ import annotations

import pytest
import vobject

from eventsapp.accounts.models import Role
from eventsapp.calendars import ical
from eventsapp.calendars import services as calendars
from eventsapp.extensions import db
from eventsapp.matchmaking import runs
from eventsapp.notifications.models import OutboxMessage
from eventsapp.registrations import services as registrations
from eventsapp.registrations.models import Registration
from tests.factories import MatchingFair


@pytest.fixture
def fair(ctx, app, make_event, make_organization, make_booth, make_candidate, make_staff, make_user):
    """A published schedule: Ann has interviews at two booths, Ben at one; each booth has an English and
    a Chinese member of staff (the owner made by make_organization has no language set)."""
    fair = MatchingFair(app, make_event, make_organization, make_booth, make_candidate, make_staff, quota=2)
    fair.robotics = fair.booth(interviewers=2, name_en="Westlake Robotics", name_zh="西湖机器人")
    fair.finance = fair.booth(interviewers=2, name_en="Qiantang Finance", name_zh="钱塘金融")
    fair.ann = fair.candidate(fair.robotics, fair.finance, name="安安", name_latin="An Ann")
    fair.ben = fair.candidate(fair.robotics, name="贝贝", name_latin="Bei Ben")
    fair.english = make_staff(fair.robotics.organization_ref, email="en@robotics.example")
    make_user_locale(fair.english, "en")
    fair.chinese = make_staff(fair.robotics.organization_ref, email="zh@robotics.example")
    make_user_locale(fair.chinese, "zh_CN")
    fair.organizer = make_user(Role.ORGANIZER)
    run = runs.run_matching(fair.event.id, None, seed=1)
    runs.publish_run(fair.event.id, run.id, before_deadline_confirmed=True)
    db.session.commit()
    fair.run_id = run.id
    db.session.execute(db.delete(OutboxMessage))  # the schedule's own e-mails
    db.session.commit()
    return fair


def make_user_locale(user, locale):
    db.session.merge(user).locale = locale
    db.session.commit()


def registration_of(fair, person) -> Registration:
    return registrations.find_registration(fair.event.id, person.id)


def feed(user) -> dict:
    calendar = calendars.personal_feed(db.session.merge(user), "en", "http://talent.test")
    parsed = vobject.readOne(ical.feed_bytes(calendar).decode())
    return {item.uid.value: item for item in getattr(parsed, "vevent_list", [])}
