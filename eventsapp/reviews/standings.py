"""What the leaderboard keeps in the database, shared by every web process (no per-process cache):

- every sheet's **total** (``ScoreSheet.total``), computed with its points when it is written: by
  ``scoring.save_sheet``, which has the rubric at hand, or here (``before_insert``/``before_update`` on
  the sheet's mapper) for any other write; a changed rubric clears the totals of its round, and the
  leaderboard adds up the points of a sheet without a total itself. So ranking a round reads numbers,
  not every sheet's points;
- the round's last computed ranking (``LeaderboardSnapshot``), per scope (whole round or a track) and
  method, under the key of what it was computed from: the rubric and a fingerprint of the counted sheets
  (how many, the sums of their ids and versions, the latest change), which any saved, withdrawn or
  excluded sheet changes. Saving a sheet writes nothing more than before; the first leaderboard after it
  computes the ranking again and stores it for every process.

The ranking is stored packed as arrays of numbers (:func:`pack`), so that reading it back costs a few
milliseconds and builds only the page's rows (:class:`Packed`).
"""
from __future__ import annotations

import hashlib
import logging
import sys
from array import array
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import event as sa_event
from sqlalchemy import inspect, select, update
from sqlalchemy.exc import SQLAlchemyError

from eventsapp.contests.models import LeaderboardSnapshot, RubricCriterion, ScoreSheet, SheetState
from eventsapp.dbtypes import utcnow
from eventsapp.judging import EntryScore, sheet_total

WHOLE_ROUND = 0  # a snapshot's scope for the whole round; any other scope is a track's id
log = logging.getLogger(__name__)
FORMAT = 1  # the packed layout's version, part of every key: a new layout never reads an old one


# --- Sheet totals ---------------------------------------------------------------------------------

def rubric_of(connection, round_id: int) -> dict[str, tuple]:
    """The round's rubric as ``judging`` takes it: criterion id (text) → (weight, max points)."""
    return {str(criterion_id): (weight, max_points) for criterion_id, weight, max_points in connection.execute(
        select(RubricCriterion.id, RubricCriterion.weight, RubricCriterion.max_points)
        .where(RubricCriterion.round_id == round_id))}


def total_of(state, points: dict | None, rubric: dict[str, tuple]) -> float | None:
    """The total a sheet keeps: ``judging.sheet_total`` when submitted, None for a draft or for points
    the rubric cannot score (the leaderboard then names the problem, as ``judging.score_details`` does)."""
    if state != SheetState.SUBMITTED or not rubric:
        return None
    try:
        return sheet_total(points or {}, rubric)
    except ValueError:
        return None


def _changed(target, *names: str) -> bool:
    state = inspect(target)
    return any(state.attrs[name].history.has_changes() for name in names)


@sa_event.listens_for(ScoreSheet, "before_insert")
@sa_event.listens_for(ScoreSheet, "before_update")
def _keep_total(mapper, connection, target: ScoreSheet) -> None:
    """A sheet written with new points or state and no total set with them gets its total here."""
    if inspect(target).persistent and not _changed(target, "points", "state", "round_id"):
        return
    if _changed(target, "total"):
        return  # set by the caller with the points (``scoring.save_sheet``)
    target.total = total_of(target.state, target.points, rubric_of(connection, target.round_id))


@sa_event.listens_for(RubricCriterion, "after_insert")
@sa_event.listens_for(RubricCriterion, "after_update")
@sa_event.listens_for(RubricCriterion, "after_delete")
def _forget_totals(mapper, connection, target: RubricCriterion) -> None:
    """A changed rubric (the services refuse it once judging began; a script may not) clears its round's
    totals, without touching the sheets' versions."""
    table = ScoreSheet.__table__
    connection.execute(update(table).where(table.c.round_id == target.round_id, table.c.total.is_not(None))
                       .values(total=None, updated_at=table.c.updated_at))


# --- The ranking, packed --------------------------------------------------------------------------

FLOATS = ("score", "raw", "trimmed", "normalised", "spread")


def pack(scores: list[EntryScore]) -> bytes:
    """The ranking as bytes: entries, ranks, sheets and each judge's id as 64-bit integers, the scores and
    each judge's total as doubles (exactly the floats computed), the flags as bytes; little-endian."""
    ints = array("q", [len(scores), sum(len(score.totals) for score in scores)])
    ints.extend(score.entry for score in scores)
    ints.extend(score.rank for score in scores)
    ints.extend(score.sheets for score in scores)
    ints.extend(judge for score in scores for judge, _ in score.totals)
    floats = array("d")
    for name in FLOATS:
        floats.extend(getattr(score, name) for score in scores)
    floats.extend(total for score in scores for _, total in score.totals)
    if sys.byteorder != "little":  # pragma: no cover - every machine this runs on is little-endian
        ints.byteswap()
        floats.byteswap()
    return ints.tobytes() + floats.tobytes() + bytes(score.flagged for score in scores)


