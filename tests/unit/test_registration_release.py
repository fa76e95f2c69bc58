"""Ending a registration releases everything that hangs on it, whichever way it ends: the interviews of
the published schedule (booths told, calendars updated), the badge, the check-in and "attended"."""
from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from eventsapp.accounts.models import Role
from eventsapp.badges import services as badges
from eventsapp.badges.services import Verdict
from eventsapp.calendars import ical
from eventsapp.candidates.erasure import erase_account
from eventsapp.checkin import services as checkin
from eventsapp.checkin.models import CheckIn
from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.matchmaking import runs, schedules
from eventsapp.matchmaking.models import Interview
from eventsapp.notifications.models import OutboxMessage
from eventsapp.registrations import services as registrations
from eventsapp.registrations.export import registrants_csv
from eventsapp.registrations.models import Registration, RegistrationStatus
from tests.factories import MatchingFair
from tests.unit import published_schedule
from tests.unit.published_schedule import feed, registration_of

fair = published_schedule.fair  # Ann has interviews at Westlake Robotics and Qiantang Finance, Ben at Robotics


def live_interviews(fair, person) -> list[Interview]:
    return list(db.session.scalars(select(Interview).where(Interview.candidate_id == person.id,
                                                           Interview.cancelled_at.is_(None))))


def test_cancelling_takes_the_interviews_out_of_every_list_and_tells_each_booth_once(fair):
    assert len(live_interviews(fair, fair.ann)) == 2
    uid = ical.interview_uid(fair.event.id, fair.robotics.id, fair.ann.id)
    before = feed(fair.ann)[uid]
    assert before.status.value == "CONFIRMED" and feed(fair.english)[uid].status.value == "CONFIRMED"

    registrations.cancel_own_registration(registration_of(fair, fair.ann).id, db.session.merge(fair.ann))
    db.session.commit()

    assert live_interviews(fair, fair.ann) == []
    [schedule] = schedules.schedules_of_candidate(fair.ann.id)
    assert schedule.interviews == [] and schedule.explanations == [] and schedule.cancelled == 2
    booth = db.session.get(type(fair.robotics), fair.robotics.id)
    listed = [item.candidate_id for group in schedules.schedule_of_booth(booth).slots for item in group.interviews]
    assert listed == [fair.ben.id]
    rows = list(csv.reader(io.StringIO(schedules.interviews_csv(fair.event, [
        item for group in schedules.schedule_of_booth(booth).slots for item in group.interviews]).decode("utf-8-sig"))))
    assert [row[3] for row in rows[1:]] == ["贝贝"]
    # Calendars keep the entry, cancelled, with a higher SEQUENCE so that subscribed phones replace it.
    after, staff_copy = feed(fair.ann)[uid], feed(fair.english)[uid]
    assert after.status.value == staff_copy.status.value == "CANCELLED"
    assert int(after.sequence.value) > int(before.sequence.value)
    # One e-mail per booth and member of staff, in their own language (none to the candidate's booths twice).
    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "interviews_cancelled_employer")
                               .order_by(OutboxMessage.id)).all()
    robotics = {mail.to_email: mail for mail in mails if "Robotics" in mail.body_text or "西湖" in mail.body_text}
    assert robotics["en@robotics.example"].subject == "An interview at your booth is cancelled: " + \
        fair.event.title_en
    assert "安安 (An Ann)" in robotics["en@robotics.example"].body_text
    assert robotics["zh@robotics.example"].subject.startswith("您展位的面试已取消")
    # Robotics: its owner and two staff; Finance: its owner.
    assert len(mails) == len({(mail.to_email, mail.subject) for mail in mails}) == 4


def test_an_organizer_cancelling_voids_the_badge_and_the_check_in(fair):
    registration = registration_of(fair, fair.ann)
    badge = badges.badge_of(fair.event.id, fair.ann.id)
    organizer = db.session.merge(fair.organizer)
    result = checkin.check_in(fair.event, token=badges.token_of(badge), actor=organizer,
                              now=fair.event.starts_at)
    db.session.commit()
    assert result.outcome == checkin.Outcome.CHECKED_IN and registration_of(fair, fair.ann).attended
    assert checkin.live_counts(fair.event).checked_in == 1

    registrations.cancel_registration(registration, actor=organizer, reason="no-show policy")
    db.session.commit()

    registration = registration_of(fair, fair.ann)
    assert registration.attended_at is None and not registration.attended
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 0
    assert checkin.live_counts(fair.event).checked_in == 0
    assert badges.badge_of(fair.event.id, fair.ann.id) is None  # no badge PDF for them
    assert badges.verify_token(badges.token_of(badge), fair.event).verdict == Verdict.CANCELLED
    assert badges.judge(badges.find_by_number(fair.event.id, badge.number), fair.event).verdict == Verdict.CANCELLED
    assert checkin.search_holders(fair.event.id, "安安") == []
    [row] = list(csv.reader(io.StringIO(registrants_csv([(registration, None)], []).decode("utf-8-sig"))))[1:]
    assert row[1] == "Cancelled" and row[13] == ""  # attended_at_utc
    assert live_interviews(fair, fair.ann) == []


