"""Messages around an event: who is told of a cancellation and a change, in which language and once; the
reminder's timing on the event's clock and its once-only sending; broadcasts to each segment, rate-limited."""
from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from eventsapp.accounts.models import User
from eventsapp.booths.models import BoothStatus
from eventsapp.checkin.models import CheckIn
from eventsapp.contests.models import ContestJudge
from eventsapp.events import services as events
from eventsapp.events.models import Event, EventStatus
from eventsapp.extensions import db
from eventsapp.manage import moving
from eventsapp.matchmaking import runs
from eventsapp.messages import reminders
from eventsapp.messages import services as messages
from eventsapp.messages.models import ReminderTiming, Segment
from eventsapp.notifications.models import OutboxMessage
from eventsapp.notifications.services import render_message
from eventsapp.registrations.models import RegistrationStatus
from eventsapp.validation import ValidationFailed
from tests.contest_factories import make_contest
from tests.factories import MatchingFair, local
from tests.unit import published_schedule

fair = published_schedule.fair


def written(kind: str | None = None) -> dict[str, OutboxMessage]:
    """The outbox by address, each message written as the worker writes it; fails on a duplicate address."""
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    found = {}
    for message in db.session.scalars(query):
        assert message.to_email not in found, f"{message.to_email} got two messages"
        render_message(message)
        found[message.to_email] = message
    return found


@pytest.fixture
def gathering(ctx, make_event, make_candidate, make_organization, make_staff, make_booth, make_registration):
    """A published fair with a confirmed (zh), a waiting (en), a pending and a cancelled registrant, a booth
    applied for and one withdrawn, each with staff."""
    event = make_event(title_zh="春季招聘会", title_en="Spring fair", starts_at=local(2030, 3, 9, 9))
    people = {}
    for name, status, locale in (("zh", RegistrationStatus.CONFIRMED, "zh_CN"),
                                 ("en", RegistrationStatus.WAITLISTED, "en"),
                                 ("pending", RegistrationStatus.PENDING, "en"),
                                 ("gone", RegistrationStatus.CANCELLED, "en")):
        people[name] = make_candidate(email=f"{name}@people.example", locale=locale)
        make_registration(event, people[name], status)
    applied, withdrawn = make_organization(), make_organization()
    make_booth(event, applied, BoothStatus.PENDING)
    make_booth(event, withdrawn, BoothStatus.WITHDRAWN)
    people["staff"] = make_staff(applied, email="staff@applied.example")
    people["withdrawn_staff"] = make_staff(withdrawn, email="staff@withdrawn.example")
    people["owner"] = db.session.get(User, applied.owner_id)
    return dataclasses.make_dataclass("Gathering", ["event", "people"])(event, people)


# --- Cancellation -------------------------------------------------------------------------------------

def test_cancelling_tells_registrants_booth_staff_and_judges_each_once_in_their_language(gathering, factories):
    contest = make_contest(factories, event=gathering.event)
    db.session.add_all([ContestJudge(contest_id=contest.id, email="judge@jury.example", name="Judge"),
                        ContestJudge(contest_id=contest.id, email="zh@people.example", name="Also registered")])
    db.session.commit()
    event = db.session.get(Event, gathering.event.id)
    events.cancel_event(event, "场馆维修 The hall is under repair")
    assert messages.tell_cancelled(event) == 6
    db.session.commit()

    mail = written("event_cancelled")
    assert set(mail) == {"zh@people.example", "en@people.example", "pending@people.example",
                         "staff@applied.example", gathering.people["owner"].email, "judge@jury.example"}
    assert mail["zh@people.example"].locale == "zh_CN" and mail["zh@people.example"].subject.startswith("已取消")
    assert "场馆维修 The hall is under repair" in mail["zh@people.example"].body_text
    english = mail["en@people.example"]
    assert english.subject == "Cancelled: Spring fair" and "Reason: 场馆维修" in english.body_text
    assert "<strong>Reason:</strong> 场馆维修" in english.body_html and 'lang="en"' in english.body_html
    assert "Your booth and its interviews will not take place." in mail["staff@applied.example"].body_text
    assert "The contest will not be judged" in mail["judge@jury.example"].body_text
    assert db.session.get(Event, event.id).cancellation_reason == "场馆维修 The hall is under repair"


def test_cancelling_needs_a_reason_and_a_draft_never_published_tells_nobody(ctx, make_event, make_registrant):
    draft = make_event(status=EventStatus.DRAFT)
    make_registrant(draft)
    event = db.session.get(Event, draft.id)
    with pytest.raises(ValidationFailed):
        events.cancel_event(event, "   ")
    events.cancel_event(event, "Not needed after all")
    assert messages.tell_cancelled(event) == 0
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


# --- Change notice ------------------------------------------------------------------------------------

