"""Matching runs: the organizer runs the engine on a fair's preferences, reviews the result and
publishes it; then candidates and employers see their interviews, and candidates why they did not
get the other booths they ranked.

A run reads each confirmed registrant's ranked booths (active booths only: approved, of an
organization in good standing) and builds each booth's ranking of the candidates who ranked it: the
employer's shortlist ranks first, then the fit score, best first, leaving out the candidates the
employer excluded; ties are broken by a lottery drawn from the run's seed. Capacity is interviewers
× the slots of the interview hours, so the schedule always fits the day. The run stores what it read
(MatchRunBooth, MatchRunCandidate) beside what it decided (Interview), so the same inputs and seed
reproduce it and every explanation is computed from exactly what the engine saw.

Services flush; the caller commits. Large tables are written with Core inserts in chunks.
"""
from __future__ import annotations

import json
import random
import secrets
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, insert, select, update
from sqlalchemy.orm import joinedload

from eventsapp.accounts.models import User
from eventsapp.booths.floorplan import code_sort_key
from eventsapp.candidates.models import CandidateProfile, CandidateSkill, Degree, TalentClass
from eventsapp.dbtypes import utcnow
from eventsapp.employers.access import active_booth_condition
from eventsapp.employers.models import Booth, BoothStatus, ShortlistEntry
from eventsapp.events.models import Event
from eventsapp.extensions import db
from eventsapp.i18n import format_local_datetime
from eventsapp.matching import Reason, explain, minimum_slots, schedule_interviews, stable_match
from eventsapp.matching.explain import Explanation
from eventsapp.matchmaking import preferences
from eventsapp.matchmaking.fitscore import SHARES, BoothWants, CandidateFacts
from eventsapp.matchmaking.interviews import employer_unavailable, is_live, live_interview_condition, staff_of
from eventsapp.matchmaking.models import (
    BoothExclusion,
    CancelReason,
    CandidateChoice,
    Interview,
    MatchingRound,
    MatchRun,
    MatchRunBooth,
    MatchRunCandidate,
    RunStatus,
)
from eventsapp.notifications.services import public_url, queue_email
from eventsapp.registrations.models import Registration, RegistrationStatus
from eventsapp.spreadsheets import Column, csv_bytes, excel_safe, header

SEED_LIMIT = 2 ** 63  # seeds are stored in a BIGINT
INSERT_CHUNK_ROWS = 10_000


class MatchingRefused(Exception):
    """The run or the publication cannot be done; ``reasons`` say why, for people."""

    def __init__(self, *reasons):
        self.reasons = list(reasons)
        super().__init__("; ".join(str(reason) for reason in reasons))


class PublishingBeforeDeadline(MatchingRefused):
    """Candidates may still change their booth rankings: publishing now needs an explicit yes."""

    def __init__(self, deadline: datetime, zone: str):
        self.deadline = deadline
        super().__init__(_l("Candidates may change their booth rankings until %(deadline)s. Publishing the run now "
                            "ends that at once; confirm that you want to publish before the deadline.",
                            deadline=format_local_datetime(deadline, zone)))


# --- Settings ------------------------------------------------------------------------------------

def slots_per_day(settings: MatchingRound) -> int:
    """How many whole interview slots fit in the interview hours."""
    return preferences.slot_count(settings.interviews_start_at, settings.interviews_end_at, settings.slot_minutes)


def settings_snapshot(settings: MatchingRound) -> dict:
    return {"deadline": settings.deadline.isoformat(), "max_ranked": settings.max_ranked,
            "interviews_per_candidate": settings.interviews_per_candidate, "slot_minutes": settings.slot_minutes,
            "interviews_start_at": settings.interviews_start_at.isoformat(),
            "interviews_end_at": settings.interviews_end_at.isoformat(), "slots_per_day": slots_per_day(settings)}


