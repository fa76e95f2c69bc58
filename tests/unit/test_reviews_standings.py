"""The leaderboard kept in the database (``eventsapp.reviews.standings``): sheets keep their totals, the
ranking is stored as rows for every process, ranked in the transaction that changes it, under the key of
what it was computed from; whatever is stored at a commit or read back equals ``judging.aggregate`` on the
counted sheets — after random saves, drafts, withdrawals and conflicts (hypothesis), for every method, in
the whole round and per track, on SQLite and PostgreSQL."""
from __future__ import annotations

import gc
import threading
import time
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import OperationalError

from eventsapp.accounts.models import User
from eventsapp.contests import entries as contest_entries
from eventsapp.contests.models import (
    Aggregation,
    ConflictOfInterest,
    ConflictSource,
    Entry,
    EntryState,
    Ranking,
    RankingPart,
    RoundState,
    ScoreSheet,
    SheetState,
)
from eventsapp.extensions import db
from eventsapp.judging import METHODS, EntryScore, aggregate, sheet_total
from eventsapp.reviews import assignment, conflicts, leaderboard, scoring, standings
from tests.apps import make_app
from tests.contest_factories import build_contest

ENTRIES, JUDGES = 6, 5
RUBRIC = ((3, 10), (1, 4))

points = st.tuples(st.integers(0, 10), st.integers(0, 4))
operation = st.one_of(
    st.tuples(st.just("save"), st.integers(0, JUDGES - 1), st.integers(0, ENTRIES - 1), points),
    st.tuples(st.just("draft"), st.integers(0, JUDGES - 1), st.integers(0, ENTRIES - 1), points),
    st.tuples(st.just("withdraw"), st.integers(0, ENTRIES - 1)),
    st.tuples(st.just("conflict"), st.integers(0, JUDGES - 1), st.integers(0, ENTRIES - 1)),
    st.tuples(st.just("unconflict"), st.integers(0, JUDGES - 1), st.integers(0, ENTRIES - 1)),
)


def _apply(op, round_, criteria, entries, judges, model) -> None:
    kind, *args = op
    if kind in ("save", "draft"):
        judge, entry = judges[args[0]], entries[args[1]]
        given = {str(criterion.id): value for criterion, value in zip(criteria, args[2], strict=True)}
        sheet = db.session.scalar(select(ScoreSheet).where(ScoreSheet.round_id == round_.id,
                                                           ScoreSheet.judge_id == judge, ScoreSheet.entry_id == entry))
        state = SheetState.SUBMITTED if kind == "save" else SheetState.DRAFT
        submitted_at = datetime.now(UTC) if state == SheetState.SUBMITTED else None
        if sheet is None:
            db.session.add(ScoreSheet(round_id=round_.id, judge_id=judge, entry_id=entry, state=state, points=given,
                                      comments={}, comment="", submitted_at=submitted_at))
        else:
            sheet.points, sheet.state, sheet.submitted_at = given, state, submitted_at
        model["sheets"][(judge, entry)] = (state, given)
    elif kind == "withdraw":
        entry = db.session.get(Entry, entries[args[0]])
        entry.state, entry.withdrawn_at = EntryState.WITHDRAWN, datetime.now(UTC)
        model["withdrawn"].add(entry.id)
    elif kind == "conflict":
        pair = (judges[args[0]], entries[args[1]])
        if pair not in model["conflicts"]:
            db.session.add(ConflictOfInterest(judge_id=pair[0], entry_id=pair[1], source=ConflictSource.DECLARED,
                                              reason="test"))
            model["conflicts"].add(pair)
    else:
        pair = (judges[args[0]], entries[args[1]])
        conflict = db.session.scalar(select(ConflictOfInterest).where(ConflictOfInterest.judge_id == pair[0],
                                                                      ConflictOfInterest.entry_id == pair[1]))
        if conflict is not None:
            db.session.delete(conflict)
        model["conflicts"].discard(pair)


