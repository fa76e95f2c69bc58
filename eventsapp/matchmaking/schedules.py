"""Published schedules and their exports: each candidate's interviews and why they did not get the
other booths they ranked (computed from exactly what the run stored), each booth's interviews slot
by slot, and the booth's list as CSV.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload

from eventsapp.accounts.models import User
from eventsapp.booths.models import Booth
from eventsapp.candidates.models import CandidateProfile
from eventsapp.events.models import Event
from eventsapp.extensions import db
from eventsapp.matching import Reason, explain
from eventsapp.matching.explain import Explanation
from eventsapp.matchmaking.interviews import employer_unavailable, is_live, live_interview_condition
from eventsapp.matchmaking.models import CancelReason, Interview, MatchRun, MatchRunBooth, MatchRunCandidate, RunStatus
from eventsapp.matchmaking.run_results import inputs_of, json_list, published_run
from eventsapp.registrations.models import Registration
from eventsapp.spreadsheets import Column, csv_bytes, excel_safe, header


@dataclass
class ScheduledInterview:
    """One interview, with what people are told about it."""

    interview_id: int
    slot: int
    starts_at: datetime
    ends_at: datetime
    booth: Booth
    candidate_id: int
    candidate_name: str
    candidate_name_latin: str = ""
    choice_position: int = 0
    profile: CandidateProfile | None = field(default=None, repr=False)



@dataclass
class SlotGroup:
    slot: int
    starts_at: datetime
    ends_at: datetime
    interviews: list[ScheduledInterview]


def group_by_slot(interviews: list[ScheduledInterview]) -> list[SlotGroup]:
    groups: list[SlotGroup] = []
    for item in interviews:
        if not groups or groups[-1].slot != item.slot:
            groups.append(SlotGroup(item.slot, item.starts_at, item.ends_at, []))
        groups[-1].interviews.append(item)
    return groups


# --- What candidates see ----------------------------------------------------------------------------

@dataclass
class BoothExplanation:
    booth: Booth
    reason: Reason
    your_rank: int | None
    last_admitted_rank: int | None
    interviews_held: int  # how many interviews the candidate got (for "your interviews were full")


@dataclass
class CandidateSchedule:
    event: Event
    run: MatchRun
    interviews: list[ScheduledInterview]  # those that take place
    explanations: list[BoothExplanation]
    cancelled: int = 0  # interviews cancelled with the registration (which has not been made again)
    unavailable: list[ScheduledInterview] = field(default_factory=list)  # employer suspended or rejected, for now
    booth_gone: list[ScheduledInterview] = field(default_factory=list)  # cancelled: the booth withdrawn or rejected
    history: list[ScheduledInterview] = field(default_factory=list)  # cancelled with an earlier registration

    @property
    def registered_again(self) -> bool:
        """The candidate cancelled, registered again, and this schedule holds nothing of the new registration."""
        return bool(self.history) and not (self.interviews or self.unavailable or self.booth_gone)


def explanations_for(run: MatchRun, candidate_id: int) -> list[Explanation]:
    """Why the candidate did not get each booth they ranked, from what the run stored."""
    choices_json = db.session.scalar(select(MatchRunCandidate.choices_json).where(
        MatchRunCandidate.run_id == run.id, MatchRunCandidate.candidate_id == candidate_id))
    if choices_json is None:
        return []
    choices = [int(booth_id) for booth_id in json_list(choices_json)]
    booth_prefs, capacities = {}, {}
    for booth_id, capacity, ranking_json in db.session.execute(
            select(MatchRunBooth.booth_id, MatchRunBooth.capacity, MatchRunBooth.ranking_json)
            .where(MatchRunBooth.run_id == run.id, MatchRunBooth.booth_id.in_(choices))).tuples():
        booth_prefs[booth_id], capacities[booth_id] = json_list(ranking_json), capacity
    assignment: dict[int, list[int]] = defaultdict(list)
    for holder, booth_id in db.session.execute(
            select(Interview.candidate_id, Interview.booth_id)
            .where(Interview.run_id == run.id, Interview.booth_id.in_(choices))).tuples():
        assignment[holder].append(booth_id)
    return explain(candidate_id, {candidate_id: choices}, booth_prefs, capacities, assignment)


def schedules_of_candidate(candidate_id: int) -> list[CandidateSchedule]:
    """For each event with a published run that included the candidate: their interviews and why
    they did not get the other booths they ranked. Soonest event first."""
    # Published runs are few; each is checked by the (run, candidate) primary key, so the lookup
    # stays fast however many candidates the kept runs hold.
    runs = db.session.scalars(
        select(MatchRun).join(Event, Event.id == MatchRun.event_id)
        .where(MatchRun.status == RunStatus.PUBLISHED, exists().where(
            MatchRunCandidate.run_id == MatchRun.id, MatchRunCandidate.candidate_id == candidate_id))
        .order_by(Event.starts_at, MatchRun.id)).all()
    schedules = []
    for run in runs:
        event = db.session.get(Event, run.event_id)
        rows = db.session.scalars(
            select(Interview).where(Interview.run_id == run.id, Interview.candidate_id == candidate_id)
            .options(joinedload(Interview.booth).joinedload(Booth.organization),
                     joinedload(Interview.booth).joinedload(Booth.hall))
            .order_by(Interview.starts_at, Interview.booth_id)).all()
        registration = db.session.scalar(select(Registration).where(
            Registration.event_id == event.id, Registration.user_id == candidate_id))
        schedule = CandidateSchedule(event, run, [], [])
        for interview in rows:
            item = ScheduledInterview(interview.id, interview.slot, interview.starts_at, interview.ends_at,
                                      interview.booth, candidate_id, "", "", interview.choice_position)
            if is_live(interview):
                schedule.interviews.append(item)
            elif employer_unavailable(interview):
                schedule.unavailable.append(item)
            elif registration is not None and interview.cancelled_at < registration.queued_at:
                schedule.history.append(item)  # cancelled before the candidate registered again
            elif interview.cancel_reason == CancelReason.BOOTH:
                schedule.booth_gone.append(item)
            else:
                schedule.cancelled += 1
        if schedule.cancelled or schedule.registered_again:
            # The registration the run was made for has ended: the rest of the schedule no longer concerns them.
            schedules.append(schedule)
            continue
        interviews = schedule.interviews
        explanations = [item for item in explanations_for(run, candidate_id) if item.reason != Reason.MATCHED]
        booths = {booth.id: booth for booth in db.session.scalars(
            select(Booth).where(Booth.id.in_([item.booth for item in explanations]))
            .options(joinedload(Booth.organization)))} if explanations else {}
        schedule.explanations = [
            BoothExplanation(booths[item.booth], item.reason, item.your_rank, item.last_admitted_rank,
                             len(interviews)) for item in explanations if item.booth in booths]
        schedules.append(schedule)
    return schedules


# --- What employers see -----------------------------------------------------------------------------

@dataclass
class BoothSchedule:
    run: MatchRun | None
    slots: list[SlotGroup]
    count: int


def schedule_of_booth(booth: Booth) -> BoothSchedule:
    """The booth's interviews in the event's published run, slot by slot (none before publishing)."""
    run = published_run(booth.event_id)
    if run is None:
        return BoothSchedule(None, [], 0)
    rows = db.session.execute(
        select(Interview, User.display_name, CandidateProfile)
        .join(User, User.id == Interview.candidate_id)
        .outerjoin(CandidateProfile, CandidateProfile.user_id == Interview.candidate_id)
        .where(Interview.run_id == run.id, Interview.booth_id == booth.id, live_interview_condition())
        .order_by(Interview.slot, Interview.candidate_id)).tuples().all()
    interviews = [
        ScheduledInterview(interview.id, interview.slot, interview.starts_at, interview.ends_at, booth,
                           interview.candidate_id, (profile.name if profile and profile.name else display_name),
                           profile.name_latin if profile else "", interview.choice_position, profile)
        for interview, display_name, profile in rows]
    return BoothSchedule(run, group_by_slot(interviews), len(interviews))


# --- The interview list as CSV ------------------------------------------------------------------------

INTERVIEWS_COLUMNS = [Column("slot", _l("Slot")), Column("starts_at", _l("Starts")), Column("ends_at", _l("Ends")),
                      Column("name", _l("Name")), Column("name_latin", _l("Name in Latin letters"))]


def interviews_csv(event: Event, interviews: Iterable[ScheduledInterview]) -> bytes:
    """A booth's interviews as CSV that Excel opens with Chinese intact, in the employer's language;
    times on the event's clock with their UTC offset; names kept out of formulas."""
    zone = ZoneInfo(event.timezone)
    return csv_bytes(header(INTERVIEWS_COLUMNS), (
        [item.slot + 1, item.starts_at.astimezone(zone).isoformat(timespec="minutes"),
         item.ends_at.astimezone(zone).isoformat(timespec="minutes"),
         excel_safe(item.candidate_name), excel_safe(item.candidate_name_latin)] for item in interviews))


def schedule_span(run: MatchRun) -> tuple[datetime, datetime] | None:
    """When the run's first interview starts and its last one ends (None without interviews)."""
    settings = inputs_of(run).get("settings", {})
    if not run.slots or "interviews_start_at" not in settings:
        return None
    start = datetime.fromisoformat(settings["interviews_start_at"])
    return start, start + timedelta(minutes=settings["slot_minutes"] * run.slots)
