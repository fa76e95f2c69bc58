"""Friendly error pages in the visitor's language; JSON for clients that ask for it."""
import math
import time
from datetime import timedelta

from flask import jsonify, render_template, request
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from eventsapp.extensions import db, limiter


def _wants_json() -> bool:
    """A script's request: it sent JSON, asked for JSON, or asked for a .json address. Errors answer it
    in JSON even when no view was reached (a 404 for an id out of range, a 405, a 413, a 429)."""
    if request.is_json or request.path.endswith(".json"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Bad request"), _("The request could not be understood. Please go back and try again.")),
        403: (_("Not allowed"), _("You do not have permission to open this page.")),
        404: (_("Page not found"), _("There is no page at this address. It may have moved or been removed.")),
        405: (_("Not allowed"), _("This address does not accept that kind of request.")),
        413: (_("Too large"), _("What you sent is too large.")),
        429: (_("Too many attempts"), _("Please wait a minute before you try again.")),
        500: (_("Something went wrong"),
              _("An error on our side stopped this page. It has been logged; please try again in a moment.")),
    }


def render_error(status: int, detail: str | None = None):
    title, message = _messages().get(status, (_("Error"), _("Something went wrong.")))
    if _wants_json():
        return jsonify(error=title, message=detail or message), status
    return render_template("errors/error.html", status=status, title=title, message=detail or message), status


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
        return render_error(429, _("Please wait %(wait)s before you try again.", wait=_time_until_reset()))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        return render_error(error.code)

    @app.errorhandler(InternalServerError)
    def server_error(error):
        db.session.rollback()
        return render_error(500)
