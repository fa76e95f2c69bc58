"""Door check-in through gunicorn: 50 scanners at once, some badges scanned by two gates at the same
moment, no double check-in, p99 latency (issue 6).

Builds the schema with the migrations and two fairs going on now, each with N confirmed candidates
(bulk inserts) and their badges (issued by the app's own `sync_badges`), and 50 volunteers on
both fairs' crews, each with a signed session and CSRF token. Then it starts gunicorn (`app:app`,
2 sync workers by default) and runs two phases of POST /checkin/<id>/scan with the badges' signed
QR tokens, one scanner per client thread and connection:

1. "door": each scanner scans one badge every --interval seconds (a person walking through a gate
   every second), on a fixed schedule. Scanners are paired (gate k and gate k+25); in --duplicates
   of the slots the second gate of a pair also scans the first gate's badge at the same moment.
2. "flat out": the second fair, the same pattern with no pause: the most the server can take.

Afterwards it checks each fair in the database: one CheckIn row per badge scanned, no person twice,
every candidate checked in marked attended, and exactly one "checked_in" answer per badge (every
other scan of it "already"). Any failed check exits with status 1.

    .venv/bin/python benchmarks/checkin.py --database-url postgresql://postgres@127.0.0.1:5432/bench_checkin

Without --database-url it uses a fresh SQLite file in a temporary directory. A PostgreSQL database
is created if missing and its `public` schema is dropped and rebuilt: never point it at data you want
to keep. The client threads share the machine's cores with gunicorn and the database.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from flask import Flask  # noqa: E402
from itsdangerous import URLSafeTimedSerializer  # noqa: E402
from registrations import (  # noqa: E402 - the gunicorn runner and CPU meters of the registration benchmark
    CSRF_SALT,
    REQUEST_TIMEOUT,
    SECRET_KEY,
    Gunicorn,
    background_busy_pct,
    cpu_per_request,
    cpu_snapshot,
    request_once,
)
from sqlalchemy import func, insert, select, text  # noqa: E402
from support import build_schema, insert_chunks, insert_logins, prepare_database  # noqa: E402

from eventsapp import create_app  # noqa: E402
from eventsapp.accounts.models import Role, User  # noqa: E402
from eventsapp.accounts.passwords import hash_password  # noqa: E402
from eventsapp.badges.models import BadgeRole, EventCrew  # noqa: E402
from eventsapp.badges.services import sync_badges, token_of  # noqa: E402
from eventsapp.candidates.models import CandidateProfile  # noqa: E402
from eventsapp.checkin.models import CheckIn  # noqa: E402
from eventsapp.events.models import Event, EventKind, EventStatus  # noqa: E402
from eventsapp.extensions import db  # noqa: E402
from eventsapp.registrations.models import Registration, RegistrationStatus  # noqa: E402
from eventsapp.talentcode import codes as personal_codes  # noqa: E402

TARGET_P99_MS = 100.0
SCANNERS = 50


@dataclass
class Fair:
    event_id: int
    tokens: list[str]  # one per badge, in a random order


@dataclass
class Scan:
    badge: int  # index into the fair's tokens
    gate: str


@dataclass
class Answer:
    badge: int
    status: int
    outcome: str
    ms: float
    started: float


@dataclass
class Phase:
    name: str
    answers: list[Answer] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    cpu: dict = field(default_factory=dict)


# --- Filling ----------------------------------------------------------------------------------

def fill(app: Flask, rng: random.Random, candidates: int, codes: str = "badge") -> tuple[list[Fair], list[dict], float]:
    """Two fairs going on now, `candidates` confirmed people at each, badges for all, and the scanners. With
    ``codes="personal"`` the scanners scan each person's personal code (eventsapp.talentcode) instead."""
    now = datetime.now(UTC).replace(microsecond=0)
    started = time.perf_counter()
    password_hash = hash_password("benchmark-password-not-secret")
    with app.app_context(), db.engine.begin() as connection:
        starts = now - timedelta(hours=1)
        connection.execute(insert(Event.__table__), [{
            "slug": f"bench-door-{number}", "kind": EventKind.FAIR, "status": EventStatus.PUBLISHED,
            "title_zh": f"杭州人才招聘会 {number}", "title_en": f"Hangzhou talent fair {number}",
            "timezone": "Asia/Shanghai", "starts_at": starts, "ends_at": starts + timedelta(hours=7),
            "capacity": candidates, "created_at": now, "updated_at": now, "published_at": now,
        } for number in (1, 2)])
        event_ids = connection.scalars(select(Event.id).order_by(Event.id)).all()
        people = [{"email": f"visitor.{number}@example.com", "password_hash": password_hash,
                   "display_name": f"访客 {number} Visitor {number}", "role": Role.CANDIDATE, "created_at": now}
                  for number in range(2 * candidates)]
        people += [{"email": f"gate.{number}@example.com", "password_hash": password_hash,
                    "display_name": f"Gate volunteer {number}", "role": Role.CANDIDATE, "created_at": now}
                   for number in range(SCANNERS)]
        insert_chunks(connection, User.__table__, people)
        visitors = connection.scalars(select(User.id).where(User.email.like("visitor.%")).order_by(User.id)).all()
        volunteers = connection.scalars(select(User.id).where(User.email.like("gate.%")).order_by(User.id)).all()
        logins = insert_logins(connection, volunteers, now)
        insert_chunks(connection, CandidateProfile.__table__, [
            {"user_id": user_id, "name": f"访客{user_id}", "name_latin": f"Visitor {user_id}",
             "phone": f"+86138{rng.randrange(10**8):08d}", "created_at": now, "updated_at": now}
            for user_id in visitors])
        insert_chunks(connection, Registration.__table__, [
            {"event_id": event_ids[index // candidates], "user_id": user_id, "status": RegistrationStatus.CONFIRMED,
             "queued_at": now, "created_at": now, "updated_at": now, "confirmed_at": now}
            for index, user_id in enumerate(visitors)])
        insert_chunks(connection, EventCrew.__table__, [
            {"event_id": event_id, "user_id": user_id, "role": BadgeRole.VOLUNTEER, "created_at": now}
            for event_id in event_ids for user_id in volunteers])
    fairs = []
    with app.app_context():
        for event_id in event_ids:
            issued = [badge for badge in sync_badges(event_id) if badge.role == BadgeRole.CANDIDATE]
            if codes == "personal":
                personal = personal_codes.tokens_for([badge.holder_id for badge in issued])
                tokens = [personal[badge.holder_id] for badge in issued]
            else:
                tokens = [token_of(badge) for badge in issued]
            db.session.commit()
            rng.shuffle(tokens)
            fairs.append(Fair(event_id, tokens))
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
        session_serializer = app.session_interface.get_signing_serializer(app)
    csrf_serializer = URLSafeTimedSerializer(SECRET_KEY, salt=CSRF_SALT)
    scanners = []
    for user_id in volunteers:
        raw_token = f"{rng.getrandbits(160):040x}"
        cookie = session_serializer.dumps({"_user_id": logins[user_id], "_fresh": True, "csrf_token": raw_token})
        scanners.append({"Cookie": f"session={cookie}", "X-CSRFToken": csrf_serializer.dumps(raw_token),
                         "Content-Type": "application/json", "Accept": "application/json",
                         "Accept-Language": "zh-CN,zh;q=0.9"})
    return fairs, scanners, time.perf_counter() - started


# --- Load -------------------------------------------------------------------------------------

def schedule(badges: int, rng: random.Random, duplicates: float) -> list[list[list[Scan]]]:
    """For each scanner, its slots; each slot the scans it sends at that moment. Gate k and gate
    k + 25 are a pair: in `duplicates` of the slots the second also scans the first's badge."""
    per_scanner = badges // SCANNERS
    slots: list[list[list[Scan]]] = []
    for scanner in range(SCANNERS):
        gate = f"gate {scanner + 1}"
        slots.append([[Scan(scanner * per_scanner + slot, gate)] for slot in range(per_scanner)])
    half = SCANNERS // 2
    for scanner in range(half, SCANNERS):
        for slot in range(per_scanner):
            if rng.random() < duplicates:
                partner_badge = slots[scanner - half][slot][0].badge
                slots[scanner][slot].insert(0, Scan(partner_badge, f"gate {scanner + 1}"))
    return slots


def run_phase(name: str, port: int, fair: Fair, scanners: list[dict], slots, interval: float,
              master_pid: int) -> Phase:
    phase = Phase(name)
    lock = threading.Lock()
    start_line = threading.Barrier(SCANNERS + 1)
    origin = [0.0]
    path = f"/checkin/{fair.event_id}/scan"

    def scanner(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
        # Pairs share their moment; the pairs are spread over the interval.
        offset = interval * (index % (SCANNERS // 2)) / (SCANNERS // 2)
        answers, errors = [], []
        start_line.wait()
        for number, scans in enumerate(slots[index]):
            pause = origin[0] + offset + number * interval - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            for scan in scans:
                body = json.dumps({"token": fair.tokens[scan.badge], "gate": scan.gate}).encode()
                started = time.perf_counter()
                try:
                    connection.request("POST", path, body=body, headers=scanners[index])
                    response = connection.getresponse()
                    payload = response.read()
                except (OSError, http.client.HTTPException) as error:
                    connection.close()
                    errors.append(f"{type(error).__name__}: {error}")
                    continue
                ms = (time.perf_counter() - started) * 1000
                outcome = json.loads(payload).get("outcome", "?") if response.status == 200 else "?"
                answers.append(Answer(scan.badge, response.status, outcome, ms, started))
                if response.status != 200:
                    errors.append(f"{response.status}: {payload[:200]!r}")
        connection.close()
        with lock:
            phase.answers += answers
            phase.errors += errors

    threads = [threading.Thread(target=scanner, args=(index,), daemon=True) for index in range(SCANNERS)]
    for thread in threads:
        thread.start()
    before = cpu_snapshot(master_pid)
    origin[0] = time.perf_counter() + 0.2
    start_line.wait()
    for thread in threads:
        thread.join()
    phase.seconds = time.perf_counter() - origin[0]
    phase.cpu = cpu_per_request(before, cpu_snapshot(master_pid), len(phase.answers))
    return phase


def warm_up(port: int, fair: Fair, scanners: list[dict]) -> None:
    """Untimed: every worker opens its database connection and loads the code paths (unknown codes
    check nobody in)."""
    for index in range(SCANNERS * 2):
        status, _, _ = request_once(port, "POST", f"/checkin/{fair.event_id}/scan", body=b'{"token": "warm.up"}',
                                    headers=scanners[index % SCANNERS])
        if status != 200:
            raise SystemExit(f"warm-up scan answered {status}")


# --- Checks and figures -----------------------------------------------------------------------

def check(app: Flask, fair: Fair, phase: Phase) -> tuple[dict, list[str]]:
    failures = [f"{phase.name}: {len(phase.errors)} failed requests, e.g. {phase.errors[:3]}"] if phase.errors else []
    by_badge: dict[int, Counter] = defaultdict(Counter)
    for answer in phase.answers:
        by_badge[answer.badge][answer.outcome] += 1
    wrong = [badge for badge, outcomes in by_badge.items() if outcomes["checked_in"] != 1
             or set(outcomes) - {"checked_in", "already"}]
    if wrong:
        failures.append(f"{phase.name}: {len(wrong)} badges without exactly one 'checked_in' answer")
    with app.app_context():
        rows, people = db.session.execute(select(func.count(), func.count(func.distinct(CheckIn.holder_id)))
                                          .where(CheckIn.event_id == fair.event_id)).one()
        attended = db.session.scalar(select(func.count()).where(Registration.event_id == fair.event_id,
                                                                Registration.attended_at.is_not(None)))
    if not rows == people == attended == len(by_badge):
        failures.append(f"{phase.name}: {rows} check-ins of {people} people, {attended} attended, "
                        f"for {len(by_badge)} badges scanned")
    duplicates = sum(1 for outcomes in by_badge.values() if sum(outcomes.values()) > 1)
    found = {"badges_scanned": len(by_badge), "check_in_rows": rows, "distinct_people": people,
             "attended": attended, "badges_scanned_twice": duplicates,
             "already_answers": sum(outcomes["already"] for outcomes in by_badge.values())}
    return found, failures


def figures(phase: Phase) -> dict:
    times = sorted(answer.ms for answer in phase.answers)
    cuts = statistics.quantiles(times, n=100) if len(times) >= 2 else [0.0] * 99
    twice = Counter(answer.badge for answer in phase.answers)
    pair_ms = sorted(answer.ms for answer in phase.answers if twice[answer.badge] > 1)
    return {"phase": phase.name, "scans": len(times), "seconds": phase.seconds,
            "per_second": len(times) / phase.seconds if phase.seconds else 0.0,
            "p50_ms": cuts[49], "p95_ms": cuts[94], "p99_ms": cuts[98], "max_ms": times[-1] if times else 0.0,
            "p99_ms_of_double_scans": statistics.quantiles(pair_ms, n=100)[98] if len(pair_ms) >= 2 else None,
            **phase.cpu}


def print_report(report: dict) -> None:
    print(f"\n{report['engine']} {report['engine_version']} · gunicorn {report['workers']} sync workers · "
          f"{SCANNERS} scanners · {report['candidates']:,} badges per fair · one scan every "
          f"{report['interval']} s per scanner in the door phase · {report['duplicates']:.0%} of slots scanned "
          f"by both gates of a pair · codes: {report['codes']}")
    background = report["background_busy_pct"]
    print(f"schema {report['schema_revision']} · fill {report['fill_seconds']:.1f} s · cores busy before: "
          f"{'n/a' if background is None else f'{background:.0f} %'} · CSRF-less scan → {report['csrf_status']}\n")
    print(f"{'phase':<10} {'scans':>6} {'scans/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} "
          f"{'p99 2×':>8}  CPU ms/scan workers / machine (busy)")
    for row in report["phases"]:
        double = row["p99_ms_of_double_scans"]
        cpu = " / ".join(f"{row[key]:.1f}" if row[key] is not None else "n/a"
                         for key in ("server_cpu_ms", "machine_cpu_ms"))
        busy = f"{row['machine_busy_pct']:.0f} %" if row["machine_busy_pct"] is not None else "n/a"
        print(f"{row['phase']:<10} {row['scans']:>6} {row['per_second']:>8.1f} {row['p50_ms']:>8.1f} "
              f"{row['p95_ms']:>8.1f} {row['p99_ms']:>8.1f} {row['max_ms']:>8.1f} "
              f"{'n/a' if double is None else f'{double:.1f}':>8}  {cpu} ({busy})")
    for name, found in report["database"].items():
        print(f"database, {name}: {found['badges_scanned']} badges scanned ({found['badges_scanned_twice']} twice, "
              f"{found['already_answers']} 'already' answers) → {found['check_in_rows']} check-ins of "
              f"{found['distinct_people']} people, {found['attended']} marked attended")
    door = report["phases"][0]
    print(f"target p99 < {TARGET_P99_MS:.0f} ms at the door with {SCANNERS} scanners: "
          f"{'met' if door['p99_ms'] < TARGET_P99_MS else 'MISSED'} ({door['p99_ms']:.1f} ms)")
    if report["failures"]:
        print("FAILED:\n  " + "\n  ".join(report["failures"]))
    else:
        print("checks: OK (one check-in per badge, nobody twice, attended set, one 'checked_in' answer per badge)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL or SQLite URL (default: a new SQLite file)")
    parser.add_argument("--candidates", type=int, default=2_500, help="badges per fair (a multiple of 50 is used)")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between a scanner's scans at the door")
    parser.add_argument("--duplicates", type=float, default=0.2, help="share of slots scanned by both gates of a pair")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--codes", choices=("badge", "personal"), default="badge",
                        help="scan the event badges' codes, or the people's personal codes")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    if args.candidates < SCANNERS or not 0 <= args.duplicates <= 1 or args.interval < 0:
        parser.error(f"need --candidates >= {SCANNERS}, 0 <= --duplicates <= 1, --interval >= 0")
    rng = random.Random(args.seed)
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="eventsapp-bench-") as workdir:
        url = prepare_database(args.database_url, Path(workdir), sqlite_file_required=True)
        url_text = url.render_as_string(hide_password=False)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url_text, "SECRET_KEY": SECRET_KEY, "TESTING": False})
        print(f"building the schema on {url.render_as_string(hide_password=True)} …", file=sys.stderr)
        _seconds, revision = build_schema(app)
        print(f"filling 2 fairs with {args.candidates:,} badges each …", file=sys.stderr)
        fairs, scanners, fill_seconds = fill(app, rng, args.candidates, args.codes)
        with app.app_context():
            version = ".".join(map(str, db.engine.dialect.server_version_info))
            engine_name = db.engine.dialect.name
            db.engine.dispose()
        background = background_busy_pct()
        server = Gunicorn(url_text, args.workers, Path(workdir) / "gunicorn.log")
        try:
            server.wait_until_healthy()
            headers = {key: value for key, value in scanners[0].items() if key != "X-CSRFToken"}
            csrf_status, _, _ = request_once(server.port, "POST", f"/checkin/{fairs[0].event_id}/scan",
                                             body=b'{"token": "x"}', headers=headers)
            if csrf_status != 400:
                failures.append(f"a scan without the CSRF header answered {csrf_status}, expected 400")
            warm_up(server.port, fairs[0], scanners)
            phases = []
            for name, fair, interval in (("door", fairs[0], args.interval), ("flat out", fairs[1], 0.0)):
                slots = schedule(len(fair.tokens), rng, args.duplicates)
                print(f"phase {name!r}: {sum(len(slot) for scanner in slots for slot in scanner):,} scans …",
                      file=sys.stderr)
                phases.append(run_phase(name, server.port, fair, scanners, slots, interval, server.process.pid))
        finally:
            server.stop()
        log_tail = server.tail()
        if "Traceback" in log_tail:
            print(f"gunicorn's log ends with:\n{log_tail}", file=sys.stderr)
        database = {}
        for fair, phase in zip(fairs, phases, strict=True):
            database[phase.name], found_failures = check(app, fair, phase)
            failures += found_failures
        with app.app_context():
            db.engine.dispose()

    report = {"engine": engine_name, "engine_version": version, "python": sys.version.split()[0],
              "date": datetime.now(UTC).isoformat(timespec="seconds"), "cores": os.cpu_count(),
              "workers": args.workers, "candidates": len(fairs[0].tokens), "interval": args.interval,
              "codes": args.codes,
              "duplicates": args.duplicates, "seed": args.seed, "schema_revision": revision,
              "fill_seconds": fill_seconds, "background_busy_pct": background, "csrf_status": csrf_status,
              "phases": [figures(phase) for phase in phases], "database": database, "failures": failures,
              "target_p99_ms": TARGET_P99_MS}
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_report(report)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
