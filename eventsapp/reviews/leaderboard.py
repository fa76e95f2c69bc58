"""A round's leaderboard for the organizer: every entry with a submitted sheet, ranked by the round's
method (``eventsapp.judging.score_details``), for the whole round or one track, with the raw and
normalised scores, the number of sheets and the spread between judges (large spreads flagged).

Sheets of withdrawn entries and of judges in conflict with the entry do not count. Nothing is kept in
the web process: every sheet keeps its total in the database, written with its points, and the round's
last ranking is stored in the database under the key of what it was computed from — the rubric and a
fingerprint of the counted sheets (how many, the sums of their ids and versions, the latest change),
which any saved, withdrawn or excluded sheet changes (``reviews.standings``). So every process reads
the same stored ranking until a sheet changes; the first request after a change ranks the kept totals
again (``judging.score_details_of_totals``: no sheet's points are read) and stores the result.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from eventsapp.contests.models import ConflictOfInterest, Entry, EntryState, Round, ScoreSheet, SheetState, Track
from eventsapp.extensions import db
from eventsapp.judging import EntryScore, score_details_of_totals, sheet_totals
from eventsapp.reviews import standings
from eventsapp.reviews.scoring import criteria_of


@dataclass(frozen=True)
class Row:
    score: EntryScore
    entry_id: int
    title_zh: str
    title_en: str
    track: Track | None


class Leaderboard:
    """A ranking: computed (``scores``) or read back from its stored snapshot, whose EntryScores are built
    only when asked for (:meth:`page` builds a page's)."""

    def __init__(self, method: str, scores: list[EntryScore] | None = None,
                 packed: standings.Packed | None = None) -> None:
        self.method = method
        self._scores = scores if scores is not None or packed is not None else []
        self._packed = packed

    @property
    def scores(self) -> list[EntryScore]:
        if self._scores is None:
            self._scores = self._packed.scores()
        return self._scores

    @property
    def count(self) -> int:
        return len(self._scores) if self._scores is not None else self._packed.count

    @property
    def flagged(self) -> int:
        if self._scores is not None:
            return sum(score.flagged for score in self._scores)
        return self._packed.flagged

    def page(self, start: int, stop: int) -> list[EntryScore]:
        """The scores ranked ``start`` to ``stop`` (0-based, stop excluded)."""
        if self._scores is not None:
            return self._scores[start:stop]
        return self._packed.scores(start, stop)


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


def _compute(round_: Round, track_id: int | None, criteria: dict[str, tuple]) -> list[EntryScore]:
    """Rank the counted sheets' kept totals; a sheet without one (written before the rubric changed) is
    added up from its points. ValueError as ``judging.score_details``."""
    # On the session's connection, not the session: plain rows, without the ORM's loading (half the time).
    rows = db.session.connection().execute(
        select(ScoreSheet.judge_id, ScoreSheet.entry_id, ScoreSheet.total, ScoreSheet.id)
        .join(Entry, Entry.id == ScoreSheet.entry_id).where(*_counted_conditions(round_, track_id))
        .order_by(ScoreSheet.id)).all()
    missing = [sheet_id for _, _, total, sheet_id in rows if total is None]
    added = {}
    if missing:
        points = dict(db.session.execute(select(ScoreSheet.id, ScoreSheet.points)
                                         .where(ScoreSheet.id.in_(missing))).tuples().all())
        keys = {sheet_id: (judge_id, entry_id) for judge_id, entry_id, total, sheet_id in rows if total is None}
        added = {sheet_id: total for sheet_id, (_, _, total) in zip(
            missing, sheet_totals({keys[sheet_id]: points[sheet_id] or {} for sheet_id in missing}, criteria),
            strict=True)}
    return score_details_of_totals([(judge_id, entry_id, added[sheet_id] if total is None else total)
                                    for judge_id, entry_id, total, sheet_id in rows], round_.aggregation.value)


def leaderboard(round_: Round, track_id: int | None = None) -> Leaderboard:
    """The round's ranking (of one track's entries when ``track_id`` is given): the stored one when nothing
    it was computed from changed, otherwise computed and stored for every process (the caller commits;
    when it does not, the next request computes it again). ValueError as ``judging.score_details``."""
    criteria = {str(criterion.id): (criterion.weight, criterion.max_points) for criterion in criteria_of(round_)}
    method = round_.aggregation.value
    if not criteria:
        return Leaderboard(method, [])
    scope = standings.WHOLE_ROUND if track_id is None else track_id
    # The fingerprint is read before the sheets: a save committed in between is then in the ranking but
    # not in its key, so the next request computes again — never the other way round.
    key = standings.snapshot_key(criteria, _fingerprint(round_, track_id))
    packed = standings.read_snapshot(db.session, round_.id, scope, method, key)
    if packed is not None:
        return Leaderboard(method, packed=packed)
    scores = _compute(round_, track_id, criteria)
    standings.store_snapshot(db.session, round_.id, scope, method, key, scores)
    return Leaderboard(method, scores)


def rows_of(scores: list[EntryScore]) -> list[Row]:
    """The entries' titles and tracks beside their scores (one page of them)."""
    ids = [score.entry for score in scores]
    entries = {entry_id: (title_zh, title_en, track) for entry_id, title_zh, title_en, track in db.session.execute(
        select(Entry.id, Entry.title_zh, Entry.title_en, Track).join(Track, Track.id == Entry.track_id)
        .where(Entry.id.in_(ids)))} if ids else {}
    return [Row(score, score.entry, *entries.get(score.entry, ("", "", None))) for score in scores]
