"""A judge's score sheet save (issue 14): ``reviews.scoring.save_sheet`` and the commit, on the contest
``contest_leaderboard.py`` fills (2,000 entries, 200 judges, 10,000 submitted sheets), so that what the
leaderboard keeps at save time shows in the save's cost. Each save changes a different submitted sheet,
spread over judges and entries; wall time, process CPU and SQL statements per save, median and p95.

    .venv/bin/python benchmarks/sheet_save.py --database-url postgresql://postgres@127.0.0.1:5432/test_lb14_bench

The script only calls the service, so the same file measures an older checkout of the code (copy it into
that checkout's benchmarks/ and run it there) for a before/after comparison. The database's ``public``
schema is dropped and rebuilt (as ``contest_leaderboard.py`` does).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from contest_leaderboard import fill  # noqa: E402
from sqlalchemy import event as sa_event  # noqa: E402
from sqlalchemy import select  # noqa: E402
from support import build_schema, prepare_database  # noqa: E402

import eventsapp.models  # noqa: E402, F401
from eventsapp import create_app  # noqa: E402
from eventsapp.accounts.models import User  # noqa: E402
from eventsapp.config import TestConfig  # noqa: E402
from eventsapp.contests.models import ContestJudge, Entry, Round, RubricCriterion, ScoreSheet  # noqa: E402
from eventsapp.extensions import db  # noqa: E402
from eventsapp.reviews.scoring import Review, save_sheet  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL URL of a throwaway database (default: a new SQLite file)")
    parser.add_argument("--saves", type=int, default=200)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as workdir:
        url = prepare_database(args.database_url, Path(workdir))
        config = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
        config.update(SQLALCHEMY_DATABASE_URI=url.render_as_string(hide_password=False), TESTING=False,
                      GC_FREEZE_AT_START=False)
        app = create_app(config)
        _, revision = build_schema(app)
        data = fill(app, 2000, 200, 5, 14)
        statements = [0]
        walls, cpus, counts = [], [], []
        load_before = os.getloadavg()[0]
        with app.app_context():
            sa_event.listen(db.engine, "before_cursor_execute", lambda *_: statements.__setitem__(0, statements[0] + 1))
            round_id = data["round_id"]
            criteria = [tuple(row) for row in db.session.execute(
                select(RubricCriterion.id, RubricCriterion.max_points).where(RubricCriterion.round_id == round_id)
                .order_by(RubricCriterion.position))]
            sheet_ids = list(db.session.scalars(select(ScoreSheet.id).where(ScoreSheet.round_id == round_id)
                                                .order_by(ScoreSheet.id)))
            user = db.session.scalar(select(User).where(User.email == "organizer@bench.example.org"))
            user_id = user.id
            db.session.commit()
        for number in range(args.saves + 10):
            with app.app_context():
                sheet = db.session.get(ScoreSheet, sheet_ids[(number * 37) % len(sheet_ids)])
                review = Review(db.session.get(ContestJudge, sheet.judge_id), db.session.get(Round, round_id),
                                db.session.get(Entry, sheet.entry_id), sheet)
                user = db.session.get(User, user_id)
                points = {criterion_id: Decimal((number + position) % (max_points + 1))
                          for position, (criterion_id, max_points) in enumerate(criteria)}
                statements[0] = 0
                started, started_cpu = time.perf_counter(), time.process_time()
                save_sheet(review, points, {}, "", True, sheet.version, user)
                db.session.commit()
                if number >= 10:  # the first saves warm the caches
                    walls.append((time.perf_counter() - started) * 1000)
                    cpus.append((time.process_time() - started_cpu) * 1000)
                    counts.append(statements[0])
        with app.app_context():
            engine = db.engine.dialect.name
            db.engine.dispose()
    print(f"{engine} · schema {revision} · {len(walls)} saves · load {load_before:.2f} → {os.getloadavg()[0]:.2f}")
    print(f"wall median {statistics.median(walls):.2f} ms, p95 {statistics.quantiles(walls, n=20)[-1]:.2f} ms · "
          f"CPU median {statistics.median(cpus):.2f} ms, p95 {statistics.quantiles(cpus, n=20)[-1]:.2f} ms · "
          f"{statistics.fmean(counts):.1f} statements per save")


if __name__ == "__main__":
    main()
