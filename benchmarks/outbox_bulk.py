"""100,000 e-mails into the outbox at once (issue 15): one broadcast, and one published matching run.

Fills a throwaway database with one published fair: N candidates (users with confirmed registrations, a
third of them writing in English), B approved booths each with an owner, and a DRAFT matching run with one
interview per candidate (inserted directly: the engine is benchmarks/matching_db.py's business). Then times,
each committed:

- broadcast: ``messages.services.send_broadcast`` to everyone confirmed (one outbox row per person, in bulk);
- publish: ``matchmaking.runs.publish_run`` (one row per matched candidate and per booth staff member);
- render: the outbox worker writing a sample of the queued messages (``render_message``), per message.

Target: each of the first two under 10 s for 100,000 e-mails on PostgreSQL.

    .venv/bin/python benchmarks/outbox_bulk.py --database-url postgresql://postgres@127.0.0.1:5432/bench_outbox
    .venv/bin/python benchmarks/outbox_bulk.py --candidates 20000     # smaller, on a temporary SQLite file

The PostgreSQL database is created if missing and its `public` schema dropped and rebuilt (`test` and the
maintenance databases are refused).
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.support import build_schema, insert_chunks, prepare_database  # noqa: E402
from eventsapp import create_app  # noqa: E402
from eventsapp.accounts.models import Role, User  # noqa: E402
from eventsapp.booths.models import Booth, BoothStatus, BoothType  # noqa: E402
from eventsapp.config import TestConfig  # noqa: E402
from eventsapp.events.models import Event, EventKind, EventStatus  # noqa: E402
from eventsapp.extensions import db  # noqa: E402
from eventsapp.matchmaking import runs  # noqa: E402
from eventsapp.matchmaking.models import Interview, MatchRun, RunStatus  # noqa: E402
from eventsapp.messages import services as messages  # noqa: E402
from eventsapp.messages.models import Segment  # noqa: E402
from eventsapp.notifications.models import OutboxMessage  # noqa: E402
from eventsapp.notifications.services import render_message  # noqa: E402
from eventsapp.organizations.models import (  # noqa: E402
    Industry,
    MemberRole,
    Organization,
    OrganizationMember,
    OrganizationSize,
    OrganizationStatus,
)
from eventsapp.registrations.models import Registration, RegistrationStatus  # noqa: E402

SLOTS = 16


def fill(app, candidates: int, booths: int) -> int:
    now = datetime.now(UTC).replace(microsecond=0)
    day = (now + timedelta(days=30)).replace(hour=1, minute=0, second=0)
    with app.app_context(), db.engine.begin() as connection:
        event_id = connection.execute(insert(Event.__table__).returning(Event.__table__.c.id), [{
            "slug": "bulk-fair", "kind": EventKind.FAIR, "status": EventStatus.PUBLISHED, "title_zh": "秋季招聘会",
            "title_en": "Autumn fair", "timezone": "Asia/Shanghai", "starts_at": day,
            "ends_at": day + timedelta(hours=8), "capacity": candidates, "created_at": now, "updated_at": now,
            "published_at": now}]).scalar_one()
        insert_chunks(connection, User.__table__, [
            {"email": f"candidate.{number}@example.com", "password_hash": "x", "display_name": f"候选人 {number}",
             "role": Role.CANDIDATE, "locale": "en" if number % 3 == 0 else "zh_CN", "created_at": now}
            for number in range(candidates)])
        people = connection.scalars(select(User.id).where(User.role == Role.CANDIDATE).order_by(User.id)).all()
        insert_chunks(connection, Registration.__table__, [
            {"event_id": event_id, "user_id": user_id, "status": RegistrationStatus.CONFIRMED, "queued_at": now,
             "created_at": now, "updated_at": now, "confirmed_at": now} for user_id in people])
        insert_chunks(connection, Organization.__table__, [
            {"name_zh": f"杭州测试科技有限公司{number}", "name_en": f"Hangzhou Test Tech {number}",
             "credit_code": f"91330100MA{number:08d}", "industry": Industry.I, "size": OrganizationSize.FROM_100,
             "city": "杭州", "status": OrganizationStatus.VERIFIED, "verified_at": now, "created_at": now,
             "updated_at": now} for number in range(booths)])
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
             "interviewers": 10, "status": BoothStatus.APPROVED, "created_at": now, "decided_at": now}
            for organization_id in organizations])
        booth_ids = connection.scalars(select(Booth.id).order_by(Booth.id)).all()
        run_id = connection.execute(insert(MatchRun.__table__).returning(MatchRun.__table__.c.id), [{
            "event_id": event_id, "seed": 1, "status": RunStatus.DRAFT, "slots": SLOTS, "inputs_summary": "{}",
            "results_summary": "{}", "created_at": now}]).scalar_one()
        insert_chunks(connection, Interview.__table__, [
            {"run_id": run_id, "candidate_id": user_id, "booth_id": booth_ids[index % len(booth_ids)],
             "slot": (index // len(booth_ids)) % SLOTS,
             "starts_at": day + timedelta(minutes=30 * ((index // len(booth_ids)) % SLOTS)),
             "ends_at": day + timedelta(minutes=30 * ((index // len(booth_ids)) % SLOTS + 1)), "choice_position": 1}
            for index, user_id in enumerate(people)])
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
    return event_id


def outbox_count() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage))


def measure(app, event_id: int, sample: int) -> dict:
    figures = {}
    with app.app_context():
        event = db.session.get(Event, event_id)
        started = time.perf_counter()
        broadcast = messages.send_broadcast(event, messages.BroadcastData(
            Segment.CONFIRMED, "入场须知", "Getting in", "请从北门进入。", "Please use the north gate."), None)
        db.session.commit()
        figures["broadcast_s"] = round(time.perf_counter() - started, 2)
        figures["broadcast_emails"] = broadcast.recipients
        db.session.remove()
    with app.app_context():
        before = outbox_count()
        run_id = db.session.scalar(select(MatchRun.id).where(MatchRun.event_id == event_id))
        started = time.perf_counter()
        runs.publish_run(event_id, run_id)
        db.session.commit()
        figures["publish_s"] = round(time.perf_counter() - started, 2)
        figures["publish_emails"] = outbox_count() - before
        db.session.remove()
    with app.app_context():
        timings = {}
        for kind in ("event_broadcast", "interviews_candidate", "interviews_employer"):
            queued = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)
                                        .order_by(OutboxMessage.id).limit(sample)).all()
            each = []
            for message in queued:
                started = time.perf_counter()
                render_message(message)
                each.append((time.perf_counter() - started) * 1000)
            timings[kind] = round(statistics.median(each), 2)
        figures["render_ms_median"] = timings
        db.session.rollback()
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a throwaway PostgreSQL database (default: a temporary SQLite file)")
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--booths", type=int, default=2_000)
    parser.add_argument("--sample", type=int, default=200, help="messages rendered per kind, for the worker's cost")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as workdir:
        url = prepare_database(args.database_url, Path(workdir))
        settings = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
        settings.update(SQLALCHEMY_DATABASE_URI=url.render_as_string(hide_password=False), TESTING=False)
        app = create_app(settings)
        build_schema(app)
        started = time.perf_counter()
        event_id = fill(app, args.candidates, args.booths)
        figures = {"database": url.get_backend_name(), "candidates": args.candidates, "booths": args.booths,
                   "fill_s": round(time.perf_counter() - started, 1), **measure(app, event_id, args.sample)}
        with app.app_context():
            db.engine.dispose()
    print(json.dumps(figures, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