def test_a_change_of_time_and_venue_tells_everyone_old_and_new_on_the_events_clock(gathering):
    event = db.session.get(Event, gathering.event.id)
    before = messages.notice_snapshot(event)
    data = dataclasses.replace(events.event_data_from(event), starts_at=local(2030, 3, 10, 13),
                               ends_at=local(2030, 3, 10, 17), venue_name_en="Westlake Hall", venue_name_zh="西湖馆")
    moving.save_moving_event(event, data)
    assert messages.tell_changed(event, before) == 5
    db.session.commit()
    mail = written("event_changed")
    english = mail["en@people.example"].body_text
    assert "09:00" in english and "13:00" in english and "Asia/Shanghai" in english
    assert "Hangzhou International Expo Center" in english and "→ Westlake Hall" in english
    chinese = mail["zh@people.example"]
    assert chinese.subject.startswith("变更") and "西湖馆" in chinese.body_text
    assert messages.tell_changed(event, messages.notice_snapshot(event)) == 0  # nothing changed: nobody told


def test_moving_a_published_schedule_sends_one_email_per_person_with_the_new_interview_times(fair):
    event = db.session.get(Event, fair.event.id)
    before = messages.notice_snapshot(event)
    week = timedelta(days=7)
    data = events.event_data_from(event)
    data = dataclasses.replace(data, starts_at=data.starts_at + week, ends_at=data.ends_at + week)
    moving.save_moving_event(event, data, confirmed=True, announce_interviews=False)
    messages.tell_changed(event, before)
    db.session.commit()
    kinds = set(db.session.scalars(select(OutboxMessage.kind)))
    assert kinds == {"event_changed"}
    mail = written()
    ann = mail[fair.ann.email].body_text
    assert "Your interviews now:" in ann and "Westlake Robotics" in ann and "Qiantang Finance" in ann
    assert "Your booth’s interviews now:" in mail["en@robotics.example"].body_text


# --- Reminders ---------------------------------------------------------------------------------------

def test_the_default_reminder_leaves_the_day_before_at_ten_on_the_events_clock(ctx, make_event):
    event = make_event(starts_at=local(2030, 3, 9, 9, zone="America/New_York"), timezone="America/New_York")
    due = reminders.reminder_due_at(event, reminders.ReminderChoice(), 10)
    assert due == local(2030, 3, 8, 10, zone="America/New_York")  # before the DST change of 10 March
    summer = make_event(starts_at=local(2030, 3, 11, 9, zone="America/New_York"), timezone="America/New_York")
    assert reminders.reminder_due_at(summer, reminders.ReminderChoice(), 10) == datetime(2030, 3, 10, 14, tzinfo=UTC)
    hours = reminders.ReminderChoice(ReminderTiming.HOURS_BEFORE, 3)
    assert reminders.reminder_due_at(event, hours, 10) == event.starts_at - timedelta(hours=3)
    assert reminders.reminder_due_at(event, reminders.ReminderChoice(ReminderTiming.OFF), 10) is None


def test_reminders_go_once_to_confirmed_people_and_approved_booth_staff_when_due(fair, make_event, make_registrant):
    event = db.session.get(Event, fair.event.id)
    due = reminders.reminder_due_at(event, reminders.reminder_choice(event.id), 10)
    draft = make_event(status=EventStatus.DRAFT, starts_at=event.starts_at)
    unpublished = make_registrant(draft)
    assert reminders.send_due_reminders(due - timedelta(minutes=1)) == ""
    reminders.send_due_reminders(due)
    mail = written()
    assert {message.kind for message in mail.values()} == {"event_reminder", "event_reminder_booth"}
    assert unpublished.email not in mail  # a draft reminds nobody
    ann = mail[fair.ann.email].body_text
    assert f"/events/{event.slug}/badge.pdf" in ann and "Your interviews:" in ann and "Westlake Robotics" in ann
    booth = mail["en@robotics.example"].body_text
    assert "Your booth has 2 interviews:" in booth and "安安 (An Ann); 贝贝 (Bei Ben)" in booth
    assert mail["zh@robotics.example"].subject.startswith("提醒")
    sent = len(mail)
    reminders.send_due_reminders(due + timedelta(hours=1))  # a second round, or a second scheduler
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == sent


def test_no_reminder_when_turned_off(fair):
    reminders.save_reminder_choice(fair.event.id, reminders.ReminderChoice(ReminderTiming.OFF))
    reminders.send_due_reminders(fair.event.starts_at - timedelta(minutes=5))
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


# --- Broadcasts ----------------------------------------------------------------------------------------

def broadcast(segment: Segment) -> messages.BroadcastData:
    return messages.BroadcastData(segment, "停车须知", "Parking", "请从北门进入。", "Please use the north gate.")


