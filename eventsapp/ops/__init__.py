"""Running in production: readiness (``/healthz/ready``: database, Redis, migrations at head), Prometheus
metrics (``/metrics``: requests, latency per endpoint, queue lengths, job failures, outbox backlog) and
backups (`flask backup create` / `restore`: the database and the uploaded files in one archive).

May import, besides the shared modules at eventsapp's top level: jobs, notifications, scheduler (their
models only, to count queued, failed and waiting work for the metrics).
"""

ALLOWED_IMPORTS = frozenset({"jobs", "notifications", "scheduler"})