def _counted(model, track_of, track) -> dict:
    return {key: given for key, (state, given) in model["sheets"].items()
            if state == SheetState.SUBMITTED and key[1] not in model["withdrawn"] and key not in model["conflicts"]
            and (track is None or track_of[key[1]] == track)}


def _assert_equal_to_aggregate(scores: list[EntryScore], sheets: dict, rubric: dict, method: str) -> None:
    expected = {entry: (score, rank) for entry, score, rank in aggregate(sheets, rubric, method)}
    assert {score.entry: score.rank for score in scores} == {entry: rank for entry, (_, rank) in expected.items()}
    for score in scores:
        assert score.score == pytest.approx(expected[score.entry][0], rel=1e-12, abs=1e-12)
        assert score.sheets == sum(1 for _, entry in sheets if entry == score.entry)
    assert [score.rank for score in scores] == sorted(score.rank for score in scores)


def _assert_ranked_at_commit(round_, sheets: dict, rubric: dict) -> None:
    """The round's stored ranking is what it now is, by its method (or none was stored yet: nothing it
    hangs on changed so far)."""
    connection = db.session.connection()
    key = standings.ranking_key(rubric, tuple(connection.execute(leaderboard._fingerprint(round_.id, None)).one()))
    stored = standings.read_ranking(connection, round_.id, standings.WHOLE_ROUND, round_.aggregation.value, key)
    if stored is None:
        assert db.session.scalar(select(Ranking.key).where(Ranking.round_id == round_.id, Ranking.key != "")) is None
        return
    scores = standings.ranked_rows(connection, round_.id, standings.WHOLE_ROUND, 0, stored.count)
    _assert_equal_to_aggregate(scores, sheets, rubric, round_.aggregation.value)
    assert stored.flagged == sum(score.flagged for score in scores)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(operations=st.lists(operation, min_size=1, max_size=14), commit_every=st.integers(1, 3))
def test_the_leaderboard_computed_or_read_back_equals_aggregate_on_the_counted_sheets(ctx, factories, operations,
                                                                                      commit_every):
    world = build_contest(factories, tracks=2)
    round_ = world.rounds[0]
    criteria = world.rubric(round_, *RUBRIC)
    rubric = {str(criterion.id): (criterion.weight, criterion.max_points) for criterion in criteria}
    entries = [world.entry(world.tracks[number % 2]) for number in range(ENTRIES)]
    judges = [world.judge(accepted=False).id for _ in range(JUDGES)]
    track_of = {entry.id: entry.track_id for entry in entries}
    model = {"sheets": {}, "withdrawn": set(), "conflicts": set()}
    for number, op in enumerate(operations, start=1):
        _apply(op, round_, criteria, [entry.id for entry in entries], judges, model)
        if number % commit_every and number != len(operations):
            continue
        db.session.commit()
        _assert_ranked_at_commit(round_, _counted(model, track_of, None), rubric)
        for method in METHODS:
            round_.aggregation = Aggregation(method)
            for track in (None, *sorted(set(track_of.values()))):
                computed = leaderboard.leaderboard(round_, track)
                read_back = leaderboard.leaderboard(round_, track)  # the stored ranking, not computed again
                _assert_equal_to_aggregate(computed.scores, _counted(model, track_of, track), rubric, method)
                assert read_back.scores == computed.scores
                assert read_back.count == computed.count and read_back.flagged == computed.flagged
                assert read_back.page(1, 3) == computed.scores[1:3]