def test_each_segment_reaches_its_people_in_their_language(gathering, make_registration, make_candidate,
                                                           make_organization, make_staff, make_booth):
    event = db.session.get(Event, gathering.event.id)
    came = make_candidate(email="came@people.example", locale="en")
    make_registration(event, came)
    db.session.add(CheckIn(event_id=event.id, holder_id=came.id))
    approved = make_organization()
    make_booth(event, approved)
    make_staff(approved, email="staff@approved.example")
    db.session.commit()
    expected = {Segment.CONFIRMED: {"zh@people.example", "came@people.example"},
                Segment.WAITLISTED: {"en@people.example"}, Segment.ATTENDED: {"came@people.example"},
                Segment.ABSENT: {"zh@people.example"},
                Segment.EMPLOYERS: {"staff@approved.example", db.session.get(User, approved.owner_id).email}}
    for segment, addresses in expected.items():
        assert {person.email for person in messages.segment_recipients(event.id, segment)} == addresses
        assert messages.count_segment(event.id, segment) == len(addresses)

    sent = messages.send_broadcast(event, broadcast(Segment.CONFIRMED), None)
    db.session.commit()
    assert sent.recipients == 2
    mail = written("event_broadcast")
    assert mail["zh@people.example"].subject == "停车须知" and "请从北门进入。" in mail["zh@people.example"].body_text
    assert mail["came@people.example"].subject == "Parking" and "north gate" in mail["came@people.example"].body_html
    assert "Please use the north gate." in mail["came@people.example"].body_text


def test_broadcasts_are_rate_limited_per_event_and_refused_for_drafts(app, gathering, make_event, make_registrant):
    event = db.session.get(Event, gathering.event.id)
    now = datetime.now(UTC)
    for minutes in range(app.config["BROADCASTS_PER_EVENT_PER_HOUR"]):
        messages.send_broadcast(event, broadcast(Segment.CONFIRMED), None, now=now + timedelta(minutes=minutes))
    with pytest.raises(ValidationFailed, match="per event"):
        messages.send_broadcast(event, broadcast(Segment.CONFIRMED), None, now=now + timedelta(minutes=30))
    messages.send_broadcast(event, broadcast(Segment.CONFIRMED), None, now=now + timedelta(minutes=61))

    draft = make_event(status=EventStatus.DRAFT, published_at=None)
    make_registrant(draft)
    with pytest.raises(ValidationFailed):
        messages.send_broadcast(db.session.get(Event, draft.id), broadcast(Segment.CONFIRMED), None)
    with pytest.raises(ValidationFailed, match="Nobody"):
        messages.send_broadcast(event, broadcast(Segment.ATTENDED), None, now=now + timedelta(hours=3))


@pytest.fixture
def two_booth_fair(ctx, app, make_event, make_organization, make_booth, make_candidate, make_staff):
    """One organization with two booths at a fair, each with a matched candidate, and one member of staff."""
    fair = MatchingFair(app, make_event, make_organization, make_booth, make_candidate, make_staff, quota=1)
    north = fair.booth(name_en="Westlake Robotics", name_zh="西湖机器人")
    south = fair.booth(organization=north.organization_ref)
    fair.candidate(north, name="安安", name_latin="An Ann")
    fair.candidate(south, name="贝贝", name_latin="Bei Ben")
    fair.staff = make_staff(north.organization_ref, email="staff@robotics.example")
    db.session.merge(fair.staff).locale = "en"
    run = runs.run_matching(fair.event.id, None, seed=1)
    runs.publish_run(fair.event.id, run.id, before_deadline_confirmed=True)
    db.session.commit()
    db.session.execute(db.delete(OutboxMessage))
    db.session.commit()
    fair.codes = (db.session.merge(north).code, db.session.merge(south).code)
    return fair


def test_staff_of_an_organization_with_two_booths_get_both_interview_lists(two_booth_fair):
    fair = two_booth_fair
    event = db.session.get(Event, fair.event.id)
    before = messages.notice_snapshot(event)
    data = events.event_data_from(event)
    week = timedelta(days=7)
    moving.save_moving_event(event, dataclasses.replace(data, starts_at=data.starts_at + week,
                                                        ends_at=data.ends_at + week),
                             confirmed=True, announce_interviews=False)
    messages.tell_changed(event, before)
    db.session.commit()
    changed = written("event_changed")["staff@robotics.example"].body_text
    for code in fair.codes:
        assert f"Interviews at booth {code} now:" in changed
    assert "安安" in changed and "贝贝" in changed
    db.session.execute(db.delete(OutboxMessage))
    db.session.commit()
    due = reminders.reminder_due_at(event, reminders.reminder_choice(event.id), 10)
    reminders.send_due_reminders(due)
    reminder = written("event_reminder_booth")["staff@robotics.example"].body_text
    for code in fair.codes:
        assert f"Booth {code} has 1 interview:" in reminder
    assert "安安 (An Ann)" in reminder and "贝贝 (Bei Ben)" in reminder
