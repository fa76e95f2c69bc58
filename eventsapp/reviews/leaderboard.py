"""A round's leaderboard for the organizer: every entry with a submitted sheet, ranked by the round's
method (``eventsapp.judging.score_details``), for the whole round or one track, with the raw and
normalised scores, the number of sheets and the spread between judges (large spreads flagged).

Sheets of withdrawn entries and of judges in conflict with the entry do not count. Nothing is kept in
the web process: every sheet keeps its total in the database, and the round's ranking is stored as rows
(``reviews.standings``), **ranked in the transaction that changes it**: whatever the session flushes
that a ranking hangs on (a sheet, an entry's state or track, a conflict of interest, an assignment, the
round's method or state, its rubric, a judge leaving) is noted (``after_flush``), and before that
transaction commits the rounds it touched are ranked again under the round's lock and stored
(``before_commit``, :func:`rank_changes`). So the page reads one summary row and the rows it shows.

The stored ranking keeps the key of what it was computed from — the rubric and a fingerprint of the
counted sheets (how many, the sums of their ids and versions, the latest change) — and the page checks
it: a change made without the session's flush (a bulk UPDATE, another program) is ranked by the first
page that reads it, as before.
"""
from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain

from sqlalchemy import and_, func, inspect, select
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from eventsapp.contests.models import (
    ConflictOfInterest,
    ContestJudge,
    Entry,
    EntryState,
    Ranking,
    ReviewAssignment,
    Round,
    RubricCriterion,
    ScoreSheet,
    SheetState,
    Track,
)
from eventsapp.extensions import db
from eventsapp.judging import EntryScore, score_details_of_totals, sheet_totals
from eventsapp.reviews import judges, standings


@dataclass(frozen=True)
class Row:
    """One line of the page, ready to show: texts in the page's language, figures formatted as shown."""
    entry_id: int
    rank: int
    title: str
    track: str
    score: str
    raw: str
    normalised: str
    sheets: int
    spread: str
    flagged: bool
    judges: tuple[tuple[str, str], ...]  # each sheet's judge (name, or id when unknown) and total


def _pick(preferred: str | None, other: str | None) -> str:
    return preferred or other or ""


class Leaderboard:
    """A ranking: computed (``scores``), or stored, whose rows are read only when asked for (:meth:`page`
    reads a page's)."""

    def __init__(self, method: str, scores: list[EntryScore] | None = None, stored: standings.Stored | None = None,
                 round_id: int | None = None, scope: int = standings.WHOLE_ROUND) -> None:
        self.method = method
        self._scores = scores if scores is not None or stored is not None else []
        self._stored, self._round_id, self._scope = stored, round_id, scope

    @property
    def scores(self) -> list[EntryScore]:
        if self._scores is None:
            self._scores = self.page(0, self._stored.count)
        return self._scores

    @property
    def count(self) -> int:
        return len(self._scores) if self._scores is not None else self._stored.count

    @property
    def flagged(self) -> int:
        if self._scores is not None:
            return sum(score.flagged for score in self._scores)
        return self._stored.flagged

    def page(self, start: int, stop: int) -> list[EntryScore]:
        """The scores ranked ``start`` to ``stop`` (0-based, stop excluded)."""
        if self._scores is not None:
            return self._scores[start:stop]
        return standings.ranked_rows(db.session.connection(), self._round_id, self._scope, start, stop)

    def rows(self, start: int, stop: int, contest_id: int, language: str) -> list[Row]:
        """The page's :class:`Row` s ranked ``start`` to ``stop``, in ``language`` ('zh' or 'en', the other
        one when a text is empty): its scores (of a stored ranking, the part that holds them), its entries'
        titles and tracks in one statement, its judges' names in another."""
        scores = self.page(start, stop)
        texts = {entry_id: texts for entry_id, *texts in db.session.execute(
            select(Entry.id, Entry.title_zh, Entry.title_en, Track.name_zh, Track.name_en)
            .join(Track, Track.id == Entry.track_id).where(Entry.id.in_([score.entry for score in scores])))
        } if scores else {}
        shown = [(score, texts.get(score.entry, (None, None, None, None))) for score in scores]
        names = judges.names_of(contest_id, {judge for score, _ in shown for judge, _ in score.totals})
        zh = language == "zh"
        return [Row(score.entry, score.rank,
                    _pick(title_zh, title_en) if zh else _pick(title_en, title_zh),
                    _pick(track_zh, track_en) if zh else _pick(track_en, track_zh),
                    f"{score.score:.2f}", f"{score.raw:.2f}", f"{score.normalised:.2f}", score.sheets,
                    f"{score.spread:.1f}", score.flagged,
                    tuple((names.get(judge, str(judge)), f"{total:.1f}") for judge, total in score.totals))
                for score, (title_zh, title_en, track_zh, track_en) in shown]


