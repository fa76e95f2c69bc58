"""What the tests that start gunicorn with the shipped config share (tests/web/test_deploy.py, test_two_nodes.py):
where it is, the settings they set themselves (taken out of the environment they pass on), a free port."""
from __future__ import annotations

import socket
import sys
from pathlib import Path

from eventsapp import PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "deploy"
GUNICORN = Path(sys.executable).with_name("gunicorn")
SETTINGS = ("APP_ENV", "DATABASE_URL", "REDIS_URL", "RATELIMIT_STORAGE_URI", "JOB_QUEUE_URL", "CALENDAR_CACHE_URL",
            "PUBLIC_BASE_URL", "SMTP_HOST", "MAIL_FROM", "SECRET_KEY", "TRUSTED_PROXIES", "WEB_CONCURRENCY",
            "GUNICORN_BIND", "PROMETHEUS_MULTIPROC_DIR", "LOG_FORMAT", "METRICS_ALLOWED_NETWORKS",
            "CALENDAR_FINGERPRINT_SECONDS", "WEBHOOK_SECRET_KEY")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
