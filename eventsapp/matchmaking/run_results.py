"""Stored matching runs, read back: the event's runs, the published one, what a run read and
decided (its summaries), how full each booth's interviews are and who got none — for the organizer's
review and for the pages that only need to know whether a schedule is out.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import exists, func, select
from sqlalchemy.orm import joinedload

from eventsapp.accounts.models import User
from eventsapp.booths.floorplan import code_sort_key
from eventsapp.booths.models import Booth
from eventsapp.candidates.models import CandidateProfile
from eventsapp.extensions import db
from eventsapp.matchmaking.models import Interview, MatchRun, MatchRunBooth, MatchRunCandidate, RunStatus


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
    return json_object(run.inputs_summary)


def results_of(run: MatchRun) -> dict:
    return json_object(run.results_summary)


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
    return [UnmatchedCandidate(candidate_id, name or display_name, name_latin or "", len(json_list(choices)))
            for candidate_id, choices, display_name, name, name_latin in rows], total



def json_list(text: str | None) -> list:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return value if isinstance(value, list) else []



def json_object(text: str | None):
    try:
        return json.loads(text or "{}")
    except ValueError:
        return {}