def _counted_conditions(round_id: int, track_id: int | None) -> list:
    conditions = [ScoreSheet.round_id == round_id, ScoreSheet.state == SheetState.SUBMITTED,
                  Entry.state != EntryState.WITHDRAWN,
                  ~select(ConflictOfInterest.id).where(ConflictOfInterest.judge_id == ScoreSheet.judge_id,
                                                       ConflictOfInterest.entry_id == ScoreSheet.entry_id).exists()]
    if track_id is not None:
        conditions.append(Entry.track_id == track_id)
    return conditions


def _fingerprint(round_id: int, track_id: int | None):
    return (select(func.count(), func.coalesce(func.sum(ScoreSheet.version), 0),
                   func.coalesce(func.sum(ScoreSheet.id), 0), func.max(ScoreSheet.updated_at))
            .join(Entry, Entry.id == ScoreSheet.entry_id).where(*_counted_conditions(round_id, track_id)))


def _key_and_stored(connection, round_id: int, scope: int, method: str,
                    criteria: dict[str, tuple]) -> tuple[str, standings.Stored | None]:
    """The scope's key (``standings.ranking_key`` of its counted sheets) and its stored ranking's summary
    when current (as ``standings.read_ranking``), in one statement."""
    counted = _fingerprint(round_id, None if scope == standings.WHOLE_ROUND else scope).subquery()
    row = connection.execute(
        select(counted, Ranking.method, Ranking.key, Ranking.entries, Ranking.flagged)
        .select_from(counted.outerjoin(Ranking, and_(Ranking.round_id == round_id, Ranking.scope == scope)))).one()
    key = standings.ranking_key(criteria, tuple(row[:4]))
    return key, standings.summary_of(row[4:], method, key)


_pause_lock = threading.Lock()
_paused_depth = 0  # threads inside _cycle_collector_paused
_collector_was_enabled = True  # as the first of them found it


@contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """Ranking a round makes some 50,000 short-lived objects (rows, tuples, lists) that hold no cycles and
    are freed by their reference counts as it ends. Seen by the cyclic garbage collector they were moved
    to its oldest generation and set off a full collection of the process's heap every few saves (~200 ms
    with the app loaded: the saves' p95); paused for the ranking, they never reach it.

    Threads ranking at once share one pause: the first in records whether the collector was on and turns it
    off, the last out puts it back as it was (so one thread's end cannot leave it off, nor turn it on under
    another)."""
    global _paused_depth, _collector_was_enabled
    with _pause_lock:
        if _paused_depth == 0:
            _collector_was_enabled = gc.isenabled()
            gc.disable()
        _paused_depth += 1
    try:
        yield
    finally:
        with _pause_lock:
            _paused_depth -= 1
            if _paused_depth == 0 and _collector_was_enabled:
                gc.enable()


def _compute(connection, round_id: int, method: str, track_id: int | None,
             criteria: dict[str, tuple]) -> list[EntryScore]:
    """Rank the counted sheets' kept totals; a sheet without one (written before the rubric changed) is
    added up from its points. ValueError as ``judging.score_details``."""
    with _cycle_collector_paused():
        return _ranked_totals(connection, round_id, method, track_id, criteria)


