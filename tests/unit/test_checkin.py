"""Door check-in: every verdict, one check-in per person however many gates scan, offline scan
times, name search and the live counts."""
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from eventsapp.accounts.models import Role, User
from eventsapp.badges import services as badges
from eventsapp.badges.models import BadgeRole, EventCrew
from eventsapp.badges.services import Verdict
from eventsapp.booths.models import BoothStatus
from eventsapp.checkin import services
from eventsapp.checkin.models import CheckIn
from eventsapp.checkin.services import Door, Outcome
from eventsapp.events.models import Event, EventStatus
from eventsapp.extensions import db
from eventsapp.notifications.services import deliver_due_messages
from eventsapp.registrations.models import RegistrationLog, RegistrationStatus
from eventsapp.registrations.services import cancel_registration, register_for_event


@pytest.fixture
def door(ctx, make_event, make_user):
    """A fair going on now and a volunteer at the door."""
    now = datetime.now(UTC)
    event = make_event(starts_at=now - timedelta(hours=2))
    volunteer = make_user(Role.CANDIDATE, display_name="志愿者 Volunteer")
    db.session.add(EventCrew(event_id=event.id, user_id=volunteer.id, role=BadgeRole.VOLUNTEER))
    db.session.commit()
    return event, volunteer


def confirmed(event, person, now=None):
    """Registered with a place, and the badge the outbox worker issues when it writes the confirmation."""
    registration = register_for_event(event.id, person, now=now).registration
    db.session.commit()
    deliver_due_messages()
    return registration


def count_check_ins(event_id=None) -> int:
    query = select(func.count()).select_from(CheckIn)
    if event_id is not None:
        query = query.where(CheckIn.event_id == event_id)
    return db.session.scalar(query)


def test_a_scanned_badge_checks_in_once_and_marks_the_registration_attended(door, make_candidate):
    event, volunteer = door
    person = make_candidate(name="李明", name_latin="Li Ming")
    registration = confirmed(event, person)
    token = badges.token_of(badges.badge_of(event.id, person.id))

    first = services.check_in(event, token=token, actor=volunteer, gate="North 1")
    db.session.commit()
    assert first.outcome == Outcome.CHECKED_IN and first.badge.holder_id == person.id
    assert first.check_in.gate == "North 1" and first.check_in.checked_in_by_id == volunteer.id
    assert registration.attended_at is not None
    assert db.session.scalar(select(RegistrationLog.action).where(
        RegistrationLog.registration_id == registration.id, RegistrationLog.action == "attended")) == "attended"

    again = services.check_in(event, token=token, actor=volunteer, gate="South 2")
    db.session.commit()
    assert again.outcome == Outcome.ALREADY and not again.repeated
    assert again.check_in.id == first.check_in.id and again.check_in.gate == "North 1"
    assert count_check_ins() == 1


def test_typed_numbers_and_people_found_by_name_check_in_too(door, make_candidate):
    event, volunteer = door
    typed, chosen = make_candidate(), make_candidate()
    confirmed(event, typed)
    confirmed(event, chosen)
    number = badges.badge_of(event.id, typed.id).number
    by_number = services.check_in(event, number=f" {number[:3].lower()}-{number[3:]} ", actor=volunteer)
    by_person = services.check_in(event, holder_id=chosen.id, actor=volunteer)
    assert (by_number.outcome, by_person.outcome) == (Outcome.CHECKED_IN, Outcome.CHECKED_IN)
    assert by_number.check_in.method == "number" and by_person.check_in.method == "search"
    assert services.check_in(event, number="X" * 500, actor=volunteer).verdict == Verdict.INVALID
    assert services.check_in(event, actor=volunteer).verdict == Verdict.INVALID  # nothing given