def _checked_settings(event_id: int) -> MatchingRound:
    settings = db.session.get(MatchingRound, event_id)
    if settings is None:
        raise MatchingRefused(_l("Matching is not set up for this event yet: set the deadline, the interviews per "
                                 "candidate, the slot length and the interview hours first."))
    slots = slots_per_day(settings)
    if slots < 1:
        raise MatchingRefused(_l("The interview hours are shorter than one slot of %(minutes)d minutes.",
                                 minutes=settings.slot_minutes))
    if settings.interviews_per_candidate > slots:
        raise MatchingRefused(_l("The interview hours hold %(slots)d slots, fewer than the %(count)d interviews per "
                                 "candidate: lengthen the hours or shorten the slots.",
                                 slots=slots, count=settings.interviews_per_candidate))
    return settings


# --- Reading the inputs ----------------------------------------------------------------------------

@dataclass
class RunInputs:
    """Everything the engine gets, as plain data (ids), plus what the summary records."""

    event_id: int
    seed: int
    settings: dict
    weights: dict[str, int]
    candidate_prefs: dict[int, list[int]]  # candidate id → booth ids, most wanted first
    booth_rankings: dict[int, list[int]]  # booth id → candidate ids, best first
    capacities: dict[int, int]
    interviewers: dict[int, int]
    quota: int
    slots_per_day: int
    slot_minutes: int
    interviews_start_at: datetime
    excluded_pairs: int = 0
    shortlisted_pairs: int = 0

    def summary(self) -> dict:
        return {
            "candidates": len(self.candidate_prefs),
            "choices": sum(len(booths) for booths in self.candidate_prefs.values()),
            "booths": len(self.capacities),
            "booths_ranked": sum(1 for ranking in self.booth_rankings.values() if ranking),
            "total_capacity": sum(self.capacities.values()),
            "demand": sum(min(len(booths), self.quota) for booths in self.candidate_prefs.values()),
            "shortlisted_pairs": self.shortlisted_pairs,
            "excluded_pairs": self.excluded_pairs,
            "seed": self.seed,
            "settings": self.settings,
            "weights": self.weights,
        }


def _plain_rows(statement) -> list[tuple]:
    """The rows as the driver's own tuples.

    For the large reads of a run (a million ranked booths at a big fair), building a SQLAlchemy Row
    per result costs several times the query itself. Only for columns the driver already returns
    as the values we want: integers and text (enum columns arrive as their stored values)."""
    result = db.session.connection().execute(statement)
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def _confirmed_registrants(event_id: int):
    return select(Registration.user_id).where(Registration.event_id == event_id,
                                              Registration.status == RegistrationStatus.CONFIRMED)


def load_candidate_choices(event_id: int) -> dict[int, list[int]]:
    """Each confirmed registrant's ranked approved booths of this event, most wanted first, by
    candidate id: the same lists as ``preferences.choices_for_event``, read faster."""
    rows = _plain_rows(
        select(CandidateChoice.candidate_id, CandidateChoice.booth_id)
        .join(Registration, (Registration.event_id == CandidateChoice.event_id)
              & (Registration.user_id == CandidateChoice.candidate_id))
        .join(Booth, Booth.id == CandidateChoice.booth_id)
        .where(CandidateChoice.event_id == event_id, Registration.status == RegistrationStatus.CONFIRMED,
               Booth.event_id == event_id, active_booth_condition())
        .order_by(CandidateChoice.candidate_id, CandidateChoice.position, CandidateChoice.id))
    prefs: dict[int, list[int]] = {}
    for candidate_id, booth_id in rows:
        booths = prefs.get(candidate_id)
        if booths is None:
            prefs[candidate_id] = [booth_id]
        else:
            booths.append(booth_id)
    return prefs


def load_candidate_facts(event_id: int) -> dict[int, CandidateFacts]:
    """What the fit score reads, for every confirmed registrant of the event: the same facts as
    ``preferences.facts_of_candidates``, read faster."""
    registrants = _confirmed_registrants(event_id)
    skills: dict[int, set[str]] = defaultdict(set)
    for user_id, name in _plain_rows(select(CandidateSkill.user_id, CandidateSkill.name)
                                     .where(CandidateSkill.user_id.in_(registrants))):
        if name.strip():
            skills[user_id].add(name.strip().lower())
    degrees, classes = {None: None, **{d.value: d for d in Degree}}, {None: None, **{t.value: t for t in TalentClass}}
    no_skills: frozenset[str] = frozenset()
    return {user_id: CandidateFacts(degree=degrees[degree], major=(major or "").strip(),
                                    skills=frozenset(skills[user_id]) if user_id in skills else no_skills,
                                    graduation_year=graduation_year, talent_class=classes[talent_class])
            for user_id, degree, major, graduation_year, talent_class in _plain_rows(
                select(CandidateProfile.user_id, CandidateProfile.degree, CandidateProfile.major,
                       CandidateProfile.graduation_year, CandidateProfile.talent_class)
                .where(CandidateProfile.user_id.in_(registrants)))}


