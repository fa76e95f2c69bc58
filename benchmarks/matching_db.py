"""A matching run on a 100,000-candidate fair in the database, end to end (issue 5).

Fills a throwaway database with one fair: 100,000 candidates with profiles, skills and confirmed
registrations, each ranking 10 of 2,000 approved booths (popularity-skewed: a few employers
everyone wants), booths with 1–10 interviewers and one to three openings, some shortlist ranks and
exclusions, and the fair's MatchingRound (09:00–17:00 in 30-minute slots, 3 interviews per
candidate). Then times `eventsapp.matchmaking.runs.run_matching` split into its three parts:

- load: reading the preferences, shortlists, exclusions, profiles and openings, and building
  every booth's ranking (fit scores and the lottery);
- engine: stable_match + schedule_interviews;
- save: the run, its booths' rankings, its candidates' choices and the interviews, committed.

Target (the issue): load + save under 15 s on PostgreSQL. `--publish` also times publishing the
run (an e-mail to every matched candidate and every booth's staff, rendered into the outbox).

    .venv/bin/python benchmarks/matching_db.py --database-url postgresql://postgres@127.0.0.1:5432/bench_matching_db
    .venv/bin/python benchmarks/matching_db.py --candidates 20000 --booths 400   # smaller, on SQLite

The PostgreSQL database is created if missing, its `public` schema dropped and rebuilt, and with
--drop the database is dropped at the end; `test` and the maintenance databases are refused.
Without --database-url it uses a new SQLite file in a temporary directory.
"""
from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from flask import Flask  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, func, insert, select, text  # noqa: E402
from sqlalchemy.engine import URL, make_url  # noqa: E402

from eventsapp import create_app  # noqa: E402
from eventsapp.accounts.models import Role, User  # noqa: E402
from eventsapp.booths.models import Booth, BoothStatus, BoothType  # noqa: E402
from eventsapp.browse.models import ShortlistEntry  # noqa: E402
from eventsapp.candidates.models import CandidateProfile, CandidateSkill, Degree, TalentClass  # noqa: E402
from eventsapp.config import TestConfig, normalize_database_url  # noqa: E402
from eventsapp.events.models import Event, EventKind, EventStatus  # noqa: E402
from eventsapp.extensions import db  # noqa: E402
from eventsapp.matchmaking import run_results, runs  # noqa: E402
from eventsapp.matchmaking.models import (  # noqa: E402
    BoothExclusion,
    CandidateChoice,
    Interview,
    MatchingRound,
    MatchRun,
)
from eventsapp.notifications.models import OutboxMessage  # noqa: E402
from eventsapp.openings.models import Opening  # noqa: E402
from eventsapp.organizations.models import (  # noqa: E402
    Industry,
    MemberRole,
    Organization,
    OrganizationMember,
    OrganizationSize,
    OrganizationStatus,
)
from eventsapp.registrations.models import Registration, RegistrationStatus  # noqa: E402

TARGET_SECONDS = 15.0  # load + save, on PostgreSQL
CHUNK_ROWS = 10_000
PROTECTED_DATABASES = {"test", "postgres", "template0", "template1"}
FAIR_SLUG = "bench-matching-fair"
MAJORS = ["计算机科学与技术", "软件工程", "电子信息工程", "自动化", "机械工程", "会计学", "金融学", "市场营销",
          "法学", "英语", "生物医学工程", "药学", "材料科学与工程", "土木工程", "统计学", "人力资源管理"]
SKILLS = ["Python", "Java", "SQL", "Excel", "英语", "数据分析", "机器学习", "前端开发", "项目管理", "财务", "PPT",
          "C++", "Go", "CAD", "市场营销", "新媒体运营", "UI设计", "测试", "嵌入式", "日语"]
DEGREES = [Degree.BACHELOR] * 45 + [Degree.MASTER] * 28 + [Degree.ASSOCIATE] * 9 + [Degree.PHD] * 6 + \
    [Degree.VOCATIONAL] * 6 + [Degree.OTHER] * 2 + [None] * 4
