"""Request ids and structured logs.

Every request has an id: the X-Request-ID the reverse proxy sent (nginx passes its ``$request_id``), or a
new one; the response carries it back, every log line written while the request runs names it, and so does
every job the request puts on an RQ queue (``job_meta``), whose worker logs it again (``RequestIdWorker``).
One line per request (logger ``eventsapp.request``) gives the method, path, status, duration, endpoint and
id. With ``LOG_FORMAT=json`` (the default in production) each log line is one JSON object on standard
error, which journald, Docker and any log shipper read as they are.
"""
from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

from flask import Flask, Response, g, request

REQUEST_ID_HEADER = "X-Request-ID"
# What we take from outside: letters, digits and a few separators, at most 128 (nginx's ids are 32 hex
# digits, uuids 36 characters). Anything else is replaced, so a forged header cannot write into the logs.
ACCEPTABLE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
JOB_META_KEY = "request_id"

request_log = logging.getLogger("eventsapp.request")
job_log = logging.getLogger("eventsapp.jobs")
_current_id: ContextVar[str] = ContextVar("request_id", default="")


def current_request_id() -> str:
    """The id of the request (or job) being handled here, or "" outside of both."""
    return _current_id.get()


def new_request_id() -> str:
    return uuid.uuid4().hex


def accepted_request_id(header: str | None) -> str:
    """The proxy's id when it is one we can log safely, otherwise a new one."""
    return header if header and ACCEPTABLE_ID.fullmatch(header) else new_request_id()


def job_meta(**extra) -> dict:
    """``meta`` for ``Queue.enqueue``: the job keeps the id of the request that queued it."""
    request_id = current_request_id()
    return {**extra, JOB_META_KEY: request_id} if request_id else dict(extra)


class bound_request_id:  # noqa: N801 - used like a function: `with bound_request_id(job_id): ...`
    """Log lines written inside the block name ``request_id``."""

    def __init__(self, request_id: str):
        self.request_id = request_id

    def __enter__(self) -> str:
        self.token = _current_id.set(self.request_id)
        return self.request_id

    def __exit__(self, *exc_info) -> None:
        _current_id.reset(self.token)


def init_app(app: Flask) -> None:
    app.before_request(_start_request)
    app.after_request(_finish_request)
    app.teardown_request(_forget_request)
    if app.config.get("LOG_FORMAT") == "json":
        configure_json_logging(app.config.get("LOG_LEVEL") or "INFO")


def _start_request() -> None:
    g.request_started = time.perf_counter()
    g.request_id = accepted_request_id(request.headers.get(REQUEST_ID_HEADER))
    g.request_id_token = _current_id.set(g.request_id)


def _finish_request(response: Response) -> Response:
    request_id = g.get("request_id")
    if request_id is None:  # a request that failed before its first hook (e.g. a bad URL) still gets one
        _start_request()
        request_id = g.request_id
    response.headers[REQUEST_ID_HEADER] = request_id
    duration_ms = (time.perf_counter() - g.request_started) * 1000
    g.request_duration = duration_ms / 1000
    if request_log.isEnabledFor(logging.INFO):
        request_log.info("%s %s %s %.1f ms", request.method, request.path, response.status_code, duration_ms,
                         extra={"http": {"method": request.method, "path": request.path,
                                         "status": response.status_code, "duration_ms": round(duration_ms, 2),
                                         "endpoint": request.endpoint or "", "remote_addr": request.remote_addr}})
    return response


def _forget_request(error: BaseException | None = None) -> None:
    token = g.pop("request_id_token", None)
    if token is not None:
        try:
            _current_id.reset(token)
        except ValueError:  # set in another context (a streamed response): nothing to undo here
            pass


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request id, and what the call gave in
    ``extra={"http": {...}}`` or ``extra={"job": {...}}``; a traceback as one string."""

    EXTRA_KEYS = ("http", "job")

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", "") or current_request_id()
        if request_id:
            entry["request_id"] = request_id
        for key in self.EXTRA_KEYS:
            if isinstance(getattr(record, key, None), dict):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


_HANDLER_NAME = "eventsapp-json"


def configure_json_logging(level: str = "INFO") -> None:
    """JSON lines on standard error for every logger (once per process, whatever the number of apps)."""
    root = logging.getLogger()
    if not any(handler.get_name() == _HANDLER_NAME for handler in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.set_name(_HANDLER_NAME)
        handler.setFormatter(JsonFormatter())
        root.addHandler(handler)
    root.setLevel(level.upper())


def rq_worker_class():
    """An RQ worker (running jobs in its own process, inside the app context it is started in) that logs
    each job with the id of the request that queued it, and marks every log line the job writes with it."""
    from rq import SimpleWorker  # only the workers need RQ loaded

    class RequestIdWorker(SimpleWorker):
        def execute_job(self, job, queue):
            request_id = (job.meta or {}).get(JOB_META_KEY) or f"job-{job.id}"
            with bound_request_id(request_id):
                started = time.perf_counter()
                details = {"id": job.id, "queue": queue.name, "function": job.func_name}
                job_log.info("job %s started", job.id, extra={"job": details})
                try:
                    return super().execute_job(job, queue)
                finally:
                    status = getattr(job.get_status(refresh=True), "value", "unknown")
                    duration_ms = round((time.perf_counter() - started) * 1000, 2)
                    job_log.info("job %s %s", job.id, status,
                                 extra={"job": {**details, "status": status, "duration_ms": duration_ms}})

    return RequestIdWorker