def test_a_change_is_ranked_when_committed_and_the_page_reads_the_stored_rows(ctx, factories, monkeypatch):
    world = build_contest(factories)
    round_ = world.rounds[0]
    (criterion,) = world.rubric(round_, (1, 10))
    entries = [world.entry() for _ in range(3)]
    judge = world.judge(accepted=False)
    sheets = [world.sheet(round_, judge, entry, {criterion: 3 + number}) for number, entry in enumerate(entries)]
    computed = []
    real = leaderboard._compute
    monkeypatch.setattr(leaderboard, "_compute", lambda *args: computed.append(1) or real(*args))
    first = leaderboard.leaderboard(round_).scores
    assert [score.entry for score in first] == [entry.id for entry in entries[::-1]] and computed == []
    sheets[0].points = {str(criterion.id): 10}
    db.session.commit()
    assert len(computed) == 1  # at the commit
    assert leaderboard.leaderboard(round_).scores[0].entry == entries[0].id and len(computed) == 1
    entries[0].state, entries[0].withdrawn_at = EntryState.WITHDRAWN, datetime.now(UTC)
    db.session.commit()
    assert entries[0].id not in {score.entry for score in leaderboard.leaderboard(round_).scores}
    assert len(computed) == 2
    assert db.session.scalar(select(func.count()).select_from(Ranking)) == 1


def test_a_change_the_session_did_not_see_is_ranked_by_the_first_page_that_reads_it(ctx, factories):
    world = build_contest(factories)
    round_ = world.rounds[0]
    (criterion,) = world.rubric(round_, (1, 10))
    entries = [world.entry() for _ in range(2)]
    judge = world.judge(accepted=False)
    sheet = world.sheet(round_, judge, entries[0], {criterion: 3})
    world.sheet(round_, judge, entries[1], {criterion: 5})
    assert leaderboard.leaderboard(round_).scores[0].entry == entries[1].id
    db.session.execute(update(ScoreSheet).where(ScoreSheet.id == sheet.id).values(
        points={str(criterion.id): 9}, total=90.0, version=ScoreSheet.version + 1))  # a bulk UPDATE: no flush
    db.session.commit()
    assert leaderboard.leaderboard(round_).scores[0].entry == entries[0].id


def test_ranking_runs_with_the_cycle_collector_paused_and_leaves_it_as_it_was(ctx, factories, monkeypatch):
    """The ranking's many short-lived objects never reach the cyclic collector (whose full collections were
    the saves' p95); it runs again afterwards, also when ranking fails."""
    world = build_contest(factories)
    round_ = world.rounds[0]
    (criterion,) = world.rubric(round_, (1, 10))
    sheet = world.sheet(round_, world.judge(accepted=False), world.entry(), {criterion: 4})
    seen = []
    real = leaderboard._ranked_totals
    monkeypatch.setattr(leaderboard, "_ranked_totals", lambda *args: seen.append(gc.isenabled()) or real(*args))
    assert gc.isenabled()
    sheet = db.session.get(ScoreSheet, sheet.id)
    sheet.points = {str(criterion.id): 6}
    db.session.commit()
    assert seen == [False] and gc.isenabled()
    monkeypatch.setattr(leaderboard, "_ranked_totals", lambda *args: (_ for _ in ()).throw(ValueError("bad")))
    db.session.execute(update(ScoreSheet).where(ScoreSheet.id == sheet.id).values(version=ScoreSheet.version + 1))
    with pytest.raises(ValueError):
        leaderboard.leaderboard(round_)
    assert gc.isenabled()


def test_two_threads_ranking_at_once_share_one_pause_of_the_cycle_collector():
    """The first thread in turns the collector off, the last out turns it back on: not the first out (under
    the other's ranking), and never left off."""
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def first():
        with leaderboard._cycle_collector_paused():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second():
        first_in.wait(5)
        with leaderboard._cycle_collector_paused():
            second_in.set()
            first_out.wait(5)
            seen["after the first left"] = gc.isenabled()
        seen["after both left"] = gc.isenabled()

    assert gc.isenabled()
    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        assert seen == {"after the first left": False, "after both left": True}
    finally:
        gc.enable()


