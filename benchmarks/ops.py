"""What running in production costs: the request id, JSON log line and metrics of every request; one
/metrics scrape; and a backup and a restore of the demo data (two years of history).

    .venv/bin/python benchmarks/ops.py
    .venv/bin/python benchmarks/ops.py --database-url postgresql://postgres@127.0.0.1:5432/bench_ops

In one process through Flask's test client (no HTTP server): each request with the hooks of
eventsapp.requestlog and eventsapp.ops.metrics, then the same without them; the JSON lines are
formatted and written to /dev/null as production writes them to standard error.
"""
from __future__ import annotations

import argparse
import io
import json
import logging
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

from benchmarks.support import build_schema, prepare_database  # noqa: E402
from eventsapp import models, requestlog  # noqa: E402, F401 - models: every table, before the demo imports some
from eventsapp.demo.seed import seed_demo  # noqa: E402
from eventsapp.extensions import db  # noqa: E402
from eventsapp.ops import backup, metrics  # noqa: E402
from tests.apps import make_app  # noqa: E402

HOOKS = {requestlog._start_request, requestlog._finish_request, metrics._start_clock, metrics._observe}


@contextmanager
def without_hooks(app):
    """The app as it was before this work: no request id, log line or metrics."""
    before = list(app.before_request_funcs[None])
    after = list(app.after_request_funcs[None])
    app.before_request_funcs[None] = [func for func in before if func not in HOOKS]
    app.after_request_funcs[None] = [func for func in after if func not in HOOKS]
    try:
        yield
    finally:
        app.before_request_funcs[None], app.after_request_funcs[None] = before, after


def one_request_us(client, path: str) -> float:
    """The CPU this process spent on one request (on a busy machine CPU time wanders less than wall time)."""
    started = time.process_time()
    response = client.get(path)
    elapsed = (time.process_time() - started) * 1e6
    assert response.status_code == 200, (path, response.status_code)
    return elapsed


def paired_us(app, client, path: str, requests: int) -> tuple[list[float], list[float]]:
    """Each request with the hooks, then the same without them, ``requests`` times: the machine's load
    changes within a pair far less than between two rounds."""
    with_hooks, without = [], []
    for _ in range(requests):
        with_hooks.append(one_request_us(client, path))
        with without_hooks(app):
            without.append(one_request_us(client, path))
    return with_hooks, without


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-ops-") as scratch:
        workdir = Path(scratch)
        url = prepare_database(options.database_url, workdir)
        folders = {setting: str(workdir / "uploads" / kind) for kind, setting in backup.UPLOAD_KINDS.items()}
        app = make_app(SQLALCHEMY_DATABASE_URI=url.render_as_string(hide_password=False), **folders)
        build_schema(app)
        with app.app_context():
            seed_demo(date.today(), "testing")
            db.session.commit()
            rows = sum(db.session.scalar(text(f'SELECT count(*) FROM "{name}"')) for name in db.metadata.tables)
        for kind in backup.UPLOAD_KINDS:  # a few uploads, as a real site has
            folder = workdir / "uploads" / kind
            folder.mkdir(parents=True)
            for number in range(20):
                (folder / f"{number:032x}.pdf").write_bytes(b"%PDF-1.4\n" + bytes(200_000))

        handler = logging.StreamHandler(open("/dev/null", "w"))  # noqa: SIM115 - for the whole run
        handler.setFormatter(requestlog.JsonFormatter())
        request_logger = logging.getLogger("eventsapp.request")
        request_logger.addHandler(handler)
        request_logger.setLevel(logging.INFO)
        request_logger.disabled = False  # the migrations' logging set-up disabled the loggers it found
        request_logger.propagate = False  # one handler, as in production (not also the migrations' console)

        client = app.test_client()
        results: dict[str, object] = {"database": url.get_backend_name(), "rows": rows}
        for path in ("/healthz", "/events"):
            paired_us(app, client, path, 50)  # warm
            with_hooks, without = paired_us(app, client, path, options.requests)
            results[path] = {"with_us": round(statistics.median(with_hooks)),
                             "without_us": round(statistics.median(without)),
                             "overhead_us": round(statistics.median(b - a for a, b in zip(without, with_hooks,
                                                                                           strict=True)))}

        scrapes = []
        for _ in range(50):
            started = time.perf_counter()
            assert client.get("/metrics").status_code == 200
            scrapes.append((time.perf_counter() - started) * 1000)
        results["metrics_scrape_ms"] = round(statistics.median(scrapes), 2)

        archive = workdir / "backup.tar.gz"
        upload_folders = {kind: workdir / "uploads" / kind for kind in backup.UPLOAD_KINDS}
        started = time.perf_counter()
        manifest = backup.create_backup(app.config["SQLALCHEMY_DATABASE_URI"], upload_folders, archive)
        results["backup_s"] = round(time.perf_counter() - started, 2)
        results["archive_mb"] = round(archive.stat().st_size / 1e6, 2)
        results["files"] = len(manifest.files)
        target = prepare_database(options.database_url + "_restore" if options.database_url else None,
                                  workdir / "restored")
        if target.get_backend_name() == "sqlite":
            (workdir / "restored").mkdir()
            target = target.set(database=str(workdir / "restored" / "restored.db"))
        restored_folders = {kind: workdir / "restored-uploads" / kind for kind in backup.UPLOAD_KINDS}
        started = time.perf_counter()
        report = backup.restore_backup(archive, target.render_as_string(hide_password=False), restored_folders)
        results["restore_s"] = round(time.perf_counter() - started, 2)
        assert report.tables == manifest.tables
        with app.app_context():
            db.engine.dispose()

    if options.json:
        print(json.dumps(results, indent=1))
        return
    out = io.StringIO()
    out.write(f"database {results['database']}, {results['rows']} rows of demo data\n")
    for path in ("/healthz", "/events"):
        figures = results[path]
        out.write(f"{path:10} {figures['with_us']:>7} µs CPU with request id, log line and metrics, "
                  f"{figures['without_us']:>7} µs without: {figures['overhead_us']:+} µs (median of the pairs)\n")
    out.write(f"/metrics scrape: {results['metrics_scrape_ms']} ms\n")
    out.write(f"backup: {results['backup_s']} s, {results['archive_mb']} MB, {results['files']} files; "
              f"restore and check: {results['restore_s']} s\n")
    print(out.getvalue(), end="")


if __name__ == "__main__":
    main()
