"""Registrations per second through gunicorn, beside GET /healthz, with no overbooking (issue 3).

Builds the schema with the migrations, creates one published event open for registration and
N candidates with profiles (bulk inserts), then starts gunicorn (`app:app`, 2 sync workers by
default) on a free loopback port and drives it with a bounded pool of client threads, each with
its own http.client connection: every candidate POSTs /events/<slug>/register exactly once,
through the real login (a signed session cookie) and the real CSRF check (a raw token in the
session, the signed token in the form). Then, on the same server, the same number of GET /healthz
requests at the same concurrency. It prints requests/s and p50/p95/p99 latency for both, and
afterwards checks the database: confirmed == min(capacity, candidates), nobody twice,
confirmed + waitlisted == candidates. Any failed check exits with status 1.

    .venv/bin/python benchmarks/registrations.py
    .venv/bin/python benchmarks/registrations.py --database-url postgresql://postgres@127.0.0.1:5432/bench_registrations

Without --database-url it uses a fresh SQLite file in a temporary directory, removed at the end.
A PostgreSQL database is created if missing and its `public` schema is dropped and rebuilt, so
never point it at data you want to keep. The client threads run on the same machine as gunicorn
and the database server, so they share its cores.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from flask import Flask  # noqa: E402
from itsdangerous import URLSafeTimedSerializer  # noqa: E402
from sqlalchemy import func, insert, select, text  # noqa: E402
from support import build_schema, insert_chunks, insert_logins, prepare_database  # noqa: E402

from eventsapp import create_app  # noqa: E402
from eventsapp.accounts.models import Role, User  # noqa: E402
from eventsapp.accounts.passwords import hash_password  # noqa: E402
from eventsapp.candidates.models import CandidateProfile  # noqa: E402
from eventsapp.events.models import Event, EventKind, EventStatus  # noqa: E402
from eventsapp.extensions import db  # noqa: E402
from eventsapp.notifications.models import OutboxMessage  # noqa: E402
from eventsapp.registrations.models import Registration, RegistrationLog, RegistrationStatus  # noqa: E402

TARGET_RATE = 300.0  # registrations per second, on PostgreSQL
TARGET_P99_MS = 100.0
# A fixed 48-character key: gunicorn reads it from the environment and this script signs the
# session cookies and CSRF tokens with it. Never a real key.
SECRET_KEY = "benchmark-only-secret-key-0123456789abcdefghijkl"
CSRF_SALT = "wtf-csrf-token"  # Flask-WTF's salt for the signed form token
EVENT_SLUG = "bench-registrations"
GUNICORN = PROJECT_ROOT / ".venv" / "bin" / "gunicorn"
STARTUP_SECONDS = 30.0  # gunicorn must answer /healthz within this
REQUEST_TIMEOUT = 30.0  # per request, on the client
WARMUP_ROUNDS = 10  # per client thread: GET /healthz and GET of the registration form, not timed
BUSY_WARNING_PCT = 10.0  # warn when other processes use more of the cores than this before the run
ACCEPT_LANGUAGE = "zh-CN,zh;q=0.9,en;q=0.5"


# --- Database preparation ---------------------------------------------------------------------

# --- Filling ----------------------------------------------------------------------------------

@dataclass
class Person:
    user_id: int
    cookie: str  # the signed Flask session: logged in, with a raw CSRF token
    form: bytes  # the urlencoded form body carrying the matching signed CSRF token


def event_row(capacity: int, now: datetime) -> dict:
    """A published fair in 30 days, registration open since yesterday, no approval, no rules."""
    starts = now + timedelta(days=30)
    return {
        "slug": EVENT_SLUG, "kind": EventKind.FAIR, "status": EventStatus.PUBLISHED,
        "title_zh": "2025年杭州数字经济高校毕业生专场招聘会", "title_en": "Hangzhou Digital Economy Graduate Job Fair",
        "description_zh": "汇聚用人单位与人才，现场交流、洽谈与签约。", "description_en": "Employers and talent meet.",
        "venue_name_zh": "杭州国际博览中心", "venue_name_en": "Hangzhou International Expo Center",
        "venue_address": "杭州市萧山区奔竞大道353号 / 353 Benjing Avenue, Xiaoshan, Hangzhou", "venue_halls": "A, B",
        "timezone": "Asia/Shanghai", "starts_at": starts, "ends_at": starts + timedelta(hours=7),
        "registration_opens_at": now - timedelta(days=1), "registration_closes_at": starts - timedelta(days=1),
        "capacity": capacity, "requires_approval": False, "created_at": now - timedelta(days=10),
        "updated_at": now - timedelta(days=2), "published_at": now - timedelta(days=2),
    }


def fill(app: Flask, rng: random.Random, candidates: int, capacity: int) -> tuple[int, list[Person], float]:
    """Bulk-insert the event and the candidates with profiles; sign a session for each candidate."""
    now = datetime.now(UTC).replace(microsecond=0)
    started = time.perf_counter()
    password_hash = hash_password("benchmark-password-not-secret")  # one Argon2 hash shared by every row
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(insert(Event.__table__), [event_row(capacity, now)])
        event_id = connection.scalar(select(Event.id).where(Event.slug == EVENT_SLUG))
        users = [{"email": f"candidate.{number}@example.com", "password_hash": password_hash,
                  "display_name": f"候选人 {number} Candidate {number}", "role": Role.CANDIDATE,
                  "is_active_account": True, "created_at": now - timedelta(days=rng.randint(1, 300))}
                 for number in range(1, candidates + 1)]
        insert_chunks(connection, User.__table__, users)
        ids = connection.scalars(select(User.id).where(User.role == Role.CANDIDATE).order_by(User.id)).all()
        profiles = [{"user_id": user_id, "name": f"候选人 {user_id}", "name_latin": f"Candidate {user_id}",
                     "phone": f"+86138{rng.randrange(10**8):08d}", "created_at": now, "updated_at": now}
                    for user_id in ids]
        insert_chunks(connection, CandidateProfile.__table__, profiles)
        logins = insert_logins(connection, ids, now)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            # Do now what autovacuum would do soon after a bulk load, so it does not run during the timing.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
        session_serializer = app.session_interface.get_signing_serializer(app)
    csrf_serializer = URLSafeTimedSerializer(SECRET_KEY, salt=CSRF_SALT)
    people = []
    for user_id in ids:
        raw_token = f"{rng.getrandbits(160):040x}"  # what Flask-WTF keeps in the session
        cookie = session_serializer.dumps({"_user_id": logins[user_id], "_fresh": True,
                                           "csrf_token": raw_token})
        form = urlencode({"csrf_token": csrf_serializer.dumps(raw_token)}).encode()
        people.append(Person(user_id, cookie, form))
    rng.shuffle(people)  # registration order is not the order of the ids
    return event_id, people, time.perf_counter() - started


# --- The server -------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    """`gunicorn app:app` in its own process group, stopped (TERM, then KILL) by stop()."""

    def __init__(self, database_url: str, workers: int, log_path: Path) -> None:
        self.port = free_port()
        self.log_path = log_path
        env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": SECRET_KEY}
        env.pop("APP_ENV", None)  # development settings: no secure-only cookies on plain HTTP
        self.log = open(log_path, "wb")  # closed in stop()
        self.process = subprocess.Popen(
            [str(GUNICORN), "-w", str(workers), "-b", f"127.0.0.1:{self.port}", "app:app"],
            cwd=PROJECT_ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_until_healthy(self) -> float:
        started = time.monotonic()
        while time.monotonic() - started < STARTUP_SECONDS:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.process.returncode}:\n{self.tail()}")
            try:
                status, _, _ = request_once(self.port, "GET", "/healthz")
                if status == 200:
                    return time.monotonic() - started
            except OSError:
                pass
            time.sleep(0.1)
        raise SystemExit(f"gunicorn did not answer /healthz within {STARTUP_SECONDS:.0f} s:\n{self.tail()}")

    def tail(self, lines: int = 30) -> str:
        if not self.log.closed:
            self.log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # graceful: the master stops its workers
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)  # the group this script started
                self.process.wait(timeout=10)
        self.log.close()


def request_once(port: int, method: str, path: str, body: bytes | None = None,
                 headers: dict | None = None) -> tuple[int, str, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheader("Location", ""), response.read()
    finally:
        connection.close()


def post_headers(person: Person) -> dict:
    return {"Cookie": f"session={person.cookie}", "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "text/html", "Accept-Language": ACCEPT_LANGUAGE}


def check_csrf_is_enforced(port: int, person: Person) -> int:
    """A logged-in POST without the form token must be refused with 400 (and register nobody)."""
    status, _, _ = request_once(port, "POST", f"/events/{EVENT_SLUG}/register", body=b"",
                                headers=post_headers(person))
    return status


# --- Load -------------------------------------------------------------------------------------

@dataclass
class Job:
    method: str
    path: str
    body: bytes | None
    headers: dict
    expect_status: int
    expect_location: str = ""


@dataclass
class Outcome:
    latencies_ms: list[float] = field(default_factory=list)
    sent_at: list[float] = field(default_factory=list)  # perf_counter() when each timed request started
    statuses: Counter = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)
    connects: int = 0
    elapsed: float = 0.0
    unfinished: int = 0


def run_load(port: int, jobs: list[Job], concurrency: int, time_limit: float) -> Outcome:
    """`concurrency` threads take jobs from one queue until it is empty or the time is up.

    Each thread keeps one http.client connection; it reconnects only when the server closed it
    (gunicorn's sync workers close every connection after one response)."""
    pending: queue.SimpleQueue[Job] = queue.SimpleQueue()
    for job in jobs:
        pending.put(job)
    outcomes = [Outcome() for _ in range(concurrency)]
    start_line = threading.Barrier(concurrency + 1)
    deadline = [0.0]

    def client(outcome: Outcome) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
        start_line.wait()
        try:
            while time.monotonic() < deadline[0]:
                try:
                    job = pending.get_nowait()
                except queue.Empty:
                    return
                if connection.sock is None:
                    outcome.connects += 1
                started = time.perf_counter()
                try:
                    connection.request(job.method, job.path, body=job.body, headers=job.headers)
                    response = connection.getresponse()
                    response.read()
                except (OSError, http.client.HTTPException) as error:
                    connection.close()
                    outcome.statuses[f"error {type(error).__name__}"] += 1
                    outcome.unexpected.append(f"{job.method} {job.path}: {error!r}")
                    continue
                outcome.latencies_ms.append((time.perf_counter() - started) * 1000)
                outcome.sent_at.append(started)
                outcome.statuses[response.status] += 1
                location = response.getheader("Location", "")
                if response.status != job.expect_status or not location.endswith(job.expect_location):
                    outcome.unexpected.append(f"{job.method} {job.path}: {response.status} {location}")
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(outcome,), daemon=True) for outcome in outcomes]
    for thread in threads:
        thread.start()
    deadline[0] = time.monotonic() + time_limit
    started = time.perf_counter()
    start_line.wait()
    for thread in threads:
        thread.join(timeout=time_limit + REQUEST_TIMEOUT + 5)
    elapsed = time.perf_counter() - started
    merged = Outcome(elapsed=elapsed, unfinished=pending.qsize())
    for outcome in outcomes:
        merged.latencies_ms += outcome.latencies_ms
        merged.sent_at += outcome.sent_at
        merged.statuses += outcome.statuses
        merged.unexpected += outcome.unexpected
        merged.connects += outcome.connects
    return merged


