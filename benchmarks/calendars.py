"""Calendar feeds on a large database (issue 7).

Fills the schema with 10,000 public events (the bilingual events of event_pages.py, every one
published or cancelled after publishing) and one candidate with 50 entries in their personal feed
(registrations and interviews), then times through Flask's in-process test client, so the figures
are the application's own time (no network, no web server):

- /events.ics built from scratch (the feed cache and the remembered VEVENTs emptied first);
- /events.ics after one event changed (the other 9,999 VEVENTs are remembered);
- /events.ics answered from the cache (nothing changed);
- /events.ics with If-None-Match: 304 without building anything;
- /calendar/<token>.ics with 50 entries: from scratch, polled again unchanged, and its 304.

It prints the median and p95 per case, and checks every answer's status and size.

    .venv/bin/python benchmarks/calendars.py
    .venv/bin/python benchmarks/calendars.py --database-url postgresql://postgres@127.0.0.1:5432/bench_calendars

Without --database-url it uses a fresh SQLite file in a temporary directory, removed at the end.
A PostgreSQL database is created if missing and its `public` schema is dropped and rebuilt, so
never point it at data you want to keep.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from event_pages import generated_events, series_rows  # noqa: E402
from sqlalchemy import select  # noqa: E402
from support import build_schema, insert_chunks, prepare_database  # noqa: E402

from eventsapp import create_app  # noqa: E402
from eventsapp.accounts.models import Role, User  # noqa: E402
from eventsapp.booths.models import Booth, BoothStatus, BoothType, Hall  # noqa: E402
from eventsapp.calendars import ical, services  # noqa: E402
from eventsapp.calendars.cache import feed_cache  # noqa: E402
from eventsapp.events.models import Event, EventStatus, Series  # noqa: E402
from eventsapp.extensions import db  # noqa: E402
from eventsapp.matchmaking.models import Interview, MatchRun, RunStatus  # noqa: E402
from eventsapp.organizations.models import Industry, Organization, OrganizationSize, OrganizationStatus  # noqa: E402
from eventsapp.registrations.models import Registration, RegistrationStatus  # noqa: E402

TARGETS_MS = {"build 10,000 events, cold": 2000, "rebuild after 1 change": 2000, "cached feed": 50,
              "304 public feed": 5, "personal feed, cold": 20, "personal feed, again": 20, "304 personal feed": 20}
PERSONAL_REGISTRATIONS, PERSONAL_INTERVIEWS = 40, 10


def fill(app, rng: random.Random, count: int) -> tuple[int, str]:
    """The public events, then a candidate with 40 registrations and 10 interviews; returns (events, token)."""
    now = datetime.now(UTC).replace(microsecond=0)
    with app.app_context(), db.engine.begin() as connection:
        series = series_rows(now)
        insert_chunks(connection, Series.__table__, list(series.values()))
        slug_ids = {slug: id_ for slug, id_ in connection.execute(select(Series.slug, Series.id))}
        events = generated_events(rng, count, now, {key: slug_ids[row["slug"]] for key, row in series.items()})
        for row in events:  # the feed holds every event: published, or cancelled after publishing
            if row["status"] == EventStatus.DRAFT:
                row.update(status=EventStatus.PUBLISHED, published_at=row["created_at"], updated_at=row["created_at"])
        insert_chunks(connection, Event.__table__, events)
    with app.app_context():
        person = User(email="calendar@example.com", password_hash="x", display_name="王芳 Wang Fang",
                      role=Role.CANDIDATE, locale="zh_CN")
        db.session.add(person)
        ids = db.session.scalars(select(Event.id).where(Event.status == EventStatus.PUBLISHED)
                                 .order_by(Event.id).limit(PERSONAL_REGISTRATIONS)).all()
        states = [RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED, RegistrationStatus.CANCELLED]
        db.session.flush()
        db.session.add_all(Registration(event_id=event_id, user_id=person.id, status=states[number % 3])
                           for number, event_id in enumerate(ids))
        fair = db.session.get(Event, ids[0])
        hall = Hall(event_id=fair.id, name="A", rows=10, cols=10)
        db.session.add(hall)
        db.session.flush()
        run = MatchRun(event_id=fair.id, seed=1, status=RunStatus.PUBLISHED, slots=PERSONAL_INTERVIEWS,
                       published_at=now)
        db.session.add(run)
        db.session.flush()
        for number in range(PERSONAL_INTERVIEWS):
            organization = Organization(name_zh=f"杭州企业{number}", name_en=f"Hangzhou Company {number}",
                                        credit_code=f"91330100BENCH{number:05d}", industry=Industry.I,
                                        size=OrganizationSize.FROM_100, status=OrganizationStatus.VERIFIED)
            db.session.add(organization)
            db.session.flush()
            booth = Booth(event_id=fair.id, organization_id=organization.id, booth_type=BoothType.STANDARD,
                          status=BoothStatus.APPROVED, hall_id=hall.id, row=1, col=number + 1, code=f"A-{number + 1}")
            db.session.add(booth)
            db.session.flush()
            starts = fair.starts_at + timedelta(minutes=30 * number)
            db.session.add(Interview(run_id=run.id, candidate_id=person.id, booth_id=booth.id, slot=number,
                                     starts_at=starts, ends_at=starts + timedelta(minutes=30), choice_position=1))
        token = services.create_feed_token(person)
        db.session.commit()
        public = db.session.scalar(select(db.func.count()).select_from(Event).where(Event.is_public))
    return public, token


def timed(client, path: str, runs: int, headers=None, expect: int = 200, before=None
          ) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds of each request. On a shared machine the CPU time shows
    what the request costs when other processes take turns on the cores."""
    wall, cpu = [], []
    for _ in range(runs):
        if before:
            before()
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(path, headers=headers or {})
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == expect, (path, response.status_code, response.data[:300])
    return wall, cpu


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def summary(name: str, samples: tuple[list[float], list[float]]) -> str:
    wall, cpu = samples
    verdict = "ok" if p95(wall) < TARGETS_MS[name] else "MISSED"
    return (f"{name:<26} {len(wall):>5} {statistics.median(wall):>10.2f} {p95(wall):>10.2f} "
            f"{statistics.median(cpu):>10.2f} {p95(cpu):>10.2f} {TARGETS_MS[name]:>8} {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL or SQLite URL (default: a new SQLite file in a temp dir)")
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--builds", type=int, default=7, help="timed cold builds")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per other case")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="eventsapp-bench-") as workdir:
        url = prepare_database(args.database_url, Path(workdir))
        app = create_app({"SQLALCHEMY_DATABASE_URI": url.render_as_string(hide_password=False),
                          "SECRET_KEY": "bench", "TESTING": False, "PUBLIC_BASE_URL": "https://talent.example"})
        build_schema(app)
        print(f"filling {args.events:,} events …", file=sys.stderr)
        public, token = fill(app, random.Random(2), args.events)
        client = app.test_client()
        feed = "/events.ics?lang=zh_CN"

        def clear():
            with app.app_context():
                feed_cache.clear()
            ical.vevent_bytes.cache_clear()

        changes = iter(range(1_000_000))

        def change_one_event():
            with app.app_context():
                event = db.session.get(Event, 1 + next(changes) % public)
                event.calendar_sequence += 1
                db.session.commit()

        results = [("build 10,000 events, cold", timed(client, feed, args.builds, before=clear))]
        results.append(("rebuild after 1 change", timed(client, feed, args.builds, before=change_one_event)))
        body = client.get(feed)
        size = len(body.data)
        assert body.data.count(b"BEGIN:VEVENT") == public
        results.append(("cached feed", timed(client, feed, args.requests)))
        results.append(("304 public feed", timed(client, feed, args.requests, {"If-None-Match": body.headers["ETag"]},
                                                 expect=304)))
        personal = f"/calendar/{token}.ics"
        first = client.get(personal)
        assert first.data.count(b"BEGIN:VEVENT") == PERSONAL_REGISTRATIONS + PERSONAL_INTERVIEWS
        results.append(("personal feed, cold", timed(client, personal, args.requests,
                                                     before=ical.vevent_bytes.cache_clear)))
        results.append(("personal feed, again", timed(client, personal, args.requests)))
        results.append(("304 personal feed", timed(client, personal, args.requests,
                                                   {"If-None-Match": first.headers["ETag"]}, expect=304)))
        with app.app_context():
            engine = f"{db.engine.dialect.name} {'.'.join(map(str, db.engine.dialect.server_version_info))}"
            db.engine.dispose()
    print(f"{engine}, Python {sys.version.split()[0]}: {public:,} events in the feed ({size / 1e6:.1f} MB)")
    print(f"{'case':<26} {'runs':>5} {'median ms':>10} {'p95 ms':>10} {'cpu med':>10} {'cpu p95':>10} {'target':>8}")
    for name, samples in results:
        print(summary(name, samples))


if __name__ == "__main__":
    main()