def test_a_saved_sheet_keeps_its_total_and_a_draft_none(ctx, factories):
    world = build_contest(factories)
    round_ = world.rounds[0]
    criteria = world.rubric(round_, (3, 10), (1, 5))
    entry = world.entry()
    judge = world.judge()
    world.assign(round_, judge, entry)
    review = scoring.review_for(judge.user_id, round_.id, entry.id)
    user = db.session.get(User, judge.user_id)
    sheet = scoring.save_sheet(review, {criteria[0].id: Decimal(7), criteria[1].id: None}, {}, "", False, None, user)
    db.session.commit()
    assert sheet.total is None
    sheet = scoring.save_sheet(review, {criteria[0].id: Decimal(7), criteria[1].id: Decimal(2)}, {}, "", True,
                               sheet.version, user)
    db.session.commit()
    rubric = {str(criteria[0].id): (Decimal(3), 10), str(criteria[1].id): (Decimal(1), 5)}
    assert sheet.total == sheet_total({str(criteria[0].id): 7.0, str(criteria[1].id): 2.0}, rubric)


def test_stored_rankings_read_back_the_very_floats(ctx, factories):
    world = build_contest(factories)
    round_ = world.rounds[0]
    entries = [world.entry().id for _ in range(3)]
    scores = [EntryScore(entries[0], 1, 81.25, 81.25, 80.0, 79.123456789012345, 3, 25.5, True,
                         ((1, 90.0), (2, 64.5), (3, 89.25))),
              EntryScore(entries[1], 2, 1 / 3, 1 / 3, 1 / 3, -0.0, 1, 0.0, False, ((9, 1 / 3),)),
              EntryScore(entries[2], 2, 1 / 3, 0.5, 0.25, 2.0, 2, 1e-300, False, ((4, 0.1), (9, 0.2)))]
    assert standings.lock_round(db.session, round_.id)
    standings.store_ranking(db.session, round_.id, standings.WHOLE_ROUND, "mean", "k", scores)
    db.session.commit()
    connection = db.session.connection()
    assert standings.ranked_rows(connection, round_.id, standings.WHOLE_ROUND, 0, 99) == scores
    assert standings.ranked_rows(connection, round_.id, standings.WHOLE_ROUND, 1, 99) == scores[1:]
    assert standings.read_ranking(connection, round_.id, standings.WHOLE_ROUND, "mean", "k") == standings.Stored(3, 1)
    assert standings.read_ranking(connection, round_.id, standings.WHOLE_ROUND, "zscore", "k") is None
    assert standings.read_ranking(connection, round_.id, standings.WHOLE_ROUND, "mean", "other") is None