class FitScores:
    """``fitscore.fit_score(...)[0]`` for every (booth, candidate) pair of a fair, fast.

    Each part of the score depends on one fact of the candidate (the skills part on how many of the
    wanted skills they have), so a booth computes each part once per distinct value, with
    fitscore's own share functions and rounding, and adds them up. The parts are multiples of
    0.0001, so the rounded total is the same as fit_score's (tests compare the two)."""

    def __init__(self, wants: Mapping[int, BoothWants], weights: Mapping[str, int],
                 facts: Mapping[int, CandidateFacts]):
        self.wants, self.weights, self.facts = wants, weights, facts

    def for_booth(self, booth_id: int):
        """A function: candidate id → the candidate's fit score at this booth."""
        wants = self.wants.get(booth_id) or NO_WANTS
        wanted, facts_of, weights = wants.skills, self.facts, self.weights
        degree_parts: dict = {}
        major_parts: dict = {}
        skills_parts: dict = {}
        year_parts: dict = {}
        talent_parts: dict = {}

        def part(criterion: str, parts: dict, key, facts: CandidateFacts) -> float:
            value = parts[key] = round(SHARES[criterion](facts, wants) * weights.get(criterion, 0), 4)
            return value

        def score(candidate_id: int) -> float:
            facts = facts_of.get(candidate_id, NO_FACTS)
            degree = degree_parts.get(facts.degree)
            if degree is None:
                degree = part("degree", degree_parts, facts.degree, facts)
            major = major_parts.get(facts.major)
            if major is None:
                major = part("major", major_parts, facts.major, facts)
            common = len(facts.skills & wanted)
            skills = skills_parts.get(common)
            if skills is None:
                skills = part("skills", skills_parts, common, facts)
            year = year_parts.get(facts.graduation_year)
            if year is None:
                year = part("graduation_year", year_parts, facts.graduation_year, facts)
            talent = talent_parts.get(facts.talent_class)
            if talent is None:
                talent = part("talent_class", talent_parts, facts.talent_class, facts)
            return round(degree + major + skills + year + talent, 4)
        return score


NO_WANTS = BoothWants()
NO_FACTS = CandidateFacts()
_KEY_BITS = 40  # a ranking key packs (group, rank or score, lottery number) into one int


def lottery_of(candidate_ids: Iterable[int], seed: int) -> list[int]:
    """The run's lottery: the candidates in a random order drawn from the seed (first = luckiest),
    one draw for the whole run, used at every booth."""
    order = sorted(candidate_ids)
    random.Random(seed).shuffle(order)
    return order


def build_booth_rankings(candidate_prefs: Mapping[int, list[int]], booth_ids: Iterable[int],
                         shortlist_ranks: Mapping[tuple[int, int], int], excluded: Iterable[tuple[int, int]],
                         scores: FitScores, lottery: list[int]) -> dict[int, list[int]]:
    """Each booth's ranking of the candidates who ranked it, best first: its shortlist ranks first
    (1 is the best), then the fit score, highest first, as ``preferences.sort_key`` orders them;
    equal keys go by the lottery. ``(booth, candidate)`` pairs in ``excluded`` are left out."""
    number_of = {candidate_id: number for number, candidate_id in enumerate(lottery)}
    fans: dict[int, list[int]] = {booth_id: [] for booth_id in booth_ids}
    for candidate_id, booths in candidate_prefs.items():
        for booth_id in booths:
            fans[booth_id].append(candidate_id)
    ranks_at: dict[int, dict[int, int]] = defaultdict(dict)
    for (booth_id, candidate_id), rank in shortlist_ranks.items():
        ranks_at[booth_id][candidate_id] = rank
    excluded_at: dict[int, set[int]] = defaultdict(set)
    for booth_id, candidate_id in excluded:
        excluded_at[booth_id].add(candidate_id)
    mask = most = (1 << _KEY_BITS) - 1
    by_score = 1 << _KEY_BITS  # the second group: after every shortlist rank
    score_ceiling = 10 ** 9  # scores have 4 decimals and are at most 50 (5 weights of at most 10)
    rankings = {}
    for booth_id, people in fans.items():
        ranks, out, score = ranks_at.get(booth_id, {}), excluded_at.get(booth_id, set()), scores.for_booth(booth_id)
        keys = []
        for candidate_id in people:
            if candidate_id in out:
                continue
            rank = ranks.get(candidate_id)
            primary = min(rank, most) if rank is not None else by_score + score_ceiling - round(
                score(candidate_id) * 10_000)
            keys.append(primary << _KEY_BITS | number_of[candidate_id])
        keys.sort()
        rankings[booth_id] = [lottery[key & mask] for key in keys]
    return rankings


