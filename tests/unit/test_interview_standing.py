"""An interview takes place only while its booth is active: withdrawn or rejected booths cancel their
interviews (the candidates are told); a suspended or rejected organization's interviews leave every
list at once and the candidate reads that the employer is unavailable, until it is reinstated. And a
candidate who cancelled and registered again sees their current registration's interviews, the old
ones only as history."""
from __future__ import annotations

from sqlalchemy import select

from eventsapp.booths import services as booths
from eventsapp.calendars import ical
from eventsapp.extensions import db
from eventsapp.matchmaking import schedules
from eventsapp.matchmaking.models import CancelReason, Interview
from eventsapp.notifications.models import OutboxMessage
from eventsapp.organizations import services as employers
from eventsapp.organizations.models import Organization
from eventsapp.registrations import services as registrations
from tests.unit import published_schedule
from tests.unit.published_schedule import feed, make_user_locale, registration_of

fair = published_schedule.fair  # Ann has interviews at Westlake Robotics and Qiantang Finance, Ben at Robotics


def schedule_of(person):
    (schedule,) = schedules.schedules_of_candidate(person.id)
    return schedule


def organization_of(booth) -> Organization:
    return db.session.get(Organization, booth.organization_id)


def test_a_suspended_organization_leaves_every_list_and_feed_and_the_candidate_reads_so(fair):
    uid = ical.interview_uid(fair.event.id, fair.robotics.id, fair.ann.id)
    sequence_before = feed(fair.ann)[uid].sequence.value
    employers.suspend_organization(organization_of(fair.robotics), "Unpaid fees")
    db.session.commit()

    schedule = schedule_of(fair.ann)
    assert [item.booth.id for item in schedule.interviews] == [fair.finance.id]
    assert [item.booth.id for item in schedule.unavailable] == [fair.robotics.id]
    assert schedules.schedule_of_booth(db.session.merge(fair.robotics)).count == 0  # the employer's list and CSV
    candidate_entry, staff_entry = feed(fair.ann)[uid], feed(fair.english)[uid]
    assert candidate_entry.status.value == staff_entry.status.value == "CANCELLED"
    assert "employer currently unavailable" in candidate_entry.summary.value
    assert int(candidate_entry.sequence.value) > int(sequence_before)
    assert db.session.scalar(select(Interview.cancelled_at).where(Interview.booth_id == fair.robotics.id,
                                                                  Interview.candidate_id == fair.ann.id)) is None

    employers.reinstate_organization(organization_of(fair.robotics))
    db.session.commit()
    back = feed(fair.ann)[uid]
    assert back.status.value == "CONFIRMED" and int(back.sequence.value) > int(candidate_entry.sequence.value)
    assert {item.booth.id for item in schedule_of(fair.ann).interviews} == {fair.robotics.id, fair.finance.id}


def test_a_rejected_organization_is_unavailable_like_a_suspended_one(fair):
    employers.reject_organization(organization_of(fair.finance), "Credit code does not match")
    db.session.commit()
    assert [item.booth.id for item in schedule_of(fair.ann).unavailable] == [fair.finance.id]


def test_a_withdrawn_booth_cancels_its_interviews_and_tells_each_candidate(fair):
    make_user_locale(fair.ben, "zh_CN")
    booths.withdraw_booth(db.session.merge(fair.robotics))
    db.session.commit()

    cancelled = db.session.scalars(select(Interview).where(Interview.booth_id == fair.robotics.id)).all()
    assert len(cancelled) == 2 and {row.cancel_reason for row in cancelled} == {CancelReason.BOOTH}
    mails = {mail.to_email: mail for mail in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "interviews_cancelled_candidate"))}
    assert set(mails) == {fair.ann.email, fair.ben.email}
    assert "Westlake Robotics is no longer taking part" in mails[fair.ann.email].body_text
    assert "西湖机器人" in mails[fair.ben.email].subject
    schedule = schedule_of(fair.ann)
    assert [item.booth.id for item in schedule.booth_gone] == [fair.robotics.id]
    assert [item.booth.id for item in schedule.interviews] == [fair.finance.id]
    uid = ical.interview_uid(fair.event.id, fair.robotics.id, fair.ann.id)
    assert feed(fair.ann)[uid].status.value == "CANCELLED"


def test_a_rejected_booth_cancels_its_interviews(fair):
    booths.reject_booth(fair.event.id, fair.finance.id, "Not a recruitment stand")
    db.session.commit()
    assert [item.booth.id for item in schedule_of(fair.ann).booth_gone] == [fair.finance.id]


def test_after_registering_again_the_old_interviews_are_only_history(fair):
    registrations.cancel_registration(registration_of(fair, fair.ann))
    db.session.commit()
    assert schedule_of(fair.ann).cancelled == 2

    registrations.register_for_event(fair.event.id, db.session.merge(fair.ann))
    db.session.commit()
    schedule = schedule_of(fair.ann)
    assert schedule.registered_again and schedule.cancelled == 0
    assert schedule.interviews == [] and schedule.explanations == []
    assert {item.booth.id for item in schedule.history} == {fair.robotics.id, fair.finance.id}