TALENT = [None] * 84 + [TalentClass.F] * 7 + [TalentClass.E] * 6 + [TalentClass.D] * 2 + [TalentClass.C]


# --- Database preparation ---------------------------------------------------------------------

def prepare_database(url_text: str | None, workdir: Path) -> URL:
    if url_text is None:
        return make_url(f"sqlite:///{workdir / 'bench.db'}")
    url = make_url(normalize_database_url(url_text))
    if url.get_backend_name() != "postgresql":
        raise SystemExit("give a PostgreSQL URL, or none for a temporary SQLite file")
    if not url.database or url.database in PROTECTED_DATABASES:
        raise SystemExit(f"refusing to use database {url.database!r}; name a throwaway benchmark database")
    maintenance = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with maintenance.connect() as connection:
        if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}):
            connection.execute(text(f"CREATE DATABASE {maintenance.dialect.identifier_preparer.quote(url.database)}"))
    maintenance.dispose()
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


def drop_database(url: URL) -> None:
    maintenance = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with maintenance.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS "
                                f"{maintenance.dialect.identifier_preparer.quote(url.database)} WITH (FORCE)"))
    maintenance.dispose()


def make_app(url: URL) -> Flask:
    settings = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
    settings.update(SQLALCHEMY_DATABASE_URI=url.render_as_string(hide_password=False), TESTING=False)
    return create_app(settings)


# --- Filling ----------------------------------------------------------------------------------

def insert_chunks(connection, table, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK_ROWS):
        connection.execute(insert(table), rows[start:start + CHUNK_ROWS])


def popularity(booths: int) -> list[float]:
    """Zipf-like weights: the first booths are wanted by far more people (as in benchmarks/matching.py)."""
    return [1 / (rank + 1) ** 0.8 for rank in range(booths)]