def test_a_stored_ranking_is_read_back_in_any_range_across_its_parts(ctx, factories):
    """Stored in parts of ``PART_SIZE`` entries: a range within a part, across two, at the end, beyond it."""
    world = build_contest(factories)
    round_ = world.rounds[0]
    size = standings.PART_SIZE
    scores = [EntryScore(number + 1, number + 1, 100 - number / 7, 50.5, 50.25, number / 3, 2, 0.5, number % 9 == 0,
                         ((1, 100 - number / 7), (2, number * 1.5)))
              for number in range(2 * size + size // 2)]
    assert standings.lock_round(db.session, round_.id)
    standings.store_ranking(db.session, round_.id, standings.WHOLE_ROUND, "mean", "k", scores)
    db.session.commit()
    connection = db.session.connection()
    for start, stop in ((0, size), (size - 5, size + 5), (size, 2 * size), (size - 1, 3 * size),
                        (2 * size + 10, 9 * size), (len(scores), len(scores) + 5), (7, 7), (-3, 2)):
        assert standings.ranked_rows(connection, round_.id, standings.WHOLE_ROUND, start, stop) == \
            scores[max(start, 0):stop], (start, stop)
    assert db.session.scalar(select(func.count()).select_from(RankingPart)) == 3


def test_two_app_instances_share_the_stored_ranking_and_its_invalidation(real_commits, app, database_url, factories,
                                                                         monkeypatch):
    """No per-process cache: what one instance computed, another reads; what another saved, the first sees."""
    with app.app_context():
        world = build_contest(factories)
        round_ = world.rounds[0]
        (criterion,) = world.rubric(round_, (1, 10))
        entries = [world.entry() for _ in range(2)]
        judge = world.judge(accepted=False)
        sheet = world.sheet(round_, judge, entries[0], {criterion: 4})
        world.sheet(round_, judge, entries[1], {criterion: 6})
        round_id, sheet_id, criterion_id = round_.id, sheet.id, criterion.id
        entry_ids = [entry.id for entry in entries]
        first = leaderboard.leaderboard(db.session.get(type(round_), round_id)).scores
        db.session.commit()
    other = make_app(SQLALCHEMY_DATABASE_URI=database_url)
    try:
        with other.app_context():
            with monkeypatch.context() as patched:
                patched.setattr(leaderboard, "_compute", lambda *args: pytest.fail("computed again"))
                assert leaderboard.leaderboard(db.session.get(type(round_), round_id)).scores == first
            changed = db.session.get(ScoreSheet, sheet_id)
            changed.points = {str(criterion_id): 9}
            db.session.commit()
            db.session.remove()
        with app.app_context():
            db.session.expire_all()
            scores = leaderboard.leaderboard(db.session.get(type(round_), round_id)).scores
            assert [score.entry for score in scores] == entry_ids
            assert scores[0].score == pytest.approx(90)
    finally:
        with other.app_context():
            db.engine.dispose()


def _one_sheet_round(factories, points: int = 4):
    world = build_contest(factories)
    round_ = world.rounds[0]
    (criterion,) = world.rubric(round_, (1, 10))
    judge = world.judge(accepted=False)
    sheet = world.sheet(round_, judge, world.entry(), {criterion: points})
    db.session.commit()
    return round_, criterion, sheet


def test_a_ranking_another_transaction_is_storing_is_not_waited_for(real_commits, app, factories):
    """PostgreSQL: a page that finds the ranking out of date while another transaction holds the round's
    ranking lock (a judge's save committing) computes and answers without waiting, and leaves the storing
    to the other one."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite runs writing transactions one after the other: nothing to wait for")
        round_, criterion, sheet = _one_sheet_round(factories)
        stored_key = db.session.scalar(select(Ranking.key))
        db.session.execute(update(ScoreSheet).where(ScoreSheet.id == sheet.id).values(
            points={str(criterion.id): 8}, total=80.0, version=ScoreSheet.version + 1))  # not ranked at commit
        db.session.commit()
        with db.engine.connect() as other:
            other.execute(select(Ranking.key).with_for_update())  # held until the block ends
            db.session.execute(text("SET LOCAL lock_timeout = '5s'"))  # waiting would end in an error after 5 s
            started = time.monotonic()
            assert leaderboard.leaderboard(round_).scores[0].score == pytest.approx(80)
            assert time.monotonic() - started < 2.5
            db.session.commit()
            other.rollback()
        assert db.session.scalar(select(Ranking.key)) == stored_key  # left to the other one
        assert leaderboard.leaderboard(round_).scores[0].score == pytest.approx(80)
        db.session.commit()
        assert db.session.scalar(select(Ranking.key)) != stored_key


def test_a_save_ranks_under_the_rounds_lock(real_commits, app, factories):
    """PostgreSQL: the commit of a changed sheet waits for the round's ranking lock, so two saves never
    rank at once and the second ranks what the first committed."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite runs writing transactions one after the other: nothing to lock")
        round_, criterion, sheet = _one_sheet_round(factories)
        with db.engine.connect() as other:
            other.execute(select(Ranking.key).where(Ranking.round_id == round_.id).with_for_update())
            sheet.points = {str(criterion.id): 7}
            db.session.flush()
            db.session.execute(text("SET LOCAL lock_timeout = '300ms'"))
            with pytest.raises(OperationalError):
                db.session.commit()
            db.session.rollback()
            other.rollback()
        sheet = db.session.get(ScoreSheet, sheet.id)
        sheet.points = {str(criterion.id): 7}
        db.session.commit()
        assert leaderboard.leaderboard(round_).scores[0].score == pytest.approx(70)


def _withdraw(world, round_, entries, judges, sheets):
    contest_entries.withdraw_entry(entries[0], db.session.get(User, entries[0].created_by_id))


def _change_method(world, round_, entries, judges, sheets):
    round_.aggregation = Aggregation.ZSCORE  # as the organizer's form does


def _delete_sheet(world, round_, entries, judges, sheets):
    db.session.delete(sheets[0])


def _declare_conflict(world, round_, entries, judges, sheets):
    conflicts.declare_conflict(judges[0], entries[0], "I advise this team")


def _close_round(world, round_, entries, judges, sheets):
    scoring.set_round_state(round_, RoundState.CLOSED)


def _add_judge_by_hand(world, round_, entries, judges, sheets):
    newcomer = world.judge()
    world.panel(round_, [*judges, newcomer])
    db.session.commit()
    assignment.change_entry_judges(round_, entries[0], add=newcomer.id)


@pytest.mark.parametrize("change", [_withdraw, _change_method, _delete_sheet, _declare_conflict, _close_round,
                                    _add_judge_by_hand])
def test_every_change_a_ranking_hangs_on_is_ranked_in_its_own_transaction(ctx, factories, monkeypatch, change):
    """A withdrawal, the method, a deleted sheet, a conflict, closing the round, a judge assigned by hand:
    the commit stores the new ranking, and the page then computes nothing."""
    world = build_contest(factories)
    round_ = world.rounds[0]
    round_.state = RoundState.OPEN
    criteria = world.rubric(round_, *RUBRIC)
    rubric = {str(criterion.id): (criterion.weight, criterion.max_points) for criterion in criteria}
    entries = [world.entry() for _ in range(3)]
    judges = [world.judge(), world.judge()]
    sheets = [world.sheet(round_, judge, entry, {criteria[0]: (3 * number + 5 * position) % 11, criteria[1]: position})
              for position, judge in enumerate(judges) for number, entry in enumerate(entries)]
    db.session.commit()
    before = leaderboard.leaderboard(round_).scores
    ranked = []
    real = leaderboard._compute
    monkeypatch.setattr(leaderboard, "_compute", lambda *args: ranked.append(1) or real(*args))

    change(world, round_, entries, judges, sheets)
    db.session.commit()

    if change in (_withdraw, _change_method, _delete_sheet, _declare_conflict):
        assert ranked, "the commit ranked the round"
    monkeypatch.setattr(leaderboard, "_compute", lambda *args: pytest.fail("the page computed the ranking"))
    after = leaderboard.leaderboard(round_).scores
    counted = {(sheet.judge_id, sheet.entry_id): sheet.points for sheet in db.session.scalars(
        select(ScoreSheet).where(ScoreSheet.round_id == round_.id, ScoreSheet.state == SheetState.SUBMITTED))
        if db.session.get(Entry, sheet.entry_id).state != EntryState.WITHDRAWN
        and not conflicts.is_conflicted(sheet.judge_id, sheet.entry_id)}
    _assert_equal_to_aggregate(after, counted, rubric, round_.aggregation.value)
    if change in (_withdraw, _change_method, _delete_sheet, _declare_conflict):
        assert after != before


def test_a_draft_saved_leaves_the_stored_ranking_alone(ctx, factories, monkeypatch):
    """A draft does not count: its save checks the ranking's key and ranks nothing."""
    world = build_contest(factories)
    round_ = world.rounds[0]
    round_.state = RoundState.OPEN
    (criterion,) = world.rubric(round_, (1, 10))
    entries = [world.entry() for _ in range(2)]
    judge = world.judge()
    world.sheet(round_, judge, entries[0], {criterion: 4})
    db.session.commit()
    stored_at = db.session.scalar(select(Ranking.computed_at))
    monkeypatch.setattr(leaderboard, "_compute", lambda *args: pytest.fail("ranked again for a draft"))
    world.sheet(round_, judge, entries[1], {criterion: 9}, state=SheetState.DRAFT)
    db.session.commit()
    assert db.session.scalar(select(Ranking.computed_at)) == stored_at
    assert [score.entry for score in leaderboard.leaderboard(round_).scores] == [entries[0].id]