def warm_up(port: int, people: list[Person], concurrency: int) -> None:
    """Untimed: open each worker's database connection and compile the templates it will use.

    GET /healthz and GET of the registration form (which registers nobody)."""
    jobs = []
    for number in range(WARMUP_ROUNDS * concurrency):
        person = people[number % len(people)]
        jobs.append(Job("GET", "/healthz", None, {}, 200))
        jobs.append(Job("GET", f"/events/{EVENT_SLUG}/register", None, post_headers(person), 200))
    outcome = run_load(port, jobs, concurrency, 60.0)
    if outcome.unexpected or outcome.unfinished:
        raise SystemExit(f"warm-up failed: {outcome.unexpected[:5]} ({outcome.unfinished} not sent)")


@dataclass
class CpuSnapshot:
    """CPU seconds so far: gunicorn's workers, this process (the client threads) and the whole machine."""

    workers: float | None
    client: float
    machine_busy: float | None
    machine_total: float | None


CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _process_ticks(pid: int) -> tuple[int, int] | None:
    """(parent pid, user + system ticks) from /proc/<pid>/stat, or None when it is gone or not Linux."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[1]), int(fields[11]) + int(fields[12])


def cpu_snapshot(master_pid: int) -> CpuSnapshot:
    workers = None
    if Path("/proc/stat").exists():
        ticks = 0
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and (found := _process_ticks(int(entry.name))) and found[0] == master_pid:
                ticks += found[1]
        workers = ticks / CLOCK_TICKS
    busy = total = None
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
        total, busy = sum(values) / CLOCK_TICKS, (sum(values) - values[3] - values[4]) / CLOCK_TICKS
    except (OSError, ValueError, IndexError):
        pass
    return CpuSnapshot(workers=workers, client=time.process_time(), machine_busy=busy, machine_total=total)


def background_busy_pct(seconds: float = 2.0) -> float | None:
    """How busy the machine's cores are before the run (percent): other work skews every figure."""
    before = cpu_snapshot(0)
    time.sleep(seconds)
    after = cpu_snapshot(0)
    if before.machine_total is None or after.machine_total is None or after.machine_total == before.machine_total:
        return None
    return 100 * (after.machine_busy - before.machine_busy) / (after.machine_total - before.machine_total)