def fill(app: Flask, rng: random.Random, candidates: int, booths: int, ranked: int) -> dict:
    now = datetime.now(UTC).replace(microsecond=0)
    day = (now + timedelta(days=30)).replace(hour=1, minute=0, second=0)  # 09:00 in Shanghai
    started = time.perf_counter()
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(insert(Event.__table__), [{
            "slug": FAIR_SLUG, "kind": EventKind.FAIR, "status": EventStatus.PUBLISHED,
            "title_zh": "2027届高校毕业生秋季招聘会", "title_en": "Autumn graduate fair", "timezone": "Asia/Shanghai",
            "starts_at": day, "ends_at": day + timedelta(hours=8), "capacity": candidates, "created_at": now,
            "updated_at": now, "published_at": now}])
        event_id = connection.scalar(select(Event.id).where(Event.slug == FAIR_SLUG))
        connection.execute(insert(MatchingRound.__table__), [{
            "event_id": event_id, "deadline": day - timedelta(days=2), "max_ranked": ranked,
            "interviews_per_candidate": 3, "slot_minutes": 30, "interviews_start_at": day,
            "interviews_end_at": day + timedelta(hours=8), "weights_json": "{}", "created_at": now,
            "updated_at": now}])

        insert_chunks(connection, User.__table__, [
            {"email": f"candidate.{number}@example.com", "password_hash": "x", "display_name": f"候选人 {number}",
             "role": Role.CANDIDATE, "created_at": now} for number in range(candidates)])
        people = connection.scalars(select(User.id).where(User.role == Role.CANDIDATE).order_by(User.id)).all()
        this_year = now.year
        insert_chunks(connection, CandidateProfile.__table__, [
            {"user_id": user_id, "name": f"候选人 {user_id}", "name_latin": f"Candidate {user_id}",
             "phone": "+8613800138000", "degree": rng.choice(DEGREES), "major": rng.choice(MAJORS),
             "graduation_year": rng.randint(this_year - 3, this_year + 1), "talent_class": rng.choice(TALENT),
             "created_at": now, "updated_at": now} for user_id in people])
        skills = [{"user_id": user_id, "name": name} for user_id in people
                  for name in rng.sample(SKILLS, rng.randint(0, 5))]
        insert_chunks(connection, CandidateSkill.__table__, skills)
        insert_chunks(connection, Registration.__table__, [
            {"event_id": event_id, "user_id": user_id, "status": RegistrationStatus.CONFIRMED, "queued_at": now,
             "created_at": now, "updated_at": now, "confirmed_at": now} for user_id in people])

        insert_chunks(connection, Organization.__table__, [
            {"name_zh": f"杭州测试科技有限公司{number}", "name_en": f"Hangzhou Test Tech {number}",
             "credit_code": f"91330100MA{number:08d}", "industry": rng.choice(list(Industry)),
             "size": OrganizationSize.FROM_100, "city": "杭州", "status": OrganizationStatus.VERIFIED,
             "verified_at": now, "created_at": now, "updated_at": now} for number in range(booths)])
        organizations = connection.scalars(select(Organization.id).order_by(Organization.id)).all()
        insert_chunks(connection, User.__table__, [
            {"email": f"hr{number}@org{number}.example.com", "password_hash": "x", "display_name": f"HR {number}",
             "role": Role.EMPLOYER, "created_at": now} for number in range(booths)])
        staff = connection.scalars(select(User.id).where(User.role == Role.EMPLOYER).order_by(User.id)).all()
        insert_chunks(connection, OrganizationMember.__table__, [
            {"organization_id": organization_id, "user_id": user_id, "role": MemberRole.OWNER, "created_at": now}
            for organization_id, user_id in zip(organizations, staff, strict=True)])
        insert_chunks(connection, Booth.__table__, [
            {"event_id": event_id, "organization_id": organization_id, "booth_type": BoothType.STANDARD,
             "interviewers": rng.randint(1, 10), "status": BoothStatus.APPROVED, "created_at": now,
             "decided_at": now} for organization_id in organizations])
        booth_ids = connection.scalars(select(Booth.id).order_by(Booth.id)).all()
        insert_chunks(connection, Opening.__table__, [
            {"organization_id": organization_id, "event_id": event_id, "title": f"岗位 {organization_id}-{number}",
             "degree": rng.choice([None, Degree.BACHELOR, Degree.BACHELOR, Degree.MASTER]),
             "majors": ",".join(rng.sample(MAJORS, rng.randint(0, 3))),
             "skills": ",".join(rng.sample(SKILLS, rng.randint(0, 4))), "headcount": rng.randint(1, 10),
             "created_at": now, "updated_at": now}
            for organization_id in organizations for number in range(rng.randint(1, 3))])

        weights = popularity(booths)
        choices, fans = [], {booth_id: [] for booth_id in booth_ids}
        for user_id in people:
            chosen: dict[int, None] = {}
            while len(chosen) < ranked:
                for index in rng.choices(range(booths), weights, k=ranked - len(chosen)):
                    chosen.setdefault(booth_ids[index])
            for position, booth_id in enumerate(chosen, start=1):
                choices.append({"event_id": event_id, "candidate_id": user_id, "booth_id": booth_id,
                                "position": position, "created_at": now})
                fans[booth_id].append(user_id)
        insert_chunks(connection, CandidateChoice.__table__, choices)
        # Employers shortlist and rank a few of their fans, and exclude a few others.
        shortlist, exclusions = [], []
        for booth_id, people_of_booth in fans.items():
            picked = rng.sample(people_of_booth, min(len(people_of_booth), 25))
            shortlist += [{"booth_id": booth_id, "candidate_id": user_id, "rank": rank, "note": "",
                           "created_at": now, "updated_at": now} for rank, user_id in enumerate(picked[:20], 1)]
            exclusions += [{"booth_id": booth_id, "candidate_id": user_id, "created_at": now}
                           for user_id in picked[20:]]
        insert_chunks(connection, ShortlistEntry.__table__, shortlist)
        insert_chunks(connection, BoothExclusion.__table__, exclusions)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            # Do now what autovacuum would do soon after a bulk load, so it does not run during the timing.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
    return {"event_id": event_id, "candidates": len(people), "booths": len(booth_ids), "choices": len(choices),
            "skills": len(skills), "shortlisted": len(shortlist), "excluded": len(exclusions),
            "fill_seconds": round(time.perf_counter() - started, 1)}