def test_registering_again_gets_a_new_badge_and_the_old_one_stays_void(fair, app):
    registration = registration_of(fair, fair.ben)
    old = badges.badge_of(fair.event.id, fair.ben.id)
    registrations.cancel_registration(registration, actor=db.session.merge(fair.organizer), reason="mistake")
    registrations.add_by_organizer(fair.event.id, fair.ben.email, db.session.merge(fair.organizer), "back again")
    db.session.commit()
    new = badges.badge_of(fair.event.id, fair.ben.id)
    assert new.id != old.id and new.number != old.number
    assert badges.judge(old, fair.event).verdict == Verdict.REVOKED
    assert badges.judge(new, fair.event).verdict == Verdict.VALID
    assert live_interviews(fair, fair.ben) == []  # the schedule is not given back: a new run decides


def test_moving_to_another_event_releases_the_interviews(fair, make_event):
    other = make_event(slug="later-session")
    registrations.move_registration(registration_of(fair, fair.ben), other.id, db.session.merge(fair.organizer),
                                    "later session")
    db.session.commit()
    assert live_interviews(fair, fair.ben) == []
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.kind == "interviews_cancelled_employer")) == 3  # Robotics' owner and two staff


def test_deleting_the_account_releases_everything_without_naming_the_person(fair):
    badge = badges.badge_of(fair.event.id, fair.ben.id)
    erase_account(db.session.merge(fair.ben))
    db.session.commit()
    assert registration_of(fair, fair.ben).status == RegistrationStatus.CANCELLED
    assert live_interviews(fair, fair.ben) == []
    assert badges.judge(badge, fair.event).verdict == Verdict.CANCELLED
    mails = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "interviews_cancelled_employer")).all()
    assert mails and all("贝贝" not in mail.body_text and "Bei Ben" not in mail.body_text for mail in mails)
    english = next(mail for mail in mails if mail.to_email == "en@robotics.example")
    assert "a candidate who deleted their account" in english.body_text


def test_a_run_published_after_a_registration_ended_leaves_its_interviews_out(
        ctx, app, make_event, make_organization, make_booth, make_candidate, make_staff):
    fair = MatchingFair(app, make_event, make_organization, make_booth, make_candidate, make_staff, quota=1)
    booth = fair.booth(interviewers=2, name_en="Westlake Robotics")
    ann, ben = fair.candidate(booth, name="安安"), fair.candidate(booth, name="贝贝")
    run = runs.run_matching(fair.event.id, None, seed=1)
    db.session.commit()
    registrations.cancel_registration(registrations.find_registration(fair.event.id, ben.id), reason="left")
    db.session.commit()
    db.session.execute(db.delete(OutboxMessage))
    runs.publish_run(fair.event.id, run.id, before_deadline_confirmed=True)
    db.session.commit()
    assert [schedule.interviews[0].candidate_id for schedule in schedules.schedules_of_candidate(ann.id)] == [ann.id]
    assert schedules.schedules_of_candidate(ben.id)[0].interviews == []
    told = set(db.session.scalars(select(OutboxMessage.to_email).where(
        OutboxMessage.kind == "interviews_candidate")))
    assert told == {ann.email}
    listed = [item.candidate_id for group in schedules.schedule_of_booth(booth).slots for item in group.interviews]
    assert listed == [ann.id]


def test_declining_a_pending_registration_goes_through_the_same_release(ctx, make_event, make_candidate,
                                                                        make_user):
    event = make_event(requires_approval=True)
    person = make_candidate()
    registration = registrations.register_for_event(event.id, person).registration
    registrations.reject_registrations(event.id, [registration.id], make_user(Role.ORGANIZER), "full")
    db.session.commit()
    assert registration.status == RegistrationStatus.REJECTED and badges.badge_of(event.id, person.id) is None


def test_the_database_refuses_an_attended_registration_that_is_not_confirmed(ctx, make_event, make_candidate):
    registration = Registration(event_id=make_event().id, user_id=make_candidate().id,
                                status=RegistrationStatus.CANCELLED, attended_at=utcnow())
    db.session.add(registration)
    with pytest.raises(IntegrityError):
        db.session.flush()
