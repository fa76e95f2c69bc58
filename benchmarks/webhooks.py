"""1,000 webhook deliveries to a local receiver with the worker (issue 16): target under 10 s.

Fills a throwaway database with an organizer and E endpoints (all pointing at one local receiver, a
threading http.server on 127.0.0.1 that answers 204, optionally after a delay), writes N deliveries
through the same path the features use (``eventsapp.webhooks.emit``: one INSERT per change, in its
transaction), then times the worker (``deliver_due``: claim with a lease, send from a thread pool, record)
until every delivery has succeeded. It checks that the receiver got each delivery exactly once and that
every signature verifies. With ``--workers 2`` two workers (threads with their own sessions) drain the
queue side by side, as two schedulers would.

    .venv/bin/python benchmarks/webhooks.py
    .venv/bin/python benchmarks/webhooks.py --database-url postgresql://postgres@127.0.0.1:5432/test_hooks16_bench
    .venv/bin/python benchmarks/webhooks.py --receiver-delay-ms 50 --workers 2 --database-url ...

The PostgreSQL database is created if missing and its `public` schema dropped and rebuilt.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.support import build_schema, prepare_database  # noqa: E402
from eventsapp import create_app  # noqa: E402
from eventsapp.accounts.models import Role, User  # noqa: E402
from eventsapp.config import TestConfig  # noqa: E402
from eventsapp.dbtypes import utcnow  # noqa: E402
from eventsapp.extensions import db  # noqa: E402
from eventsapp.webhooks import emit, signing  # noqa: E402
from eventsapp.webhooks.delivery import deliver_due  # noqa: E402
from eventsapp.webhooks.events import CHECKIN_RECORDED, REGISTRATION_CREATED  # noqa: E402
from eventsapp.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint  # noqa: E402
from tests.webhook_receiver import start_receiver  # noqa: E402


def fill(app, endpoints: int, url: str) -> dict[int, str]:
    with app.app_context():
        organizer = User(email="bench-organizer@example.org", display_name="Bench", role=Role.ORGANIZER,
                         password_hash="x")
        db.session.add(organizer)
        db.session.flush()
        rows = [WebhookEndpoint(created_by_id=organizer.id, url=url, event_types=REGISTRATION_CREATED,
                                secret=signing.new_secret(), consecutive_failures=0, disabled_reason="")
                for _ in range(endpoints)]
        db.session.add_all(rows)
        db.session.commit()
        return {row.id: row.secret for row in rows}


def emit_deliveries(app, changes: int) -> list[float]:
    """``changes`` changes, each in its own transaction, as a feature writes them; seconds per change."""
    timings = []
    with app.app_context():
        for number in range(changes):
            started = time.perf_counter()
            emit._write(REGISTRATION_CREATED, None, lambda number=number: {  # noqa: SLF001 - the features' path
                "registration": {"id": str(number), "status": "confirmed", "created_at": utcnow().isoformat()},
                "candidate": {"id": str(number), "name": "李明", "email": f"c{number}@example.org"}})
            db.session.commit()
            timings.append(time.perf_counter() - started)
    return timings


def idle_emit(app, repeats: int = 500) -> list[float]:
    """What a change nobody subscribed to costs its transaction: the one query that finds no endpoint."""
    timings = []
    with app.app_context():
        for _ in range(repeats):
            started = time.perf_counter()
            emit._write(CHECKIN_RECORDED, 1, lambda: {}, emit.AT_EVENT, lambda organization_id: {})  # noqa: SLF001
            timings.append(time.perf_counter() - started)
        db.session.rollback()
    return timings


def drain(app, workers: int) -> float:
    def work():
        with app.app_context():
            while deliver_due().sent:
                pass
            db.session.remove()

    started = time.perf_counter()
    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--deliveries", type=int, default=1000)
    parser.add_argument("--endpoints", type=int, default=10, help="the deliveries are spread over them")
    parser.add_argument("--concurrency", type=int, default=32, help="WEBHOOK_CONCURRENCY: threads per worker")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--receiver-delay-ms", type=float, default=0.0)
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args()

    delay = options.receiver_delay_ms / 1000

    def answer(received):
        if delay:
            time.sleep(delay)
        return 204

    receiver = start_receiver(answer)
    with tempfile.TemporaryDirectory() as workdir:
        url = prepare_database(options.database_url, Path(workdir))
        app = create_app(TestConfig)
        app.config.update(SQLALCHEMY_DATABASE_URI=url.render_as_string(hide_password=False),
                          WEBHOOK_CONCURRENCY=options.concurrency, WEBHOOK_ALLOW_HTTP=True,
                          WEBHOOK_ALLOW_PRIVATE=True)
        _, revision = build_schema(app)
        secrets = fill(app, options.endpoints, receiver.url)
        changes = -(-options.deliveries // options.endpoints)
        emit_timings = emit_deliveries(app, changes)
        idle_timings = idle_emit(app)
        seconds = drain(app, options.workers)
        with app.app_context():
            succeeded = db.session.scalar(select(func.count()).select_from(WebhookDelivery)
                                          .where(WebhookDelivery.status == DeliveryStatus.SUCCEEDED))
            total = db.session.scalar(select(func.count()).select_from(WebhookDelivery))
            db.session.remove()
            db.engine.dispose()
    receiver.close()
    ids = [json.loads(item.body)["id"] for item in receiver.received]
    valid = sum(1 for item in receiver.received if any(
        signing.verify(secret, item.headers["X-Talentday-Signature"], item.body) for secret in secrets.values()))
    result = {
        "database": url.get_backend_name(), "revision": revision, "deliveries": total, "succeeded": succeeded,
        "received": len(ids), "duplicates": len(ids) - len(set(ids)), "signatures_valid": valid,
        "workers": options.workers, "concurrency": options.concurrency,
        "receiver_delay_ms": options.receiver_delay_ms, "deliver_seconds": round(seconds, 3),
        "deliveries_per_second": round(total / seconds, 1) if seconds else None,
        "emit_ms_median": round(statistics.median(emit_timings) * 1000, 3),
        "idle_emit_us_median": round(statistics.median(idle_timings) * 1e6, 1),
    }
    if options.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>22}: {value}")
    if succeeded != total or result["duplicates"] or valid != len(ids):
        raise SystemExit("FAILED: not every delivery arrived exactly once with a valid signature")


if __name__ == "__main__":
    main()