def test_every_reason_to_refuse_and_nothing_recorded(door, make_event, make_candidate, make_organization,
                                                      make_staff, make_booth):
    event, volunteer = door
    other_event = make_event()
    cancelled, waiting, replaced, foreign = (make_candidate() for _ in range(4))
    for person in (cancelled, waiting, replaced):
        confirmed(event, person)
    confirmed(other_event, foreign)
    organization = make_organization()
    staff = make_staff(organization)
    booth = make_booth(event, organization)
    cancelled_badge, waiting_badge, old_badge, staff_badge = (
        badges.badge_of(event.id, person.id) for person in (cancelled, waiting, replaced, staff))
    badges.reissue(old_badge)
    cancel_registration(cancelled_badge.registration)
    waiting_badge.registration.status = RegistrationStatus.WAITLISTED  # moved back by an organizer
    booth.status = BoothStatus.WITHDRAWN
    db.session.commit()

    def verdict(**given):
        result = services.check_in(event, actor=volunteer, **given)
        assert result.outcome == Outcome.REFUSED
        return result.verdict

    assert verdict(token="not-a-token") == Verdict.INVALID
    assert verdict(token=badges.token_of(cancelled_badge)[:-3] + "abc") == Verdict.INVALID  # tampered
    assert verdict(token=badges.token_of(badges.badge_of(other_event.id, foreign.id))) == Verdict.OTHER_EVENT
    assert verdict(token=badges.token_of(old_badge)) == Verdict.REVOKED
    assert verdict(number=old_badge.number) == Verdict.REVOKED
    assert verdict(token=badges.token_of(cancelled_badge)) == Verdict.CANCELLED
    assert verdict(number=waiting_badge.number) == Verdict.WAITLISTED
    assert verdict(token=badges.token_of(staff_badge)) == Verdict.NOT_ENTITLED
    assert verdict(number="ZZZZZZZ") == Verdict.INVALID
    assert verdict(holder_id=foreign.id) == Verdict.INVALID  # no badge at this event
    assert count_check_ins() == 0


def test_the_door_is_judged_at_the_scan_time_of_a_queued_scan(ctx, make_event, make_user, make_candidate):
    now = datetime.now(UTC)
    event = make_event(starts_at=now - timedelta(hours=10), ends_at=now - timedelta(hours=3))
    organizer = make_user(Role.ORGANIZER)
    late, early = make_candidate(), make_candidate()
    confirmed(event, late, now=event.starts_at - timedelta(days=3))
    confirmed(event, early, now=event.starts_at - timedelta(days=3))
    refused = services.check_in(event, holder_id=late.id, actor=organizer)
    assert (refused.outcome, refused.door, refused.verdict) == (Outcome.REFUSED, Door.ENDED, Verdict.VALID)
    queued = services.check_in(event, holder_id=early.id, actor=organizer, scanned_at=now - timedelta(hours=4))
    assert queued.outcome == Outcome.CHECKED_IN
    assert queued.check_in.checked_in_at == now - timedelta(hours=4) and queued.check_in.recorded_at > now
    assert count_check_ins() == 1


def test_a_badge_after_the_event_and_its_day_of_grace_is_expired(ctx, make_event, make_user, make_candidate):
    now = datetime.now(UTC)
    event = make_event(starts_at=now - timedelta(days=1, hours=9), ends_at=now - timedelta(days=1, hours=1))
    person = make_candidate()
    confirmed(event, person, now=event.starts_at - timedelta(days=3))
    assert services.find_badge(event, holder_id=person.id).verdict == Verdict.EXPIRED


@pytest.mark.parametrize("minutes_before_start, door", [(121, Door.NOT_OPEN_YET), (119, Door.OPEN), (0, Door.OPEN)])
def test_the_door_opens_two_hours_before_the_start(ctx, make_event, make_user, make_candidate,
                                                   minutes_before_start, door):
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=3)
    event = make_event(starts_at=starts)
    person = make_candidate()
    confirmed(event, person)
    when = starts - timedelta(minutes=minutes_before_start)
    result = services.check_in(event, holder_id=person.id, actor=make_user(Role.ORGANIZER), now=when)
    assert result.door == door
    assert result.outcome == (Outcome.CHECKED_IN if door == Door.OPEN else Outcome.REFUSED)
    assert count_check_ins() == (door == Door.OPEN)


