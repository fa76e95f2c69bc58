"""The production set-up as shipped in deploy/: gunicorn started with its config file on a free port serves
the app (health, a page, metrics added up over its workers) and stops gracefully; nginx accepts the site
file (`nginx -t`) and, in front of gunicorn, serves the static files itself and passes the request id and
the client's address on. Only loopback addresses are used."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from eventsapp import PROJECT_ROOT
from tests.local_services import redis_up
from tests.web.gunicorn_servers import DEPLOY, GUNICORN, SETTINGS, free_port

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
# In CI nginx is installed by `make test-packages`; a developer without it skips these tests.
needs_nginx = pytest.mark.skipif(NGINX is None and not os.environ.get("CI"), reason="nginx is not installed")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/6")


def fetch(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def server_environment(app, tmp_path: Path, port: int, trusted_proxies: int) -> dict[str, str]:
    """The suite's database; production settings on PostgreSQL (with Redis), development ones on SQLite
    (which production refuses), JSON logs either way."""
    env = {key: value for key, value in os.environ.items() if key not in SETTINGS}
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    env.update(DATABASE_URL=url.render_as_string(hide_password=False), GUNICORN_BIND=f"127.0.0.1:{port}",
               WEB_CONCURRENCY="2", PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"), LOG_FORMAT="json",
               TRUSTED_PROXIES=str(trusted_proxies), RATELIMIT_STORAGE_URI="memory://",
               SECRET_KEY="kJ3v9Qx2Lr7TzW0aYp5NcB8mHs4DfG6eUi1")
    if url.get_backend_name() == "postgresql" and redis_up():
        env.update(APP_ENV="production", REDIS_URL=REDIS_URL, RATELIMIT_STORAGE_URI=REDIS_URL,
                   PUBLIC_BASE_URL="https://talent.example.cn", SMTP_HOST="127.0.0.1",
                   MAIL_FROM="noreply@talent.example.cn", WEBHOOK_SECRET_KEY="Wq8vN2xR5tY7uI0oP3aS6dF9gH1jK4lZ")
    return env


@contextmanager
def gunicorn(app, tmp_path: Path, trusted_proxies: int = 1) -> Iterator[tuple[str, subprocess.Popen, Path]]:
    port = free_port()
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as output:
        process = subprocess.Popen([str(GUNICORN), "-c", str(DEPLOY / "gunicorn.conf.py")],
                                   env=server_environment(app, tmp_path, port, trusted_proxies), cwd=tmp_path,
                                   stdout=output, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if fetch(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"gunicorn did not start:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.3)
        yield base, process, log
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_gunicorn_serves_the_app_with_the_shipped_config(app, real_commits, tmp_path):
    with gunicorn(app, tmp_path) as (base, process, log):
        status, headers, body = fetch(f"{base}/healthz", {"X-Request-ID": "deploy-test-1"})
        assert status == 200 and json.loads(body)["status"] == "ok"
        assert headers["X-Request-ID"] == "deploy-test-1"
        status, _headers, body = fetch(f"{base}/healthz/ready")
        assert status == 200, body
        status, headers, body = fetch(f"{base}/events")
        assert status == 200 and headers["Content-Type"].startswith("text/html") and b"</html>" in body
        for _ in range(6):  # spread over both workers
            assert fetch(f"{base}/")[0] == 200
        status, _headers, metrics = fetch(f"{base}/metrics")
        assert status == 200
        # Every worker's requests are counted, whichever worker answers the scrape.
        lines = [line for line in metrics.decode().splitlines()
                 if line.startswith('eventsapp_http_requests_total{') and 'endpoint="main.index"' in line]
        assert lines and sum(float(line.rsplit(" ", 1)[1]) for line in lines) == 6
        assert len(list((tmp_path / "metrics").glob("*.db"))) >= 2  # one file per worker (at least)
        forwarded = fetch(f"{base}/metrics", {"X-Forwarded-For": "203.0.113.9"})  # as nginx would pass it
        assert forwarded[0] == 403
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=40) == 0  # a graceful stop
    written = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    requests = [line for line in written if line["logger"] == "eventsapp.request"]
    assert any(line["request_id"] == "deploy-test-1" and line["http"]["path"] == "/healthz" for line in requests)
    assert {line["http"]["status"] for line in requests} >= {200, 403}
    assert any(line["logger"].startswith("gunicorn") for line in written)  # gunicorn's own lines are JSON too


def test_gunicorn_stops_at_once_on_incomplete_production_settings(tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in SETTINGS}
    env.update(APP_ENV="production", GUNICORN_BIND=f"127.0.0.1:{free_port()}", WEB_CONCURRENCY="1",
               PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"))
    stopped = subprocess.run([str(GUNICORN), "-c", str(DEPLOY / "gunicorn.conf.py")], env=env, cwd=tmp_path,
                             capture_output=True, text=True, timeout=60)
    assert stopped.returncode != 0
    assert "The app cannot start with these settings" in stopped.stderr and "DATABASE_URL" in stopped.stderr
    assert "App failed to load" in stopped.stderr  # gunicorn gave up rather than restarting workers


def nginx_site(upstream_port: int, listen_port: int) -> str:
    """deploy/nginx.conf as a machine would install it, on test ports and with this checkout's static files."""
    site = (DEPLOY / "nginx.conf").read_text()
    assert "listen 80;" in site and "127.0.0.1:8000" in site and "/srv/talent-events/eventsapp/static/" in site
    return (site.replace("listen 80;", f"listen 127.0.0.1:{listen_port};")
            .replace("listen [::]:80;", "")
            .replace("127.0.0.1:8000", f"127.0.0.1:{upstream_port}")
            .replace("/srv/talent-events/eventsapp/static/", f"{PROJECT_ROOT}/eventsapp/static/"))


