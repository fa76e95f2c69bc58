"""The API's one error shape: ``{"error": {"code": "...", "message": "...", "fields": {...}}}``, the message
in the language the request asks for (Accept-Language). Every error under /api/ takes it, including those
raised before a view is reached (an id out of range, a 405, a 413, a 429)."""
from __future__ import annotations

from collections.abc import Mapping

from flask import Response, has_request_context, jsonify, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from eventsapp.api.validation_messages import library_text

API_PREFIX = "/api/"


def is_api_request() -> bool:
    return has_request_context() and request.path.startswith(API_PREFIX)


class ApiError(HTTPException):
    """Raised by the API's views and helpers: an HTTP status, a stable code and a message for people."""

    def __init__(self, status: int, code: str, message: str, fields: Mapping[str, object] | None = None,
                 headers: Mapping[str, str] | None = None):
        super().__init__(description=message)
        self.code = status
        self.error_code = code
        self.fields = dict(fields or {})
        self.extra_headers = dict(headers or {})


def _generic_messages() -> dict[int, tuple[str, str]]:
    return {
        400: ("bad_request", _("The request could not be understood.")),
        401: ("authentication_required",
              _("Send a personal access token: Authorization: Bearer <token>.")),
        403: ("forbidden", _("This token may not do that.")),
        404: ("not_found", _("There is nothing at this address.")),
        405: ("method_not_allowed", _("This address does not accept that kind of request.")),
        406: ("not_acceptable", _("This address answers in JSON only.")),
        409: ("conflict", _("That conflicts with the current state.")),
        413: ("payload_too_large", _("What you sent is too large.")),
        415: ("unsupported_media_type", _("Send JSON, with the Content-Type application/json.")),
        422: ("invalid", _("Some of what you sent is not valid.")),
        429: ("too_many_requests", _("Too many requests: slow down and try again in a moment.")),
        500: ("server_error", _("An error on our side stopped this request. It has been logged.")),
        503: ("unavailable", _("The service is briefly unavailable. Please try again.")),
    }


def error_response(status: int, code: str | None = None, message: object | None = None,
                   fields: Mapping[str, object] | None = None, headers: Mapping[str, str] | None = None) -> Response:
    default_code, default_message = _generic_messages().get(status, ("error", _("Something went wrong.")))
    body: dict[str, object] = {"code": code or default_code, "message": str(message or default_message)}
    if fields:
        body["fields"] = {name: str(text) for name, text in fields.items()}
    response = jsonify(error=body)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _flatten(messages: object, prefix: str = "") -> dict[str, str]:
    """webargs' nested messages ({"json": {"answers": {"3": ["..."]}}}) as {"answers.3": "..."}."""
    if isinstance(messages, Mapping):
        flat: dict[str, str] = {}
        for name, inner in messages.items():
            flat.update(_flatten(inner, f"{prefix}.{name}" if prefix else str(name)))
        return flat
    if isinstance(messages, list | tuple):
        texts = [str(library_text(item)) for item in messages if not isinstance(item, Mapping | list | tuple)]
        nested = [item for item in messages if isinstance(item, Mapping | list | tuple)]
        flat = {prefix or "_": " ".join(texts)} if texts else {}
        for item in nested:
            flat.update(_flatten(item, prefix))
        return flat
    return {prefix or "_": str(library_text(messages))}


def _without_location(fields: dict[str, str]) -> dict[str, str]:
    """Drop webargs' location ("json.", "query.", "headers.") from the field names."""
    cleaned = {}
    for name, text in fields.items():
        location, _dot, rest = name.partition(".")
        cleaned[rest if location in ("json", "query", "headers", "view_args", "form") and rest else name] = text
    return cleaned


def response_for(error: HTTPException) -> Response:
    """Any HTTP error raised under /api/, in the one shape."""
    status = error.code or 500
    headers = {}
    allowed = getattr(error, "valid_methods", None)
    if status == 405 and allowed:
        headers["Allow"] = ", ".join(sorted(allowed))
    if isinstance(error, ApiError):
        headers.update(error.extra_headers)
        return error_response(status, error.error_code, error.description, error.fields, headers)
    data = getattr(error, "data", None)  # webargs' validation errors (flask-smorest's abort)
    fields = None
    if isinstance(data, Mapping):
        if "messages" in data:
            fields = _without_location(_flatten(data["messages"]))
        headers.update(data.get("headers") or {})
    return error_response(status, fields=fields, headers=headers)