# --- Measuring --------------------------------------------------------------------------------

def measure(app: Flask, event_id: int, seed: int, publish: bool) -> dict:
    with app.app_context():
        cpu = [time.process_time()]
        started = time.perf_counter()
        inputs = runs.load_inputs(event_id, seed)
        loaded = time.perf_counter()
        cpu.append(time.process_time())
        outcome = runs.compute(inputs)
        computed = time.perf_counter()
        cpu.append(time.process_time())
        run = runs.save_run(inputs, outcome, None)
        db.session.commit()
        saved = time.perf_counter()
        cpu.append(time.process_time())
        run_id = run.id
        results = run_results.results_of(run)
        counts = {"interviews": db.session.scalar(select(func.count()).select_from(Interview)
                                                  .where(Interview.run_id == run_id))}
        figures = {"load_s": round(loaded - started, 2), "engine_s": round(computed - loaded, 2),
                   "save_s": round(saved - computed, 2),
                   "load_plus_save_s": round(loaded - started + saved - computed, 2),
                   "total_s": round(saved - started, 2),
                   "cpu_load_s": round(cpu[1] - cpu[0], 2), "cpu_engine_s": round(cpu[2] - cpu[1], 2),
                   "cpu_save_s": round(cpu[3] - cpu[2], 2), "slots_used": run.slots,
                   "slots_per_day": inputs.slots_per_day, "interviews": counts["interviews"],
                   "share_matched": round(results["share_matched"], 4),
                   "share_first_choice": round(results["share_first_choice"], 4),
                   "capacity": results["total_capacity"], "demand": inputs.summary()["demand"]}
        db.session.remove()
    with app.app_context():
        # The same inputs and seed again: the same schedule.
        again = runs.load_inputs(event_id, seed)
        same = runs.compute(again).slot_of == outcome.slot_of
        figures["reproducible"] = same
        db.session.remove()
    if publish:
        with app.app_context():
            started = time.perf_counter()
            runs.publish_run(event_id, run_id)
            db.session.commit()
            figures["publish_s"] = round(time.perf_counter() - started, 2)
            figures["emails"] = db.session.scalar(select(func.count()).select_from(OutboxMessage))
            db.session.remove()
    with app.app_context():
        figures["runs"] = db.session.scalar(select(func.count()).select_from(MatchRun))
    return figures


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a throwaway PostgreSQL database (default: a temporary SQLite file)")
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--booths", type=int, default=2_000)
    parser.add_argument("--ranked", type=int, default=10)
    parser.add_argument("--seed", type=int, default=20270928)
    parser.add_argument("--publish", action="store_true", help="also time publishing (renders every e-mail)")
    parser.add_argument("--drop", action="store_true", help="drop the PostgreSQL database at the end")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory() as workdir:
        url = prepare_database(args.database_url, Path(workdir))
        app = make_app(url)
        with app.app_context():
            upgrade()
        try:
            data = fill(app, random.Random(args.seed), args.candidates, args.booths, args.ranked)
            figures = measure(app, data["event_id"], args.seed, args.publish)
        finally:
            with app.app_context():
                db.engine.dispose()
            if args.drop and url.get_backend_name() == "postgresql":
                drop_database(url)
    report = {"database": url.get_backend_name(), "machine": f"{platform.machine()}, {platform.python_version()}",
              **data, **figures, "target_load_plus_save_s": TARGET_SECONDS}
    print(json.dumps(report, indent=2, ensure_ascii=False))
    if url.get_backend_name() == "postgresql" and figures["load_plus_save_s"] > TARGET_SECONDS:
        print(f"MISSED: load + save took {figures['load_plus_save_s']} s, target {TARGET_SECONDS} s")
        sys.exit(1)


if __name__ == "__main__":
    main()
