"""What a personal code costs at the door, against the event badge's own code: the check-in service
(eventsapp.checkin.services.check_in) called in-process, one scan and one commit at a time, for N confirmed
candidates of a fair going on now — half scanned with their badge's token, half with their personal code
(the two kinds interleaved, so that a busy machine slows both alike), then every code scanned a second time
("already"). Reports the median and p95 of each kind and their ratio, and checks one check-in per person.

    .venv/bin/python benchmarks/personal_codes.py --database-url postgresql://postgres@127.0.0.1:5432/bench_codes

Without --database-url it uses a fresh SQLite file. A PostgreSQL database is emptied first.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from sqlalchemy import func, insert, select  # noqa: E402
from support import build_schema, insert_chunks, prepare_database  # noqa: E402

from eventsapp import create_app  # noqa: E402
from eventsapp.accounts.models import Role, User  # noqa: E402
from eventsapp.badges.services import sync_badges, token_of  # noqa: E402
from eventsapp.candidates.models import CandidateProfile  # noqa: E402
from eventsapp.checkin import services  # noqa: E402
from eventsapp.checkin.models import CheckIn  # noqa: E402
from eventsapp.events.models import Event, EventKind, EventStatus  # noqa: E402
from eventsapp.extensions import db  # noqa: E402
from eventsapp.registrations.models import Registration, RegistrationStatus  # noqa: E402
from eventsapp.talentcode import codes  # noqa: E402


def fill(candidates: int) -> tuple[int, int, list[tuple[str, str]]]:
    """A fair going on now with ``candidates`` confirmed people and their badges; (event, gate, [(kind, token)])."""
    now = datetime.now(UTC).replace(microsecond=0)
    with db.engine.begin() as connection:
        connection.execute(insert(Event.__table__), [{
            "slug": "bench-codes", "kind": EventKind.FAIR, "status": EventStatus.PUBLISHED, "title_zh": "招聘会",
            "title_en": "Fair", "timezone": "Asia/Shanghai", "starts_at": now - timedelta(hours=1),
            "ends_at": now + timedelta(hours=6), "capacity": candidates, "created_at": now, "updated_at": now}])
        event_id = connection.scalar(select(Event.id))
        insert_chunks(connection, User.__table__, [
            {"email": f"person.{number}@example.com", "password_hash": "x", "display_name": f"Person {number}",
             "role": Role.CANDIDATE if number else Role.ORGANIZER, "created_at": now}
            for number in range(candidates + 1)])
        people = connection.scalars(select(User.id).where(User.role == Role.CANDIDATE).order_by(User.id)).all()
        gate = connection.scalar(select(User.id).where(User.role == Role.ORGANIZER))
        insert_chunks(connection, CandidateProfile.__table__, [
            {"user_id": user_id, "name": f"访客{user_id}", "phone": "+8613800138000", "created_at": now,
             "updated_at": now} for user_id in people])
        insert_chunks(connection, Registration.__table__, [
            {"event_id": event_id, "user_id": user_id, "status": RegistrationStatus.CONFIRMED, "queued_at": now,
             "created_at": now, "updated_at": now, "confirmed_at": now} for user_id in people])
    badges = {badge.holder_id: badge for badge in sync_badges(event_id)}
    personal = codes.tokens_for(people)
    db.session.commit()
    return event_id, gate, [("personal", personal[user_id]) if index % 2 else ("badge", token_of(badges[user_id]))
                            for index, user_id in enumerate(people)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL or SQLite URL (default: a new SQLite file)")
    parser.add_argument("--candidates", type=int, default=1_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as workdir:
        url = prepare_database(args.database_url, Path(workdir))
        app = create_app({"SQLALCHEMY_DATABASE_URI": url.render_as_string(hide_password=False), "TESTING": False,
                          "SECRET_KEY": "benchmark-secret-key-not-secret"})
        build_schema(app)
        with app.app_context():
            event_id, gate_id, scans = fill(args.candidates)
            times: dict[tuple[str, str], list[float]] = {}
            for round_name in ("first", "again"):
                for kind, token in scans:
                    event, gate = db.session.get(Event, event_id), db.session.get(User, gate_id)
                    started = time.perf_counter()
                    result = services.check_in(event, token=token, actor=gate)
                    db.session.commit()
                    times.setdefault((round_name, kind), []).append((time.perf_counter() - started) * 1000)
                    expected = services.Outcome.CHECKED_IN if round_name == "first" else services.Outcome.ALREADY
                    if result.outcome != expected:
                        print(f"unexpected {result.outcome} for a {kind} code in round {round_name}", file=sys.stderr)
                        return 1
            rows, people = db.session.execute(select(func.count(), func.count(func.distinct(CheckIn.holder_id)))
                                              .where(CheckIn.event_id == event_id)).one()
            engine = f"{db.engine.dialect.name} {'.'.join(map(str, db.engine.dialect.server_version_info or ()))}"
            db.engine.dispose()
    print(f"{engine} · {args.candidates:,} candidates, half scanned by badge, half by personal code, interleaved")
    print(f"{'round':<7} {'code':<9} {'scans':>6} {'median ms':>10} {'p95 ms':>8}")
    medians = {}
    for (round_name, kind), values in times.items():
        medians[round_name, kind] = statistics.median(values)
        p95 = statistics.quantiles(values, n=20)[-1]
        print(f"{round_name:<7} {kind:<9} {len(values):>6} {medians[round_name, kind]:>10.2f} {p95:>8.2f}")
    for round_name in ("first", "again"):
        print(f"{round_name}: personal / badge median = "
              f"{medians[round_name, 'personal'] / medians[round_name, 'badge']:.2f}")
    ok = rows == people == args.candidates
    print(f"check-ins: {rows} rows of {people} people for {args.candidates} candidates: {'OK' if ok else 'WRONG'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
