"""Server time of the organizer's contest leaderboard with 2,000 entries (issue 14).

Builds the schema with the migrations and fills it with bulk inserts: one competition with 3 tracks, an
open first round with a rubric of 5 weighted criteria, 2,000 submitted entries, 200 judges and 5
submitted score sheets per entry (10,000 sheets, random points, some judges harsh and some generous),
plus 2 % of the judges in conflict with one of their entries (those sheets must not count). Then, as an
organizer (a signed session cookie, as the login would set), it times GET
/manage/events/<id>/judging/rounds/<id>/leaderboard through Flask's in-process test client — no network,
no web server — in four variants: the whole round by mean, one track, page 10, and the whole round by
z-score. Every response must be 200 and list the entries it should.

Three regimes per variant: **warm**, the leaderboard asked again with nothing changed (the stored
ranking's summary row and the page's rows read back: nothing is kept in the process); **saved**, a
judge's sheet changed through the ORM and committed just before every request (what every save does: the
commit ranks the round again and stores it, ``reviews.leaderboard``; the commit's own time is reported as
"change ms"); and **unseen**, a sheet changed by a bulk UPDATE the session does not see (its version
raised), so the request finds the stored ranking's key out of date and ranks all 10,000 sheets' kept
totals itself — the fallback for changes made outside the app's sessions.

With ``--gc compare`` (the default) every variant and regime is measured twice, back to back on the same
app and data: with the process heap not frozen (``gc.unfreeze()``), then frozen (``gc.freeze()``, what
``GC_FREEZE_AT_START`` does at the end of the factory; here it also freezes what the warm-up built),
and the ratios frozen / not frozen are printed. ``--gc off`` or
``--gc on`` measures one of them.

    .venv/bin/python benchmarks/contest_leaderboard.py --database-url postgresql://postgres@127.0.0.1:5432/bench_leaderboard

Without --database-url it uses a fresh SQLite file in a temporary directory, removed at the end. A
PostgreSQL database is created if missing and its `public` schema is dropped and rebuilt, so never
point it at data you want to keep (`test` and the maintenance databases are refused).
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from sqlalchemy import event as sa_event  # noqa: E402
from sqlalchemy import select, text, update  # noqa: E402
from support import build_schema, insert_chunks, prepare_database  # noqa: E402

import eventsapp.models  # noqa: E402, F401 - every table mapped before a service builds its queries
from eventsapp import create_app  # noqa: E402
from eventsapp.accounts.models import Role, User  # noqa: E402
from eventsapp.accounts.services import start_login_session  # noqa: E402
from eventsapp.config import TestConfig  # noqa: E402
from eventsapp.contests.models import (  # noqa: E402
    ConflictOfInterest,
    ConflictSource,
    Contest,
    ContestJudge,
    Entry,
    EntryState,
    Round,
    RoundKind,
    RoundState,
    RubricCriterion,
    ScoreSheet,
    SheetState,
    Track,
)
from eventsapp.events.models import Event, EventKind, EventStatus  # noqa: E402
from eventsapp.extensions import db  # noqa: E402
from eventsapp.judging import sheet_total  # noqa: E402

TARGET_P95_MS = 50.0
WARMUP_REQUESTS = 5
LANGUAGES = ("zh-CN,zh;q=0.9", "en")


def fill(app, entries: int, judges: int, per_entry: int, seed: int) -> dict:
    rng = random.Random(seed)
    now = datetime.now(UTC)
    started = time.perf_counter()
    with app.app_context():
        organizer = User(email="organizer@bench.example.org", password_hash="x", display_name="Organizer",
                         role=Role.ORGANIZER)
        event = Event(slug="innovation-contest", kind=EventKind.COMPETITION, status=EventStatus.PUBLISHED,
                      title_zh="创客天下大赛", title_en="Innovation contest", starts_at=now + timedelta(days=30),
                      ends_at=now + timedelta(days=31), capacity=5000, published_at=now - timedelta(days=60))
        db.session.add_all([organizer, event])
        db.session.flush()
        contest = Contest(event_id=event.id, entries_open_at=now - timedelta(days=60),
                          entries_close_at=now - timedelta(days=5))
        db.session.add(contest)
        db.session.flush()
        tracks = [Track(contest_id=contest.id, position=number, name_zh=name_zh, name_en=name_en)
                  for number, (name_zh, name_en) in enumerate(
                      (("数字经济", "Digital economy"), ("生物医药", "Biomedicine"),
                       ("高端装备", "Advanced equipment")))]
        round_ = Round(contest_id=contest.id, position=1, name_zh="网评", name_en="Online review",
                       kind=RoundKind.ONLINE_REVIEW, state=RoundState.OPEN, reviews_per_entry=per_entry)
        db.session.add_all([*tracks, round_])
        db.session.flush()
        criteria = [RubricCriterion(round_id=round_.id, position=number, name_en=name, weight=weight,
                                    max_points=max_points)
                    for number, (name, weight, max_points) in enumerate(
                        (("Innovation", 3, 10), ("Market", 2, 10), ("Team", 2, 10), ("Feasibility", 2, 20),
                         ("Impact", 1, 5)))]
        db.session.add_all(criteria)
        db.session.commit()
        event_id, contest_id, round_id = event.id, contest.id, round_.id
        track_ids, criterion_rows = [track.id for track in tracks], [(c.id, c.max_points) for c in criteria]
        rubric = {str(c.id): (c.weight, c.max_points) for c in criteria}
        session_id = start_login_session(organizer)
        db.session.commit()

        with db.engine.begin() as connection:
            insert_chunks(connection, Entry.__table__, [
                {"contest_id": contest_id, "track_id": track_ids[number % 3], "title_zh": f"参赛项目 {number}",
                 "title_en": f"Project {number}", "summary_zh": "", "summary_en": "", "video_url": "",
                 "organization_name": "", "organization_credit_code": "", "overseas_experience": "",
                 "state": EntryState.SUBMITTED, "created_at": now, "updated_at": now, "submitted_at": now}
                for number in range(entries)])
            insert_chunks(connection, ContestJudge.__table__, [
                {"contest_id": contest_id, "email": f"judge{number}@jury.example.org", "name": f"Judge {number}",
                 "organization": "", "school": "", "invited_at": now, "accepted_at": now}
                for number in range(judges)])
            entry_ids = list(connection.scalars(select(Entry.id).where(Entry.contest_id == contest_id)))
            judge_ids = list(connection.scalars(select(ContestJudge.id).where(ContestJudge.contest_id == contest_id)))
            leniency = {judge_id: rng.uniform(-0.25, 0.25) for judge_id in judge_ids}
            quality = {entry_id: rng.random() for entry_id in entry_ids}
            sheets, conflicts = [], []
            for entry_id in entry_ids:
                for judge_id in rng.sample(judge_ids, per_entry):
                    level = min(1.0, max(0.0, quality[entry_id] + leniency[judge_id] + rng.gauss(0, 0.1)))
                    points = {str(criterion_id): round(level * max_points)
                              for criterion_id, max_points in criterion_rows}
                    sheets.append({"round_id": round_id, "judge_id": judge_id, "entry_id": entry_id,
                                   "state": SheetState.SUBMITTED, "points": points, "comments": {}, "comment": "",
                                   "version": 1, "updated_at": now, "submitted_at": now,
                                   # as the save writes it (reviews.standings): the bulk insert bypasses it
                                   "total": sheet_total(points, rubric)})
                    if rng.random() < 0.02:
                        conflicts.append({"judge_id": judge_id, "entry_id": entry_id,
                                          "source": ConflictSource.DECLARED, "reason": "benchmark", "created_at": now})
            insert_chunks(connection, ScoreSheet.__table__, sheets)
            insert_chunks(connection, ConflictOfInterest.__table__, conflicts)
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
    return {"event_id": event_id, "round_id": round_id, "track_id": track_ids[1], "session_id": session_id,
            "entries": entries, "judges": judges, "sheets": len(sheets), "conflicts": len(conflicts),
            "fill_seconds": time.perf_counter() - started}


def logged_in_client(app, session_id: str):
    client = app.test_client()
    serializer = app.session_interface.get_signing_serializer(app)
    client.set_cookie(app.config.get("SESSION_COOKIE_NAME", "session"),
                      serializer.dumps({"_user_id": session_id, "_fresh": True}))
    return client


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *args) -> None:
        self.count += 1


def set_method(app, round_id: int, method: str) -> None:
    with app.app_context():
        db.session.execute(update(Round).where(Round.id == round_id).values(aggregation=method))
        db.session.commit()


def _sheet_id(round_id: int, number: int) -> int:
    return db.session.scalar(select(ScoreSheet.id).where(ScoreSheet.round_id == round_id)
                             .order_by(ScoreSheet.id).offset(number % 1000).limit(1))


def save_a_sheet(app, round_id: int, number: int) -> float:
    """A judge's sheet changed through the ORM and committed, as a save does: the commit ranks the round
    again. The commit's milliseconds."""
    with app.app_context():
        sheet = db.session.get(ScoreSheet, _sheet_id(round_id, number))
        sheet.points = {criterion: given - 1 if given >= 1 else given + 1  # within 0..max
                        for criterion, given in sheet.points.items()}
        started = time.perf_counter()
        db.session.commit()
        return (time.perf_counter() - started) * 1000


