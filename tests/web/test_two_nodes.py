"""Two web nodes, one database, one Redis: two gunicorn processes started with the shipped config (one worker
each, so nothing is shared through a process), on the suite's database and the Redis database of
TEST_REDIS_URL. What one node does holds on the other: a rate limit reached through node A stops the next try
on node B, a public calendar feed B has cached changes as soon as an event is published through A, and a
logout through A ends the same login (the same cookies) on B. Loopback only; skipped when Redis is down."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
import redis
import requests
from sqlalchemy.engine import make_url

from eventsapp.accounts.models import Role
from eventsapp.calendars import cache
from eventsapp.events.models import EventStatus
from tests.factories import PASSWORD
from tests.web.gunicorn_servers import DEPLOY, GUNICORN, SETTINGS, free_port

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/9")


def _redis_or_skip() -> redis.Redis:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis is not running at {REDIS_URL}")
    return client


def node_environment(app, tmp_path: Path, name: str, port: int) -> dict[str, str]:
    """The same settings on both nodes (database, Redis, secret key), as two machines would have them.
    A fingerprint kept for ten minutes: only a shared invalidation can show a change within the test."""
    env = {key: value for key, value in os.environ.items() if key not in SETTINGS}
    env.update(DATABASE_URL=make_url(app.config["SQLALCHEMY_DATABASE_URI"]).render_as_string(hide_password=False),
               REDIS_URL=REDIS_URL, RATELIMIT_STORAGE_URI=REDIS_URL, CALENDAR_CACHE_URL=REDIS_URL,
               JOB_QUEUE_URL=REDIS_URL, CALENDAR_FINGERPRINT_SECONDS="600",
               SECRET_KEY="kJ3v9Qx2Lr7TzW0aYp5NcB8mHs4DfG6eUi1", PUBLIC_BASE_URL="http://talent.test",
               GUNICORN_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="1", LOG_FORMAT="json",
               PROMETHEUS_MULTIPROC_DIR=str(tmp_path / f"metrics-{name}"))
    return env


@contextmanager
def node(app, tmp_path: Path, name: str) -> Iterator[str]:
    port = free_port()
    log = tmp_path / f"{name}.log"
    with log.open("wb") as output:
        process = subprocess.Popen([str(GUNICORN), "-c", str(DEPLOY / "gunicorn.conf.py")],
                                   env=node_environment(app, tmp_path, name, port), cwd=tmp_path,
                                   stdout=output, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if requests.get(f"{base}/healthz", timeout=30).status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):  # bound, worker still starting
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"node {name} did not start:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.3)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def nodes(app, tmp_path_factory) -> Iterator[tuple[str, str]]:
    """Started once for the tests below (each uses its own accounts and events). The Redis database may be
    shared with a run beside this one (the SQLite and PostgreSQL runs): only this database's calendar keys
    are removed (a fingerprint from an earlier run on the same database would be stale), and the rate-limit
    test logs in as an address of its own."""
    client = _redis_or_skip()
    tag = cache._database_tag(make_url(app.config["SQLALCHEMY_DATABASE_URI"]).render_as_string())
    stale = client.keys(f"{cache.KEY_PREFIX}*:{tag}*")
    if stale:
        client.delete(*stale)
    tmp_path = tmp_path_factory.mktemp("nodes")
    with ExitStack() as stack:
        yield stack.enter_context(node(app, tmp_path, "a")), stack.enter_context(node(app, tmp_path, "b"))


@pytest.fixture
def two_nodes(nodes, real_commits) -> tuple[str, str]:
    return nodes


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def log_in(client: requests.Session, base: str, email: str, password: str) -> requests.Response:
    form = client.get(f"{base}/login", timeout=30)
    return client.post(f"{base}/login", data={"csrf_token": csrf_token(form.text), "email": email,
                                               "password": password}, allow_redirects=False, timeout=30)


def test_a_login_limit_reached_on_one_node_holds_on_the_other(two_nodes, make_user):
    node_a, node_b = two_nodes
    user = make_user(Role.CANDIDATE, email=f"guessed.{uuid.uuid4().hex}@example.org", email_verified=True)
    client = requests.Session()
    for _attempt in range(5):  # LOGIN_LIMIT_PER_ACCOUNT: 5 per 15 minutes
        assert log_in(client, node_a, user.email, "wrong password").status_code == 200
    assert log_in(requests.Session(), node_b, user.email, "wrong password").status_code == 429
    assert log_in(requests.Session(), node_b, user.email, PASSWORD).status_code == 429


def test_a_feed_cached_on_one_node_changes_with_a_change_made_through_the_other(two_nodes, make_user,
                                                                                 make_event):
    node_a, node_b = two_nodes
    organizer = make_user(Role.ORGANIZER, email="organizer@example.org", email_verified=True)
    event = make_event(status=EventStatus.DRAFT, published_at=None, title_en="Spring fair on two nodes")
    before = requests.get(f"{node_b}/events.ics?lang=en", timeout=30)
    assert before.status_code == 200 and b"Spring fair on two nodes" not in before.content
    assert requests.get(f"{node_b}/events.ics?lang=en", timeout=30).headers["ETag"] == before.headers["ETag"]

    client = requests.Session()
    assert log_in(client, node_a, organizer.email, PASSWORD).status_code == 302
    page = client.get(f"{node_a}/manage/events/{event.id}", timeout=30)
    published = client.post(f"{node_a}/manage/events/{event.id}/publish", data={"csrf_token": csrf_token(page.text)},
                            allow_redirects=False, timeout=30)
    assert published.status_code == 302, published.text

    after = requests.get(f"{node_b}/events.ics?lang=en", timeout=30)
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    assert b"Spring fair on two nodes" in after.content
    # B's client that sends its old ETag gets the new feed, not a 304
    revalidated = requests.get(f"{node_b}/events.ics?lang=en", headers={"If-None-Match": before.headers["ETag"]},
                               timeout=30)
    assert revalidated.status_code == 200 and b"Spring fair on two nodes" in revalidated.content


def test_a_logout_on_one_node_ends_the_login_on_the_other(two_nodes, make_user):
    node_a, node_b = two_nodes
    organizer = make_user(Role.ORGANIZER, email="leaving@example.org", email_verified=True)
    on_a = requests.Session()
    assert log_in(on_a, node_a, organizer.email, PASSWORD).status_code == 302
    on_b = requests.Session()
    on_b.cookies.update(on_a.cookies)  # the same browser, its next request sent to the other node
    assert on_b.get(f"{node_b}/account", allow_redirects=False, timeout=30).status_code == 200

    page = on_a.get(f"{node_a}/account", timeout=30)
    assert on_a.post(f"{node_a}/logout", data={"csrf_token": csrf_token(page.text)}, allow_redirects=False,
                     timeout=30).status_code == 302

    # A copy of the cookies from before the logout (a stolen one, or a tab's) no longer works on B either.
    ended = on_b.get(f"{node_b}/account", allow_redirects=False, timeout=30)
    assert ended.status_code == 302 and "/login" in ended.headers["Location"]
