"""`/healthz/ready` for the load balancer and the orchestrator, `/metrics` for Prometheus (loopback and
METRICS_ALLOWED_NETWORKS only). Liveness stays at `/healthz` (eventsapp/main)."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, request
from prometheus_client import CONTENT_TYPE_LATEST

from eventsapp.ops import health, metrics

blueprint = Blueprint("ops", __name__)


@blueprint.get("/healthz/ready")
def ready():
    result = health.readiness(current_app._get_current_object())
    body = {"status": "ok" if result.ready else "error", "checks": result.checks}
    if not result.ready:
        body["failing"] = result.failing
    response = jsonify(body)
    response.status_code = 200 if result.ready else 503
    response.cache_control.no_store = True
    return response


@blueprint.get("/metrics")
def prometheus_metrics():
    app = current_app._get_current_object()
    if not metrics.allowed(app, request.remote_addr):
        abort(403)
    response = current_app.response_class(metrics.exposition(app), mimetype=CONTENT_TYPE_LATEST)
    response.headers["Content-Type"] = CONTENT_TYPE_LATEST
    response.cache_control.no_store = True
    return response
