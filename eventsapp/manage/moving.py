"""Moving an event: editing its start moves everything dated inside it by the same offset, keeping
each time of day on the event's clock: the agenda, the matching's interview hours and the interview
slots of runs not yet published. A published interview schedule has been sent to people, so moving it
needs the organizer's confirmation; it then moves too, and everyone in it is e-mailed the new times.
Calendars follow through the event's SEQUENCE, which the change raises.

Services flush; the caller commits.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, select

from eventsapp.events import services
from eventsapp.events.models import Event
from eventsapp.extensions import db
from eventsapp.matchmaking import run_results, runs
from eventsapp.matchmaking.interviews import live_interview_condition
from eventsapp.matchmaking.models import Interview, MatchingRound, MatchRun, RunStatus


@dataclass(frozen=True)
class Move:
    """A shift of wall-clock time on the event's clock (whole days and a time of day)."""

    zone: ZoneInfo
    delta: timedelta

    def apply(self, moment: datetime | None) -> datetime | None:
        if moment is None:
            return None
        local = moment.astimezone(self.zone).replace(tzinfo=None) + self.delta
        return local.replace(tzinfo=self.zone).astimezone(UTC)


def planned_move(event: Event, data: services.EventData) -> Move | None:
    """How far the new start moves the event on its clock; None when the start does not change."""
    zone = ZoneInfo(data.timezone)
    delta = (data.starts_at.astimezone(zone).replace(tzinfo=None)
             - event.starts_at.astimezone(zone).replace(tzinfo=None))
    return Move(zone, delta) if delta else None


class MoveNeedsConfirmation(Exception):
    """The move would change the times of a published interview schedule; ``consequences`` say what happens."""

    def __init__(self, consequences: list):
        self.consequences = consequences
        super().__init__("; ".join(str(line) for line in consequences))


def move_consequences(event: Event, interviews: int, candidates: int) -> list:
    return [
        ngettext("The published interview schedule moves with the event: %(num)d interview keeps its place in the "
                 "day and takes the new date and time.",
                 "The published interview schedule moves with the event: %(num)d interviews keep their place in "
                 "the day and take the new dates and times.", interviews),
        ngettext("%(num)d candidate and the staff of every booth concerned are e-mailed their new interview times.",
                 "%(num)d candidates and the staff of every booth concerned are e-mailed their new interview times.",
                 candidates),
        _l("The programme and the matching's interview hours move by the same offset; subscribed calendars update "
           "themselves."),
    ]


def save_moving_event(event: Event, data: services.EventData, *, confirmed: bool = False,
                      announce_interviews: bool = True) -> Event:
    """Save the event's details (events.services.save_event); if the start moved, move what is dated
    inside the event with it. Raises MoveNeedsConfirmation, before changing anything, when a published
    interview schedule would move and ``confirmed`` is not given. A moved published schedule is e-mailed
    again unless ``announce_interviews`` is False: the caller then sends the change notice, which carries
    each person's new interview times (messages.services.tell_changed)."""
    move = planned_move(event, data)
    published = run_results.published_run(event.id) if move else None
    if published is not None and not confirmed:
        interviews, candidates = db.session.execute(
            select(func.count(), func.count(Interview.candidate_id.distinct()))
            .where(Interview.run_id == published.id, live_interview_condition())).one()
        if interviews:
            raise MoveNeedsConfirmation(move_consequences(event, interviews, candidates))
    services.save_event(data, event)
    if move is None:
        return event
    for item in event.agenda_items:
        item.starts_at, item.ends_at = move.apply(item.starts_at), move.apply(item.ends_at)
    round_ = db.session.get(MatchingRound, event.id)
    if round_ is not None:
        round_.interviews_start_at = move.apply(round_.interviews_start_at)
        round_.interviews_end_at = move.apply(round_.interviews_end_at)
    for run in db.session.scalars(select(MatchRun).where(MatchRun.event_id == event.id,
                                                          MatchRun.status != RunStatus.SUPERSEDED)):
        _move_run(run, move)
    db.session.flush()
    if published is not None and announce_interviews:
        runs.announce_new_times(published)
    return event


def _move_run(run: MatchRun, move: Move) -> None:
    for interview in db.session.scalars(select(Interview).where(Interview.run_id == run.id)):
        interview.starts_at, interview.ends_at = move.apply(interview.starts_at), move.apply(interview.ends_at)
    inputs = run_results.inputs_of(run)
    settings = inputs.get("settings", {})
    for key in ("interviews_start_at", "interviews_end_at"):
        if settings.get(key):
            settings[key] = move.apply(datetime.fromisoformat(settings[key])).isoformat()
    run.inputs_summary = json.dumps(inputs, separators=(",", ":"))
