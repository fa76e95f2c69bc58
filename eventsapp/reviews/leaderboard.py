"""A round's leaderboard for the organizer: every entry with a submitted sheet, ranked by the round's
method (``eventsapp.judging.score_details``), for the whole round or one track, with the raw and
normalised scores, the number of sheets and the spread between judges (large spreads flagged).

Sheets of withdrawn entries and of judges in conflict with the entry do not count. Scoring 10,000
sheets takes tens of milliseconds, so the ranking is kept per application, keyed by everything it is
computed from: the rubric, the method, and a fingerprint of the counted sheets (how many, the sum of
their ids and versions, the latest change) that any saved, withdrawn or excluded sheet changes. When
it must be computed again, only the sheets whose version changed since the last time are read and added
up again (``SheetPoints``): the other sheets' totals are still in memory, by round and rubric, so a
judge's saved sheet costs one sheet's total and the ranking of the totals (``score_details_of_totals``).
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from eventsapp.contests.models import ConflictOfInterest, Entry, EntryState, Round, ScoreSheet, SheetState, Track
from eventsapp.extensions import db
from eventsapp.judging import EntryScore, score_details_of_totals, sheet_totals
from eventsapp.reviews.scoring import criteria_of

CACHE_KEY = "reviews_leaderboards"
POINTS_KEY = "reviews_sheet_points"
CACHE_SIZE = 32


@dataclass(frozen=True)
class Row:
    score: EntryScore
    entry_id: int
    title_zh: str
    title_en: str
    track: Track | None


@dataclass(frozen=True)
class Leaderboard:
    scores: list[EntryScore]
    method: str

    @property
    def flagged(self) -> int:
        return sum(score.flagged for score in self.scores)


def _counted_conditions(round_: Round, track_id: int | None) -> list:
    conditions = [ScoreSheet.round_id == round_.id, ScoreSheet.state == SheetState.SUBMITTED,
                  Entry.state != EntryState.WITHDRAWN,
                  ~select(ConflictOfInterest.id).where(ConflictOfInterest.judge_id == ScoreSheet.judge_id,
                                                       ConflictOfInterest.entry_id == ScoreSheet.entry_id).exists()]
    if track_id is not None:
        conditions.append(Entry.track_id == track_id)
    return conditions


def _fingerprint(round_: Round, track_id: int | None) -> tuple:
    return tuple(db.session.execute(
        select(func.count(), func.coalesce(func.sum(ScoreSheet.version), 0), func.coalesce(func.sum(ScoreSheet.id), 0),
               func.max(ScoreSheet.updated_at))
        .join(Entry, Entry.id == ScoreSheet.entry_id).where(*_counted_conditions(round_, track_id))).one())


class SheetPoints:
    """The points of the sheets read so far, by round and sheet id, and their totals, by round, rubric and
    sheet id, with the stamp they were read at: the sheet's version, judge and entry. A sheet's points
    change only with its version, so a stamp seen before needs no second read nor a second sum. Rounds are
    told apart by their id and their contest's creation time, so that ids used again (SQLite may, after a
    deletion; every test does) never meet old points."""

    ROUNDS = 8  # rounds kept; the least recently used goes first
    READ_ALL_ABOVE = 500  # more changed sheets than this: read the round's points in one query

    def __init__(self):
        self.rounds: OrderedDict[tuple, dict[int, tuple[tuple, dict]]] = OrderedDict()
        self.totals: OrderedDict[tuple, dict[int, tuple[tuple, float]]] = OrderedDict()
        self.lock = threading.Lock()

    def _known(self, kept: OrderedDict, key: tuple) -> dict:
        """The entries kept under ``key`` (made when missing), the least recently used keys dropped."""
        known = kept.setdefault(key, {})
        kept.move_to_end(key)
        while len(kept) > self.ROUNDS:
            kept.popitem(last=False)
        return known

    def totals_of(self, round_: Round, criteria: dict[str, tuple], sheets: list[tuple[int, tuple]],
                  conditions: list) -> dict[int, float]:
        """Sheet id → total for ``sheets`` ((id, stamp) pairs): added up (``judging.sheet_totals``) only for
        sheets not seen with this stamp and rubric. ValueError as ``judging.score_details``."""
        key = (round_.id, round_.contest.created_at, tuple(sorted(criteria.items())))
        with self.lock:
            known = self._known(self.totals, key)
            stale = [(sheet_id, stamp) for sheet_id, stamp in sheets if known.get(sheet_id, (None,))[0] != stamp]
        if stale:
            points = self.points_of(round_, stale, conditions)
            added = sheet_totals({(stamp[1], stamp[2]): points[sheet_id] for sheet_id, stamp in stale}, criteria)
            with self.lock:
                known.update({sheet_id: (stamp, total)
                              for (sheet_id, stamp), (_, _, total) in zip(stale, added, strict=True)})
        return {sheet_id: known[sheet_id][1] for sheet_id, _ in sheets}

    def points_of(self, round_: Round, sheets: list[tuple[int, tuple]], conditions: list) -> dict[int, dict]:
        """Sheet id → points for ``sheets`` ((id, stamp) pairs), read from the database when unknown."""
        key = (round_.id, round_.contest.created_at)
        with self.lock:
            known = self._known(self.rounds, key)
            stale = [sheet_id for sheet_id, stamp in sheets if known.get(sheet_id, (None,))[0] != stamp]
        if stale:
            query = select(ScoreSheet.id, ScoreSheet.version, ScoreSheet.judge_id, ScoreSheet.entry_id,
                           ScoreSheet.points)
            if len(stale) > self.READ_ALL_ABOVE:
                query = query.join(Entry, Entry.id == ScoreSheet.entry_id).where(*conditions)
            else:
                query = query.where(ScoreSheet.id.in_(stale))
            read = {sheet_id: ((version, judge_id, entry_id), points)
                    for sheet_id, version, judge_id, entry_id, points in db.session.execute(query)}
            with self.lock:
                known.update(read)
        return {sheet_id: known[sheet_id][1] for sheet_id, _ in sheets}


def _compute(round_: Round, track_id: int | None, criteria: dict[str, tuple]) -> list[EntryScore]:
    conditions = _counted_conditions(round_, track_id)
    rows = db.session.execute(select(ScoreSheet.id, ScoreSheet.judge_id, ScoreSheet.entry_id, ScoreSheet.version)
                              .join(Entry, Entry.id == ScoreSheet.entry_id).where(*conditions)).all()
    store = current_app.extensions.setdefault(POINTS_KEY, SheetPoints())
    rows = [tuple(row) for row in rows]  # plain tuples: unpacked 10,000 times, twice
    totals = store.totals_of(round_, criteria, [(sheet_id, (version, judge_id, entry_id))
                                                for sheet_id, judge_id, entry_id, version in rows], conditions)
    return score_details_of_totals([(judge_id, entry_id, totals[sheet_id]) for sheet_id, judge_id, entry_id, _ in rows],
                                   round_.aggregation.value)


def leaderboard(round_: Round, track_id: int | None = None) -> Leaderboard:
    """The round's ranking (of one track's entries when ``track_id`` is given)."""
    criteria = {str(criterion.id): (criterion.weight, criterion.max_points) for criterion in criteria_of(round_)}
    method = round_.aggregation.value
    if not criteria:
        return Leaderboard([], method)
    key = (round_.id, track_id, method, tuple(sorted(criteria.items())), _fingerprint(round_, track_id))
    cache, lock = current_app.extensions.setdefault(CACHE_KEY, (OrderedDict(), threading.Lock()))
    with lock:
        scores = cache.get(key)
        if scores is not None:
            cache.move_to_end(key)
    if scores is None:
        scores = _compute(round_, track_id, criteria)
        with lock:
            cache[key] = scores
            while len(cache) > CACHE_SIZE:
                cache.popitem(last=False)
    return Leaderboard(scores, method)


def rows_of(scores: list[EntryScore]) -> list[Row]:
    """The entries' titles and tracks beside their scores (one page of them)."""
    ids = [score.entry for score in scores]
    entries = {entry_id: (title_zh, title_en, track) for entry_id, title_zh, title_en, track in db.session.execute(
        select(Entry.id, Entry.title_zh, Entry.title_en, Track).join(Track, Track.id == Entry.track_id)
        .where(Entry.id.in_(ids)))} if ids else {}
    return [Row(score, score.entry, *entries.get(score.entry, ("", "", None))) for score in scores]
