"""What the leaderboard keeps in the database, shared by every web process (no per-process cache):

- every sheet's **total** (``ScoreSheet.total``), computed with its points when it is written: by
  ``scoring.save_sheet``, which has the rubric at hand, or here (``before_insert``/``before_update`` on
  the sheet's mapper) for any other write; a changed rubric clears the totals of its round, and the
  leaderboard adds up the points of a sheet without a total itself. So ranking a round reads numbers,
  not every sheet's points;
- the round's ranking (``Ranking``, one per scope: whole round or a track), under the key of what it was
  computed from: the rubric and a fingerprint of the counted sheets (how many, the sums of their ids and
  versions, the latest change), with its entries in ranking order in ``RankingPart`` rows of
  :data:`PART_SIZE` (a page's). It is written in the
  transaction that changes it (``reviews.leaderboard``), under the round's lock (:func:`lock_round`), so
  that a page reads only the rows it shows (:func:`ranked_rows`).
"""
from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, insert, inspect, select, update
from sqlalchemy import event as sa_event

from eventsapp.contests.models import Ranking, RankingPart, RubricCriterion, ScoreSheet, SheetState
from eventsapp.dbtypes import utcnow
from eventsapp.judging import EntryScore, sheet_total

WHOLE_ROUND = 0  # a ranking's scope for the whole round; any other scope is a track's id
FORMAT = 3  # the stored layout's version, part of every key: a new layout never reads an old one
PART_SIZE = 100  # entries per stored part: the leaderboard's page, read whole


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


# --- Stored rankings ------------------------------------------------------------------------------

def ranking_key(rubric: dict[str, tuple], fingerprint: Iterable) -> str:
    """What a ranking was computed from, as text: the layout, the rubric, the counted sheets' fingerprint."""
    rubric_part = ",".join(f"{criterion}:{weight}:{max_points}" for criterion, (weight, max_points)
                           in sorted(rubric.items()))
    fingerprint_part = ",".join("" if value is None else str(value) for value in fingerprint)
    key = f"{FORMAT}|{fingerprint_part}|{rubric_part}"
    if len(key) > 200:  # a long rubric: its digest instead
        key = f"{FORMAT}|{fingerprint_part}|{hashlib.sha256(rubric_part.encode()).hexdigest()}"
    return key


@dataclass(frozen=True)
class Stored:
    """A stored ranking's summary: how many entries it ranks and how many of them are flagged."""
    count: int
    flagged: int


def read_ranking(connection, round_id: int, scope: int, method: str, key: str) -> Stored | None:
    """The stored ranking's summary when it was computed by ``method`` from ``key``; None otherwise."""
    return summary_of(connection.execute(select(Ranking.method, Ranking.key, Ranking.entries, Ranking.flagged).where(
        Ranking.round_id == round_id, Ranking.scope == scope)).first(), method, key)


def summary_of(row, method: str, key: str) -> Stored | None:
    """A ``Ranking``'s (method, key, entries, flagged) as :func:`read_ranking` answers it (None: no row, or
    not computed by ``method`` from ``key``)."""
    if row is None or row[0] != method or row[1] != key:
        return None
    return Stored(row[2], row[3])


# A stored entry: entry id, rank, score, raw, trimmed, normalised, spread, sheets, flagged, how many
# judges' totals follow; then each judge's id and total. Little-endian, floats as the very doubles.
_ENTRY = struct.Struct("<qiddddd?iH")
_JUDGE_TOTAL = struct.Struct("<qd")


def _pack(scores: Iterable[EntryScore]) -> bytes:
    packed = bytearray()
    for score in scores:
        packed += _ENTRY.pack(score.entry, score.rank, score.score, score.raw, score.trimmed, score.normalised,
                              score.spread, score.flagged, score.sheets, len(score.totals))
        for judge, total in score.totals:
            packed += _JUDGE_TOTAL.pack(judge, total)
    return bytes(packed)