def load_inputs(event_id: int, seed: int | None = None) -> RunInputs:
    """Read a fair's preferences and build the booths' rankings; refuse what cannot be run."""
    event = db.session.get(Event, event_id)
    if event is None:
        raise LookupError(event_id)
    settings = _checked_settings(event_id)
    if seed is None:
        seed = secrets.randbits(63)
    elif not 0 <= seed < SEED_LIMIT:
        raise MatchingRefused(_l("The seed must be a whole number from 0 to %(limit)d.", limit=SEED_LIMIT - 1))
    booths = list(db.session.execute(
        select(Booth.id, Booth.interviewers).where(Booth.event_id == event_id, active_booth_condition())
        .order_by(Booth.id)).tuples())
    if not booths:
        raise MatchingRefused(_l("This event has no approved booths: there is nothing to match."))
    candidate_prefs = load_candidate_choices(event_id)
    if not candidate_prefs:
        raise MatchingRefused(_l("No confirmed candidate has ranked an approved booth yet: there is nothing to match."))

    booth_ids = [booth_id for booth_id, _ in booths]
    excluded = set(_plain_rows(
        select(BoothExclusion.booth_id, BoothExclusion.candidate_id).join(Booth, Booth.id == BoothExclusion.booth_id)
        .where(Booth.event_id == event_id, active_booth_condition())))
    shortlist_ranks = {(booth_id, candidate_id): rank for booth_id, candidate_id, rank in _plain_rows(
        select(ShortlistEntry.booth_id, ShortlistEntry.candidate_id, ShortlistEntry.rank)
        .join(Booth, Booth.id == ShortlistEntry.booth_id)
        .where(Booth.event_id == event_id, active_booth_condition(), ShortlistEntry.rank.is_not(None)))}
    weights = preferences.weights_of(settings)
    scores = FitScores(preferences.booth_wants_for_event(event_id), weights, load_candidate_facts(event_id))
    rankings = build_booth_rankings(candidate_prefs, booth_ids, shortlist_ranks, excluded, scores,
                                    lottery_of(candidate_prefs, seed))
    slots = slots_per_day(settings)
    interviewers = dict(booths)
    return RunInputs(
        event_id=event_id, seed=seed, settings=settings_snapshot(settings), weights=weights,
        candidate_prefs=candidate_prefs, booth_rankings=rankings,
        capacities={booth_id: count * slots for booth_id, count in interviewers.items()},
        interviewers=interviewers, quota=settings.interviews_per_candidate, slots_per_day=slots,
        slot_minutes=settings.slot_minutes, interviews_start_at=settings.interviews_start_at,
        excluded_pairs=_ranked_pairs(excluded, candidate_prefs),
        shortlisted_pairs=_ranked_pairs(shortlist_ranks, candidate_prefs))


def _ranked_pairs(pairs: Iterable[tuple[int, int]], candidate_prefs: Mapping[int, list[int]]) -> int:
    """How many of these (booth, candidate) pairs are of a candidate who ranked that booth."""
    return sum(1 for booth_id, candidate_id in pairs if booth_id in candidate_prefs.get(candidate_id, ()))


def _json_object(text: str | None):
    try:
        return json.loads(text or "{}")
    except ValueError:
        return {}


