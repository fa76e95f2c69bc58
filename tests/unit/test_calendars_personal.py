"""Personal feeds: secret tokens, registrations and interviews, each person's own and nobody else's."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import vobject

from eventsapp.accounts.models import Role
from eventsapp.booths.models import Hall
from eventsapp.calendars import ical, services
from eventsapp.calendars.links import add_to_calendar_links, subscribe_links
from eventsapp.calendars.models import CalendarFeed
from eventsapp.events.models import EventStatus
from eventsapp.extensions import db
from eventsapp.matchmaking.models import Interview, MatchRun, RunStatus
from eventsapp.registrations.models import Registration, RegistrationLog, RegistrationStatus
from tests.factories import local

BASE = "http://talent.test"


def feed_of(user, language="en") -> dict:
    calendar = services.personal_feed(db.session.merge(user), language, BASE)
    parsed = vobject.readOne(ical.feed_bytes(calendar).decode())
    return {item.uid.value: item for item in getattr(parsed, "vevent_list", [])}


def register(user, event, status=RegistrationStatus.CONFIRMED, changes: int = 1) -> Registration:
    registration = Registration(event_id=event.id, user_id=user.id, status=status)
    db.session.add(registration)
    db.session.flush()
    db.session.add_all(RegistrationLog(registration_id=registration.id, event_id=event.id, action="registered")
                       for _ in range(changes))
    db.session.commit()
    return registration


# --- Tokens ----------------------------------------------------------------------------------------------

def test_a_token_finds_its_feed_and_only_a_digest_is_stored(ctx, make_user):
    user = make_user()
    token = services.create_feed_token(user)
    db.session.commit()
    stored = db.session.scalar(db.select(CalendarFeed))
    assert len(token) >= 43 and token not in stored.token_digest and len(stored.token_digest) == 64
    assert services.find_feed(token).user_id == user.id


def test_a_new_token_revokes_the_old_one(ctx, make_user):
    user = make_user()
    old = services.create_feed_token(user)
    new = services.create_feed_token(user)
    db.session.commit()
    assert services.find_feed(old) is None and services.find_feed(new).user_id == user.id
    assert db.session.scalar(db.select(db.func.count()).select_from(CalendarFeed)) == 1


def test_a_double_click_that_races_to_create_the_feed_keeps_one_row(ctx, make_user, monkeypatch):
    user = make_user()
    services.create_feed_token(user)
    db.session.commit()
    answers = iter([None])  # the first look finds nothing: the other request had not committed yet
    real = services.feed_of
    monkeypatch.setattr(services, "feed_of", lambda who: next(answers, None) or real(who))
    token = services.create_feed_token(user)
    db.session.commit()
    assert services.find_feed(token).user_id == user.id
    assert db.session.scalar(db.select(db.func.count()).select_from(CalendarFeed)) == 1


@pytest.mark.parametrize("token", ["", "short", "x" * 43, "../../etc/passwd" + "a" * 30, "ä" * 43, "a" * 500])
def test_unknown_and_malformed_tokens_find_nothing(ctx, make_user, token):
    services.create_feed_token(make_user())
    assert services.find_feed(token) is None


def test_a_deactivated_account_has_no_feed(ctx, make_user):
    user = make_user()
    token = services.create_feed_token(user)
    user.is_active_account = False
    db.session.commit()
    assert services.find_feed(token) is None


def test_fetches_are_written_down_at_most_hourly(ctx, make_user):
    services.create_feed_token(make_user())
    feed = db.session.scalar(db.select(CalendarFeed))
    now = datetime.now(UTC)
    assert services.record_fetch(feed, now) and feed.last_fetched_at == now
    assert not services.record_fetch(feed, now + timedelta(minutes=5))
    assert services.record_fetch(feed, now + timedelta(hours=2))


# --- Registrations -----------------------------------------------------------------------------------------

def test_registrations_with_their_states(ctx, make_candidate, make_event):
    person, stranger = make_candidate(), make_candidate()
    confirmed, waitlisted, pending, cancelled = (make_event() for _ in range(4))
    called_off = make_event(status=EventStatus.CANCELLED, published_at=datetime.now(UTC))
    draft = make_event(status=EventStatus.DRAFT)
    rows = {
        "confirmed": register(person, confirmed),
        "waitlisted": register(person, waitlisted, RegistrationStatus.WAITLISTED),
        "pending": register(person, pending, RegistrationStatus.PENDING),
        "cancelled": register(person, cancelled, RegistrationStatus.CANCELLED, changes=2),
        "called_off": register(person, called_off),
        "draft": register(person, draft),
    }
    register(stranger, confirmed)
    items = feed_of(person)
    state = {name: items[ical.registration_uid(row.id)].status.value
             for name, row in rows.items() if name != "draft"}
    assert state == {"confirmed": "CONFIRMED", "waitlisted": "TENTATIVE", "pending": "TENTATIVE",
                     "cancelled": "CANCELLED", "called_off": "CANCELLED"}
    assert ical.registration_uid(rows["draft"].id) not in items
    assert len(items) == 5  # nothing of the stranger's
    assert items[ical.registration_uid(rows["waitlisted"].id)].summary.value.startswith("(Waiting list) ")
    assert items[ical.registration_uid(rows["confirmed"].id)].summary.value == confirmed.title_en
    assert "Your registration: Confirmed" in items[ical.registration_uid(rows["confirmed"].id)].description.value
    # Each change of the registration raises its SEQUENCE.
    assert items[ical.registration_uid(rows["cancelled"].id)].sequence.value == "2"


def test_feed_in_chinese(ctx, make_candidate, make_event):
    person = make_candidate()
    event = make_event()
    row = register(person, event)
    item = feed_of(person, "zh")[ical.registration_uid(row.id)]
    assert item.summary.value == event.title_zh and item.location.value.startswith("杭州国际博览中心")


# --- Interviews ----------------------------------------------------------------------------------------------

@pytest.fixture
def fair(ctx, make_event, make_organization, make_booth, make_candidate, make_staff):
    class Fair:
        pass
    fair = Fair()
    fair.event = make_event(starts_at=local(2027, 10, 12, 9), ends_at=local(2027, 10, 12, 17))
    hall = Hall(event_id=fair.event.id, name="B", rows=5, cols=5)
    db.session.add(hall)
    db.session.commit()
    fair.robotics = make_organization(name_en="Westlake Robotics", name_zh="西湖机器人")
    fair.finance = make_organization(name_en="Qiantang Finance")
    fair.booth = make_booth(fair.event, fair.robotics, hall_id=hall.id, row=1, col=3, code="B-3")
    fair.other_booth = make_booth(fair.event, fair.finance, hall_id=hall.id, row=1, col=4, code="B-4")
    fair.ann = make_candidate(name="安安", name_latin="An Ann")
    fair.ben = make_candidate(name="贝贝", name_latin="Bei Ben")
    fair.staff = make_staff(fair.robotics)
    fair.other_staff = make_staff(fair.finance)
    return fair


def publish_run(fair, pairs, hour=9, previous: MatchRun | None = None) -> MatchRun:
    """A published run with the given (candidate, booth) interviews at ``hour``:00 local time."""
    if previous is not None:
        previous.status = RunStatus.SUPERSEDED
    run = MatchRun(event_id=fair.event.id, seed=1, status=RunStatus.PUBLISHED, slots=1,
                   published_at=datetime.now(UTC))
    db.session.add(run)
    db.session.flush()
    start = local(2027, 10, 12, hour)
    db.session.add_all(Interview(run_id=run.id, candidate_id=candidate.id, booth_id=booth.id, slot=0,
                                 starts_at=start, ends_at=start + timedelta(minutes=30), choice_position=1)
                       for candidate, booth in pairs)
    db.session.commit()
    return run


def test_a_candidate_gets_their_published_interviews(fair):
    draft = MatchRun(event_id=fair.event.id, seed=1, status=RunStatus.DRAFT)
    db.session.add(draft)
    db.session.commit()
    assert feed_of(fair.ann) == {}  # nothing before publishing
    run = publish_run(fair, [(fair.ann, fair.booth), (fair.ben, fair.other_booth)])
    items = feed_of(fair.ann)
    uid = ical.interview_uid(fair.event.id, fair.booth.id, fair.ann.id)
    assert set(items) == {uid}
    item = items[uid]
    assert item.summary.value == "Interview: Westlake Robotics"
    assert "Booth B-3" in item.location.value and "Hall B" in item.location.value
    assert item.dtstart.value.hour == 9 and item.dtend.value.minute == 30
    assert item.sequence.value == str(2 * run.id)
    assert feed_of(fair.ann, "zh")[uid].summary.value.endswith("西湖机器人")


def test_a_rerun_keeps_the_uid_raises_the_sequence_and_cancels_dropped_pairs(fair):
    first = publish_run(fair, [(fair.ann, fair.booth)])
    second = publish_run(fair, [(fair.ann, fair.other_booth)], hour=11, previous=first)
    items = feed_of(fair.ann)
    kept = items[ical.interview_uid(fair.event.id, fair.other_booth.id, fair.ann.id)]
    dropped = items[ical.interview_uid(fair.event.id, fair.booth.id, fair.ann.id)]
    assert kept.status.value == "CONFIRMED" and kept.dtstart.value.hour == 11
    assert dropped.status.value == "CANCELLED"
    assert int(kept.sequence.value) == int(dropped.sequence.value) == 2 * second.id > 2 * first.id
    third = publish_run(fair, [(fair.ann, fair.booth)], hour=14, previous=second)
    again = feed_of(fair.ann)[ical.interview_uid(fair.event.id, fair.booth.id, fair.ann.id)]
    assert again.status.value == "CONFIRMED" and again.dtstart.value.hour == 14
    assert int(again.sequence.value) == 2 * third.id


def test_a_cancelled_fair_cancels_its_interviews(fair):
    publish_run(fair, [(fair.ann, fair.booth)])
    event = db.session.merge(fair.event)
    event.status = EventStatus.CANCELLED
    event.calendar_sequence += 1
    db.session.commit()
    (item,) = feed_of(fair.ann).values()
    assert item.status.value == "CANCELLED"


def test_employer_staff_get_their_booths_interviews_only(fair, make_user):
    publish_run(fair, [(fair.ann, fair.booth), (fair.ben, fair.booth), (fair.ben, fair.other_booth)])
    items = feed_of(fair.staff)
    assert set(items) == {ical.interview_uid(fair.event.id, fair.booth.id, person.id)
                          for person in (fair.ann, fair.ben)}
    summaries = sorted(item.summary.value for item in items.values())
    assert summaries == ["Interview: 安安 (An Ann)", "Interview: 贝贝 (Bei Ben)"]
    assert set(feed_of(fair.other_staff)) == {ical.interview_uid(fair.event.id, fair.other_booth.id, fair.ben.id)}
    assert feed_of(make_user(Role.EMPLOYER)) == {}  # an employer of no organization
    assert feed_of(make_user(Role.ORGANIZER)) == {}


# --- Links ---------------------------------------------------------------------------------------------------

def test_add_to_calendar_links_use_utc_times():
    start = local(2027, 9, 28, 9)
    links = add_to_calendar_links("人才日, 2027", start, start + timedelta(hours=8), "详情", "杭州", "Asia/Shanghai")
    assert "dates=20270928T010000Z%2F20270928T090000Z" in links.google and "ctz=Asia%2FShanghai" in links.google
    assert "text=%E4%BA%BA%E6%89%8D%E6%97%A5%2C%202027" in links.google
    assert "startdt=2027-09-28T01%3A00%3A00Z" in links.outlook and links.office365.startswith("https://outlook.office.com/")
    assert "st=20270928T010000Z" in links.yahoo and "et=20270928T090000Z" in links.yahoo


def test_subscribe_links():
    webcal, google = subscribe_links("https://talent.example/calendar/abc.ics")
    assert webcal == "webcal://talent.example/calendar/abc.ics"
    assert google == "https://calendar.google.com/calendar/render?cid=webcal%3A%2F%2Ftalent.example%2Fcalendar%2Fabc.ics"