def _ranked_totals(connection, round_id: int, method: str, track_id: int | None,
                   criteria: dict[str, tuple]) -> list[EntryScore]:
    # On the session's connection, not the session: plain rows, without the ORM's loading (half the time).
    rows = connection.execute(
        select(ScoreSheet.judge_id, ScoreSheet.entry_id, ScoreSheet.total, ScoreSheet.id)
        .join(Entry, Entry.id == ScoreSheet.entry_id).where(*_counted_conditions(round_id, track_id))
        .order_by(ScoreSheet.id)).all()
    missing = [sheet_id for _, _, total, sheet_id in rows if total is None]
    added = {}
    if missing:
        points = dict(connection.execute(select(ScoreSheet.id, ScoreSheet.points)
                                         .where(ScoreSheet.id.in_(missing))).tuples().all())
        keys = {sheet_id: (judge_id, entry_id) for judge_id, entry_id, total, sheet_id in rows if total is None}
        added = {sheet_id: total for sheet_id, (_, _, total) in zip(
            missing, sheet_totals({keys[sheet_id]: points[sheet_id] or {} for sheet_id in missing}, criteria),
            strict=True)}
    return score_details_of_totals([(judge_id, entry_id, added[sheet_id] if total is None else total)
                                    for judge_id, entry_id, total, sheet_id in rows], method)


def leaderboard(round_: Round, track_id: int | None = None) -> Leaderboard:
    """The round's ranking (of one track's entries when ``track_id`` is given): the stored one when nothing
    it was computed from changed, otherwise computed and — unless another transaction is ranking the round
    right now — stored (the caller commits). ValueError as ``judging.score_details``."""
    db.session.flush()  # the session's own changes count (and are ranked again when it commits)
    connection = db.session.connection()
    criteria = standings.rubric_of(connection, round_.id)
    method = round_.aggregation.value
    if not criteria:
        return Leaderboard(method, [])
    scope = standings.WHOLE_ROUND if track_id is None else track_id
    # The key is read before the sheets: a save committed in between is then in the ranking but not in
    # its key, so the next request computes again — never the other way round.
    key, stored = _key_and_stored(connection, round_.id, scope, method, criteria)
    if stored is not None:
        return Leaderboard(method, stored=stored, round_id=round_.id, scope=scope)
    scores = _compute(connection, round_.id, method, track_id, criteria)
    with db.session.begin_nested():
        if standings.lock_round(db.session, round_.id, wait=False):
            standings.store_ranking(db.session, round_.id, scope, method, key, scores)
    return Leaderboard(method, scores)


# --- Ranking in the transaction that changes it ---------------------------------------------------

CHANGES = "eventsapp.reviews.leaderboard.changes"  # the session's note of what to rank before it commits
EVERY_TRACK = None  # a round noted with this ranks the whole round and every stored track ranking


@dataclass
class Changes:
    rounds: dict  # round id → entry ids whose tracks' rankings changed, or EVERY_TRACK
    entries: dict  # entry id → the tracks it was in before (its rounds are found when ranking)
    contests: set  # contests whose every round changed (a judge left: their sheets went with them)

    def round(self, round_id: int | None, entry_ids=EVERY_TRACK) -> None:
        if round_id is None:
            return
        if entry_ids is EVERY_TRACK or self.rounds.get(round_id, set()) is EVERY_TRACK:
            self.rounds[round_id] = EVERY_TRACK
        else:
            self.rounds.setdefault(round_id, set()).update(entry_ids)

    def entry(self, entry_id: int | None, *tracks: int | None) -> None:
        if entry_id is not None:
            self.entries.setdefault(entry_id, set()).update(track for track in tracks if track is not None)


def changes_of(session) -> Changes:
    """What the session will rank before it commits; services that change rankings with a bulk statement
    (which the flush does not see) note it here."""
    changes = session.info.get(CHANGES)
    if changes is None:
        changes = session.info[CHANGES] = Changes({}, {}, set())
    return changes


def _changed(target, *names: str) -> bool:
    attrs = inspect(target).attrs
    return any(attrs[name].history.has_changes() for name in names)


def _before(target, name: str):
    return list(inspect(target).attrs[name].history.deleted)