def touch_a_sheet(app, round_id: int, number: int) -> float:
    """A sheet changed behind the session's back (a bulk UPDATE raising its version): the next request
    finds the stored ranking out of date and ranks every sheet again."""
    with app.app_context():
        sheet_id = _sheet_id(round_id, number)
        db.session.execute(update(ScoreSheet).where(ScoreSheet.id == sheet_id)
                           .values(version=ScoreSheet.version + 1, updated_at=datetime.now(UTC)))
        db.session.commit()
    return 0.0


CHANGES = {"warm": None, "saved": save_a_sheet, "unseen": touch_a_sheet}


def time_variant(app, client, counter, data: dict, name: str, path: str, expected_rows: int, requests: int,
                 regime: str) -> dict:
    times, cpu_times, queries, change_times = [], [], [], []
    for number in range(WARMUP_REQUESTS + requests):
        if CHANGES[regime] is not None:
            change_ms = CHANGES[regime](app, data["round_id"], number)
            if number >= WARMUP_REQUESTS:
                change_times.append(change_ms)
        counter.count = 0
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(path, headers={"Accept-Language": LANGUAGES[number % 2]})
        elapsed_ms = (time.perf_counter() - started) * 1000
        cpu_ms = (time.process_time() - started_cpu) * 1000
        if response.status_code != 200:
            raise SystemExit(f"GET {path} answered {response.status_code}")
        if number == 0:
            rows = len(re.findall(r'data-testid="row-\d+"', response.get_data(as_text=True)))
            if rows != expected_rows:
                raise SystemExit(f"{path} lists {rows} entries, expected {expected_rows}")
        if number >= WARMUP_REQUESTS:
            times.append(elapsed_ms)
            cpu_times.append(cpu_ms)
            queries.append(counter.count)
    return {"variant": name, "regime": regime, "requests": len(times),
            "median_ms": statistics.median(times), "p95_ms": statistics.quantiles(times, n=20)[-1],
            "app_cpu_median_ms": statistics.median(cpu_times), "queries": statistics.fmean(queries),
            "change_median_ms": statistics.median(change_times) if change_times else None,
            "change_p95_ms": statistics.quantiles(change_times, n=20)[-1] if change_times else None}