def _unpack(packed: bytes) -> list[EntryScore]:
    scores, offset = [], 0
    while offset < len(packed):
        entry, rank, score, raw, trimmed, normalised, spread, flagged, sheets, judges = _ENTRY.unpack_from(
            packed, offset)
        offset += _ENTRY.size
        totals = tuple(_JUDGE_TOTAL.unpack_from(packed, offset + number * _JUDGE_TOTAL.size)
                       for number in range(judges))
        offset += judges * _JUDGE_TOTAL.size
        scores.append(EntryScore(entry, rank, score, raw, trimmed, normalised, sheets, spread, flagged, totals))
    return scores


def ranked_rows(connection, round_id: int, scope: int, start: int, stop: int) -> list[EntryScore]:
    """The stored ranking's entries at positions ``start`` to ``stop`` (0-based, stop excluded): the parts
    that hold them (one for a page)."""
    start = max(start, 0)
    if stop <= start:
        return []
    first = start // PART_SIZE
    parts = connection.scalars(select(RankingPart.entries).where(
        RankingPart.round_id == round_id, RankingPart.scope == scope, RankingPart.part >= first,
        RankingPart.part <= (stop - 1) // PART_SIZE).order_by(RankingPart.part))
    scores = [score for part in parts for score in _unpack(part)]
    return scores[start - first * PART_SIZE:stop - first * PART_SIZE]


def lock_round(session, round_id: int, wait: bool = True) -> bool:
    """Hold the round's ranking lock (its whole-round ``Ranking`` row, made when missing) to the end of the
    transaction: two transactions never rank the same round at once, and the second ranks what the first
    committed. Only ranking takes it, always last in its transaction and in the order of the rounds' ids,
    so it cannot be part of a deadlock. With ``wait=False`` (a page computing a ranking it found out of
    date) a lock held by another transaction is not waited for: False, and the other one stores it. SQLite
    runs writing transactions one at a time: nothing to lock."""
    connection = session.connection()
    values = {"round_id": round_id, "scope": WHOLE_ROUND, "method": "", "key": "", "entries": 0, "flagged": 0,
              "computed_at": utcnow()}
    if connection.dialect.name != "postgresql":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        connection.execute(sqlite_insert(Ranking).values(**values).on_conflict_do_nothing())
        return True
    from sqlalchemy.dialects.postgresql import insert as pg_insert

    lock = select(Ranking.round_id).where(Ranking.round_id == round_id, Ranking.scope == WHOLE_ROUND)
    if not wait:
        if connection.execute(lock.with_for_update(skip_locked=True)).first() is not None:
            return True
        if connection.execute(lock).first() is not None:
            return False  # held by another transaction
    connection.execute(pg_insert(Ranking).values(**values).on_conflict_do_nothing())
    return connection.execute(lock.with_for_update(skip_locked=not wait)).first() is not None


def store_ranking(session, round_id: int, scope: int, method: str, key: str, scores: list[EntryScore]) -> None:
    """Replace the scope's stored ranking (the caller holds :func:`lock_round`)."""
    connection = session.connection()
    where = (Ranking.round_id == round_id, Ranking.scope == scope)
    summary = {"method": method, "key": key, "entries": len(scores),
               "flagged": sum(score.flagged for score in scores), "computed_at": utcnow()}
    if connection.execute(update(Ranking).where(*where).values(**summary)).rowcount == 0:
        connection.execute(insert(Ranking).values(round_id=round_id, scope=scope, **summary))
    connection.execute(delete(RankingPart).where(RankingPart.round_id == round_id, RankingPart.scope == scope))
    if not scores:
        return
    connection.execute(insert(RankingPart), [
        {"round_id": round_id, "scope": scope, "part": start // PART_SIZE,
         "entries": _pack(scores[start:start + PART_SIZE])} for start in range(0, len(scores), PART_SIZE)])


def forget_ranking(session, round_id: int, scope: int) -> None:
    """Empty the scope's stored ranking and its key: its next reader computes it (and meets its error, if
    any). The caller holds :func:`lock_round`."""
    connection = session.connection()
    connection.execute(delete(RankingPart).where(RankingPart.round_id == round_id, RankingPart.scope == scope))
    connection.execute(update(Ranking).where(Ranking.round_id == round_id, Ranking.scope == scope)
                       .values(method="", key="", entries=0, flagged=0))
