"""Observability: request ids and JSON log lines, readiness, and the Prometheus metrics."""
from __future__ import annotations

import io
import json
import logging
import os
import socket
import uuid

import pytest
from sqlalchemy import text

from eventsapp import rqueue
from eventsapp.extensions import db
from eventsapp.notifications.models import OutboxMessage, OutboxStatus
from eventsapp.ops import health
from eventsapp.requestlog import JsonFormatter, job_meta, rq_worker_class
from tests.local_services import needs_redis

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/6")


@pytest.fixture
def json_lines():
    """What the app logs while the test runs, as the JSON lines production writes (formatted when written)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    loggers = [logging.getLogger(name) for name in ("eventsapp.request", "eventsapp.jobs", "tests.ops")]
    before = [(logger.level, logger.disabled) for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.disabled = False  # the suite's migrations (alembic's fileConfig) disabled the loggers then known
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    for logger, (level, disabled) in zip(loggers, before, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.disabled = disabled


# --- Request ids and the request log ---------------------------------------------------------------------

def test_a_request_id_is_made_returned_and_logged_once_per_request(client, json_lines):
    response = client.get("/events", query_string={"kind": "fair"})
    request_id = response.headers["X-Request-ID"]
    assert len(request_id) == 32 and int(request_id, 16) >= 0
    [line] = [line for line in json_lines() if line["logger"] == "eventsapp.request"]
    assert line["request_id"] == request_id
    assert line["http"]["method"] == "GET" and line["http"]["path"] == "/events"
    assert line["http"]["status"] == 200 and line["http"]["endpoint"] == "events.event_list"
    assert line["http"]["duration_ms"] > 0 and line["level"] == "INFO" and line["time"].endswith("+00:00")
    assert client.get("/events").headers["X-Request-ID"] != request_id  # a new one each time


def test_the_proxys_request_id_is_kept(client, json_lines):
    response = client.get("/healthz", headers={"X-Request-ID": "7f3c9a1e2b4d4c6f8a0b1c2d3e4f5a6b"})
    assert response.headers["X-Request-ID"] == "7f3c9a1e2b4d4c6f8a0b1c2d3e4f5a6b"
    assert json_lines()[-1]["request_id"] == "7f3c9a1e2b4d4c6f8a0b1c2d3e4f5a6b"


@pytest.mark.parametrize("forged", ['x" injected="1', "a" * 129, "tab\there", "名字", ""])
def test_a_request_id_that_cannot_be_logged_safely_is_replaced(client, forged):
    response = client.get("/healthz", environ_base={"HTTP_X_REQUEST_ID": forged.encode().decode("latin-1")})
    assert response.headers["X-Request-ID"] != forged and len(response.headers["X-Request-ID"]) == 32


def test_errors_carry_their_request_id_too(client, json_lines):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    line = json_lines()[-1]
    assert line["request_id"] == response.headers["X-Request-ID"] and line["http"]["status"] == 404
    assert line["http"]["endpoint"] == ""


def test_a_log_line_written_during_a_request_names_its_id(app, json_lines):
    with app.test_request_context("/", headers={"X-Request-ID": "req-42"}):
        app.preprocess_request()
        logging.getLogger("tests.ops").warning("something to know", exc_info=ValueError("boom"))
    [line] = [line for line in json_lines() if line["logger"] == "tests.ops"]
    assert line == {**line, "request_id": "req-42", "level": "WARNING", "message": "something to know"}
    assert "ValueError: boom" in line["exception"]


def test_json_lines_keep_chinese_readable():
    record = logging.LogRecord("eventsapp.mail", logging.INFO, __file__, 1, "发给 %s", ("张伟",), None)
    assert json.loads(JsonFormatter().format(record))["message"] == "发给 张伟"
    assert "张伟" in JsonFormatter().format(record)


# --- The request id travels with the jobs a request queues ------------------------------------------------

def test_a_job_queued_by_a_request_keeps_its_id(app, monkeypatch):
    queued = {}

    class RecordingQueue:
        def enqueue(self, func, *args, **kwargs):
            queued.update(kwargs)

    monkeypatch.setitem(app.config, "JOB_QUEUE_URL", REDIS_URL)
    monkeypatch.setattr(rqueue, "queue", lambda app, name=None: RecordingQueue())
    with app.test_request_context("/", headers={"X-Request-ID": "req-badges-1"}):
        app.preprocess_request()
        rqueue.enqueue(app, logged_job, "x", job_id="background-job-12345", timeout=60, kind="badge-print")
    assert queued["meta"] == {"request_id": "req-badges-1", "kind": "badge-print"}
    assert queued["job_timeout"] == 60 and queued["retry"] is None
    assert job_meta() == {}  # outside a request: nothing to pass


def logged_job(message: str) -> str:
    logging.getLogger("tests.ops").info("job says %s", message)
    return message


@needs_redis
def test_the_worker_logs_the_request_id_of_the_job(app, json_lines):
    from redis import Redis
    from rq import Queue

    queue = Queue(f"ops-test-{uuid.uuid4().hex}", connection=Redis.from_url(REDIS_URL))
    try:
        with app.test_request_context("/", headers={"X-Request-ID": "req-job-7"}):
            app.preprocess_request()
            job = queue.enqueue(logged_job, "hello", meta=job_meta())
        with app.app_context():
            assert rq_worker_class()([queue], connection=queue.connection).work(burst=True)
    finally:
        queue.delete(delete_jobs=True)
    lines = json_lines()
    said = [line for line in lines if line["logger"] == "tests.ops"]
    assert said and said[0]["message"] == "job says hello" and said[0]["request_id"] == "req-job-7"
    worker_lines = [line for line in lines if line["logger"] == "eventsapp.jobs"]
    assert [line["request_id"] for line in worker_lines] == ["req-job-7", "req-job-7"]
    assert worker_lines[-1]["job"]["id"] == job.id and worker_lines[-1]["job"]["status"] == "finished"


# --- Readiness ---------------------------------------------------------------------------------------------

def test_ready_when_the_database_answers_at_the_migrations_head(client):
    response = client.get("/healthz/ready")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "checks": {"database": "ok", "migrations": "ok"}}
    assert "no-store" in response.headers["Cache-Control"]


def test_not_ready_while_the_database_is_down(client, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("down")

    monkeypatch.setattr(db.session, "execute", down)
    response = client.get("/healthz/ready")
    assert response.status_code == 503
    assert response.json["failing"] == ["database"] and response.json["checks"]["database"] == "unavailable"


def test_not_ready_before_the_migrations_ran(client, app, monkeypatch):
    monkeypatch.setitem(app.extensions, "ops.migration_heads", frozenset({"f00dcafe1234"}))
    response = client.get("/healthz/ready")
    assert response.status_code == 503 and response.json["failing"] == ["migrations"]
    assert "code at f00dcafe1234" in response.json["checks"]["migrations"]


def test_migrations_head_is_read_from_the_code(app):
    [head] = health.migration_heads(app)
    with app.app_context():
        assert db.session.scalar(text("SELECT version_num FROM alembic_version")) == head


def test_not_ready_when_a_configured_redis_does_not_answer(client, app, monkeypatch):
    with socket.socket() as probe:  # a port with nothing listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setitem(app.config, "JOB_QUEUE_URL", f"redis://127.0.0.1:{port}/0")
    response = client.get("/healthz/ready")
    assert response.status_code == 503
    assert response.json["failing"] == ["redis"] and response.json["checks"]["redis"] == "unavailable (JOB_QUEUE_URL)"


@needs_redis
def test_ready_with_redis_answering(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS_URL)
    response = client.get("/healthz/ready")
    assert response.status_code == 200 and response.json["checks"]["redis"] == "ok"


# --- Metrics -----------------------------------------------------------------------------------------------

def _sample(body: str, name: str, **labels) -> float | None:
    from prometheus_client.parser import text_string_to_metric_families

    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(key) == value for key, value in labels.items()):
                return sample.value
    return None


def test_metrics_count_requests_and_their_latency_per_endpoint(client):
    before = _sample(client.get("/metrics").get_data(as_text=True), "eventsapp_http_requests_total",
                     method="GET", endpoint="events.event_list", status="200") or 0
    for _ in range(3):
        client.get("/events")
    client.get("/nowhere/at/all")
    response = client.get("/metrics")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    body = response.get_data(as_text=True)
    assert _sample(body, "eventsapp_http_requests_total", method="GET", endpoint="events.event_list",
                   status="200") == before + 3
    assert _sample(body, "eventsapp_http_requests_total", endpoint="unmatched", status="404") >= 1
    assert _sample(body, "eventsapp_http_request_duration_seconds_count", endpoint="events.event_list") >= 3
    assert _sample(body, "eventsapp_http_request_duration_seconds_bucket", endpoint="events.event_list",
                   le="+Inf") >= 3
    assert "/nowhere" not in body  # paths are not labels: one series per route, however many URLs


def test_metrics_show_the_outbox_backlog_and_failures(client, ctx):
    def message(status: OutboxStatus) -> OutboxMessage:
        return OutboxMessage(kind="test", to_email="a@example.cn", subject="s", body_text="b", locale="en",
                             status=status)

    db.session.add_all([message(OutboxStatus.PENDING), message(OutboxStatus.PENDING), message(OutboxStatus.FAILED),
                        message(OutboxStatus.SENT)])
    db.session.commit()
    body = client.get("/metrics").get_data(as_text=True)
    assert _sample(body, "eventsapp_outbox_backlog") == 2
    assert _sample(body, "eventsapp_outbox_failed") == 1
    assert _sample(body, "eventsapp_outbox_oldest_due_seconds") >= 0
    assert _sample(body, "eventsapp_badge_jobs", status="failed") == 0


def test_metrics_flag_the_scheduled_jobs_whose_last_round_failed(client, ctx):
    from eventsapp.dbtypes import utcnow
    from eventsapp.scheduler.models import ScheduledJob

    db.session.add_all([ScheduledJob(name="outbox", next_run_at=utcnow(), last_error_code="not_queued",
                                     last_error="ConnectionError: refused"),
                        ScheduledJob(name="reminders", next_run_at=utcnow(), last_error_code="", last_error="")])
    db.session.commit()
    body = client.get("/metrics").get_data(as_text=True)
    assert _sample(body, "eventsapp_scheduled_job_failing", job="outbox") == 1
    assert _sample(body, "eventsapp_scheduled_job_failing", job="reminders") == 0


@needs_redis
def test_metrics_show_queue_lengths_and_failed_jobs(client, app, monkeypatch):
    from redis import Redis
    from rq import Queue

    name = f"badges-metrics-{uuid.uuid4().hex}"
    monkeypatch.setitem(app.config, "JOB_QUEUE_URL", REDIS_URL)
    monkeypatch.setitem(app.config, "JOB_QUEUE_NAME", name)
    monkeypatch.setitem(app.config, "ROUNDS_QUEUE_NAME", f"{name}-rounds")
    queue = Queue(name, connection=Redis.from_url(REDIS_URL))
    try:
        queue.enqueue(logged_job, "one")
        queue.enqueue(logged_job, "two")
        body = client.get("/metrics").get_data(as_text=True)
    finally:
        queue.delete(delete_jobs=True)
    assert _sample(body, "eventsapp_rq_queue_length", queue=name) == 2
    assert _sample(body, "eventsapp_rq_failed_jobs", queue=name) == 0
    assert _sample(body, "eventsapp_rq_queue_length", queue=f"{name}-rounds") == 0  # the rounds' own queue
    assert _sample(body, "eventsapp_rq_up") == 1


@pytest.mark.parametrize(("address", "networks", "status"), [
    ("127.0.0.1", "", 200), ("::1", "", 200), ("10.1.2.3", "", 403), ("203.0.113.9", "", 403),
    ("10.1.2.3", "10.0.0.0/8", 200), ("192.168.5.7", "10.0.0.0/8, 192.168.5.7", 200),
    ("192.168.5.8", "10.0.0.0/8, 192.168.5.7", 403), ("fd00::5", "fd00::/8", 200),
])
def test_metrics_answer_loopback_and_the_configured_networks_only(app, client, monkeypatch, address, networks,
                                                                  status):
    monkeypatch.setitem(app.config, "METRICS_ALLOWED_NETWORKS", networks)
    monkeypatch.delitem(app.extensions, "ops.metrics_networks", raising=False)
    response = client.get("/metrics", environ_base={"REMOTE_ADDR": address})
    assert response.status_code == status
    if status == 403:
        assert "eventsapp_" not in response.get_data(as_text=True)
    monkeypatch.delitem(app.extensions, "ops.metrics_networks", raising=False)


def test_behind_the_proxy_metrics_see_the_client_not_nginx(monkeypatch):
    """nginx connects from loopback; with TRUSTED_PROXIES the address checked is the client's."""
    from tests.apps import make_app

    app = make_app(TRUSTED_PROXIES=1, SQLALCHEMY_DATABASE_URI="sqlite://")
    response = app.test_client().get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"},
                                     environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert response.status_code == 403