def test_the_window_follows_the_setting_and_ends_with_the_event(ctx, make_event):
    event = make_event()
    window = services.DoorWindow.of(event, timedelta(minutes=30))
    assert window.opens_at == event.starts_at - timedelta(minutes=30) and window.closes_at == event.ends_at
    assert window.state(event.starts_at - timedelta(minutes=31)) == Door.NOT_OPEN_YET
    assert window.state(event.starts_at - timedelta(minutes=30)) == Door.OPEN
    assert window.state(event.ends_at - timedelta(seconds=1)) == Door.OPEN
    assert window.state(event.ends_at) == Door.ENDED


def test_a_cancelled_event_checks_nobody_in(door, make_candidate):
    event, volunteer = door
    person = make_candidate()
    confirmed(event, person)
    event.status = EventStatus.CANCELLED
    db.session.commit()
    result = services.check_in(event, holder_id=person.id, actor=volunteer)
    assert (result.outcome, result.door) == (Outcome.REFUSED, Door.CANCELLED) and count_check_ins() == 0


def test_queued_scan_times_are_kept_clamped_and_a_resent_scan_is_recognised(door, make_candidate):
    event, volunteer = door
    now = datetime.now(UTC).replace(microsecond=0)
    people = [make_candidate() for _ in range(3)]
    for person in people:
        confirmed(event, person)
    event.starts_at = now - timedelta(days=2)  # so that the door was open a day ago, for the oldest scan
    db.session.commit()
    earlier = services.check_in(event, holder_id=people[0].id, actor=volunteer, gate="G1",
                                scanned_at=now - timedelta(minutes=20), scan_id="phone-1", now=now)
    future = services.check_in(event, holder_id=people[1].id, actor=volunteer, scanned_at=now + timedelta(hours=3),
                               now=now)
    ancient = services.check_in(event, holder_id=people[2].id, actor=volunteer, scanned_at=now - timedelta(days=9),
                                now=now)
    db.session.commit()
    assert earlier.check_in.checked_in_at == now - timedelta(minutes=20) and earlier.check_in.recorded_at == now
    assert future.check_in.checked_in_at == now
    assert ancient.check_in.checked_in_at == now - services.OFFLINE_MAX_AGE
    resent = services.check_in(event, holder_id=people[0].id, actor=volunteer, gate="G1",
                               scanned_at=now - timedelta(minutes=20), scan_id="phone-1",
                               now=now + timedelta(minutes=1))
    assert resent.outcome == Outcome.ALREADY and resent.repeated
    # The same gate scanning the same badge again within the second is a second scan, not a retry.
    again = services.check_in(event, holder_id=people[0].id, actor=volunteer, gate="G1",
                              scanned_at=now - timedelta(minutes=20), scan_id="phone-2", now=now)
    assert again.outcome == Outcome.ALREADY and not again.repeated
    other_gate = services.check_in(event, holder_id=people[0].id, actor=volunteer, gate="G2")
    assert other_gate.outcome == Outcome.ALREADY and not other_gate.repeated
    assert count_check_ins() == 3