def cpu_per_request(before: CpuSnapshot, after: CpuSnapshot, requests: int) -> dict:
    """Milliseconds of CPU per request: gunicorn's workers, the client, the whole machine (incl. the
    database server); and how busy the machine's cores were (percent)."""
    def per_request(start, end):
        return (end - start) * 1000 / requests if start is not None and end is not None and requests else None
    busy_pct = None
    if before.machine_total is not None and after.machine_total is not None:
        elapsed_ticks = after.machine_total - before.machine_total
        busy_pct = 100 * (after.machine_busy - before.machine_busy) / elapsed_ticks if elapsed_ticks else None
    return {"server_cpu_ms": per_request(before.workers, after.workers),
            "client_cpu_ms": per_request(before.client, after.client),
            "machine_cpu_ms": per_request(before.machine_busy, after.machine_busy), "machine_busy_pct": busy_pct}


@dataclass
class Summary:
    route: str
    requests: int
    statuses: dict
    seconds: float
    per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    connects: int
    server_cpu_ms: float | None
    client_cpu_ms: float | None
    machine_cpu_ms: float | None
    machine_busy_pct: float | None
    p50_ms_by_tenth: list[float]  # the median latency of each tenth of the requests, in the order sent


def summarize(route: str, outcome: Outcome, cpu: dict) -> Summary:
    times = sorted(outcome.latencies_ms)
    cuts = statistics.quantiles(times, n=100) if len(times) >= 2 else [times[0]] * 99 if times else [0.0] * 99
    done = sum(outcome.statuses.values())
    in_order = [ms for _, ms in sorted(zip(outcome.sent_at, outcome.latencies_ms, strict=True))]
    tenth = max(len(in_order) // 10, 1)
    by_tenth = [statistics.median(in_order[start:start + tenth]) for start in range(0, tenth * 10, tenth)
                if in_order[start:start + tenth]]
    return Summary(route=route, requests=done, statuses={str(k): v for k, v in sorted(outcome.statuses.items(),
                                                                                     key=str)},
                   seconds=outcome.elapsed, per_second=done / outcome.elapsed if outcome.elapsed else 0.0,
                   p50_ms=cuts[49], p95_ms=cuts[94], p99_ms=cuts[98], max_ms=times[-1] if times else 0.0,
                   connects=outcome.connects, p50_ms_by_tenth=by_tenth, **cpu)


# --- Checks -----------------------------------------------------------------------------------

def check_database(app: Flask, event_id: int, candidates: int, capacity: int) -> tuple[dict, list[str]]:
    """Count what the run left; the list of failed checks is empty when all is well."""
    with app.app_context():
        counts = dict(db.session.execute(select(Registration.status, func.count())
                                         .where(Registration.event_id == event_id).group_by(Registration.status)).all())
        rows, people = db.session.execute(select(func.count(), func.count(func.distinct(Registration.user_id)))
                                          .where(Registration.event_id == event_id)).one()
        last_confirmed = db.session.scalar(select(func.max(Registration.queued_at)).where(
            Registration.event_id == event_id, Registration.status == RegistrationStatus.CONFIRMED))
        first_waiting = db.session.scalar(select(func.min(Registration.queued_at)).where(
            Registration.event_id == event_id, Registration.status == RegistrationStatus.WAITLISTED))
        logs = db.session.scalar(select(func.count()).select_from(RegistrationLog)
                                 .where(RegistrationLog.event_id == event_id))
        emails = db.session.scalar(select(func.count()).select_from(OutboxMessage))
        db.session.rollback()
    confirmed = counts.get(RegistrationStatus.CONFIRMED, 0)
    waitlisted = counts.get(RegistrationStatus.WAITLISTED, 0)
    found = {"registrations": rows, "distinct_people": people, "confirmed": confirmed, "waitlisted": waitlisted,
             "other_statuses": rows - confirmed - waitlisted, "log_rows": logs, "outbox_emails": emails}
    failures = []
    if confirmed != min(capacity, candidates):
        failures.append(f"confirmed {confirmed} != min(capacity, candidates) {min(capacity, candidates)}")
    if people != rows:
        failures.append(f"{rows - people} people registered twice")
    if confirmed + waitlisted != candidates or rows != candidates:
        failures.append(f"confirmed + waitlisted = {confirmed + waitlisted}, rows = {rows}, candidates = {candidates}")
    if last_confirmed and first_waiting and last_confirmed > first_waiting:
        failures.append("someone confirmed asked after someone waiting (unfair queue)")
    if logs != candidates or emails != candidates:
        failures.append(f"{logs} log rows and {emails} e-mails for {candidates} registrations")
    return found, failures


# --- Reporting --------------------------------------------------------------------------------

def print_table(report: dict) -> None:
    print(f"\n{report['engine']} {report['engine_version']} · gunicorn {report['workers']} sync workers · "
          f"{report['concurrency']} client threads · {report['candidates']:,} candidates for "
          f"{report['capacity']:,} places")
    background = report["background_busy_pct"]
    print(f"schema at {report['schema_revision']} (migrations {report['schema_seconds']:.1f} s) · "
          f"fill {report['fill_seconds']:.1f} s · CSRF without token → {report['csrf_missing_token_status']} · "
          f"cores busy before the run: {'n/a' if background is None else f'{background:.0f} %'}\n")
    print(f"{'route':<28} {'n':>6} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} "
          f"{'conns':>6}  statuses")
    for row in report["routes"]:
        statuses = " ".join(f"{status}×{count}" for status, count in row["statuses"].items())
        print(f"{row['route']:<28} {row['requests']:>6} {row['per_second']:>8.1f} {row['p50_ms']:>8.1f} "
              f"{row['p95_ms']:>8.1f} {row['p99_ms']:>8.1f} {row['max_ms']:>8.1f} {row['connects']:>6}  {statuses}")
    print("\nCPU per request (ms): gunicorn workers / client threads / whole machine incl. the database "
          "(cores busy)")
    for row in report["routes"]:
        cells = [f"{row[key]:.2f}" if row[key] is not None else "n/a"
                 for key in ("server_cpu_ms", "client_cpu_ms", "machine_cpu_ms")]
        busy = f"{row['machine_busy_pct']:.0f} %" if row["machine_busy_pct"] is not None else "n/a"
        print(f"{row['route']:<28} {' / '.join(cells)} ({busy})")
    print("\nmedian ms by tenth of the requests, in the order sent")
    for row in report["routes"]:
        print(f"{row['route']:<28} " + " ".join(f"{ms:.0f}" for ms in row["p50_ms_by_tenth"]))
    print(f"\nregistrations/s ÷ healthz/s = {report['rate_ratio']:.2f} · "
          f"registration p50 ÷ healthz p50 = {report['p50_ratio']:.1f}")
    found = report["database"]
    print(f"database: {found['confirmed']} confirmed, {found['waitlisted']} waitlisted, "
          f"{found['distinct_people']} people in {found['registrations']} rows, "
          f"{found['log_rows']} log rows, {found['outbox_emails']} e-mails")
    verdict = "met" if report["target_met"] else "MISSED"
    print(f"target ≥ {TARGET_RATE:.0f} registrations/s with p99 < {TARGET_P99_MS:.0f} ms "
          f"(set for PostgreSQL): {verdict}")
    if report["failures"]:
        print("FAILED:\n  " + "\n  ".join(report["failures"]))
    else:
        print("checks: OK (no overbooking, nobody twice, everyone confirmed or waiting, every request as expected)")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL or SQLite URL (default: a new SQLite file in a temp dir)")
    parser.add_argument("--candidates", type=int, default=3_000, help="people who register, each exactly once")
    parser.add_argument("--capacity", type=int, default=1_000, help="places at the event")
    parser.add_argument("--concurrency", type=int, default=16, help="client threads sending at once")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--time-limit", type=float, default=300.0,
                        help="seconds each timed phase may last; unsent requests then count as failures")
    parser.add_argument("--seed", type=int, default=3, help="random seed for the data and the order")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    args = parser.parse_args(argv)
    if args.candidates < 2 or args.capacity < 0 or not 1 <= args.concurrency <= 256 or not 1 <= args.workers <= 16:
        parser.error("need --candidates >= 2, --capacity >= 0, 1 <= --concurrency <= 256, 1 <= --workers <= 16")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    rng = random.Random(args.seed)
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="eventsapp-bench-") as workdir:
        url = prepare_database(args.database_url, Path(workdir), sqlite_file_required=True)
        url_text = url.render_as_string(hide_password=False)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url_text, "SECRET_KEY": SECRET_KEY, "TESTING": False})
        print(f"building the schema on {url.render_as_string(hide_password=True)} …", file=sys.stderr)
        schema_seconds, revision = build_schema(app)
        print(f"filling 1 event ({args.capacity:,} places) and {args.candidates:,} candidates …", file=sys.stderr)
        event_id, people, fill_seconds = fill(app, rng, args.candidates, args.capacity)
        with app.app_context():
            version = ".".join(map(str, db.engine.dialect.server_version_info))
            engine_name = db.engine.dialect.name
            db.engine.dispose()  # no connection of ours is open while gunicorn works

        background = background_busy_pct()
        if background is not None and background > BUSY_WARNING_PCT:
            print(f"warning: the machine's cores were {background:.0f} % busy before the run; the figures will "
                  "be lower than on a quiet machine", file=sys.stderr)
        server = Gunicorn(url_text, args.workers, Path(workdir) / "gunicorn.log")
        try:
            startup = server.wait_until_healthy()
            print(f"gunicorn on port {server.port} answered in {startup:.1f} s; warming up …", file=sys.stderr)
            csrf_status = check_csrf_is_enforced(server.port, people[0])
            if csrf_status != 400:
                failures.append(f"a POST without the CSRF token answered {csrf_status}, expected 400")
            warm_up(server.port, people, args.concurrency)
            print(f"timing {len(people):,} registrations, then as many GET /healthz …", file=sys.stderr)
            register_jobs = [Job("POST", f"/events/{EVENT_SLUG}/register", person.form, post_headers(person), 302,
                                 "/my/events") for person in people]
            before = cpu_snapshot(server.process.pid)
            registering = run_load(server.port, register_jobs, args.concurrency, args.time_limit)
            after = cpu_snapshot(server.process.pid)
            registering_cpu = cpu_per_request(before, after, sum(registering.statuses.values()))
            health_jobs = [Job("GET", "/healthz", None, {"Accept": "application/json"}, 200)
                           for _ in range(len(people))]
            before = cpu_snapshot(server.process.pid)
            health = run_load(server.port, health_jobs, args.concurrency, args.time_limit)
            after = cpu_snapshot(server.process.pid)
            health_cpu = cpu_per_request(before, after, sum(health.statuses.values()))
        finally:
            server.stop()
        log_tail = server.tail()
        if "Traceback" in log_tail or "[ERROR]" in log_tail:
            print(f"gunicorn's log ends with:\n{log_tail}", file=sys.stderr)

        for name, outcome in (("registrations", registering), ("healthz", health)):
            if outcome.unfinished:
                failures.append(f"{name}: {outcome.unfinished} requests not sent within --time-limit")
            if outcome.unexpected:
                failures.append(f"{name}: {len(outcome.unexpected)} unexpected answers, e.g. "
                                + "; ".join(outcome.unexpected[:3]))
        found, database_failures = check_database(app, event_id, len(people), args.capacity)
        failures += database_failures
        with app.app_context():
            db.engine.dispose()

    summaries = [summarize("POST /events/<slug>/register", registering, registering_cpu),
                 summarize("GET /healthz", health, health_cpu)]
    reg, hz = summaries
    report = {
        "engine": engine_name, "engine_version": version, "python": sys.version.split()[0],
        "date": datetime.now(UTC).isoformat(timespec="seconds"), "cores": os.cpu_count(),
        "workers": args.workers, "concurrency": args.concurrency, "candidates": args.candidates,
        "capacity": args.capacity, "seed": args.seed, "schema_revision": revision, "schema_seconds": schema_seconds,
        "fill_seconds": fill_seconds, "csrf_missing_token_status": csrf_status, "background_busy_pct": background,
        "routes": [asdict(summary) for summary in summaries],
        "rate_ratio": reg.per_second / hz.per_second if hz.per_second else 0.0,
        "p50_ratio": reg.p50_ms / hz.p50_ms if hz.p50_ms else 0.0,
        "target_rate": TARGET_RATE, "target_p99_ms": TARGET_P99_MS,
        "target_met": reg.per_second >= TARGET_RATE and reg.p99_ms < TARGET_P99_MS,
        "database": found, "failures": failures, "ok": not failures,
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_table(report)
    if failures:
        print("FAILED: " + " | ".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
