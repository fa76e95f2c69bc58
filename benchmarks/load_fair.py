"""The opening minute of a large fair under Locust, on two gunicorn nodes behind nginx, then on one (issue 17).

One command does it all, on loopback only:

    .venv/bin/python benchmarks/load_fair.py --database-url postgresql://postgres@127.0.0.1:5432/bench_load

1. Seeds the PostgreSQL database (its `public` schema is dropped and rebuilt: never point it at data you want
   to keep): the migrations, the demo data (`flask seed-demo`: the spring fair with its halls, booths and
   employers), then ``--candidates`` candidates with profiles (half of them visible to employers) and a login
   each (bulk inserts); the fair opens ``--capacity`` places. Session cookies and form tokens are signed here.
2. For each run (``--nodes 2,1``: two nodes, then one): starts that many gunicorn nodes with the shipped
   config (deploy/gunicorn.conf.py, ``--workers`` sync workers each, production settings, Redis for rate
   limits and caches) and nginx with the shipped site (deploy/nginx.conf, an upstream line per node), warms
   them up, then runs Locust headless for ``--seconds`` (benchmarks/locustfile_fair.py: 80 % browsing,
   15 % registering, 5 % employers browsing registrants) with ``--users`` simulated people.
3. Reports per run: requests per second, p50/p95/p99 per route, failures (must be 0), the CPU seconds of each
   node, of nginx, of PostgreSQL and of Locust during the run, and the database checks of the registration
   race: nobody confirmed beyond the capacity, nobody registered twice, the places counter equal to the rows,
   and every registration Locust saw succeed in the table. Any failure or failed check exits 1.

Each run registers its own candidates (a run never reuses the previous run's), so the checks hold for the
fair as a whole. Everything runs on one machine: Locust, nginx, the nodes and PostgreSQL share its cores,
so a second node adds capacity only while cores are idle (see benchmarks/README.md).
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import psutil

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from itsdangerous import URLSafeTimedSerializer  # noqa: E402
from sqlalchemy import func, select, text, update  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from support import build_schema, insert_chunks, insert_logins, prepare_database  # noqa: E402

from eventsapp import create_app  # noqa: E402
from eventsapp.accounts.models import Role, User  # noqa: E402
from eventsapp.booths.models import Booth, BoothStatus  # noqa: E402
from eventsapp.candidates.models import CandidateProfile, Degree  # noqa: E402
from eventsapp.demo.seed import seed_demo  # noqa: E402
from eventsapp.events.models import Event  # noqa: E402
from eventsapp.extensions import db  # noqa: E402
from eventsapp.organizations.models import OrganizationMember  # noqa: E402
from eventsapp.registrations import services as registrations  # noqa: E402
from eventsapp.registrations.models import Registration, RegistrationQuestion, RegistrationStatus  # noqa: E402

BIN = Path(sys.executable).parent
DEPLOY = PROJECT_ROOT / "deploy"
LOCUSTFILE = Path(__file__).resolve().with_name("locustfile_fair.py")
NGINX = "/usr/sbin/nginx"
# gunicorn reads this key from the environment and this script signs the cookies with it. Never a real key.
SECRET_KEY = "load-test-only-secret-key-0123456789abcdefghijkl"
CSRF_SALT = "wtf-csrf-token"  # Flask-WTF's salt for the signed form token
STARTUP_SECONDS = 90.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str, headers: dict | None = None) -> int:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


# --- Seeding ------------------------------------------------------------------------------------------------

@dataclass
class Fair:
    event_id: int
    slug: str
    capacity: int
    registered_before: int
    candidate_ids: list[int]
    registrant_data: list[dict]  # per candidate: signed cookie and form body
    employer_cookies: list[str]


def seed(url: str, candidates: int, capacity: int, rng: random.Random) -> Fair:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY, "TESTING": False})
    build_schema(app)
    now = datetime.now(UTC).replace(microsecond=0)
    with app.app_context():
        today = datetime.now(ZoneInfo(app.config["DEFAULT_EVENT_TIMEZONE"])).date()
        seed_demo(today, "development")
        db.session.commit()
        fair = db.session.scalar(select(Event).where(Event.slug == f"spring-talent-fair-{today.year + 1}"))
        db.session.execute(update(Event).where(Event.id == fair.id).values(
            capacity=capacity, registration_opens_at=now - timedelta(days=1)))
        question = db.session.scalar(select(RegistrationQuestion).where(
            RegistrationQuestion.event_id == fair.id, RegistrationQuestion.required))
        answer = {f"question_{question.id}": question.options[0]} if question is not None else {}
        owners = db.session.scalars(select(OrganizationMember.user_id).join(
            Booth, Booth.organization_id == OrganizationMember.organization_id).where(
            Booth.event_id == fair.id, Booth.status == BoothStatus.APPROVED)).all()
        db.session.commit()
        event_id, slug = fair.id, fair.slug
    with app.app_context(), db.engine.begin() as connection:
        password_hash = "$argon2id$v=19$m=65536,t=3,p=4$not-a-real-hash"  # nobody types a password here
        insert_chunks(connection, User.__table__, [
            {"email": f"load.{number}@example.com", "password_hash": password_hash, "display_name": f"候选人 {number}",
             "role": Role.CANDIDATE, "is_active_account": True, "created_at": now, "email_verified_at": now}
            for number in range(candidates)])
        ids = connection.scalars(select(User.id).where(User.email.like("load.%@example.com"))
                                 .order_by(User.id)).all()
        degrees = list(Degree)
        insert_chunks(connection, CandidateProfile.__table__, [
            {"user_id": user_id, "name": f"候选人 {user_id}", "name_latin": f"Candidate {user_id}",
             "phone": f"+86138{rng.randrange(10**8):08d}", "degree": rng.choice(degrees), "school": "浙江大学",
             "major": rng.choice(("计算机科学", "电气工程", "金融", "药学")),
             "graduation_year": rng.randint(2022, 2027),
             "birth_year": rng.randint(1992, 2004), "show_to_employers": user_id % 2 == 0, "created_at": now,
             "updated_at": now} for user_id in ids])
        logins = insert_logins(connection, [*ids, *owners], now)
        registered_before = connection.scalar(select(func.count(Registration.id))
                                              .where(Registration.event_id == event_id))
    with app.app_context():
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
        session_serializer = app.session_interface.get_signing_serializer(app)
        db.engine.dispose()
    csrf_serializer = URLSafeTimedSerializer(SECRET_KEY, salt=CSRF_SALT)

    def signed(user_id: int) -> tuple[str, str]:
        raw_token = f"{rng.getrandbits(160):040x}"
        cookie = session_serializer.dumps({"_user_id": logins[user_id], "_fresh": True, "csrf_token": raw_token})
        return cookie, csrf_serializer.dumps(raw_token)

    registrant_data = []
    for user_id in ids:
        cookie, token = signed(user_id)
        registrant_data.append({"user_id": user_id, "cookie": cookie,
                                "form": urlencode({"csrf_token": token, **answer})})
    return Fair(event_id, slug, capacity, registered_before, list(ids), registrant_data,
                [signed(owner)[0] for owner in owners])


# --- The servers ----------------------------------------------------------------------------------------------

class Node:
    """One gunicorn node (deploy/gunicorn.conf.py) in production settings, in its own process group."""

    def __init__(self, url: str, redis_url: str, workers: int, workdir: Path, name: str) -> None:
        self.port = free_port()
        self.log_path = workdir / f"{name}.log"
        env = {**os.environ, "APP_ENV": "production", "DATABASE_URL": url, "SECRET_KEY": SECRET_KEY,
               "REDIS_URL": redis_url, "RATELIMIT_STORAGE_URI": redis_url, "CALENDAR_CACHE_URL": redis_url,
               "JOB_QUEUE_URL": redis_url, "PUBLIC_BASE_URL": "https://talent.example.cn",
               "SMTP_HOST": "127.0.0.1", "MAIL_FROM": "noreply@talent.example.cn", "TRUSTED_PROXIES": "1",
               "WEBHOOK_SECRET_KEY": SECRET_KEY + "-webhooks",
               "GUNICORN_BIND": f"127.0.0.1:{self.port}", "WEB_CONCURRENCY": str(workers),
               "GUNICORN_MAX_REQUESTS": "1000000",  # no worker replaced during the run (its CPU would be lost)
               "PROMETHEUS_MULTIPROC_DIR": str(workdir / f"metrics-{name}"), "LOG_LEVEL": "WARNING"}
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen([str(BIN / "gunicorn"), "-c", str(DEPLOY / "gunicorn.conf.py")],
                                            env=env, cwd=workdir, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)

    def wait(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited:\n{self.log_path.read_text(errors='replace')[-3000:]}")
            try:
                if get(f"http://127.0.0.1:{self.port}/healthz/ready") == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise SystemExit(f"gunicorn did not get ready:\n{self.log_path.read_text(errors='replace')[-3000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)  # the group this script started
                self.process.wait()


def nginx_config(workdir: Path, listen: int, upstreams: list[int]) -> Path:
    """deploy/nginx.conf as shipped, on loopback ports, one upstream line per node, this checkout's static files;
    inside a main config like Debian's that keeps every file under ``workdir``."""
    site = (DEPLOY / "nginx.conf").read_text()
    shipped_upstream = "    server 127.0.0.1:8000 fail_timeout=0;"
    line = next(line for line in site.splitlines() if line.startswith(shipped_upstream))
    servers = "\n".join(f"    server 127.0.0.1:{port} fail_timeout=0;" for port in upstreams)
    site = (site.replace(line, servers).replace("listen 80;", f"listen 127.0.0.1:{listen};")
            .replace("listen [::]:80;", "")
            .replace("/srv/talent-events/eventsapp/static/", f"{PROJECT_ROOT}/eventsapp/static/"))
    (workdir / "site.conf").write_text(site)
    temp = {name: workdir / f"nginx-{name}" for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for folder in temp.values():
        folder.mkdir(exist_ok=True)
    main = workdir / "nginx.conf"
    main.write_text(f"""
daemon off;
worker_processes 1;
pid {workdir}/nginx.pid;
error_log {workdir}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {temp['body']};
    proxy_temp_path {temp['proxy']};
    fastcgi_temp_path {temp['fastcgi']};
    uwsgi_temp_path {temp['uwsgi']};
    scgi_temp_path {temp['scgi']};
    include {workdir}/site.conf;
}}
""")
    return main


# --- CPU --------------------------------------------------------------------------------------------------------

def tree_cpu(pid: int) -> float:
    """CPU seconds of a process, its live children and the children it has reaped (replaced workers)."""
    try:
        process = psutil.Process(pid)
        times = process.cpu_times()
        total = times.user + times.system + times.children_user + times.children_system
        for child in process.children(recursive=True):
            try:
                child_times = child.cpu_times()
                total += child_times.user + child_times.system
            except psutil.NoSuchProcess:
                pass
        return total
    except psutil.NoSuchProcess:
        return 0.0


def postgres_cpu(database: str) -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend serving ``database`` (the server may serve others too)."""
    found = {}
    for process in psutil.process_iter(["name", "cmdline"]):
        command = " ".join(process.info["cmdline"] or [])
        if (process.info["name"] or "").startswith("postgres") and f" {database} " in command:
            try:
                times = process.cpu_times()
                found[process.pid] = times.user + times.system
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                pass
    return found


def cpu_snapshot(nodes: list[Node], nginx: subprocess.Popen, database: str) -> dict:
    snapshot = {f"node {number}": tree_cpu(node.process.pid) for number, node in enumerate(nodes, start=1)}
    snapshot["nginx"] = tree_cpu(nginx.pid)
    snapshot["postgresql"] = postgres_cpu(database)
    times = psutil.cpu_times()
    snapshot["machine busy"] = times.user + times.nice + times.system + times.irq + times.softirq
    snapshot["machine"] = snapshot["machine busy"] + times.idle + times.iowait
    return snapshot


def cpu_used(before: dict, after: dict) -> dict[str, float]:
    used = {name: after[name] - before[name] for name in after if name != "postgresql"}
    # backends that started during the run count from zero; the nodes' pools keep theirs open to the end
    used["postgresql"] = sum(seconds - before["postgresql"].get(pid, 0.0)
                             for pid, seconds in after["postgresql"].items())
    return used


# --- One run ----------------------------------------------------------------------------------------------------

@dataclass
class RunResult:
    nodes: int
    workers: int
    users: int
    seconds: float
    rows: list[dict]
    cpu_seconds: dict[str, float]
    machine_busy_pct: float
    registered_ids: list[int]
    answered: int  # registrations Locust saw answered as done (302 to the person's events)
    checks: list[str]


def run(url: str, redis_url: str, fair: Fair, share: list[dict], nodes_count: int, args, workdir: Path) -> RunResult:
    import redis

    redis.Redis.from_url(redis_url).flushdb()  # this run's own counters and caches
    run_dir = workdir / f"run-{nodes_count}-nodes"
    run_dir.mkdir()
    data_path = run_dir / "fair.json"
    data_path.write_text(json.dumps({"slug": fair.slug, "event_id": fair.event_id, "registrants": share,
                                     "employers": fair.employer_cookies}))
    nodes = [Node(url, redis_url, args.workers, run_dir, f"node{number}") for number in range(1, nodes_count + 1)]
    nginx = None
    try:
        for node in nodes:
            node.wait()
        listen = free_port()
        main = nginx_config(run_dir, listen, [node.port for node in nodes])
        nginx = subprocess.Popen([NGINX, "-c", str(main), "-p", str(run_dir), "-e", str(run_dir / "nginx-error.log")],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        base = f"http://127.0.0.1:{listen}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if get(f"{base}/healthz") == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or nginx.poll() is not None:
                raise SystemExit(f"nginx did not start: {(run_dir / 'nginx-error.log').read_text()[-2000:]}")
            time.sleep(0.2)
        for _ in range(3 * args.workers * nodes_count):  # every worker has (most likely) loaded its templates
            for path in ("/", "/events", f"/events/{fair.slug}", f"/events/{fair.slug}/floor-plan",
                         f"/events/{fair.slug}/places.json"):
                status = get(base + path)
                if status != 200:
                    raise SystemExit(f"warm-up: {path} answered {status}")
        prefix = run_dir / "locust"
        command = [str(BIN / "locust"), "-f", str(LOCUSTFILE), "--headless", "--users", str(args.users),
                   "--spawn-rate", str(args.spawn_rate), "--run-time", f"{args.seconds}s", "--host", base,
                   "--csv", str(prefix), "--only-summary", "--stop-timeout", "10", "--loglevel", "WARNING"]
        unsent_path = run_dir / "unsent.json"
        env = {**os.environ, "LOAD_FAIR_DATA": str(data_path), "LOAD_FAIR_WAIT": args.wait,
               "LOAD_FAIR_UNSENT": str(unsent_path)}
        print(f"{nodes_count} node(s) × {args.workers} workers behind nginx on {base}: Locust, {args.users} users, "
              f"{args.seconds} s …", file=sys.stderr)
        database = make_url(url).database
        before = cpu_snapshot(nodes, nginx, database)
        started = time.monotonic()
        with (run_dir / "locust.log").open("wb") as locust_log:
            locust = subprocess.Popen(command, env=env, cwd=run_dir, stdout=locust_log, stderr=subprocess.STDOUT)
            locust_cpu = 0.0
            while locust.poll() is None:
                locust_cpu = max(locust_cpu, tree_cpu(locust.pid))
                time.sleep(0.5)
        elapsed = time.monotonic() - started
        after = cpu_snapshot(nodes, nginx, database)
    finally:
        if nginx is not None and nginx.poll() is None:
            nginx.send_signal(signal.SIGQUIT)  # graceful
            nginx.wait(timeout=20)
        for node in nodes:
            node.stop()
    cpu = cpu_used(before, after)
    cpu["locust"] = locust_cpu
    busy_pct = 100 * cpu["machine busy"] / cpu["machine"] if cpu["machine"] else 0.0
    with open(f"{prefix}_stats.csv") as stats:
        rows = list(csv.DictReader(stats))
    registered = registered_ids(url, fair.event_id, share)
    unsent = set(json.loads(unsent_path.read_text()))
    sent = {person["user_id"] for person in share} - unsent
    checks = check_database(url, fair, rows, registered, sent)
    return RunResult(nodes_count, args.workers, args.users, elapsed, rows, cpu, busy_pct,
                     sorted(registered), answered_registrations(rows),
                     checks + ([] if registered else ["nobody registered"]))


def registered_ids(url: str, event_id: int, share: list[dict]) -> set[int]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY, "TESTING": False})
    wanted = [person["user_id"] for person in share]
    with app.app_context():
        found = set(db.session.scalars(select(Registration.user_id).where(
            Registration.event_id == event_id, Registration.user_id.in_(wanted))))
        db.engine.dispose()
    return found


def answered_registrations(rows: list[dict]) -> int:
    register_row = next((row for row in rows if row["Name"].startswith("register")), None)
    return int(register_row["Request Count"]) - int(register_row["Failure Count"]) if register_row else 0


def check_database(url: str, fair: Fair, rows: list[dict], registered: set[int], sent: set[int]) -> list[str]:
    """The registration race, checked over the whole fair (every run so far). Requests still in flight when
    Locust stopped may have registered without Locust counting them: registered people are those whose
    registration was answered (302) and at most those whose POST was sent."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY, "TESTING": False})
    problems = []
    succeeded = answered_registrations(rows)
    if len(registered) < succeeded:
        problems.append(f"{succeeded} registrations answered as done, only {len(registered)} in the table")
    if registered - sent:
        problems.append(f"{len(registered - sent)} registered whose POST was never sent")
    with app.app_context():
        counts = registrations.count_by_status(fair.event_id)
        twice = db.session.scalar(select(func.count()).select_from(
            select(Registration.user_id).where(Registration.event_id == fair.event_id)
            .group_by(Registration.user_id).having(func.count() > 1).subquery()))
        event = db.session.get(Event, fair.event_id)
        confirmed = counts[RegistrationStatus.CONFIRMED]
        if confirmed > fair.capacity:
            problems.append(f"overbooked: {confirmed} confirmed for {fair.capacity} places")
        waiting = counts[RegistrationStatus.WAITLISTED]
        if waiting and confirmed < fair.capacity:
            problems.append(f"{waiting} waiting while {fair.capacity - confirmed} places are free")
        if twice:
            problems.append(f"{twice} people registered twice")
        if registrations.places_left(event) != max(fair.capacity - confirmed, 0):
            problems.append(f"places left {registrations.places_left(event)}, {fair.capacity - confirmed} by the rows")
        db.engine.dispose()
    return problems


# --- Report -----------------------------------------------------------------------------------------------------

def print_run(result: RunResult) -> None:
    print(f"\n## {result.nodes} node(s) × {result.workers} sync workers behind nginx · {result.users} Locust users · "
          f"{result.seconds:.0f} s")
    print(f"{'route':44} {'requests':>9} {'fail':>5} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6}  (ms)")
    for row in sorted(result.rows, key=lambda row: row["Name"] == "Aggregated"):
        name = "all routes" if row["Name"] == "Aggregated" else row["Name"]
        print(f"{name[:44]:44} {row['Request Count']:>9} {row['Failure Count']:>5} "
              f"{float(row['Requests/s']):7.1f} {row['50%']:>6} {row['95%']:>6} {row['99%']:>6}")
    cpu = result.cpu_seconds
    seconds = result.seconds
    parts = [f"{name} {value:.1f} s ({100 * value / seconds:.0f} % of a core)" for name, value in cpu.items()
             if not name.startswith("machine")]
    print("CPU during the run: " + "; ".join(parts))
    print(f"machine: {result.machine_busy_pct:.0f} % busy ({psutil.cpu_count()} cores)")
    print(f"registered in this run: {len(result.registered_ids)} (Locust counted {result.answered} answered)")
    print("database checks: " + ("passed (no overbooking, nobody twice, counter = rows, every 302 in the table)"
                                 if not result.checks else "FAILED: " + "; ".join(result.checks)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="a PostgreSQL database to empty and fill")
    parser.add_argument("--redis-url", default=os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/9"),
                        help="a Redis database the nodes share (emptied before each run)")
    parser.add_argument("--nodes", default="2,1", help="the runs, as numbers of nodes (default: 2, then 1)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers per node")
    parser.add_argument("--users", type=int, default=60, help="simulated people (Locust users)")
    parser.add_argument("--spawn-rate", type=float, default=30, help="people arriving per second at the start")
    parser.add_argument("--seconds", type=int, default=60, help="length of each run")
    parser.add_argument("--wait", default="0.2,1.0", help="a person's pause between clicks: min,max seconds")
    parser.add_argument("--candidates", type=int, default=12000, help="candidates seeded (shared between the runs)")
    parser.add_argument("--capacity", type=int, default=3000, help="places at the fair")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    url_text = args.database_url
    if make_url(url_text).get_backend_name() != "postgresql":
        raise SystemExit("the load test runs on PostgreSQL (several nodes share the database)")
    runs = [int(part) for part in args.nodes.split(",")]
    rng = random.Random(17)
    with tempfile.TemporaryDirectory(prefix="eventsapp-load-") as workdir_name:
        workdir = Path(workdir_name)
        url = prepare_database(url_text, workdir).render_as_string(hide_password=False)
        started = time.perf_counter()
        fair = seed(url, args.candidates, args.capacity, rng)
        print(f"seeded in {time.perf_counter() - started:.0f} s: the fair {fair.slug} ({fair.capacity} places, "
              f"{fair.registered_before} registered by the demo), {len(fair.candidate_ids):,} candidates, "
              f"{len(fair.employer_cookies)} employers", file=sys.stderr)
        shares = [fair.registrant_data[number::len(runs)] for number in range(len(runs))]
        results = [run(url, args.redis_url, fair, share, nodes, args, workdir)
                   for nodes, share in zip(runs, shares, strict=True)]
    print(f"# Load test: the opening minute of a fair · PostgreSQL · {psutil.cpu_count()} cores, shared machine")
    for result in results:
        print_run(result)
    if args.json:
        args.json.write_text(json.dumps([{**result.__dict__, "registered_ids": len(result.registered_ids)}
                                         for result in results], indent=1))
    failed = [result for result in results if result.checks or any(
        row["Name"] == "Aggregated" and int(row["Failure Count"]) for row in result.rows)]
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
