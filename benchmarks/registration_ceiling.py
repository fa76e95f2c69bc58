"""How many registrations per second one event takes at most: the ceiling its row lock sets (issue 17).

Every registration for an event takes that event's row lock (with its counts' row, registrations.services) and
holds it until its transaction commits, so one event's registrations run one at a time however many
web nodes there are: the event takes at most 1 / (time the lock is held) registrations per second.
This script measures that time, with no HTTP and no web server in the way: it builds the schema
with the migrations, creates one published event and N candidates with profiles (bulk inserts) and,
when asked, a crowd of people registered already (``--already``: the size of the event so far), then
starts ``--processes`` processes that each register their share of the candidates through
``registrations.services.register_for_event`` and commit, one registration after another.

It prints the registrations per second of the run, the time the lock was held per registration (from the
moment the lock was granted to the return of the database's COMMIT, which releases it: median and p99;
the grant is the registration's own time when the database takes it, in the statement that locks, or the
return of the locking statement, whichever is earlier), the wait for the disk after it (the durability
barrier of eventsapp.durability, until ``commit()`` returns), the whole registration
(``register_for_event`` to ``commit()``), the app's CPU per registration (with loading the person, as a
request does), and the ceiling the holding time allows (1 / median), then checks the database: nobody
confirmed beyond capacity, nobody twice, every candidate confirmed or waiting, places left. Any failed
check exits 1.

    .venv/bin/python benchmarks/registration_ceiling.py --database-url postgresql://postgres@127.0.0.1:5432/bench
    .venv/bin/python benchmarks/registration_ceiling.py --database-url ... --already 50000

A PostgreSQL database is created if missing and its `public` schema is dropped and rebuilt, so
never point it at data you want to keep. The worker processes share the machine's cores with the
database server, so the run's own rate is bounded by the CPU; the ceiling is what the lock allows.
"""
from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from sqlalchemy import event as sa_event  # noqa: E402
from sqlalchemy import func, insert, select, text  # noqa: E402
from sqlalchemy.orm import Session, joinedload  # noqa: E402
from support import build_schema, insert_chunks, prepare_database  # noqa: E402

from eventsapp import create_app  # noqa: E402
from eventsapp.accounts.models import Role, User  # noqa: E402
from eventsapp.candidates.models import CandidateProfile  # noqa: E402
from eventsapp.events.models import Event, EventKind, EventStatus  # noqa: E402
from eventsapp.extensions import db  # noqa: E402
from eventsapp.registrations import services as registrations  # noqa: E402
from eventsapp.registrations.models import Registration, RegistrationStatus  # noqa: E402

TARGET_CEILING = 1000.0  # registrations per second for one event
EVENT_SLUG = "bench-ceiling"
PASSWORD_HASH = "$argon2id$v=19$m=65536,t=3,p=4$not-a-real-hash"  # nobody logs in here


def app_for(url: str):
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": False})


def fill(url: str, candidates: int, already: int, capacity: int) -> tuple[int, list[int]]:
    """The event, `already` people registered (confirmed up to capacity, then waiting) and the candidates."""
    app = app_for(url)
    now = datetime.now(UTC).replace(microsecond=0)
    starts = now + timedelta(days=30)
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(insert(Event.__table__), [{
            "slug": EVENT_SLUG, "kind": EventKind.FAIR, "status": EventStatus.PUBLISHED, "title_zh": "容量测试招聘会",
            "title_en": "Capacity test fair", "timezone": "Asia/Shanghai", "starts_at": starts,
            "ends_at": starts + timedelta(hours=7), "registration_opens_at": now - timedelta(days=1),
            "capacity": capacity, "created_at": now, "updated_at": now, "published_at": now}])
        event_id = connection.scalar(select(Event.id).where(Event.slug == EVENT_SLUG))
        users = [{"email": f"person.{number}@example.com", "password_hash": PASSWORD_HASH,
                  "display_name": f"Person {number}", "role": Role.CANDIDATE, "is_active_account": True,
                  "created_at": now} for number in range(already + candidates)]
        insert_chunks(connection, User.__table__, users)
        ids = connection.scalars(select(User.id).order_by(User.id)).all()
        insert_chunks(connection, CandidateProfile.__table__, [
            {"user_id": user_id, "name": f"候选人 {user_id}", "name_latin": f"Candidate {user_id}",
             "phone": f"+8613800{user_id:06d}", "created_at": now, "updated_at": now} for user_id in ids])
        earlier = now - timedelta(hours=1)
        insert_chunks(connection, Registration.__table__, [
            {"event_id": event_id, "user_id": user_id, "queued_at": earlier + timedelta(microseconds=number),
             "status": RegistrationStatus.CONFIRMED if number < capacity else RegistrationStatus.WAITLISTED,
             "created_at": earlier, "updated_at": earlier, "decision_reason": ""}
            for number, user_id in enumerate(ids[:already])])
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
        db.engine.dispose()
    return event_id, list(ids[already:])


