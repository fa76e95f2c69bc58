"""CPU per registration, in one process: where the worker's time goes (issue 3).

The same data, cookies and CSRF tokens as benchmarks/registrations.py, but the POSTs call the
WSGI app directly, one after another (no gunicorn, no client threads, no contention), so the
figures barely move when other processes load the machine. For each registration it records
the process's CPU time and the SQL statements sent; on PostgreSQL also the CPU time of the
database backend serving our connection (from /proc, same machine). With --profile it writes a
pyinstrument profile of the timed run (text, and HTML next to it).

    .venv/bin/python benchmarks/registration_cpu.py --database-url postgresql://postgres@127.0.0.1:5432/bench_cpu
    .venv/bin/python benchmarks/registration_cpu.py --profile build/registration_profile.txt
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from registrations import EVENT_SLUG, SECRET_KEY, check_database, fill, post_headers  # noqa: E402
from sqlalchemy import event as sa_event  # noqa: E402
from sqlalchemy import text  # noqa: E402
from support import build_schema, prepare_database  # noqa: E402
from werkzeug.test import EnvironBuilder  # noqa: E402

from eventsapp import create_app  # noqa: E402
from eventsapp.extensions import db  # noqa: E402

CLOCK_TICKS = 100


def backend_ticks(pid: int | None) -> int | None:
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[11]) + int(fields[12])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL or SQLite URL (default: a new SQLite file)")
    parser.add_argument("--candidates", type=int, default=1_500)
    parser.add_argument("--capacity", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=50, help="registrations before the timing starts")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--profile", help="write a pyinstrument text profile of the timed run to this file")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="eventsapp-cpu-") as workdir:
        url = prepare_database(args.database_url, Path(workdir), sqlite_file_required=True)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url.render_as_string(hide_password=False),
                          "SECRET_KEY": SECRET_KEY, "TESTING": False})
        build_schema(app)
        event_id, people, _ = fill(app, random.Random(args.seed), args.candidates, args.capacity)
        environs = [EnvironBuilder(path=f"/events/{EVENT_SLUG}/register", method="POST", data=person.form,
                                   headers=post_headers(person)).get_environ() for person in people]
        statuses: Counter = Counter()

        def post(environ) -> None:
            def start_response(status, headers, exc_info=None):
                statuses[status.split()[0]] += 1
            body = app(environ, start_response)
            for _ in body:
                pass
            getattr(body, "close", lambda: None)()

        statements = [0]
        with app.app_context():
            engine = db.engine
            sa_event.listen(engine, "before_cursor_execute", lambda *a: statements.__setitem__(0, statements[0] + 1))
            backend_pid = None
            if engine.dialect.name == "postgresql":
                with engine.connect() as connection:  # the pool keeps this one connection: the app reuses it
                    backend_pid = connection.scalar(text("SELECT pg_backend_pid()"))
        for environ in environs[:args.warmup]:
            post(environ)
        timed = environs[args.warmup:]
        profiler = None
        if args.profile:
            import cProfile; profiler = cProfile.Profile(time.process_time)
            pass
            profiler.enable()
        statements[0] = 0
        db_before = backend_ticks(backend_pid)
        cpu_each = []
        wall_started = time.perf_counter()
        cpu_started = time.process_time()
        for environ in timed:
            started = time.process_time()
            post(environ)
            cpu_each.append((time.process_time() - started) * 1000)
        cpu_total = time.process_time() - cpu_started
        wall = time.perf_counter() - wall_started
        db_after = backend_ticks(backend_pid)
        if profiler is not None:
            profiler.disable(); profiler.dump_stats(args.profile)
        found, failures = check_database(app, event_id, len(people), args.capacity)
        with app.app_context():
            db.engine.dispose()

    n = len(timed)
    print(f"{url.get_backend_name()}: {n} timed registrations ({args.warmup} before, untimed) · "
          f"statuses {dict(statuses)}")
    print(f"app CPU per registration: {cpu_total * 1000 / n:.2f} ms (median {statistics.median(cpu_each):.2f}, "
          f"p90 {statistics.quantiles(cpu_each, n=10)[8]:.2f}) · wall {wall * 1000 / n:.2f} ms")
    if db_before is not None and db_after is not None:
        print(f"database backend CPU per registration: {(db_after - db_before) * 1000 / CLOCK_TICKS / n:.2f} ms")
    print(f"SQL statements per registration: {statements[0] / n:.2f}")
    print(f"database: {found}")
    if failures or set(statuses) != {"302"}:
        print("FAILED: " + "; ".join(failures) + f" statuses {dict(statuses)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
