"""The year-in-review report (issue 15): the PDF of a year with 200 events in under 10 s.

Fills a fresh database with the issue's year: 200 published events (fairs, campus fairs, a Talent Day, in
every district, in five series), 300,000 registrations of 100,000 people (a mix of degrees, ages, classes
and statuses; about seven in ten confirmed checked in), 40 employers' booths and openings at each fair; and
a previous year of 100 events and 100,000 registrations for the comparison. Then it measures what the
year report's background job does (eventsapp.reports.jobs, run as `run_job` in this process) in two regimes,
as the median of three runs after one warm-up, for each language:

- **summary**: the scheduler computed the year's analytics snapshots (the analytics page was open): the job
  reads the figures of both years from the summary table and writes the PDF;
- **nothing computed**: no snapshot of either year: the job computes the figures of both years (and
  stores them), then writes the PDF.

It also prints where the time goes (figures, HTML, PDF layout) for one run.

    .venv/bin/python benchmarks/year_report.py
    .venv/bin/python benchmarks/year_report.py --database-url postgresql://postgres@127.0.0.1:5432/bench_report

Without --database-url it uses a fresh SQLite file in a temporary directory. A PostgreSQL database
is created if missing and its `public` schema dropped and rebuilt: never point it at data you keep.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from sqlalchemy import delete, func, select, text  # noqa: E402
from support import build_schema, insert_chunks, prepare_database, weighted  # noqa: E402

import eventsapp.models  # noqa: E402, F401 - every table mapped before a service builds its queries
from eventsapp import create_app  # noqa: E402
from eventsapp.accounts.models import Role, User  # noqa: E402
from eventsapp.analytics.models import AnalyticsSnapshot  # noqa: E402
from eventsapp.analytics.services import Period  # noqa: E402
from eventsapp.analytics.snapshots import refresh  # noqa: E402
from eventsapp.booths.models import Booth, BoothStatus, BoothType  # noqa: E402
from eventsapp.candidates.choices import HANGZHOU_DISTRICTS  # noqa: E402
from eventsapp.candidates.models import CandidateProfile, Degree, TalentClass  # noqa: E402
from eventsapp.events.models import Event, EventKind, EventStatus, Series  # noqa: E402
from eventsapp.extensions import db  # noqa: E402
from eventsapp.jobs.models import BackgroundJob  # noqa: E402
from eventsapp.jobs.services import create_job, result_path, run_job  # noqa: E402
from eventsapp.openings.models import Opening  # noqa: E402
from eventsapp.organizations.models import Industry, Organization, OrganizationSize, OrganizationStatus  # noqa: E402
from eventsapp.registrations.models import Registration, RegistrationStatus  # noqa: E402
from eventsapp.reports.jobs import KIND  # noqa: E402
from eventsapp.reports.yearreport import render_year_report, year_report_html, year_review  # noqa: E402

YEAR = 2026
EVENTS, REGISTRATIONS, PEOPLE = 200, 300_000, 100_000
PREVIOUS_EVENTS, PREVIOUS_REGISTRATIONS = 100, 100_000
EMPLOYERS, BOOTHS_PER_FAIR = 400, 40
TARGET_SECONDS = 10
ZONE = ZoneInfo("Asia/Shanghai")
DEGREES = {Degree.VOCATIONAL: 4, Degree.ASSOCIATE: 9, Degree.BACHELOR: 40, Degree.MASTER: 30, Degree.PHD: 11,
           Degree.POSTDOC: 4, None: 2}
CLASSES = {TalentClass.A: 1, TalentClass.B: 3, TalentClass.C: 8, TalentClass.D: 14, TalentClass.E: 18,
           TalentClass.F: 16, None: 40}
STATUSES = {RegistrationStatus.CONFIRMED: 80, RegistrationStatus.CANCELLED: 9, RegistrationStatus.WAITLISTED: 4,
            RegistrationStatus.REJECTED: 4, RegistrationStatus.PENDING: 3}


def _events(year: int, count: int, first_id: int, rng: random.Random) -> list[dict]:
    rows = []
    for number in range(count):
        day = date(year, 1, 1) + timedelta(days=int(number * 364 / count))
        starts = datetime(day.year, day.month, day.day, 9, tzinfo=ZONE).astimezone(UTC)
        talent_day = number == count * 3 // 4
        rows.append({"id": first_id + number, "slug": f"bench-{year}-{number}", "status": EventStatus.PUBLISHED,
                     "kind": EventKind.TALENT_DAY if talent_day else EventKind.FAIR,
                     "talent_day_year": year if talent_day else None,
                     "title_zh": f"{year} 招聘会 {number}", "title_en": f"Job fair {year} no. {number}",
                     "timezone": "Asia/Shanghai", "capacity": 5000, "starts_at": starts,
                     "ends_at": starts + timedelta(hours=7), "published_at": starts - timedelta(days=60),
                     "district": rng.choice(HANGZHOU_DISTRICTS), "series_id": 1 + number % 5 if number % 3 else None})
    return rows


def _registrations(event_ids: list[int], total: int, starts: dict[int, datetime], rng: random.Random) -> list[dict]:
    rows, per_event = [], total // len(event_ids)
    for event_id in event_ids:
        for user_id in rng.sample(range(1, PEOPLE + 1), per_event):
            status = weighted(rng, STATUSES)
            asked = starts[event_id] - timedelta(days=rng.randint(1, 60))
            came = status == RegistrationStatus.CONFIRMED and rng.random() < .7
            rows.append({"event_id": event_id, "user_id": user_id, "status": status, "created_at": asked,
                         "queued_at": asked, "updated_at": asked,
                         "confirmed_at": asked if status == RegistrationStatus.CONFIRMED else None,
                         "attended_at": starts[event_id] if came else None})
    return rows


def fill(app) -> None:
    rng = random.Random(15)
    started = time.perf_counter()
    with app.app_context(), db.engine.begin() as connection:
        insert_chunks(connection, User.__table__, [
            {"id": user_id, "email": f"p{user_id}@bench.example", "password_hash": "x", "display_name": f"P{user_id}",
             "role": Role.CANDIDATE} for user_id in range(1, PEOPLE + 1)])
        insert_chunks(connection, CandidateProfile.__table__, [
            {"user_id": user_id, "degree": weighted(rng, DEGREES), "talent_class": weighted(rng, CLASSES),
             "birth_year": YEAR - int(rng.triangular(21, 45, 26)), "graduation_year": YEAR - rng.randint(-1, 8),
             "city": rng.choice(HANGZHOU_DISTRICTS)} for user_id in range(1, PEOPLE + 1)])
        insert_chunks(connection, Series.__table__, [
            {"id": number, "slug": f"series-{number}", "title_zh": f"系列 {number}", "title_en": f"Series {number}"}
            for number in range(1, 6)])
        events = _events(YEAR, EVENTS, 1, rng) + _events(YEAR - 1, PREVIOUS_EVENTS, EVENTS + 1, rng)
        insert_chunks(connection, Event.__table__, events)
        starts = {event["id"]: event["starts_at"] for event in events}
        insert_chunks(connection, Registration.__table__,
                      _registrations(list(range(1, EVENTS + 1)), REGISTRATIONS, starts, rng)
                      + _registrations(list(range(EVENTS + 1, EVENTS + PREVIOUS_EVENTS + 1)), PREVIOUS_REGISTRATIONS,
                                       starts, rng))
        insert_chunks(connection, Organization.__table__, [
            {"id": number, "name_zh": f"用人单位 {number}", "credit_code": f"BENCH{number:013d}",
             "industry": rng.choice(list(Industry)), "size": OrganizationSize.FROM_100,
             "status": OrganizationStatus.VERIFIED} for number in range(1, EMPLOYERS + 1)])
        booths, openings = [], []
        for event in events:
            for organization_id in rng.sample(range(1, EMPLOYERS + 1), BOOTHS_PER_FAIR):
                booths.append({"event_id": event["id"], "organization_id": organization_id, "interviewers": 2,
                               "booth_type": BoothType.STANDARD, "status": BoothStatus.APPROVED})
                openings.append({"organization_id": organization_id, "event_id": event["id"], "title": "工程师",
                                 "headcount": rng.randint(1, 10)})
        insert_chunks(connection, Booth.__table__, booths)
        insert_chunks(connection, Opening.__table__, openings)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":  # the planner's statistics, as autovacuum keeps them in use
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
    print(f"filled in {time.perf_counter() - started:.1f} s")


def measure(app, language: str, summary: bool, organizer_id: int) -> tuple[float, float, int]:
    """Median wall-clock seconds, median CPU seconds of this process (the part the machine's load does not
    stretch; PostgreSQL's own work is not in it) and the PDF's size."""
    timings, cpu, size = [], [], 0
    for run in range(4):
        with app.app_context():
            if summary:
                for year in (YEAR, YEAR - 1):
                    refresh(Period.year(year))
            else:
                db.session.execute(delete(AnalyticsSnapshot))
            db.session.commit()
            job_id = create_job(KIND, {"year": YEAR, "lang": "zh_CN" if language == "zh" else "en"}, organizer_id).id
            db.session.commit()
            started, cpu_started = time.perf_counter(), time.process_time()
            run_job(job_id)
            elapsed, cpu_used = time.perf_counter() - started, time.process_time() - cpu_started
            job = db.session.get(BackgroundJob, job_id)
            if job.status != "done":
                raise SystemExit(f"the job failed: {job.error}")
            if run:
                timings.append(elapsed)
                cpu.append(cpu_used)
            size = result_path(job).stat().st_size
    return statistics.median(timings), statistics.median(cpu), size


def breakdown(app, language: str) -> str:
    with app.app_context():
        started = time.perf_counter()
        review = year_review(YEAR, language, today=date(YEAR, 12, 31))
        figures_done = time.perf_counter()
        html = year_report_html(review)
        html_done = time.perf_counter()
        render_year_report(review, app.static_folder)
        pdf_done = time.perf_counter()
    return (f"figures {figures_done - started:.2f} s, HTML {html_done - figures_done:.2f} s, "
            f"HTML + PDF {pdf_done - figures_done:.2f} s ({len(html) / 1024:.0f} KiB of HTML)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        url = prepare_database(args.database_url, Path(workdir))
        app = create_app({"SQLALCHEMY_DATABASE_URI": url.render_as_string(hide_password=False),
                          "APP_ENV": "benchmark"})
        app.config["JOB_FOLDER"] = str(Path(workdir) / "jobs")
        build_schema(app)
        fill(app)
        with app.app_context():
            # The fill gave its users their ids: the sequence does not know them.
            organizer = User(id=db.session.scalar(select(func.max(User.id))) + 1, email="organizer@bench.example.org",
                             password_hash="x", display_name="Organizer", role=Role.ORGANIZER)
            db.session.add(organizer)
            db.session.commit()
            organizer_id = organizer.id
        print(f"load average {os.getloadavg()[0]:.1f}")
        for summary in (True, False):
            for language in ("zh", "en"):
                seconds, cpu, size = measure(app, language, summary, organizer_id)
                verdict = "OK" if seconds < TARGET_SECONDS else "TOO SLOW"
                regime = "summary" if summary else "nothing computed"
                print(f"{url.get_backend_name()} {language}, {regime}: year report job for {EVENTS} events in "
                      f"{seconds:.2f} s, CPU {cpu:.2f} s (median of 3; {size / 1024:.0f} KiB) — "
                      f"target < {TARGET_SECONDS} s: {verdict}")
        print("one run, nothing computed beforehand (zh):", breakdown(app, "zh"))
        print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