def register_share(url: str, event_id: int, user_ids: list[int], start_at: float, results) -> None:
    """One worker process: register each person in turn, timing how long the event's lock is held (granted →
    the COMMIT returned, which releases it), the wait for the disk after it (the COMMIT returned → commit()
    returned: the durability barrier, if any) and the whole registration (register_for_event → commit())."""
    app = app_for(url)
    times: dict[str, list[float]] = {"held": [], "commit": [], "barrier": [], "whole": [], "cpu": []}
    moments = {"granted": 0.0, "released": 0.0}

    def granted(_connection, _cursor, statement, *_args) -> None:
        # The locking statement returned: the event's lock is held from here at the latest (the first FOR
        # UPDATE of a registration; the event alone, or with its counts' row).
        if not moments["granted"] and "FOR UPDATE" in statement:
            moments["granted"] = time.time()

    def released(session) -> None:  # after the database's COMMIT returned, before any wait for the disk
        moments["released"] = time.time()
        moments["released_counter"] = time.perf_counter()

    sa_event.listen(Session, "after_commit", released)
    with app.app_context():
        sa_event.listen(db.engine, "after_cursor_execute", granted)
        while time.time() < start_at:
            time.sleep(0.001)
        cpu_started = time.process_time()
        for user_id in user_ids:
            # As a request: the account loaded with its profile, and a session of its own (a session
            # holding every person of the share would expire them all at each commit, ~2 ms).
            user = db.session.scalar(select(User).where(User.id == user_id).options(joinedload(User.candidate_profile)))
            moments["granted"] = 0.0
            started = time.perf_counter()
            result = registrations.register_for_event(event_id, user)
            committing = time.perf_counter()
            db.session.commit()
            done = time.perf_counter()
            queued_at = result.registration.queued_at.timestamp()  # after the commit, as a request reads it
            # The registration's time is taken once the lock is granted: by the database when one statement
            # locks and inserts (PostgreSQL's clock_timestamp(); the database runs on this machine, so it is
            # the clock time.time() reads), as that statement's return would be too late a start; by Python
            # after the locking statement returned otherwise. Either is a little after the grant itself.
            times["held"].append((moments["released"] - min(moments["granted"], queued_at)) * 1000)
            times["commit"].append((moments["released_counter"] - committing) * 1000)
            times["barrier"].append((done - moments["released_counter"]) * 1000)
            times["whole"].append((done - started) * 1000)
            db.session.remove()
        times["cpu"].append((time.process_time() - cpu_started) * 1000 / max(len(user_ids), 1))
        db.engine.dispose()
    results.put(times)