def test_two_gates_scanning_the_same_badges_at_once_record_one_check_in_each(app, make_event, make_user,
                                                                            make_candidate, real_commits):
    with app.app_context():
        event = make_event(starts_at=datetime.now(UTC) - timedelta(hours=1))
        gates = [make_user(Role.ORGANIZER) for _ in range(2)]
        people = [make_candidate() for _ in range(6)]
        for person in people:
            register_for_event(event.id, person)
        db.session.commit()
        tokens = [badges.token_of(badge) for badge in badges.sync_badges(event.id)]
        db.session.commit()
        event_id, gate_ids = event.id, [gate.id for gate in gates]
    calls = [(token, gate_id) for token in tokens for gate_id in gate_ids]
    barrier = threading.Barrier(len(calls))

    def scan(call):
        token, gate_id = call
        barrier.wait(timeout=30)
        with app.app_context():
            event, actor = db.session.get(Event, event_id), db.session.get(User, gate_id)
            result = services.check_in(event, token=token, actor=actor, gate=f"gate {gate_id}")
            db.session.commit()
            return token, result.outcome

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        outcomes = list(pool.map(scan, calls))
    for token in tokens:
        assert sorted(outcome for scanned, outcome in outcomes if scanned == token) == [
            Outcome.ALREADY, Outcome.CHECKED_IN]
    with app.app_context():
        assert count_check_ins(event_id) == len(tokens)
        assert db.session.scalar(select(func.count(func.distinct(CheckIn.holder_id)))) == len(tokens)


def test_search_finds_badge_holders_by_any_of_their_names(door, make_event, make_candidate, make_organization,
                                                          make_staff, make_booth, make_user):
    event, volunteer = door
    wang = make_candidate(name="王小雨", name_latin="Wang Xiaoyu")
    confirmed(event, wang)
    elsewhere = make_candidate(name="王大山", name_latin="Wang Dashan")
    confirmed(make_event(), elsewhere)
    organization = make_organization()
    staff = make_staff(organization)
    db.session.get(User, staff.id).display_name = "Wang Employer 50%"
    make_booth(event, organization)
    db.session.commit()
    badges.sync_badges(event.id)
    services.check_in(event, holder_id=wang.id, actor=volunteer)
    db.session.commit()

    names = lambda text: sorted(match.name for match in services.search_holders(event.id, text))  # noqa: E731
    assert names("WANG") == ["Wang Employer 50%", "王小雨"]
    assert names("王") == ["王小雨"]
    assert names("wang xiao") == ["王小雨"]
    assert names("50%") == ["Wang Employer 50%"]
    assert names("_") == []  # a wildcard is a character, not "any one character"
    assert names("   ") == []
    [match] = services.search_holders(event.id, "xiaoyu")
    assert match.checked_in_at is not None and match.badge.holder_id == wang.id
    badges.reissue(match.badge)
    assert [m.badge.revoked_at for m in services.search_holders(event.id, "xiaoyu")] == [None]


def test_live_counts_per_role_and_per_local_hour(door, make_candidate, make_organization, make_staff, make_booth):
    event, volunteer = door
    people = [make_candidate() for _ in range(3)]
    for person in people:
        confirmed(event, person)
    confirmed(event, make_candidate())
    organization = make_organization()
    make_staff(organization)
    make_booth(event, organization)
    helper = people[2]
    db.session.add(EventCrew(event_id=event.id, user_id=helper.id, role=BadgeRole.VOLUNTEER))  # counted once
    base = datetime(2026, 11, 29, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai
    event.starts_at, event.ends_at = base - timedelta(minutes=30), base + timedelta(hours=8)
    db.session.commit()
    badges.sync_badges(event.id)
    services.check_in(event, holder_id=people[0].id, actor=volunteer, scanned_at=base, now=base)
    services.check_in(event, holder_id=people[1].id, actor=volunteer, scanned_at=base + timedelta(minutes=40),
                      now=base + timedelta(hours=1))
    services.check_in(event, holder_id=volunteer.id, actor=volunteer, scanned_at=base, now=base)
    db.session.commit()
    counts = services.live_counts(event)
    by_role = {row.role: (row.checked_in, row.expected) for row in counts.roles}
    assert by_role == {BadgeRole.CANDIDATE: (2, 3), BadgeRole.EMPLOYER: (0, 2), BadgeRole.VOLUNTEER: (1, 2)}
    assert (counts.checked_in, counts.expected) == (3, 7)
    assert [(hour.strftime("%H:%M"), count) for hour, count in counts.hours] == [("09:00", 2), ("10:00", 1)]
