"""Running in production: readiness (``/healthz/ready``: database, Redis, migrations at head), Prometheus
metrics (``/metrics``: requests, latency per endpoint, queue lengths, job failures, outbox backlog) and
backups (`flask backup create` / `restore`: the database, the uploaded files and the jobs' results in one
archive).

May import, besides the shared modules at eventsapp's top level: jobs, notifications, scheduler (their
models, to count queued, failed and waiting work for the metrics; and jobs.files, which marks after a
restore the jobs whose result file the archive lacked).
"""

ALLOWED_IMPORTS = frozenset({"jobs", "notifications", "scheduler"})
