"""Friendly error pages in the visitor's language; JSON for clients that ask for it.

Every JSON endpoint answers an error in one shape, ``{"error": code, "message": text}``, with the code
from ``ERROR_CODES`` for the status, the message in the client's language naming the field at fault,
and for 422 the message of each field at fault: ``"fields": {"holder_id": "..."}``.
"""
import math
import time
from collections.abc import Mapping
from datetime import timedelta

from flask import Response, flash, jsonify, redirect, render_template, request
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from flask_login.utils import login_url
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from eventsapp.api import errors as api_errors
from eventsapp.api.errors import is_api_request
from eventsapp.extensions import db, limiter, login_manager


def _wants_json() -> bool:
    """A script's request: it sent JSON, asked for JSON, or asked for a .json address. Errors answer it
    in JSON even when no view was reached (a 404 for an id out of range, a 405, a 413, a 429)."""
    if request.is_json or request.path.endswith(".json"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


ERROR_CODES = {
    400: "bad_request", 401: "not_logged_in", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    409: "conflict", 413: "payload_too_large", 415: "unsupported_media_type", 422: "invalid",
    429: "too_many_requests", 500: "server_error", 503: "unavailable",
}


def json_error(status: int, message: object, fields: Mapping[str, object] | None = None) -> Response:
    """The one shape of a JSON error: its code, a message, and for bad fields each one's message."""
    body: dict[str, object] = {"error": ERROR_CODES.get(status, "error"), "message": str(message)}
    if fields:
        body["fields"] = {name: str(text) for name, text in fields.items()}
    response = jsonify(body)
    response.status_code = status
    return response


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Bad request"), _("The request could not be understood. Please go back and try again.")),
        403: (_("Not allowed"), _("You do not have permission to open this page.")),
        404: (_("Page not found"), _("There is no page at this address. It may have moved or been removed.")),
        405: (_("Not allowed"), _("This address does not accept that kind of request.")),
        413: (_("Too large"), _("What you sent is too large.")),
        415: (_("Not understood"), _("Send JSON, with the Content-Type application/json.")),
        422: (_("Not accepted"), _("Some of what you sent is not valid.")),
        429: (_("Too many attempts"), _("Please wait a minute before you try again.")),
        500: (_("Something went wrong"),
              _("An error on our side stopped this page. It has been logged; please try again in a moment.")),
    }


def render_error(status: int, detail: str | None = None):
    if is_api_request():
        return api_errors.error_response(status, message=detail)
    title, message = _messages().get(status, (_("Error"), _("Something went wrong.")))
    if _wants_json():
        return json_error(status, detail or message), status
    return render_template("errors/error.html", status=status, title=title, message=detail or message), status


def login_needed():
    """Flask-Login's answer to a visitor who is not logged in: a script gets a JSON 401, a browser the
    log-in page with the way back (and the prompt that says why)."""
    if _wants_json():
        return json_error(401, _("Please log in again."))
    flash(login_manager.localize_callback(login_manager.login_message), login_manager.login_message_category)
    return redirect(login_url(login_manager.login_view, next_url=request.url))


def _time_until_reset() -> str:
    """How long until the limit that was hit lets requests through again, e.g. "14 minutes"."""
    limit = limiter.current_limit
    seconds = max(1, math.ceil(limit.reset_at - time.time())) if limit is not None else 60
    if seconds > 60:
        seconds = 60 * round(seconds / 60)  # whole minutes
    return format_timedelta(timedelta(seconds=seconds), threshold=1.0, add_direction=False)


def register(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, _("The form had expired or was sent from somewhere else. "
                                   "Please go back, reload the page and send it again."))

    @app.errorhandler(RateLimitExceeded)
    def too_many_requests(error):
        if is_api_request():
            return api_errors.error_response(429, message=_("Too many requests: please wait %(wait)s.",
                                                            wait=_time_until_reset()))
        return render_error(429, _("Please wait %(wait)s before you try again.", wait=_time_until_reset()))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if is_api_request():
            return api_errors.response_for(error)
        return render_error(error.code)

    @app.errorhandler(InternalServerError)
    def server_error(error):
        db.session.rollback()
        return render_error(500)