@sa_event.listens_for(Session, "after_flush")
def _note_changes(session, flush_context) -> None:
    """Note every flushed change a ranking hangs on (the objects' histories are still at hand here)."""
    changes = None
    for target in chain(session.new, session.dirty, session.deleted):
        if not isinstance(target, ScoreSheet | Entry | ConflictOfInterest | ReviewAssignment | Round
                          | RubricCriterion | ContestJudge):
            continue
        changes = changes or changes_of(session)
        dirty = target not in session.new and target not in session.deleted
        if isinstance(target, ScoreSheet | ReviewAssignment):
            # Any write of a sheet raises its version, which the ranking's key holds.
            changes.round(target.round_id, {target.entry_id})
            if dirty and _changed(target, "round_id"):
                changes.round(*(_before(target, "round_id") or [None]))
        elif isinstance(target, Entry):
            if target in session.deleted:
                changes.contests.add(target.contest_id)
            elif dirty and _changed(target, "state", "track_id"):
                changes.entry(target.id, target.track_id, *_before(target, "track_id"))
        elif isinstance(target, ConflictOfInterest):
            changes.entry(target.entry_id)
            if dirty:
                changes.entry(*(_before(target, "entry_id") or [None]))
        elif isinstance(target, Round):
            if dirty and _changed(target, "aggregation", "state"):
                changes.round(target.id)
        elif isinstance(target, RubricCriterion):
            changes.round(target.round_id)
        elif target in session.deleted:  # a judge: their sheets went with them (ON DELETE CASCADE)
            changes.contests.add(target.contest_id)


@sa_event.listens_for(Session, "before_commit")
def _rank_before_commit(session) -> None:
    session.flush()  # what the commit would flush, noted too (a no-op when nothing is pending)
    changes = session.info.pop(CHANGES, None)
    if changes is not None:
        rank_changes(session, changes)


@sa_event.listens_for(Session, "after_transaction_end")
def _forget_changes(session, transaction) -> None:
    if transaction.parent is None:  # the session's transaction ended (a rollback: nothing to rank)
        session.info.pop(CHANGES, None)


def rank_changes(session, changes: Changes) -> None:
    """Rank again every scope the changes touched, under each round's lock (rounds in the order of their
    ids), and store the rankings: the whole round, and each track whose entries changed and whose ranking
    is stored (a track not yet shown is ranked when first shown). A scope whose key and method did not
    move (a draft saved, a judge assigned, the round closed) keeps its ranking. A ranking the rubric
    cannot score is emptied instead: its reader meets the error."""
    connection = session.connection()
    rounds = dict(changes.rounds)
    if changes.entries:
        for round_id, entry_id in connection.execute(select(ScoreSheet.round_id, ScoreSheet.entry_id).distinct()
                                                     .where(ScoreSheet.entry_id.in_(list(changes.entries)))):
            if rounds.get(round_id, set()) is not EVERY_TRACK:
                rounds.setdefault(round_id, set()).add(entry_id)
    if changes.contests:
        rounds.update(dict.fromkeys(connection.scalars(select(Round.id).where(Round.contest_id.in_(changes.contests))),
                                    EVERY_TRACK))
    for round_id in sorted(rounds):
        found = connection.execute(select(Round.contest_id, Round.aggregation).where(Round.id == round_id)).first()
        if found is None:  # deleted in this transaction
            continue
        criteria = standings.rubric_of(connection, round_id)
        standings.lock_round(session, round_id)
        entry_ids = rounds[round_id]
        if entry_ids is EVERY_TRACK:
            tracks = set(connection.scalars(select(Track.id).where(Track.contest_id == found.contest_id)))
        else:
            tracks = set(connection.scalars(select(Entry.track_id).where(Entry.id.in_(entry_ids))))
            tracks.update(track for entry_id in entry_ids for track in changes.entries.get(entry_id, ()))
        stored = set(connection.scalars(select(Ranking.scope).where(
            Ranking.round_id == round_id, Ranking.scope.in_(tracks))))
        for scope in (standings.WHOLE_ROUND, *sorted(stored)):
            track_id = None if scope == standings.WHOLE_ROUND else scope
            if not criteria:
                standings.forget_ranking(session, round_id, scope)
                continue
            key, current = _key_and_stored(connection, round_id, scope, found.aggregation.value, criteria)
            if current is not None:
                continue  # nothing it was computed from changed: a draft saved, a judge assigned, the round closed
            try:
                scores = _compute(connection, round_id, found.aggregation.value, track_id, criteria)
            except ValueError:
                standings.forget_ranking(session, round_id, scope)
                continue
            standings.store_ranking(session, round_id, scope, found.aggregation.value, key, scores)
