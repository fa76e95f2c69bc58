"""Prometheus metrics. Request counts and latencies are recorded by each process as it answers; under
gunicorn (``PROMETHEUS_MULTIPROC_DIR`` set before the workers start, see deploy/gunicorn.conf.py) every
worker writes its own files there and ``/metrics`` adds them up, whichever worker answers. Queue lengths,
failed jobs and the outbox's backlog are read from Redis and the database when scraped, so they are the
same from every node."""
from __future__ import annotations

import os
import time
from collections.abc import Iterator
from ipaddress import ip_address

from flask import Flask, g, request
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from sqlalchemy import func, select

from eventsapp.config import metrics_networks
from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.jobs.models import BackgroundJob, BackgroundJobStatus
from eventsapp.notifications.models import OutboxMessage, OutboxStatus
from eventsapp.ops.health import redis_client
from eventsapp.scheduler.models import ScheduledJob

# Our own registry: the request metrics, apart from the process-wide default one.
REQUEST_REGISTRY = CollectorRegistry(auto_describe=True)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
REQUESTS = Counter("eventsapp_http_requests", "HTTP requests answered, by method, endpoint and status.",
                   ["method", "endpoint", "status"], registry=REQUEST_REGISTRY)
LATENCY = Histogram("eventsapp_http_request_duration_seconds", "Time to answer a request, by method and endpoint.",
                    ["method", "endpoint"], registry=REQUEST_REGISTRY,
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
UNMATCHED = "unmatched"  # requests for no route (404 and the like): one label, whatever the path


def init_app(app: Flask) -> None:
    app.before_request(_start_clock)
    app.after_request(_observe)


def _start_clock() -> None:
    g.metrics_started = time.perf_counter()


def _observe(response):
    started = g.get("metrics_started")
    if started is not None:
        method = request.method if request.method in METHODS else "other"
        endpoint = request.url_rule.endpoint if request.url_rule is not None else UNMATCHED
        REQUESTS.labels(method, endpoint, str(response.status_code)).inc()
        LATENCY.labels(method, endpoint).observe(time.perf_counter() - started)
    return response


def multiprocess_dir() -> str:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


class _Collected:
    """What one scrape shows: the request metrics (this process's, or every worker's) and the work waiting."""

    def __init__(self, app: Flask):
        self.app = app

    def collect(self) -> Iterator[Metric]:
        if multiprocess_dir():
            merged = CollectorRegistry()
            multiprocess.MultiProcessCollector(merged)
            yield from merged.collect()
        else:
            yield from REQUEST_REGISTRY.collect()
        yield from work_metrics(self.app)


def exposition(app: Flask) -> bytes:
    return generate_latest(_Collected(app))


def work_metrics(app: Flask) -> Iterator[Metric]:
    yield from _outbox_metrics()
    yield from _job_metrics()
    yield from _queue_metrics(app)


def _outbox_metrics() -> Iterator[Metric]:
    counts = dict(db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    oldest = db.session.scalar(select(func.min(OutboxMessage.next_attempt_at))
                               .where(OutboxMessage.status == OutboxStatus.PENDING))
    db.session.rollback()
    backlog = GaugeMetricFamily("eventsapp_outbox_backlog", "E-mails waiting in the outbox to be sent (or retried).")
    backlog.add_metric([], counts.get(OutboxStatus.PENDING, 0))
    yield backlog
    failed = GaugeMetricFamily("eventsapp_outbox_failed", "E-mails the outbox gave up on (see the outbox page).")
    failed.add_metric([], counts.get(OutboxStatus.FAILED, 0))
    yield failed
    due = GaugeMetricFamily("eventsapp_outbox_oldest_due_seconds",
                            "How long the longest-waiting e-mail has been due (0 when none is).")
    due.add_metric([], max((utcnow() - oldest).total_seconds(), 0.0) if oldest else 0.0)
    yield due


def _job_metrics() -> Iterator[Metric]:
    failing = db.session.execute(select(ScheduledJob.name, ScheduledJob.last_error_code)).all()
    by_kind = db.session.execute(select(BackgroundJob.kind, BackgroundJob.status, func.count())
                                 .group_by(BackgroundJob.kind, BackgroundJob.status)).all()
    db.session.rollback()
    scheduled = GaugeMetricFamily("eventsapp_scheduled_job_failing",
                                  "1 when the scheduled job's last round failed, by job.", labels=["job"])
    for name, last_error_code in failing:
        scheduled.add_metric([name], 1 if last_error_code else 0)
    yield scheduled
    counts = {(kind, status): count for kind, status, count in by_kind}
    background = GaugeMetricFamily("eventsapp_background_jobs", "Background jobs (eventsapp.jobs), by kind and status.",
                                   labels=["kind", "status"])
    for kind, status in sorted(counts):
        background.add_metric([kind, status], counts[kind, status])
    yield background
    badges = GaugeMetricFamily("eventsapp_badge_jobs", "Badge print runs (background jobs of kind badge-print), "
                               "by status.", labels=["status"])
    for status in BackgroundJobStatus:
        badges.add_metric([status.value], counts.get(("badge-print", status.value), 0))
    yield badges


def _queue_metrics(app: Flask) -> Iterator[Metric]:
    url = app.config.get("JOB_QUEUE_URL")
    if not url:
        return
    from redis.exceptions import RedisError
    from rq import Queue

    length = GaugeMetricFamily("eventsapp_rq_queue_length", "Jobs waiting in each RQ queue.", labels=["queue"])
    failed = GaugeMetricFamily("eventsapp_rq_failed_jobs", "Jobs in each RQ queue's failed registry.",
                               labels=["queue"])
    up = GaugeMetricFamily("eventsapp_rq_up", "1 when the job queue's Redis answered this scrape.")
    try:
        connection = redis_client(app, url)
        for name in queue_names(app):
            queue = Queue(name, connection=connection)
            length.add_metric([name], queue.count)
            failed.add_metric([name], queue.failed_job_registry.count)
        up.add_metric([], 1)
    except (RedisError, OSError):
        up.add_metric([], 0)
        yield up
        return
    yield from (length, failed, up)


def queue_names(app: Flask) -> list[str]:
    """The RQ queues the app puts work on (a feature that adds one names it in RQ_QUEUES)."""
    names = [app.config["JOB_QUEUE_NAME"], app.config["ROUNDS_QUEUE_NAME"],
             *str(app.config.get("RQ_QUEUES") or "").replace(",", " ").split()]
    return list(dict.fromkeys(names))


def allowed(app: Flask, address: str | None) -> bool:
    """Whether ``address`` (the client's, after ProxyFix) may read the metrics: loopback, or a configured network."""
    try:
        client = ip_address((address or "").split("%")[0])
    except ValueError:
        return False
    if client.is_loopback:
        return True
    networks = app.extensions.get("ops.metrics_networks")
    if networks is None:
        networks = app.extensions["ops.metrics_networks"] = metrics_networks(
            app.config.get("METRICS_ALLOWED_NETWORKS") or "")
    return any(client.version == network.version and client in network for network in networks)

