"""What the leaderboard keeps in the database, shared by every web process (no per-process cache):

- every sheet's **total** (``ScoreSheet.total``), computed with its points when it is written: by
  ``scoring.save_sheet``, which has the rubric at hand, or here (``before_insert``/``before_update`` on
  the sheet's mapper) for any other write; a changed rubric clears the totals of its round, and the
  leaderboard adds up the points of a sheet without a total itself. So ranking a round reads numbers,
  not every sheet's points;
- the round's ranking (``Ranking``, one per scope: whole round or a track), under the key of what it was
  computed from: the rubric and a fingerprint of the counted sheets (how many, the sums of their ids and
  versions, the latest change), with one ``RankingRow`` per entry in ranking order. It is written in the
  transaction that changes it (``reviews.leaderboard``), under the round's lock (:func:`lock_round`), so
  that a page reads only the rows it shows (:func:`ranked_rows`).
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, insert, inspect, select, update
from sqlalchemy import event as sa_event

from eventsapp.contests.models import Ranking, RankingRow, RubricCriterion, ScoreSheet, SheetState
from eventsapp.dbtypes import utcnow
from eventsapp.judging import EntryScore, sheet_total

WHOLE_ROUND = 0  # a ranking's scope for the whole round; any other scope is a track's id
FORMAT = 2  # the stored layout's version, part of every key: a new layout never reads an old one


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


RANKED_COLUMNS = (RankingRow.entry_id, RankingRow.rank, RankingRow.score, RankingRow.raw, RankingRow.trimmed,
                  RankingRow.normalised, RankingRow.sheets, RankingRow.spread, RankingRow.flagged, RankingRow.totals)


def score_of(row) -> EntryScore:
    """A stored row's score, from the values of :data:`RANKED_COLUMNS` (in that order)."""
    entry, rank, score, raw, trimmed, normalised, sheets, spread, flagged, totals = row
    return EntryScore(entry, rank, score, raw, trimmed, normalised, sheets, spread, bool(flagged),
                      tuple((judge, total) for judge, total in totals))


def ranked_range(round_id: int, scope: int, start: int, stop: int):
    """The condition on the stored ranking's positions ``start`` to ``stop`` (0-based, stop excluded): one
    range of the primary key."""
    return (RankingRow.round_id == round_id, RankingRow.scope == scope, RankingRow.position >= max(start, 0),
            RankingRow.position < stop)


def ranked_rows(connection, round_id: int, scope: int, start: int, stop: int) -> list[EntryScore]:
    """The stored ranking's entries at positions ``start`` to ``stop`` (0-based, stop excluded)."""
    rows = connection.execute(select(*RANKED_COLUMNS).where(*ranked_range(round_id, scope, start, stop))
                              .order_by(RankingRow.position))
    return [score_of(row) for row in rows]


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


ROW_COLUMNS = ("round_id", "scope", "position", "entry_id", "rank", "score", "raw", "trimmed", "normalised", "sheets",
               "spread", "flagged", "totals")


def store_ranking(session, round_id: int, scope: int, method: str, key: str, scores: list[EntryScore]) -> None:
    """Replace the scope's stored ranking (the caller holds :func:`lock_round`)."""
    connection = session.connection()
    where = (Ranking.round_id == round_id, Ranking.scope == scope)
    summary = {"method": method, "key": key, "entries": len(scores),
               "flagged": sum(score.flagged for score in scores), "computed_at": utcnow()}
    if connection.execute(update(Ranking).where(*where).values(**summary)).rowcount == 0:
        connection.execute(insert(Ranking).values(round_id=round_id, scope=scope, **summary))
    connection.execute(delete(RankingRow).where(RankingRow.round_id == round_id, RankingRow.scope == scope))
    if not scores:
        return
    rows = ((round_id, scope, position, score.entry, score.rank, score.score, score.raw, score.trimmed,
             score.normalised, score.sheets, score.spread, score.flagged, [list(pair) for pair in score.totals])
            for position, score in enumerate(scores))
    if connection.dialect.name == "postgresql":
        # COPY: a third of the time of an INSERT of 2,000 rows. Floats go as Python's shortest repr, which
        # PostgreSQL reads back to the very same double.
        with connection.connection.dbapi_connection.cursor() as cursor, cursor.copy(
                f"COPY {RankingRow.__tablename__} ({', '.join(ROW_COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((*row[:-1], json.dumps(row[-1])))
    else:
        connection.execute(insert(RankingRow), [dict(zip(ROW_COLUMNS, row, strict=True)) for row in rows])


def forget_ranking(session, round_id: int, scope: int) -> None:
    """Empty the scope's stored ranking and its key: its next reader computes it (and meets its error, if
    any). The caller holds :func:`lock_round`."""
    connection = session.connection()
    connection.execute(delete(RankingRow).where(RankingRow.round_id == round_id, RankingRow.scope == scope))
    connection.execute(update(Ranking).where(Ranking.round_id == round_id, Ranking.scope == scope)
                       .values(method="", key="", entries=0, flagged=0))