@dataclass
class Packed:
    """A packed ranking, read back: figures by position; :meth:`scores` builds the EntryScores asked for."""
    count: int
    ints: array
    floats: array
    flags: bytes
    starts: list[int]  # where each entry's judges and totals begin

    @classmethod
    def load(cls, payload: bytes) -> Packed:
        head = array("q")
        head.frombytes(payload[:16])
        if sys.byteorder != "little":  # pragma: no cover
            head.byteswap()
        count, sheets = head
        int_bytes, float_bytes = 8 * (2 + 3 * count + sheets), 8 * (len(FLOATS) * count + sheets)
        ints, floats = array("q"), array("d")
        ints.frombytes(payload[:int_bytes])
        floats.frombytes(payload[int_bytes:int_bytes + float_bytes])
        if sys.byteorder != "little":  # pragma: no cover
            ints.byteswap()
            floats.byteswap()
        flags = payload[int_bytes + float_bytes:]
        if len(flags) != count or len(ints) != 2 + 3 * count + sheets:
            raise ValueError("a leaderboard snapshot of the wrong length")
        starts, position = [], 0
        for number in ints[2 + 2 * count:2 + 3 * count]:
            starts.append(position)
            position += number
        return cls(count, ints, floats, flags, starts)

    @property
    def flagged(self) -> int:
        return sum(self.flags)

    def scores(self, start: int = 0, stop: int | None = None) -> list[EntryScore]:
        count, ints, floats = self.count, self.ints, self.floats
        stop = count if stop is None else min(stop, count)
        judges_at, totals_at = 2 + 3 * count, len(FLOATS) * count
        result = []
        for index in range(max(start, 0), stop):
            sheets, first = ints[2 + 2 * count + index], self.starts[index]
            totals = tuple(zip(ints[judges_at + first:judges_at + first + sheets],
                               floats[totals_at + first:totals_at + first + sheets], strict=True))
            result.append(EntryScore(ints[2 + index], ints[2 + count + index], floats[index], floats[count + index],
                                     floats[2 * count + index], floats[3 * count + index], sheets,
                                     floats[4 * count + index], bool(self.flags[index]), totals))
        return result


# --- Snapshots ------------------------------------------------------------------------------------

def snapshot_key(rubric: dict[str, tuple], fingerprint: Iterable) -> str:
    """What a ranking was computed from, as text: the layout, the rubric, the counted sheets' fingerprint."""
    rubric_part = ",".join(f"{criterion}:{weight}:{max_points}" for criterion, (weight, max_points)
                           in sorted(rubric.items()))
    fingerprint_part = ",".join("" if value is None else str(value) for value in fingerprint)
    key = f"{FORMAT}|{fingerprint_part}|{rubric_part}"
    if len(key) > 200:  # a long rubric: its digest instead
        key = f"{FORMAT}|{fingerprint_part}|{hashlib.sha256(rubric_part.encode()).hexdigest()}"
    return key


def read_snapshot(session, round_id: int, scope: int, method: str, key: str) -> Packed | None:
    """The stored ranking when it was computed from ``key``; None otherwise."""
    row = session.execute(select(LeaderboardSnapshot.key, LeaderboardSnapshot.payload).where(
        LeaderboardSnapshot.round_id == round_id, LeaderboardSnapshot.scope == scope,
        LeaderboardSnapshot.method == method)).first()
    if row is None or row[0] != key:
        return None
    return Packed.load(bytes(row[1]))


def store_snapshot(session, round_id: int, scope: int, method: str, key: str, scores: list[EntryScore]) -> None:
    """Keep the ranking for every process. On PostgreSQL a snapshot row another transaction is writing
    right now (an organizer computing the same ranking) is left to it rather than waited for — never a
    queue of page loads, nor two of them waiting on each other's rows; SQLite runs writers one at a time
    anyway (an upsert). In a savepoint: a failure here is logged and costs the next request a
    computation, nothing more."""
    connection = session.connection()
    values = {"key": key, "payload": pack(scores), "computed_at": utcnow()}
    where = (LeaderboardSnapshot.round_id == round_id, LeaderboardSnapshot.scope == scope,
             LeaderboardSnapshot.method == method)
    try:
        with session.begin_nested():
            if connection.dialect.name == "postgresql":
                from sqlalchemy.dialects.postgresql import insert

                held = session.execute(select(LeaderboardSnapshot.round_id).where(*where)
                                       .with_for_update(skip_locked=True)).first()
                if held is not None:
                    session.execute(update(LeaderboardSnapshot).where(*where).values(**values))
                else:  # missing, or being written by another transaction: then theirs stays
                    session.execute(insert(LeaderboardSnapshot).values(
                        round_id=round_id, scope=scope, method=method, **values).on_conflict_do_nothing())
            else:
                from sqlalchemy.dialects.sqlite import insert

                statement = insert(LeaderboardSnapshot).values(round_id=round_id, scope=scope, method=method,
                                                               **values)
                session.execute(statement.on_conflict_do_update(
                    index_elements=["round_id", "scope", "method"],
                    set_={name: statement.excluded[name] for name in values}))
    except SQLAlchemyError:
        log.warning("the leaderboard of round %s could not be stored", round_id, exc_info=True)
