"""Server time of the organizers' analytics page for a year of 200 events, 300,000 registrations and 100,000
people (issue 15).

Builds the schema with the migrations and fills it with bulk inserts: 100,000 candidates with profiles
(degrees, talent classes, graduation and birth years, cities, some left empty), 200 published events in
2026 (fairs, Talent Day, conferences, competitions; in the 13 districts; a quarter in 4 series) plus 10
cancelled, 300,000 registrations spread over them (70 % confirmed, the rest waiting, pending, cancelled or
declined; 65 % of the confirmed places at events that have ended checked in), 120 organizations with
approved (and some pending) booths at the fairs and openings with headcounts, a published matching run at
40 fairs with about 30,000 interviews, and a survey at 60 events with about 12,000 responses and booth
outcomes. Then, as an organizer (a signed session cookie, as the login sets), it times GET
/manage/analytics/ through Flask's in-process test client — no network, no web server — for the year, the
year's fairs in one district, the autumn half, a series and chosen dates; and the XLSX of every table.
Every response must be 200. The page reads its figures from the summary table (eventsapp.analytics.snapshots)
that the scheduler computes, with their charts drawn in both languages: each view is asked for once, then one
round of the scheduler's ``analytics`` job computes them all (timed: "refresh"). Two regimes: **cold**, the
process's memos (decoded snapshots, drawn charts) are emptied before every request, so nothing of an earlier
request is reused and each request decodes the stored figures and charts; **warm**, the snapshot decoded by
an earlier request is reused.

    .venv/bin/python benchmarks/analytics.py --database-url postgresql://postgres@127.0.0.1:5432/test_analytics

Without --database-url it uses a fresh SQLite file in a temporary directory, removed at the end. A
PostgreSQL database is created if missing and its `public` schema is dropped and rebuilt, so never point
it at data you want to keep (`test` and the maintenance databases are refused).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from sqlalchemy import event as sa_event  # noqa: E402
from sqlalchemy import select, text  # noqa: E402
from support import build_schema, insert_chunks, prepare_database, weighted  # noqa: E402

import eventsapp.models  # noqa: E402, F401 - every table mapped before a service builds its queries
from eventsapp import create_app  # noqa: E402
from eventsapp.accounts.models import Role, User  # noqa: E402
from eventsapp.accounts.services import start_login_session  # noqa: E402
from eventsapp.analytics.charts import _draw  # noqa: E402
from eventsapp.analytics.models import AnalyticsSnapshot  # noqa: E402
from eventsapp.analytics.snapshots import forget_decoded, refresh_due  # noqa: E402
from eventsapp.booths.models import Booth, BoothStatus, BoothType  # noqa: E402
from eventsapp.candidates.choices import HANGZHOU_DISTRICTS  # noqa: E402
from eventsapp.candidates.models import CandidateProfile, Degree, TalentClass  # noqa: E402
from eventsapp.config import TestConfig  # noqa: E402
from eventsapp.events.models import Event, EventKind, EventStatus, Series  # noqa: E402
from eventsapp.extensions import db  # noqa: E402
from eventsapp.matchmaking.models import Interview, MatchRun, MatchRunBooth, RunStatus  # noqa: E402
from eventsapp.openings.models import Opening  # noqa: E402
from eventsapp.organizations.models import Industry, Organization, OrganizationSize, OrganizationStatus  # noqa: E402
from eventsapp.registrations.models import Registration, RegistrationStatus  # noqa: E402
from eventsapp.surveys.models import (  # noqa: E402
    BoothOutcome,
    Respondent,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyQuestionKind,
    SurveyResponse,
    SurveyState,
)

TARGET_P95_MS = 300.0
WARMUP_REQUESTS = 3
LANGUAGES = ("zh-CN,zh;q=0.9", "en")
SHANGHAI = ZoneInfo("Asia/Shanghai")
YEAR = 2026
CITIES = [f"杭州市{district}" for district in HANGZHOU_DISTRICTS] + list(HANGZHOU_DISTRICTS) + [
    "上海", "宁波", "北京", "", "", "Hangzhou"]


def _events(rng: random.Random, series_ids: list[int], now: datetime, count: int) -> list[dict]:
    rows = []
    for number in range(count + 10):
        day = datetime(YEAR, 1, 3, 9, tzinfo=SHANGHAI) + timedelta(days=number * 360 // count)
        kind = EventKind.TALENT_DAY if number == count * 3 // 4 else weighted(
            rng, {EventKind.FAIR: 6, EventKind.CONFERENCE: 2, EventKind.COMPETITION: 1})
        if kind == EventKind.TALENT_DAY:
            day = datetime(YEAR, 9, 28, 9, tzinfo=SHANGHAI)
        starts = day.astimezone(UTC)
        rows.append({
            "slug": f"event-{number}", "kind": kind,
            "status": EventStatus.CANCELLED if number >= count else EventStatus.PUBLISHED,
            "series_id": rng.choice(series_ids) if rng.random() < .25 else None,
            "title_zh": f"招聘活动 {number}", "title_en": f"Recruitment event {number}",
            "starts_at": starts, "ends_at": starts + timedelta(hours=7), "capacity": 5000,
            "district": rng.choice(HANGZHOU_DISTRICTS) if rng.random() < .9 else "",
            "published_at": starts - timedelta(days=60),
            "talent_day_year": YEAR if kind == EventKind.TALENT_DAY else None,
            "timezone": "Asia/Shanghai", "created_at": now, "updated_at": now})
    return rows


def fill(app, people: int, events: int, registrations: int, seed: int) -> dict:
    rng = random.Random(seed)
    now = datetime.now(UTC)
    started = time.perf_counter()
    with app.app_context():
        organizer = User(email="organizer@bench.example.org", password_hash="x", display_name="Organizer",
                         role=Role.ORGANIZER)
        series = [Series(slug=f"series-{number}", title_zh=name, title_en=f"Series {number}")
                  for number, name in enumerate(("新春纳才", "春风行动", "金秋招聘月", "杭向未来"))]
        db.session.add_all([organizer, *series])
        db.session.flush()
        series_ids = [row.id for row in series]
        session_id = start_login_session(organizer)
        db.session.commit()
        db.session.close()  # SQLite: let the bulk inserts below take the write lock

        with db.engine.begin() as connection:
            insert_chunks(connection, Event.__table__, _events(rng, series_ids, now, events))
            event_rows = connection.execute(select(Event.id, Event.kind, Event.starts_at, Event.ends_at, Event.status)
                                            .order_by(Event.id)).all()
            insert_chunks(connection, User.__table__, [
                {"email": f"person{number}@bench.example.org", "password_hash": "x", "display_name": f"P{number}",
                 "role": Role.CANDIDATE, "created_at": now} for number in range(people)])
            user_ids = list(connection.scalars(select(User.id).where(User.role == Role.CANDIDATE).order_by(User.id)))
            insert_chunks(connection, CandidateProfile.__table__, [
                {"user_id": user_id, "name": f"人{user_id}", "degree": weighted(rng, {
                    Degree.BACHELOR: 40, Degree.MASTER: 30, Degree.ASSOCIATE: 10, Degree.PHD: 6, Degree.POSTDOC: 1,
                    Degree.VOCATIONAL: 5, Degree.OTHER: 2, None: 6}),
                 "talent_class": weighted(rng, {None: 80, TalentClass.F: 8, TalentClass.E: 7, TalentClass.D: 3,
                                                TalentClass.C: 1, TalentClass.B: .5, TalentClass.A: .1}),
                 "graduation_year": rng.choice([None, *range(2015, 2029)]),
                 "birth_year": rng.choice([None, *range(1975, 2006)]), "city": rng.choice(CITIES),
                 "created_at": now, "updated_at": now} for user_id in user_ids])

            held = [row for row in event_rows if row.status == EventStatus.PUBLISHED]
            per_event = registrations // len(event_rows)
            rows = []
            for event in event_rows:
                ended = event.ends_at <= now
                for user_id in rng.sample(user_ids, per_event):
                    status = weighted(rng, {RegistrationStatus.CONFIRMED: 70, RegistrationStatus.WAITLISTED: 8,
                                            RegistrationStatus.PENDING: 5, RegistrationStatus.CANCELLED: 12,
                                            RegistrationStatus.REJECTED: 5})
                    created = event.starts_at - timedelta(days=rng.randint(1, 60), minutes=rng.randint(0, 1440))
                    attended = status == RegistrationStatus.CONFIRMED and ended and rng.random() < .65
                    rows.append({"event_id": event.id, "user_id": user_id, "status": status, "queued_at": created,
                                 "created_at": created, "updated_at": created,
                                 "confirmed_at": created if status == RegistrationStatus.CONFIRMED else None,
                                 "attended_at": event.starts_at + timedelta(hours=1) if attended else None,
                                 "decision_reason": ""})
            insert_chunks(connection, Registration.__table__, rows)
            held_ids = {event.id for event in held}
            registration_count = sum(1 for row in rows if row["event_id"] in held_ids)

            insert_chunks(connection, User.__table__, [
                {"email": f"owner{number}@bench.example.org", "password_hash": "x", "display_name": f"O{number}",
                 "role": Role.EMPLOYER, "created_at": now} for number in range(120)])
            insert_chunks(connection, Organization.__table__, [
                {"name_zh": f"杭州企业{number}", "name_en": f"Company {number}",
                 "credit_code": f"91330100BN{number:08d}",
                 "industry": weighted(rng, {Industry.I: 30, Industry.C: 25, Industry.M: 10, Industry.F: 10,
                                            Industry.J: 8, Industry.K: 5, Industry.P: 5, Industry.Q: 5, Industry.E: 2}),
                 "size": OrganizationSize.FROM_100, "status": OrganizationStatus.VERIFIED, "city": "杭州",
                 "website": "", "description": "", "status_reason": "", "created_at": now, "updated_at": now}
                for number in range(120)])
            organization_ids = list(connection.scalars(select(Organization.id)))
            fairs = [row for row in held if row.kind in (EventKind.FAIR, EventKind.TALENT_DAY)]
            insert_chunks(connection, Booth.__table__, [
                {"event_id": event.id, "organization_id": organization_id, "booth_type": BoothType.STANDARD,
                 "interviewers": 2, "note": "", "status_reason": "", "created_at": now,
                 "status": BoothStatus.APPROVED if rng.random() < .85 else BoothStatus.PENDING}
                for event in fairs for organization_id in rng.sample(organization_ids, 40)])
            booths = connection.execute(select(Booth.id, Booth.event_id, Booth.organization_id, Booth.status)).all()
            insert_chunks(connection, Opening.__table__, [
                {"organization_id": booth.organization_id, "event_id": booth.event_id, "title": "岗位",
                 "description": "", "majors": "", "skills": "", "work_city": "", "headcount": rng.randint(1, 20),
                 "created_at": now, "updated_at": now}
                for booth in booths for _number in range(rng.randint(0, 4))])

            by_event: dict[int, list] = {}
            for booth in booths:
                by_event.setdefault(booth.event_id, []).append(booth)
            interviews = 0
            for event in fairs[:40]:
                run_id = connection.scalar(MatchRun.__table__.insert().returning(MatchRun.id), {
                    "event_id": event.id, "seed": rng.randint(1, 10**9), "status": RunStatus.PUBLISHED, "slots": 16,
                    "inputs_summary": "{}", "results_summary": "{}", "created_at": now, "published_at": now})
                run_booths, run_interviews = [], []
                for booth in by_event.get(event.id, []):
                    capacity = 32
                    run_booths.append({"run_id": run_id, "booth_id": booth.id, "capacity": capacity,
                                       "interviewers": 2, "ranking_json": "[]"})
                    for slot, candidate in enumerate(rng.sample(user_ids, rng.randint(10, capacity))):
                        run_interviews.append({
                            "run_id": run_id, "candidate_id": candidate, "booth_id": booth.id, "slot": slot,
                            "starts_at": event.starts_at, "ends_at": event.starts_at + timedelta(minutes=30),
                            "choice_position": rng.randint(1, 5)})
                insert_chunks(connection, MatchRunBooth.__table__, run_booths)
                insert_chunks(connection, Interview.__table__, run_interviews)
                interviews += len(run_interviews)

            responses = 0
            for event in [row for row in held if row.ends_at <= now][:60]:
                survey_id = connection.scalar(Survey.__table__.insert().returning(Survey.id), {
                    "event_id": event.id, "state": SurveyState.SENT, "sent_at": event.ends_at, "anonymous": False,
                    "audience": "both", "intro_zh": "", "intro_en": "", "reminder_days": 3, "created_at": now})
                questions = {}
                for kind in (SurveyQuestionKind.RATING, SurveyQuestionKind.RECOMMEND):
                    questions[kind] = connection.scalar(
                        SurveyQuestion.__table__.insert().returning(SurveyQuestion.id), {
                        "survey_id": survey_id, "kind": kind, "label_zh": "评分", "label_en": "Rating", "position": 0,
                        "options_text": "", "required": True, "audience": "everyone"})
                people_asked = rng.sample(user_ids, 200)
                insert_chunks(connection, SurveyResponse.__table__, [
                    {"survey_id": survey_id, "user_id": user_id, "submitted_at": event.ends_at,
                     "respondent": Respondent.EMPLOYER if number % 10 == 0 else Respondent.CANDIDATE}
                    for number, user_id in enumerate(people_asked)])
                response_ids = list(connection.scalars(select(SurveyResponse.id)
                                                       .where(SurveyResponse.survey_id == survey_id)))
                answers = []
                for response_id in response_ids:
                    stars, score = rng.randint(2, 5), rng.randint(3, 10)
                    answers += [{"response_id": response_id, "question_id": questions[SurveyQuestionKind.RATING],
                                 "value": str(stars), "number": stars},
                                {"response_id": response_id, "question_id": questions[SurveyQuestionKind.RECOMMEND],
                                 "value": str(score), "number": score}]
                insert_chunks(connection, SurveyAnswer.__table__, answers)
                responses += len(response_ids)
                outcomes = []
                for booth in by_event.get(event.id, []):
                    if booth.status == BoothStatus.APPROVED:
                        offers = rng.randint(0, 8)
                        outcomes.append({"booth_id": booth.id, "event_id": event.id, "interviewed": offers * 3,
                                         "offers": offers, "hires": rng.randint(0, offers), "reported_at": now})
                insert_chunks(connection, BoothOutcome.__table__, outcomes)
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
    return {"session_id": session_id, "people": people, "events": len(held), "registrations": registration_count,
            "booths": len(booths), "interviews": interviews, "survey_responses": responses,
            "series_id": series_ids[0], "fill_seconds": time.perf_counter() - started}


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


def time_path(client, counter, name: str, path: str, requests: int, before=None) -> dict:
    times, queries, cpu = [], [], []
    for number in range(WARMUP_REQUESTS + requests):
        if before is not None:
            before()
        counter.count = 0
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get(path, headers={"Accept-Language": LANGUAGES[number % 2]})
        elapsed_ms = (time.perf_counter() - started) * 1000
        cpu_ms = (time.process_time() - cpu_started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"GET {path} answered {response.status_code}")
        if number >= WARMUP_REQUESTS:
            times.append(elapsed_ms)
            queries.append(counter.count)
            cpu.append(cpu_ms)
    return {"variant": name, "path": path, "requests": len(times), "median_ms": statistics.median(times),
            "p95_ms": statistics.quantiles(times, n=20)[-1], "queries": statistics.fmean(queries),
            "cpu_median_ms": statistics.median(cpu)}


def measure(app, data: dict, requests: int) -> list[dict]:
    counter = QueryCounter()
    with app.app_context():
        sa_event.listen(db.engine, "before_cursor_execute", counter)
    client = logged_in_client(app, data["session_id"])
    page = "/manage/analytics/"
    variants = [("year", f"{page}?period=year&year={YEAR}"),
                ("year, fairs in 西湖区", f"{page}?period=year&year={YEAR}&kind=fair&district=西湖区"),
                ("autumn half", f"{page}?period=half&year={YEAR}&half=2"),
                ("series", f"{page}?period=series&series={data['series_id']}"),
                ("chosen dates", f"{page}?period=custom&start={YEAR}-03-01&end={YEAR}-05-31"),
                ("year, all tables XLSX", f"/manage/analytics/all.xlsx?period=year&year={YEAR}")]
    app.config["ANALYTICS_REFRESH_IN_REQUEST"] = False  # as in production: the scheduler computes
    for _name, path in variants:  # a first view asks for its figures
        if client.get(path).status_code not in (200, 409):
            raise SystemExit(f"GET {path} failed before the refresh")
    with app.app_context():
        started = time.perf_counter()
        summary = refresh_due(datetime.now(UTC))
        refresh_seconds = time.perf_counter() - started
        computed = {row.scope: row.compute_seconds for row in db.session.scalars(select(AnalyticsSnapshot))}
    results = [{"variant": f"refresh ({summary})", "regime": "job", "requests": 1, "median_ms": refresh_seconds * 1000,
                "p95_ms": max(computed.values()) * 1000, "queries": 0.0, "cpu_median_ms": 0.0}]
    def forget() -> None:  # nothing decoded or drawn by an earlier request is reused
        _draw.cache_clear()
        forget_decoded()

    for regime, before in (("cold", forget), ("warm", None)):
        for name, path in variants:
            row = time_path(client, counter, name, path, requests if "XLSX" not in name else max(10, requests // 4),
                            before)
            results.append({**row, "regime": regime})
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL URL of a throwaway database (default: a new SQLite file)")
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--registrations", type=int, default=300_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as workdir:
        url = prepare_database(args.database_url, Path(workdir))
        config = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
        app = create_app({**config, "SQLALCHEMY_DATABASE_URI": url.render_as_string(hide_password=False),
                          "TESTING": False})
        schema_seconds, revision = build_schema(app)
        # The events' registrations are spread over the 210 events, the 10 cancelled included.
        data = fill(app, args.people, args.events, args.registrations * (args.events + 10) // args.events, args.seed)
        load_before = os.getloadavg()[0]
        results = measure(app, data, args.requests)
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
    print(f"\n{engine} {version.split(',')[0]} · {data['events']} events held · {data['registrations']:,} "
          f"registrations · {data['people']:,} people · {data['booths']:,} booths · {data['interviews']:,} "
          f"interviews · {data['survey_responses']:,} survey responses · schema {revision} · "
          f"fill {data['fill_seconds']:.0f} s · load {load_before:.2f} → {report['load_after']:.2f}")
    print(f"{'variant':<26} {'regime':<6} {'n':>4} {'median ms':>10} {'p95 ms':>8} {'SQL/req':>8} {'CPU ms':>7}")
    for row in results:
        print(f"{row['variant']:<26} {row['regime']:<6} {row['requests']:>4} {row['median_ms']:>10.1f} "
              f"{row['p95_ms']:>8.1f} {row['queries']:>8.1f} {row['cpu_median_ms']:>7.1f}")
    print("refresh: one scheduler round computing every view's snapshot (median column: the round's time; "
          "p95 column: the slowest view's)")
    for regime in ("cold", "warm"):
        worst = max(row["p95_ms"] for row in results if "XLSX" not in row["variant"] and row["regime"] == regime)
        print(f"target p95 < {TARGET_P95_MS:.0f} ms for the page, {regime}: "
              f"{'met' if worst < TARGET_P95_MS else 'MISSED'} (worst p95 {worst:.1f} ms)")


if __name__ == "__main__":
    main()