def measure(app, data: dict, requests: int, freezes: tuple[bool, ...]) -> list[dict]:
    """Every variant and regime, once per entry of ``freezes``, back to back (so that the machine's load
    drifts alike for both): gc.unfreeze() before a run not frozen, gc.freeze() before a frozen one."""
    counter = QueryCounter()
    with app.app_context():
        sa_event.listen(db.engine, "before_cursor_execute", counter)
    client = logged_in_client(app, data["session_id"])
    base = f"/manage/events/{data['event_id']}/judging/rounds/{data['round_id']}/leaderboard"
    variants = [("whole round, mean", base, 100, "mean"),
                ("one track, mean", f"{base}?track={data['track_id']}", 100, "mean"),
                ("page 10, mean", f"{base}?page=10", 100, "mean"),
                ("whole round, z-score", base, 100, "zscore")]
    results = []
    for name, path, rows, method in variants:
        set_method(app, data["round_id"], method)
        for regime in CHANGES:
            for frozen in freezes:
                gc.collect()
                gc.freeze() if frozen else gc.unfreeze()
                row = time_variant(app, client, counter, data, name, path, rows, requests, regime)
                results.append({**row, "gc_freeze": frozen})
    gc.unfreeze()
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL URL of a throwaway database (default: a new SQLite file)")
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--judges", type=int, default=200)
    parser.add_argument("--per-entry", type=int, default=5)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--gc", choices=["compare", "off", "on"], default="compare",
                        help="measure without and then with GC_FREEZE_AT_START (compare), or one of them")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as workdir:
        url = prepare_database(args.database_url, Path(workdir))
        config = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
        config.update(SQLALCHEMY_DATABASE_URI=url.render_as_string(hide_password=False), TESTING=False,
                      GC_FREEZE_AT_START=False)
        app = create_app(config)
        schema_seconds, revision = build_schema(app)
        data = fill(app, args.entries, args.judges, args.per_entry, args.seed)
        load_before = os.getloadavg()[0]
        results = measure(app, data, args.requests, {"compare": (False, True), "off": (False,), "on": (True,)}[args.gc])
        with app.app_context():
            engine = db.engine.dialect.name
            version = db.session.scalar(text("SELECT version()" if engine == "postgresql"
                                             else "SELECT sqlite_version()"))
            db.engine.dispose()
    report = {"engine": engine, "engine_version": version, "schema_revision": revision,
              "schema_seconds": schema_seconds, **{k: v for k, v in data.items() if k != "session_id"},
              "load_before": load_before, "load_after": os.getloadavg()[0], "results": results,
              "target_p95_ms": TARGET_P95_MS}
    if args.json:
        print(json.dumps(report, indent=2, default=str))
        return
    print(f"\n{engine} {version.split(',')[0]} · {data['entries']:,} entries · {data['judges']} judges · "
          f"{data['sheets']:,} submitted sheets ({data['conflicts']} in conflict, not counted) · "
          f"schema {revision} · fill {data['fill_seconds']:.1f} s · "
          f"load {load_before:.2f} → {report['load_after']:.2f}")
    print(f"{'variant':<22} {'regime':<6} {'frozen':<6} {'n':>4} {'median ms':>10} {'p95 ms':>8} "
          f"{'app CPU ms':>10} {'SQL/req':>8} {'change ms (median / p95)':>25}")
    for row in results:
        change = (f"{row['change_median_ms']:.1f} / {row['change_p95_ms']:.1f}"
                  if row["change_median_ms"] is not None and row["regime"] == "saved" else "")
        print(f"{row['variant']:<22} {row['regime']:<6} {'yes' if row['gc_freeze'] else 'no':<6} "
              f"{row['requests']:>4} {row['median_ms']:>10.1f} {row['p95_ms']:>8.1f} "
              f"{row['app_cpu_median_ms']:>10.1f} {row['queries']:>8.1f} {change:>25}")
    pairs = {(row["variant"], row["regime"]): row for row in results if not row["gc_freeze"]}
    for row in results:
        before = pairs.get((row["variant"], row["regime"])) if row["gc_freeze"] else None
        if before is not None:
            print(f"frozen / not frozen, {row['variant']}, {row['regime']}: median "
                  f"{row['median_ms'] / before['median_ms']:.2f}, p95 {row['p95_ms'] / before['p95_ms']:.2f}")
    for regime in CHANGES:
        for frozen in sorted({row["gc_freeze"] for row in results}):
            worst = max(row["p95_ms"] for row in results if row["regime"] == regime and row["gc_freeze"] == frozen)
            print(f"target p95 < {TARGET_P95_MS:.0f} ms, {regime}, gc.freeze {'on' if frozen else 'off'}: "
                  f"{'met' if worst < TARGET_P95_MS else 'MISSED'} (worst p95 {worst:.1f} ms)")


if __name__ == "__main__":
    main()