def check(url: str, event_id: int, capacity: int, people: int) -> list[str]:
    app = app_for(url)
    problems = []
    with app.app_context():
        counts = registrations.count_by_status(event_id)
        twice = db.session.scalar(select(func.count()).select_from(
            select(Registration.user_id).where(Registration.event_id == event_id)
            .group_by(Registration.user_id).having(func.count() > 1).subquery()))
        if counts[RegistrationStatus.CONFIRMED] != min(capacity, people):
            problems.append(f"confirmed {counts[RegistrationStatus.CONFIRMED]}, expected {min(capacity, people)}")
        if counts[RegistrationStatus.CONFIRMED] + counts[RegistrationStatus.WAITLISTED] != people:
            problems.append(f"confirmed + waiting = {sum(counts.values())}, expected {people}")
        if twice:
            problems.append(f"{twice} people registered twice")
        event = db.session.get(Event, event_id)
        if registrations.places_left(event) != max(capacity - people, 0):
            problems.append(f"places left {registrations.places_left(event)}, expected {max(capacity - people, 0)}")
        db.engine.dispose()
    return problems


def _p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[-1]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="a PostgreSQL database to empty and fill")
    parser.add_argument("--candidates", type=int, default=4000, help="people registering during the run")
    parser.add_argument("--already", type=int, default=0, help="people registered before the run")
    parser.add_argument("--capacity", type=int, default=0, help="places (default: half of everyone)")
    parser.add_argument("--processes", type=int, default=8)

    args = parser.parse_args(argv)
    people = args.already + args.candidates
    capacity = args.capacity or max(people // 2, 1)
    with tempfile.TemporaryDirectory(prefix="eventsapp-bench-") as workdir:
        url = prepare_database(args.database_url, Path(workdir)).render_as_string(hide_password=False)
        app = app_for(url)
        _, revision = build_schema(app)
        with app.app_context():
            db.engine.dispose()
        print(f"schema at {revision}; filling {args.already:,} registered and {args.candidates:,} candidates …",
              file=sys.stderr)
        event_id, user_ids = fill(url, args.candidates, args.already, capacity)
        shares = [user_ids[number::args.processes] for number in range(args.processes)]
        results = multiprocessing.get_context("fork").Queue()
        start_at = time.time() + 3.0  # every process connected and warm before the first registration
        workers = [multiprocessing.get_context("fork").Process(
            target=register_share, args=(url, event_id, share, start_at, results)) for share in shares]
        for worker in workers:
            worker.start()
        times: dict[str, list[float]] = {"held": [], "commit": [], "barrier": [], "whole": [], "cpu": []}
        for _ in workers:
            for name, values in results.get().items():
                times[name] += values
        elapsed = time.time() - start_at
        for worker in workers:
            worker.join()
        problems = check(url, event_id, capacity, people)
    held = times["held"]
    median = statistics.median(held)
    print(f"revision {revision} · {args.already:,} registered before · {args.candidates:,} registering · "
          f"capacity {capacity:,} · {args.processes} processes")
    print(f"run: {args.candidates / elapsed:.1f} registrations/s ({elapsed:.2f} s)")
    print(f"lock held per registration: median {median:.2f} ms, p99 {_p99(held):.2f} ms, "
          f"mean {statistics.fmean(held):.2f} ms")
    commit, barrier = times["commit"], times["barrier"]
    print(f"of which the COMMIT: median {statistics.median(commit):.2f} ms, p99 {_p99(commit):.2f} ms")
    print(f"after the lock, waiting for the disk (durability barrier): median {statistics.median(barrier):.2f} ms, "
          f"p99 {_p99(barrier):.2f} ms")
    print(f"whole registration (register_for_event and commit, one process): median "
          f"{statistics.median(times['whole']):.2f} ms, p99 {_p99(times['whole']):.2f} ms; "
          f"the app's CPU per registration {statistics.fmean(times['cpu']):.2f} ms")
    print(f"ceiling for one event (1 / median hold): {1000 / median:,.0f} registrations/s "
          f"(target {TARGET_CEILING:,.0f}: {'met' if 1000 / median >= TARGET_CEILING else 'MISSED'})")
    print("checks: " + ("passed" if not problems else "FAILED: " + "; ".join(problems)))
    if problems:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