def nginx_main_config(tmp_path: Path, site: str) -> Path:
    """A main nginx.conf like Debian's (its mime.types, the site included in http) that keeps every file it
    writes under ``tmp_path`` and runs in the foreground as the current user."""
    (tmp_path / "site.conf").write_text(site)
    temp = {name: tmp_path / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for folder in temp.values():
        folder.mkdir(exist_ok=True)
    mime = "include /etc/nginx/mime.types;" if Path("/etc/nginx/mime.types").exists() else ""
    main = tmp_path / "nginx.conf"
    main.write_text(f"""
daemon off;
master_process off;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log warn;
events {{ worker_connections 64; }}
http {{
    {mime}
    access_log {tmp_path}/access.log;
    client_body_temp_path {temp['body']};
    proxy_temp_path {temp['proxy']};
    fastcgi_temp_path {temp['fastcgi']};
    uwsgi_temp_path {temp['uwsgi']};
    scgi_temp_path {temp['scgi']};
    include {tmp_path}/site.conf;
}}
""")
    return main


@needs_nginx
def test_nginx_accepts_the_site_file(tmp_path):
    main = nginx_main_config(tmp_path, nginx_site(8000, free_port()))
    checked = subprocess.run([NGINX, "-t", "-c", str(main), "-p", str(tmp_path), "-e", str(tmp_path / "error.log")],
                             capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
    assert "syntax is ok" in checked.stderr and "test is successful" in checked.stderr


@needs_nginx
def test_nginx_in_front_of_gunicorn(app, real_commits, tmp_path):
    listen = free_port()
    # Two proxies: a load balancer (played by this test, on loopback) and nginx.
    with gunicorn(app, tmp_path, trusted_proxies=2) as (base, _process, log):
        upstream = int(base.rsplit(":", 1)[1])
        main = nginx_main_config(tmp_path, nginx_site(upstream, listen))
        nginx = subprocess.Popen([NGINX, "-c", str(main), "-p", str(tmp_path), "-e", str(tmp_path / "error.log")],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        front = f"http://127.0.0.1:{listen}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    status, headers, body = fetch(f"{front}/healthz")
                    break
                except OSError:
                    if nginx.poll() is not None or time.monotonic() > deadline:
                        raise AssertionError(f"nginx did not start: {nginx.stderr.read()}") from None
                    time.sleep(0.2)
            assert status == 200 and len(headers["X-Request-ID"]) == 32  # nginx's own $request_id
            status, headers, body = fetch(f"{front}/events", {"X-Request-ID": "from-the-balancer"})
            assert status == 200 and headers["X-Request-ID"] == "from-the-balancer"
            status, headers, body = fetch(f"{front}/static/css/app.css")
            assert status == 200 and body == (PROJECT_ROOT / "eventsapp/static/css/app.css").read_bytes()
            assert "max-age=3600" in headers["Cache-Control"] and headers["X-Content-Type-Options"] == "nosniff"
            assert fetch(f"{front}/metrics")[0] == 200  # from this machine
            # Someone outside, as the balancer reports them, reads no metrics: the app believes the proxies.
            assert fetch(f"{front}/metrics", {"X-Forwarded-For": "203.0.113.9"})[0] == 403
        finally:
            nginx.terminate()
            nginx.wait(timeout=10)
    static_seen = [line for line in log.read_text().splitlines() if "/static/css/app.css" in line]
    assert static_seen == []  # served by nginx alone
    assert any('"request_id": "from-the-balancer"' in line for line in log.read_text().splitlines())

