"""Moving an event moves what is dated inside it, keeping times of day on the event's clock; a published
interview schedule moves only after the organizer confirms, and everyone in it is told."""
from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import select

from eventsapp.calendars import ical
from eventsapp.events.models import AgendaItem, Event
from eventsapp.events.services import event_data_from
from eventsapp.extensions import db
from eventsapp.manage import moving
from eventsapp.matchmaking import run_results, schedules
from eventsapp.matchmaking.models import Interview, MatchingRound
from eventsapp.notifications.models import OutboxMessage
from tests.factories import local
from tests.unit import published_schedule
from tests.unit.published_schedule import feed

fair = published_schedule.fair  # a published schedule: Ann has two interviews, Ben one


def moved_by(event: Event, delta: timedelta):
    data = event_data_from(event)
    return dataclasses.replace(data, starts_at=data.starts_at + delta, ends_at=data.ends_at + delta)


def test_the_agenda_moves_with_the_event_keeping_its_times_of_day(ctx, make_event):
    event = make_event(starts_at=local(2030, 5, 10, 9), agenda=[
        dict(starts_at=local(2030, 5, 10, 10), ends_at=local(2030, 5, 10, 11, 30), title_en="Keynote")])
    sequence = event.calendar_sequence
    moving.save_moving_event(db.session.merge(event), moved_by(event, timedelta(days=3, hours=-1)))
    db.session.commit()
    item = db.session.scalar(select(AgendaItem).where(AgendaItem.event_id == event.id))
    assert (item.starts_at, item.ends_at) == (local(2030, 5, 13, 9), local(2030, 5, 13, 10, 30))
    assert db.session.get(Event, event.id).calendar_sequence > sequence


def test_changing_only_the_end_moves_nothing(ctx, make_event):
    event = make_event(starts_at=local(2030, 5, 10, 9), agenda=[dict(starts_at=local(2030, 5, 10, 10),
                                                                     title_en="Keynote")])
    data = dataclasses.replace(event_data_from(event), ends_at=local(2030, 5, 10, 20))
    moving.save_moving_event(db.session.merge(event), data)
    assert db.session.scalar(select(AgendaItem.starts_at)) == local(2030, 5, 10, 10)


def test_a_published_schedule_moves_only_when_confirmed_and_everyone_is_told(fair):
    event = db.session.get(Event, fair.event.id)
    before = {row.id: (row.starts_at, row.ends_at) for row in db.session.scalars(select(Interview))}
    hours = db.session.get(MatchingRound, event.id).interviews_start_at
    uid = ical.interview_uid(event.id, fair.robotics.id, fair.ann.id)
    sequence = int(feed(fair.ann)[uid].sequence.value)
    week = timedelta(days=7)

    with pytest.raises(moving.MoveNeedsConfirmation) as question:
        moving.save_moving_event(event, moved_by(event, week))
    assert any("3 interviews keep their place" in str(line) for line in question.value.consequences)
    assert any("2 candidates" in str(line) for line in question.value.consequences)
    db.session.rollback()
    assert db.session.get(Event, event.id).starts_at == fair.event.starts_at  # nothing changed

    event = db.session.get(Event, fair.event.id)
    moving.save_moving_event(event, moved_by(event, week), confirmed=True)
    db.session.commit()
    after = {row.id: (row.starts_at, row.ends_at) for row in db.session.scalars(select(Interview))}
    assert after == {key: (start + week, end + week) for key, (start, end) in before.items()}
    assert db.session.get(MatchingRound, event.id).interviews_start_at == hours + week
    assert schedules.schedule_span(run_results.published_run(event.id))[0] == hours + week
    told = db.session.scalars(select(OutboxMessage.to_email).where(OutboxMessage.kind == "interviews_candidate"))
    assert set(told) == {fair.ann.email, fair.ben.email}
    moved_entry = feed(fair.ann)[uid]
    assert int(moved_entry.sequence.value) > sequence