# --- The engine ------------------------------------------------------------------------------------

@dataclass
class RunOutcome:
    assignment: dict[int, list[int]]  # candidate id → booth ids, in the candidate's order
    slot_of: dict[tuple[int, int], int]  # (candidate id, booth id) → slot number from 0
    slots: int  # the schedule's length in slots


def compute(inputs: RunInputs) -> RunOutcome:
    """Stable matching, then the shortest timetable; it always fits the interview hours."""
    assignment = stable_match(inputs.candidate_prefs, inputs.booth_rankings, inputs.capacities, inputs.quota)
    slot_of = schedule_interviews(assignment, inputs.interviewers)
    slots = minimum_slots(assignment, inputs.interviewers)
    # Capacity = interviewers × slots of the day and quota <= slots of the day, so the shortest
    # schedule (König) never needs more slots than the day has.
    assert slots <= inputs.slots_per_day, (slots, inputs.slots_per_day)
    assert all(slot < inputs.slots_per_day for slot in slot_of.values())
    return RunOutcome(assignment, slot_of, slots)


# --- Saving ---------------------------------------------------------------------------------------

def results_summary(inputs: RunInputs, outcome: RunOutcome) -> dict:
    candidates = len(inputs.candidate_prefs)
    matched = sum(1 for booths in outcome.assignment.values() if booths)
    first = sum(1 for candidate_id, booths in outcome.assignment.items()
                if booths and booths[0] == inputs.candidate_prefs[candidate_id][0])
    per_booth = Counter(booth for booths in outcome.assignment.values() for booth in booths)
    interviews = sum(per_booth.values())
    return {
        "candidates": candidates,
        "matched": matched,
        "share_matched": matched / candidates if candidates else 0.0,
        "first_choice": first,
        "share_first_choice": first / candidates if candidates else 0.0,
        "unmatched": candidates - matched,
        "interviews": interviews,
        "slots_used": outcome.slots,
        "slots_per_day": inputs.slots_per_day,
        "total_capacity": sum(inputs.capacities.values()),
        "share_capacity_used": interviews / sum(inputs.capacities.values()) if inputs.capacities else 0.0,
        # [booth id, interviews, capacity] for every booth of the run
        "fill": [[booth_id, per_booth.get(booth_id, 0), capacity] for booth_id, capacity in inputs.capacities.items()],
    }


