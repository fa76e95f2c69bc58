"""The JSON API through gunicorn with a personal access token (issue 16): GET /api/v1/events with
10,000 events, and POST /api/v1/events/<id>/checkins (each with an Idempotency-Key), p50/p99.

Builds the schema with the migrations, 10,000 public events (half upcoming) and a fair going on now
with N confirmed candidates and their badges (the door benchmark's fill), one organizer and a token
with every scope (made by the app's own `create_token`). Then it starts gunicorn as production does
(`-c deploy/gunicorn.conf.py`, 2 sync workers by default) and, with one client at a time (latency, not
throughput):

1. "events": GET /api/v1/events cycling through the first page, ?kind=fair, ?when=past, ?when=all
   &limit=100 and the next page of each (its next_cursor); every answer must be 200.
2. "check-in": one POST per badge (the badge's signed token, an Idempotency-Key each); every answer
   must be "checked_in"; then every tenth request again with its key, which must replay the answer.

Afterwards it checks the database: one CheckIn per badge scanned. Rate limits are counted in Redis
when --redis-url is given (as in production), otherwise in each worker's memory; the limit is raised
out of the way (API_RATE_LIMIT) so the run measures the app, not the limiter's refusals.

    .venv/bin/python benchmarks/api.py --database-url postgresql://postgres@127.0.0.1:5432/bench_api \\
        --redis-url redis://127.0.0.1:6379/4

Without --database-url it uses a fresh SQLite file in a temporary directory. A PostgreSQL database is
created if missing and its `public` schema is dropped and rebuilt: never point it at data you want to keep.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from checkin import fill as fill_fairs  # noqa: E402 - the door benchmark's fairs, badges and volunteers
from registrations import (  # noqa: E402
    GUNICORN,
    SECRET_KEY,
    Gunicorn,
    background_busy_pct,
    cpu_per_request,
    cpu_snapshot,
    free_port,
    request_once,
)
from sqlalchemy import func, insert, select, text  # noqa: E402
from support import build_schema, insert_chunks, prepare_database  # noqa: E402

from eventsapp import create_app  # noqa: E402
from eventsapp.accounts.models import Role, User  # noqa: E402
from eventsapp.accounts.passwords import hash_password  # noqa: E402
from eventsapp.api.tokens import SCOPES, create_token  # noqa: E402
from eventsapp.checkin.models import CheckIn  # noqa: E402
from eventsapp.events.models import Event, EventKind, EventStatus  # noqa: E402
from eventsapp.extensions import db  # noqa: E402

TARGET_P99_MS = 50.0
KINDS = (EventKind.FAIR, EventKind.CONFERENCE, EventKind.COMPETITION)


def fill_events(app, rng: random.Random, count: int) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    rows = []
    for number in range(count):
        starts = now + timedelta(hours=rng.randrange(-3 * 365 * 24, 3 * 365 * 24))
        rows.append({"slug": f"bench-api-{number}", "kind": rng.choice(KINDS), "status": EventStatus.PUBLISHED,
                     "title_zh": f"活动 {number}", "title_en": f"Event {number}", "timezone": "Asia/Shanghai",
                     "venue_name_zh": "杭州国际博览中心", "venue_name_en": "Hangzhou International Expo Center",
                     "starts_at": starts, "ends_at": starts + timedelta(hours=6), "capacity": 500,
                     "created_at": now, "updated_at": now, "published_at": now})
    with app.app_context(), db.engine.begin() as connection:
        insert_chunks(connection, Event.__table__, rows)


def make_organizer_token(app) -> str:
    with app.app_context():
        db.session.execute(insert(User.__table__), [{
            "email": "api.organizer@example.com", "password_hash": hash_password("benchmark-password-not-secret"),
            "display_name": "API organizer", "role": Role.ORGANIZER, "created_at": datetime.now(UTC)}])
        user = db.session.scalar(select(User).where(User.email == "api.organizer@example.com"))
        _token, secret = create_token(user, "benchmark", list(SCOPES))
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
    return secret


class ProductionGunicorn(Gunicorn):
    """gunicorn as production runs it: `gunicorn -c deploy/gunicorn.conf.py` (sync workers, its logging,
    its Prometheus folder), bound to a free local port with WEB_CONCURRENCY workers."""

    def __init__(self, database_url: str, workers: int, log_path: Path, redis_url: str | None) -> None:
        self.port = free_port()
        self.log_path = log_path
        env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": SECRET_KEY, "WEB_CONCURRENCY": str(workers),
               "GUNICORN_BIND": f"127.0.0.1:{self.port}", "LOG_FORMAT": "text", "LOG_LEVEL": "WARNING"}
        env.pop("APP_ENV", None)  # development settings: no secure-only cookies on plain HTTP
        if redis_url:
            env["REDIS_URL"] = redis_url
        self.log = open(log_path, "wb")  # closed in stop()
        self.process = subprocess.Popen(
            [str(GUNICORN), "-c", str(PROJECT_ROOT / "deploy" / "gunicorn.conf.py")],
            cwd=PROJECT_ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)


def timed(port: int, method: str, path: str, headers: dict, body: bytes | None = None) -> tuple[float, int, bytes]:
    started = time.perf_counter()
    status, _location, data = request_once(port, method, path, body=body, headers=headers)
    return (time.perf_counter() - started) * 1000, status, data


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def summary(name: str, times: list[float]) -> dict:
    return {"phase": name, "requests": len(times), "median_ms": statistics.median(times),
            "p95_ms": percentile(times, 0.95), "p99_ms": percentile(times, 0.99), "max_ms": max(times)}


def events_phase(port: int, headers: dict, requests: int, failures: list[str]) -> list[float]:
    firsts = ["/api/v1/events", "/api/v1/events?kind=fair", "/api/v1/events?when=past",
              "/api/v1/events?when=all&limit=100"]
    times: list[float] = []
    while len(times) < requests:
        for path in firsts:
            elapsed, status, data = timed(port, "GET", path, headers)
            times.append(elapsed)
            if status != 200:
                failures.append(f"GET {path} answered {status}")
                continue
            cursor = json.loads(data)["next_cursor"]
            if cursor:
                separator = "&" if "?" in path else "?"
                elapsed, status, _ = timed(port, "GET", f"{path}{separator}cursor={cursor}", headers)
                times.append(elapsed)
                if status != 200:
                    failures.append(f"GET {path} next page answered {status}")
    return times[:requests]


def checkin_phase(port: int, headers: dict, event_id: int, badges: list[str], failures: list[str]) -> list[float]:
    times, answers = [], {}
    path = f"/api/v1/events/{event_id}/checkins"
    for number, token in enumerate(badges):
        key = f"bench-{number}"
        body = json.dumps({"token": token, "gate": "API"}).encode()
        elapsed, status, data = timed(port, "POST", path, {**headers, "Idempotency-Key": key}, body)
        times.append(elapsed)
        answers[key] = data
        if status != 200 or json.loads(data).get("outcome") != "checked_in":
            failures.append(f"check-in {number} answered {status} {data[:120]!r}")
    for number in range(0, len(badges), 10):  # retries with their keys: the same answer, nothing new
        key = f"bench-{number}"
        body = json.dumps({"token": badges[number], "gate": "API"}).encode()
        _elapsed, status, data = timed(port, "POST", path, {**headers, "Idempotency-Key": key}, body)
        if status != 200 or data != answers[key]:
            failures.append(f"retry of check-in {number} did not replay the first answer")
    return times


def profile_requests(app, secret: str, event_id: int, badges: list[str], count: int, top: int) -> None:
    """``count`` requests of each kind in this process under cProfile (the app as gunicorn's worker runs it,
    without the network): where one request's time goes, by function, cumulative."""
    import cProfile
    import io
    import pstats

    client = app.test_client()
    headers = {"Authorization": f"Bearer {secret}", "Accept-Language": "zh-CN,zh;q=0.9"}
    for _ in range(20):  # warm-up: imports, the first connection, compiled queries
        client.get("/api/v1/events", headers=headers)
    kinds = {
        "GET /api/v1/events": lambda number: client.get("/api/v1/events", headers=headers),
        "POST /api/v1/events/<id>/checkins": lambda number: client.post(
            f"/api/v1/events/{event_id}/checkins", headers={**headers, "Idempotency-Key": f"profile-{number}"},
            json={"token": badges[number % len(badges)], "gate": "API"}),
    }
    round_trips = {"sql": 0, "redis": 0}

    def count_sql(*_args):
        round_trips["sql"] += 1

    import redis
    from sqlalchemy import event

    plain_execute = redis.Redis.execute_command

    def count_redis(self, *args, **options):
        round_trips["redis"] += 1
        return plain_execute(self, *args, **options)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", count_sql)
    redis.Redis.execute_command = count_redis
    for name, call in kinds.items():  # round trips of one request (and its commit), before profiling
        round_trips.update(sql=0, redis=0)
        answer = call(count)
        assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
        print(f"== {name}: {round_trips['sql']} SQL statements and {round_trips['redis']} Redis commands a request")
    redis.Redis.execute_command = plain_execute
    for name, call in kinds.items():
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for number in range(count):
            call(number)
        profiler.disable()
        elapsed = (time.perf_counter() - started) * 1000 / count
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
        print(f"== {name}: {elapsed:.2f} ms a request in-process, profiled ({count} requests)\n{out.getvalue()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL or SQLite URL (default: a new SQLite file)")
    parser.add_argument("--redis-url", help="count the rate limits in this Redis (REDIS_URL)")
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=400, help="GET /api/v1/events requests timed")
    parser.add_argument("--checkins", type=int, default=400, help="check-ins timed (one per badge)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--profile", type=int, metavar="N", help="instead of gunicorn: N requests of each kind "
                        "in this process under cProfile, the top functions printed")
    parser.add_argument("--profile-top", type=int, default=40)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    failures: list[str] = []
    os.environ["API_RATE_LIMIT"] = "1000000 per minute"
    if args.redis_url:
        os.environ["REDIS_URL"] = args.redis_url
    else:
        os.environ.pop("REDIS_URL", None)
    with tempfile.TemporaryDirectory(prefix="eventsapp-bench-") as workdir:
        url = prepare_database(args.database_url, Path(workdir), sqlite_file_required=True)
        url_text = url.render_as_string(hide_password=False)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url_text, "SECRET_KEY": SECRET_KEY, "TESTING": False,
                          "RATELIMIT_STORAGE_URI": args.redis_url if args.profile and args.redis_url else "memory://"})
        print(f"building the schema on {url.render_as_string(hide_password=True)} …", file=sys.stderr)
        _seconds, revision = build_schema(app)
        print(f"filling {args.events:,} events and a fair with {args.checkins:,} badges …", file=sys.stderr)
        fairs, _scanners, _fill_seconds = fill_fairs(app, rng, max(args.checkins, 50))
        fill_events(app, rng, args.events)
        secret = make_organizer_token(app)
        if args.profile:
            with app.app_context():
                db.engine.dispose()
            profile_requests(app, secret, fairs[0].event_id, fairs[0].tokens, args.profile, args.profile_top)
            return 0
        with app.app_context():
            version = ".".join(map(str, db.engine.dialect.server_version_info))
            engine_name = db.engine.dialect.name
            db.engine.dispose()
        background = background_busy_pct()
        server = ProductionGunicorn(url_text, args.workers, Path(workdir) / "gunicorn.log", args.redis_url)
        headers = {"Authorization": f"Bearer {secret}", "Accept-Language": "zh-CN,zh;q=0.9",
                   "Content-Type": "application/json"}
        try:
            server.wait_until_healthy()
            for _ in range(20):  # warm-up: both workers load their code and connections
                request_once(server.port, "GET", "/api/v1/events", headers=headers)
            print(f"phase 'events': {args.requests} requests …", file=sys.stderr)
            before = cpu_snapshot(server.process.pid)
            events_times = events_phase(server.port, headers, args.requests, failures)
            events_cpu = cpu_per_request(before, cpu_snapshot(server.process.pid), len(events_times))
            print(f"phase 'check-in': {args.checkins} requests …", file=sys.stderr)
            badges = fairs[0].tokens[:args.checkins]
            before = cpu_snapshot(server.process.pid)
            checkin_times = checkin_phase(server.port, headers, fairs[0].event_id, badges, failures)
            # The retries (a tenth) are counted in: they cost the server too.
            checkin_cpu = cpu_per_request(before, cpu_snapshot(server.process.pid),
                                          len(checkin_times) + len(range(0, len(badges), 10)))
        finally:
            server.stop()
        log_tail = server.tail()
        if "Traceback" in log_tail:
            print(f"gunicorn's log ends with:\n{log_tail}", file=sys.stderr)
            failures.append("gunicorn logged a traceback")
        with app.app_context():
            rows = db.session.scalar(select(func.count()).select_from(CheckIn))
            db.engine.dispose()
        if rows != len(badges):
            failures.append(f"{rows} check-ins recorded for {len(badges)} badges")

    report = {"engine": engine_name, "engine_version": version, "python": sys.version.split()[0],
              "date": datetime.now(UTC).isoformat(timespec="seconds"), "cores": os.cpu_count(),
              "workers": args.workers, "events": args.events, "rate_limits": "redis" if args.redis_url else "memory",
              "schema_revision": revision, "check_ins_recorded": rows, "target_p99_ms": TARGET_P99_MS,
              "background_busy_pct": background,
              "phases": [{**summary("GET /api/v1/events", events_times), **events_cpu},
                         {**summary("POST /api/v1/events/<id>/checkins", checkin_times), **checkin_cpu}],
              "failures": failures}
    for phase in report["phases"]:
        if phase["p99_ms"] >= TARGET_P99_MS:
            failures.append(f"{phase['phase']}: p99 {phase['p99_ms']:.1f} ms, target under {TARGET_P99_MS:.0f} ms")
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"{engine_name} {version}, Python {report['python']}, {report['cores']} cores, "
              f"{args.workers} gunicorn workers, {args.events:,} events, rate limits in {report['rate_limits']}")
        busy = report["background_busy_pct"]
        print(f"machine busy before the run: {busy:.0f} %" if busy is not None else "machine load unknown")
        print(f"{'phase':<36} {'requests':>8} {'median':>9} {'p95':>9} {'p99':>9} {'max':>9} {'server CPU':>11}")
        for phase in report["phases"]:
            cpu = phase["server_cpu_ms"]
            print(f"{phase['phase']:<36} {phase['requests']:>8} {phase['median_ms']:>7.1f}ms "
                  f"{phase['p95_ms']:>7.1f}ms {phase['p99_ms']:>7.1f}ms {phase['max_ms']:>7.1f}ms "
                  + (f"{cpu:>8.1f}ms" if cpu is not None else "       n/a"))
        print(f"check-ins recorded: {rows} for {len(badges)} badges; target p99 < {TARGET_P99_MS:.0f} ms")
        for failure in failures:
            print(f"FAILED: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
