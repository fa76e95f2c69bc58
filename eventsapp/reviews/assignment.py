"""Panels, and who reviews which entry in a round.

A round's entries are its submitted entries (the first round) or those an organizer put in it
(``EntryRound`` rows, later rounds); withdrawn entries never. A judge may review an entry when they
accepted their invitation and sit on a panel of the round for the entry's track, or for every track.
``assign_round`` asks the engine (``eventsapp.judging.assign_reviews``) for the whole round at once and
replaces the round's assignments; organizers then add or remove a judge of one entry by hand, which the
engine's ``check_hand_assignment`` refuses when it creates a conflict, a second seat or an overload.
Services flush; callers commit.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, insert, select
from sqlalchemy.exc import IntegrityError

from eventsapp.accounts.models import User
from eventsapp.audit import services as audit
from eventsapp.contests.models import (
    AssignedBy,
    ContestJudge,
    Entry,
    EntryRound,
    EntryState,
    Panel,
    PanelMember,
    ReviewAssignment,
    Round,
    RoundState,
    ScoreSheet,
    Track,
)
from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.judging import HandChangeRefused, Issue, assign_reviews, check_hand_assignment
from eventsapp.reviews import emails
from eventsapp.reviews.conflicts import conflict_pairs, detect_conflicts
from eventsapp.validation import ValidationFailed

TEXT_LIMITS = {"name": 100, "room": 100}


class AssignmentFailed(Exception):
    """No assignment gives every entry its judges; ``entry`` is one that cannot be served (None when the
    problem is not one entry's)."""

    def __init__(self, message: str, entry: Entry | None = None):
        super().__init__(message)
        self.message = message
        self.entry = entry


def entries_condition(round_: Round):
    """The SQL condition on Entry of the entries competing in the round."""
    if round_.position == 1:
        return (Entry.contest_id == round_.contest_id) & (Entry.state == EntryState.SUBMITTED)
    return (Entry.state != EntryState.WITHDRAWN) & exists().where(EntryRound.entry_id == Entry.id,
                                                                  EntryRound.round_id == round_.id)


def round_entries(round_: Round) -> list[Entry]:
    return list(db.session.scalars(select(Entry).where(entries_condition(round_)).order_by(Entry.id)))


def is_in_round(round_: Round, entry_id: int) -> bool:
    return db.session.scalar(select(exists().where(Entry.id == entry_id, entries_condition(round_))))


# --- Panels ---------------------------------------------------------------------------------------

def panels_of(round_: Round) -> list[Panel]:
    return list(db.session.scalars(select(Panel).where(Panel.round_id == round_.id).order_by(Panel.id)))


def add_panel(round_: Round, track_id: int | None, name: str, room: str = "") -> Panel:
    name, room = " ".join((name or "").split()), " ".join((room or "").split())
    errors = [(field, _l("At most %(max)d characters.", max=TEXT_LIMITS[field]))
              for field, value in (("name", name), ("room", room)) if len(value) > TEXT_LIMITS[field]]
    if track_id is not None and db.session.scalar(
            select(Track.id).where(Track.id == track_id, Track.contest_id == round_.contest_id)) is None:
        errors.append(("track", _l("Choose one of the contest's tracks.")))
    if errors:
        raise ValidationFailed(errors)
    panel = Panel(round_id=round_.id, track_id=track_id, name=name, room=room)
    db.session.add(panel)
    db.session.flush()
    return panel


def add_panel_member(panel: Panel, judge: ContestJudge) -> None:
    """Put a judge of the contest on the panel; a second add changes nothing."""
    if db.session.scalar(select(PanelMember.id).where(PanelMember.panel_id == panel.id,
                                                      PanelMember.judge_id == judge.id)) is None:
        db.session.add(PanelMember(panel_id=panel.id, judge_id=judge.id))
        db.session.flush()


def remove_panel_member(panel: Panel, judge_id: int) -> None:
    db.session.execute(delete(PanelMember).where(PanelMember.panel_id == panel.id, PanelMember.judge_id == judge_id))


def delete_panel(panel: Panel) -> None:
    db.session.delete(panel)
    db.session.flush()


# --- Who may review what --------------------------------------------------------------------------

@dataclass
class RoundJudges:
    """A round's judges who accepted, and which of them may review each track's entries."""
    judges: dict[int, ContestJudge]
    by_track: dict[int | None, set[int]]  # None: the panels for every track

    def for_track(self, track_id: int) -> set[int]:
        return self.by_track.get(track_id, set()) | self.by_track.get(None, set())


def round_judges(round_: Round) -> RoundJudges:
    rows = db.session.execute(
        select(Panel.track_id, ContestJudge).join(PanelMember, PanelMember.panel_id == Panel.id)
        .join(ContestJudge, ContestJudge.id == PanelMember.judge_id)
        .where(Panel.round_id == round_.id, ContestJudge.user_id.is_not(None)).order_by(ContestJudge.id))
    judges: dict[int, ContestJudge] = {}
    by_track: dict[int | None, set[int]] = defaultdict(set)
    for track_id, judge in rows:
        judges[judge.id] = judge
        by_track[track_id].add(judge.id)
    return RoundJudges(judges, dict(by_track))


def current_assignment(round_: Round) -> dict[int, list[int]]:
    """Entry id → its judges' ids in the round, for every entry with at least one judge."""
    assignment: dict[int, list[int]] = defaultdict(list)
    for entry_id, judge_id in db.session.execute(
            select(ReviewAssignment.entry_id, ReviewAssignment.judge_id)
            .where(ReviewAssignment.round_id == round_.id).order_by(ReviewAssignment.entry_id, ReviewAssignment.id)):
        assignment[entry_id].append(judge_id)
    return dict(assignment)


def _limits(judges: dict[int, ContestJudge], max_load: int | None) -> dict[int, int | None]:
    """Each judge's limit: their own, the round's, whichever is lower (None: no limit)."""
    limits = {}
    for judge_id, judge in judges.items():
        candidates = [limit for limit in (judge.max_load, max_load) if limit is not None]
        limits[judge_id] = min(candidates) if candidates else None
    return limits


def _components(entries: list[Entry], allowed: dict[int, frozenset[int]]) -> list[list[Entry]]:
    """The entries split into groups that share no judge, so that each is assigned on its own: tracks
    with panels of their own need no pairs ruling out the other tracks' judges."""
    parent: dict[int, int] = {}

    def root(judge: int) -> int:
        while parent.setdefault(judge, judge) != judge:
            parent[judge] = parent[parent[judge]]
            judge = parent[judge]
        return judge

    for judges in {tuple(sorted(judges)) for judges in allowed.values()}:
        for judge in judges[1:]:
            parent[root(judge)] = root(judges[0])
    groups: dict[object, list[Entry]] = defaultdict(list)
    for entry in entries:
        judges = allowed[entry.id]
        groups[root(next(iter(judges))) if judges else ("alone", entry.id)].append(entry)
    return list(groups.values())


def planned_assignment(round_: Round, per_entry: int, max_load: int | None) -> dict[int, list[int]]:
    """The engine's assignment of the round's entries (entry id → judge ids), or AssignmentFailed."""
    entries = round_entries(round_)
    if not entries:
        raise AssignmentFailed(str(_l("No entry is in this round yet: nothing to assign.")))
    panel = round_judges(round_)
    conflicts = conflict_pairs(round_.contest_id)
    limits = _limits(panel.judges, max_load)
    allowed = {entry.id: frozenset(panel.for_track(entry.track_id)) for entry in entries}
    result: dict[int, list[int]] = {}
    for group in _components(entries, allowed):
        judges = sorted(set().union(*(allowed[entry.id] for entry in group)))
        ids = [entry.id for entry in group]
        in_group = set(ids)
        ruled_out = {(judge, entry_id) for entry_id in ids for judge in judges if judge not in allowed[entry_id]}
        ruled_out |= {(judge, entry_id) for judge, entry_id in conflicts
                      if entry_id in in_group and judge in allowed[entry_id]}
        group_limits = {judge: len(ids) if limits[judge] is None else limits[judge] for judge in judges}
        try:
            result.update(assign_reviews(ids, judges, per_entry, ruled_out, group_limits))
        except ValueError as error:
            by_id = {entry.id: entry for entry in group}
            entry = by_id.get(getattr(error, "entry", None), group[0])
            raise AssignmentFailed(str(_l(
                "No assignment gives every entry %(count)d judges: entry #%(id)d “%(title)s” cannot get enough "
                "judges on its track's panels who are free of conflicts of interest and below their limit. Add "
                "judges to the panels, raise the limits or ask for fewer judges per entry.", count=per_entry,
                id=entry.id, title=entry.title_zh or entry.title_en)), entry) from None
    return result


def assign_round(round_: Round, per_entry: int, max_load: int | None, actor: User | None) -> dict[int, list[int]]:
    """Replace the round's assignments with the engine's. Refused once judges have begun scoring the
    round (change them by hand then), and for a closed round. Tells each judge by e-mail."""
    # Two organizers assigning at once: the round's row lock makes the second wait, then start from the first's.
    db.session.execute(select(Round.id).where(Round.id == round_.id).with_for_update())
    if round_.state == RoundState.CLOSED:
        raise AssignmentFailed(str(_l("The round is closed: its assignments can no longer change.")))
    if db.session.scalar(select(exists().where(ScoreSheet.round_id == round_.id))):
        raise AssignmentFailed(str(_l("Judges have begun scoring this round: change its assignments by hand.")))
    if per_entry < 1:
        raise AssignmentFailed(str(_l("Each entry needs at least one judge.")))
    detect_conflicts(round_.contest)
    planned = planned_assignment(round_, per_entry, max_load)
    db.session.execute(delete(ReviewAssignment).where(ReviewAssignment.round_id == round_.id))
    now = utcnow()
    rows = [{"round_id": round_.id, "judge_id": judge_id, "entry_id": entry_id, "assigned_by": AssignedBy.ENGINE,
             "created_at": now} for entry_id, judge_ids in planned.items() for judge_id in judge_ids]
    try:
        with db.session.begin_nested():
            db.session.execute(insert(ReviewAssignment), rows)
    except IntegrityError:  # assigned by someone else in the same moment (a database without row locks)
        raise AssignmentFailed(str(_l("The round was being assigned by someone else at the same moment. Reload "
                                      "the page to see their assignment."))) from None
    loads = defaultdict(int)
    for judge_ids in planned.values():
        for judge_id in judge_ids:
            loads[judge_id] += 1
    audit.record(actor, "reviews_assigned", round_, after={
        "per_entry": per_entry, "max_load": max_load, "entries": len(planned), "judges": len(loads),
        "largest_load": max(loads.values(), default=0)}, event_id=round_.contest.event_id)
    emails.tell_assigned([db.session.get(ContestJudge, judge_id) for judge_id in sorted(loads)], round_)
    db.session.flush()
    return planned


def _refusal(problem, judges: dict[int, ContestJudge]) -> str:
    judge = judges.get(problem.judge)
    name = (judge.name or judge.email) if judge is not None else str(problem.judge)
    if problem.issue == Issue.CONFLICT:
        return str(_l("%(name)s has a conflict of interest with this entry.", name=name))
    if problem.issue == Issue.DUPLICATE_JUDGE:
        return str(_l("%(name)s already reviews this entry.", name=name))
    if problem.issue == Issue.OVERLOAD:
        return str(_l("%(name)s would review %(count)d entries, above their limit of %(limit)d.", name=name,
                      count=problem.count, limit=problem.limit))
    return str(_l("%(name)s is not on a panel of this round for the entry's track.", name=name))


def change_entry_judges(round_: Round, entry: Entry, add: int | None = None, remove: int | None = None,
                        actor: User | None = None) -> None:
    """Add a judge to an entry, or take one off, by hand. Refused, with the reason, when the change
    creates a conflict of interest, names a judge off the entry's panels, seats a judge twice or takes
    a judge over their limit; a judge who has begun a score sheet for the entry stays."""
    db.session.execute(select(Round.id).where(Round.id == round_.id).with_for_update())
    if round_.state == RoundState.CLOSED:
        raise ValidationFailed([(None, _l("The round is closed: its assignments can no longer change."))])
    if not is_in_round(round_, entry.id):
        raise ValidationFailed([(None, _l("This entry is not in the round."))])
    panel = round_judges(round_)
    assignment = current_assignment(round_)
    everyone = dict(panel.judges)
    for judge in db.session.scalars(select(ContestJudge).where(ContestJudge.contest_id == round_.contest_id)):
        everyone.setdefault(judge.id, judge)
    chosen = list(assignment.get(entry.id, []))
    if remove is not None:
        if remove not in chosen:
            raise ValidationFailed([(None, _l("This judge does not review this entry."))])
        if db.session.scalar(select(exists().where(ScoreSheet.round_id == round_.id, ScoreSheet.judge_id == remove,
                                                   ScoreSheet.entry_id == entry.id))):
            raise ValidationFailed([(None, _l("%(name)s has begun a score sheet for this entry and stays on it.",
                                              name=everyone[remove].name or everyone[remove].email))])
        chosen.remove(remove)
    if add is not None:
        chosen.append(add)
    limits = {judge_id: limit for judge_id, limit in _limits(panel.judges, None).items() if limit is not None}
    try:
        check_hand_assignment(assignment, entry.id, chosen, panel.for_track(entry.track_id),
                              conflict_pairs(round_.contest_id), limits)
    except HandChangeRefused as refused:
        raise ValidationFailed([(None, _refusal(problem, everyone)) for problem in refused.problems]) from None
    if remove is not None:
        db.session.execute(delete(ReviewAssignment).where(
            ReviewAssignment.round_id == round_.id, ReviewAssignment.entry_id == entry.id,
            ReviewAssignment.judge_id == remove))
    if add is not None:
        try:
            with db.session.begin_nested():
                db.session.add(ReviewAssignment(round_id=round_.id, judge_id=add, entry_id=entry.id,
                                                assigned_by=AssignedBy.HAND))
        except IntegrityError:  # the same judge added by someone else a moment ago
            raise ValidationFailed([(None, _l("%(name)s already reviews this entry.",
                                              name=everyone[add].name or everyone[add].email))]) from None
    audit.record(actor, "review_judge_added" if add is not None else "review_judge_removed", entry,
                 after={"round": round_.position, "judge_id": add if add is not None else remove},
                 event_id=round_.contest.event_id)
    db.session.flush()