def bulk_insert(table, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert many rows in the session's transaction: COPY on PostgreSQL (the fastest way in), Core
    executemany in chunks elsewhere. Values must already be what the columns store (ints, text,
    aware UTC datetimes): no type conversion happens on the way."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        names = ", ".join(connection.dialect.identifier_preparer.quote(name) for name in columns)
        with connection.connection.dbapi_connection.cursor() as cursor, cursor.copy(
                f"COPY {connection.dialect.identifier_preparer.quote(table.name)} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    statement = insert(table)
    for start in range(0, len(rows), INSERT_CHUNK_ROWS):
        connection.execute(statement, [dict(zip(columns, row, strict=True))
                                       for row in rows[start:start + INSERT_CHUNK_ROWS]])


def save_run(inputs: RunInputs, outcome: RunOutcome, actor: User | None) -> MatchRun:
    """Store the run as a DRAFT with what it read and the timetable. Flushes."""
    run = MatchRun(event_id=inputs.event_id, seed=inputs.seed, status=RunStatus.DRAFT, slots=outcome.slots,
                   inputs_summary=json.dumps(inputs.summary(), separators=(",", ":")),
                   results_summary=json.dumps(results_summary(inputs, outcome), separators=(",", ":")),
                   created_by_id=actor.id if actor is not None else None, created_at=utcnow())
    db.session.add(run)
    db.session.flush()
    run_id, compact = run.id, json.JSONEncoder(separators=(",", ":")).encode
    bulk_insert(MatchRunBooth.__table__, ("run_id", "booth_id", "capacity", "interviewers", "ranking_json"), [
        (run_id, booth_id, capacity, inputs.interviewers[booth_id], compact(inputs.booth_rankings.get(booth_id, [])))
        for booth_id, capacity in inputs.capacities.items()])
    bulk_insert(MatchRunCandidate.__table__, ("run_id", "candidate_id", "choices_json"), [
        (run_id, candidate_id, compact(booths)) for candidate_id, booths in inputs.candidate_prefs.items()])
    start, length = inputs.interviews_start_at, timedelta(minutes=inputs.slot_minutes)
    times = [(start + length * slot, start + length * (slot + 1)) for slot in range(inputs.slots_per_day)]
    rows = []
    slot_of = outcome.slot_of
    for candidate_id, booths in outcome.assignment.items():
        if not booths:
            continue
        ranked = inputs.candidate_prefs[candidate_id]
        for booth_id in booths:
            slot = slot_of[(candidate_id, booth_id)]
            rows.append((run_id, candidate_id, booth_id, slot, *times[slot], ranked.index(booth_id) + 1))
    bulk_insert(Interview.__table__, ("run_id", "candidate_id", "booth_id", "slot", "starts_at", "ends_at",
                                      "choice_position"), rows)
    return run


def run_matching(event_id: int, actor: User | None, seed: int | None = None) -> MatchRun:
    """Run the matching for a fair and keep the result as a new DRAFT run. Flushes."""
    inputs = load_inputs(event_id, seed)
    return save_run(inputs, compute(inputs), actor)


# --- Reading runs ---------------------------------------------------------------------------------

def runs_of(event_id: int) -> list[MatchRun]:
    """Every run of the event, newest first."""
    return list(db.session.scalars(select(MatchRun).where(MatchRun.event_id == event_id)
                                   .options(joinedload(MatchRun.created_by))
                                   .order_by(MatchRun.created_at.desc(), MatchRun.id.desc())))


def run_of_event(event_id: int, run_id: int) -> MatchRun | None:
    run = db.session.get(MatchRun, run_id)
    return run if run is not None and run.event_id == event_id else None


def published_run(event_id: int) -> MatchRun | None:
    return db.session.scalar(select(MatchRun).where(MatchRun.event_id == event_id,
                                                    MatchRun.status == RunStatus.PUBLISHED)
                             .order_by(MatchRun.published_at.desc(), MatchRun.id.desc()).limit(1))


def events_with_published_run(event_ids: Iterable[int]) -> set[int]:
    """Which of these events have published interviews (one query for a whole list)."""
    ids = list(event_ids)
    if not ids:
        return set()
    return set(db.session.scalars(select(MatchRun.event_id).where(
        MatchRun.event_id.in_(ids), MatchRun.status == RunStatus.PUBLISHED).distinct()))


def inputs_of(run: MatchRun) -> dict:
    return _json_object(run.inputs_summary)


def results_of(run: MatchRun) -> dict:
    return _json_object(run.results_summary)


@dataclass
class BoothFill:
    booth: Booth
    interviews: int
    capacity: int

    @property
    def share(self) -> float:
        return self.interviews / self.capacity if self.capacity else 0.0


FILL_ORDERS = ("fill", "-fill", "booth")


def booth_fill(run: MatchRun, order: str = "-fill") -> list[BoothFill]:
    """Interviews / capacity for every booth of the run, sorted by fill (or by booth code)."""
    fill = {booth_id: (interviews, capacity) for booth_id, interviews, capacity in results_of(run).get("fill", [])}
    booths = db.session.scalars(select(Booth).where(Booth.id.in_(select(MatchRunBooth.booth_id).where(
        MatchRunBooth.run_id == run.id))).options(joinedload(Booth.organization), joinedload(Booth.hall)))
    rows = [BoothFill(booth, *fill.get(booth.id, (0, 0))) for booth in booths]
    if order == "booth":
        rows.sort(key=lambda row: (code_sort_key(row.booth.code), row.booth.id))
    else:
        sign = -1 if order == "-fill" else 1
        rows.sort(key=lambda row: (sign * row.share, sign * row.interviews, code_sort_key(row.booth.code),
                                    row.booth.id))
    return rows


@dataclass
class UnmatchedCandidate:
    candidate_id: int
    name: str
    name_latin: str
    ranked: int  # how many booths they ranked (in the run)


def unmatched_candidates(run: MatchRun, page: int = 1, per_page: int = 50) -> tuple[list[UnmatchedCandidate], int]:
    """Candidates of the run with no interview, by name; and how many there are in all."""
    condition = (MatchRunCandidate.run_id == run.id) & ~exists().where(
        Interview.run_id == run.id, Interview.candidate_id == MatchRunCandidate.candidate_id)
    total = db.session.scalar(select(func.count()).select_from(MatchRunCandidate).where(condition))
    rows = db.session.execute(
        select(MatchRunCandidate.candidate_id, MatchRunCandidate.choices_json, User.display_name,
               CandidateProfile.name, CandidateProfile.name_latin)
        .join(User, User.id == MatchRunCandidate.candidate_id)
        .outerjoin(CandidateProfile, CandidateProfile.user_id == MatchRunCandidate.candidate_id)
        .where(condition).order_by(MatchRunCandidate.candidate_id)
        .limit(per_page).offset((max(page, 1) - 1) * per_page)).tuples()
    return [UnmatchedCandidate(candidate_id, name or display_name, name_latin or "", len(_json_list(choices)))
            for candidate_id, choices, display_name, name, name_latin in rows], total


def _json_list(text: str | None) -> list:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return value if isinstance(value, list) else []


# --- Publishing -----------------------------------------------------------------------------------

def publishing_early(event_id: int, now: datetime | None = None) -> MatchingRound | None:
    """The fair's matching settings while candidates may still rank booths (None after the deadline):
    publishing a run then ends their ranking early."""
    round_ = preferences.matching_round(event_id)
    return round_ if preferences.is_open(round_, now) else None


def publish_run(event_id: int, run_id: int, now: datetime | None = None, *,
                before_deadline_confirmed: bool = False) -> MatchRun:
    """Make a DRAFT run the event's schedule: an earlier published run becomes SUPERSEDED, and every
    matched candidate and the staff of every booth with interviews are e-mailed. Flushes.

    Before the preferences' deadline this is refused (PublishingBeforeDeadline) unless
    ``before_deadline_confirmed``: a published run ends the candidates' ranking.

    The event's runs are locked first (a row lock on PostgreSQL), so two organizers publishing at
    once are served one after the other and only one run is ever PUBLISHED."""
    runs = list(db.session.scalars(select(MatchRun).where(MatchRun.event_id == event_id)
                                   .order_by(MatchRun.id).with_for_update()))
    run = next((candidate for candidate in runs if candidate.id == run_id), None)
    if run is None:
        raise LookupError(run_id)
    if run.status == RunStatus.PUBLISHED:
        raise MatchingRefused(_l("This run is already published."))
    if run.status == RunStatus.SUPERSEDED:
        raise MatchingRefused(_l("This run was published before and has been replaced by a later one; run the "
                                 "matching again to publish a new schedule."))
    now = now or utcnow()
    early = publishing_early(event_id, now)
    if early is not None and not before_deadline_confirmed:
        raise PublishingBeforeDeadline(early.deadline, early.event.timezone)
    replaced = [other for other in runs if other.status == RunStatus.PUBLISHED]
    for other in replaced:
        other.status = RunStatus.SUPERSEDED
    run.status, run.published_at = RunStatus.PUBLISHED, now
    db.session.flush()
    _cancel_interviews_of_ended_registrations(run, run.published_at)
    _send_interview_emails(run, replaces_earlier=bool(replaced))
    return run


def _cancel_interviews_of_ended_registrations(run: MatchRun, now: datetime) -> None:
    """A registration that ended, or a booth withdrawn or rejected, between the run and its publication
    takes its interviews with it, as it would have after (see matchmaking.interviews); nobody is told
    about a schedule they never had."""
    no_longer_confirmed = ~exists().where(Registration.event_id == run.event_id,
                                          Registration.user_id == Interview.candidate_id,
                                          Registration.status == RegistrationStatus.CONFIRMED)
    db.session.execute(update(Interview).where(Interview.run_id == run.id, Interview.cancelled_at.is_(None),
                                               no_longer_confirmed)
                       .values(cancelled_at=now, cancel_reason=CancelReason.REGISTRATION))
    booth_gone = Interview.booth_id.in_(select(Booth.id).where(Booth.status.in_(
        (BoothStatus.WITHDRAWN, BoothStatus.REJECTED))))
    db.session.execute(update(Interview).where(Interview.run_id == run.id, Interview.cancelled_at.is_(None),
                                               booth_gone).values(cancelled_at=now, cancel_reason=CancelReason.BOOTH))


def announce_new_times(run: MatchRun) -> None:
    """The published schedule's times changed (the event moved): e-mail everyone in it their interviews again."""
    _send_interview_emails(run, replaces_earlier=True)


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


def _run_booths(run: MatchRun) -> dict[int, Booth]:
    return {booth.id: booth for booth in db.session.scalars(
        select(Booth).where(Booth.id.in_(select(MatchRunBooth.booth_id).where(MatchRunBooth.run_id == run.id)))
        .options(joinedload(Booth.organization), joinedload(Booth.hall)))}


def _send_interview_emails(run: MatchRun, replaces_earlier: bool) -> None:
    event = db.session.get(Event, run.event_id)
    booths = _run_booths(run)
    rows = db.session.execute(
        select(Interview.id, Interview.slot, Interview.starts_at, Interview.ends_at, Interview.booth_id,
               Interview.candidate_id, Interview.choice_position, User.email, User.locale, User.display_name,
               User.erased_at, CandidateProfile.name, CandidateProfile.name_latin)
        .join(User, User.id == Interview.candidate_id)
        .outerjoin(CandidateProfile, CandidateProfile.user_id == Interview.candidate_id)
        .where(Interview.run_id == run.id, live_interview_condition())
        .order_by(Interview.candidate_id, Interview.starts_at, Interview.booth_id)).tuples()
    by_candidate: dict[int, tuple[tuple, list[ScheduledInterview]]] = {}
    by_booth: dict[int, list[ScheduledInterview]] = defaultdict(list)
    for (interview_id, slot, starts_at, ends_at, booth_id, candidate_id, position, email, locale, display_name,
         erased_at, name, name_latin) in rows:
        item = ScheduledInterview(interview_id, slot, starts_at, ends_at, booths[booth_id], candidate_id,
                                  name or display_name, name_latin or "", position)
        by_booth[booth_id].append(item)
        if erased_at is None:
            by_candidate.setdefault(candidate_id, ((email, locale, display_name), []))[1].append(item)

    my_interviews_url = public_url("match_runs.my_interviews")
    event_url = public_url("events.event_detail", slug=event.slug)
    for (email, locale, display_name), interviews in by_candidate.values():
        queue_email("interviews_candidate", email, locale, "interviews_candidate", name=display_name, event=event,
                    interviews=interviews, replaces_earlier=replaces_earlier, event_url=event_url,
                    my_interviews_url=my_interviews_url)

    staff = staff_of({booths[booth_id].organization_id for booth_id in by_booth})
    for booth_id, interviews in sorted(by_booth.items()):
        booth = booths[booth_id]
        interviews.sort(key=lambda item: (item.slot, item.candidate_name, item.candidate_id))
        slots = _group_by_slot(interviews)
        for user in staff.get(booth.organization_id, ()):
            queue_email("interviews_employer", user.email, user.locale, "interviews_employer", user=user,
                        event=event, booth=booth, organization=booth.organization, slots=slots,
                        count=len(interviews), replaces_earlier=replaces_earlier, event_url=event_url,
                        interviews_url=public_url("match_runs.booth_interviews", booth_id=booth.id))


@dataclass
class SlotGroup:
    slot: int
    starts_at: datetime
    ends_at: datetime
    interviews: list[ScheduledInterview]


def _group_by_slot(interviews: list[ScheduledInterview]) -> list[SlotGroup]:
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
    choices = [int(booth_id) for booth_id in _json_list(choices_json)]
    booth_prefs, capacities = {}, {}
    for booth_id, capacity, ranking_json in db.session.execute(
            select(MatchRunBooth.booth_id, MatchRunBooth.capacity, MatchRunBooth.ranking_json)
            .where(MatchRunBooth.run_id == run.id, MatchRunBooth.booth_id.in_(choices))).tuples():
        booth_prefs[booth_id], capacities[booth_id] = _json_list(ranking_json), capacity
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
    return BoothSchedule(run, _group_by_slot(interviews), len(interviews))



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
