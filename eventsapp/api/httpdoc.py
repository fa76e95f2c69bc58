"""What eventsapp.api.core does to every request, in the OpenAPI document: an apispec plugin adds, to each
operation flask-smorest registers, the headers and answers that no view declares because core adds them
to all (the conditional GET, the rate limit, the idempotency key's replay).

- every GET: the optional ``If-None-Match`` header parameter, an ``ETag`` on its 200 and a ``304`` (no body,
  the same ``ETag``);
- every operation: ``X-RateLimit-Limit`` and ``X-RateLimit-Remaining`` on each of its answers, and a ``429``
  with ``Retry-After``;
- a POST that takes an ``Idempotency-Key`` (schemas.IdempotencyHeaderSchema): ``Idempotent-Replayed`` on
  its successful answers.
"""
from __future__ import annotations

from apispec import APISpec, BasePlugin

ETAG = "ETag"
IF_NONE_MATCH = "If-None-Match"
IDEMPOTENCY_KEY = "Idempotency-Key"
RATE_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining")
NOT_MODIFIED = "NotModified"  # flask-smorest names its own (with an error body) NOT_MODIFIED
TOO_MANY_REQUESTS = "TooManyRequests"

HEADERS = {
    ETAG: {"description": "The answer's version: send it back in If-None-Match to get a 304 while it holds.",
           "required": True, "schema": {"type": "string", "minLength": 1}},
    "X-RateLimit-Limit": {"description": "Requests allowed in the rate limit's window (per token; per address "
                                         "without a valid token).",
                          "schema": {"type": "integer", "minimum": 1}},
    "X-RateLimit-Remaining": {"description": "Requests left in the current window.",
                              "schema": {"type": "integer", "minimum": 0}},
    "Retry-After": {"description": "Seconds to wait before the window starts again.", "required": True,
                    "schema": {"type": "integer", "minimum": 1}},
    "Idempotent-Replayed": {"description": "`true` when this is the answer kept for the request's "
                                           "Idempotency-Key, sent again: nothing was created this time.",
                            "schema": {"type": "string", "enum": ["true"]}},
}


def _rate_headers() -> dict:
    return {name: name for name in RATE_HEADERS}


class HttpHeadersPlugin(BasePlugin):
    """Registers the headers, the If-None-Match parameter and the 304 and 429 answers as components, and
    refers to them from every operation (apispec turns the names into $refs)."""

    def init_spec(self, spec: APISpec) -> None:
        self.spec = spec
        for name, header in HEADERS.items():
            spec.components.header(name, header)
        spec.components.parameter(IF_NONE_MATCH, "header", {
            "description": "An ETag this GET answered before: while the answer is the same, it is a 304 "
                           "without a body.", "required": False, "schema": {"type": "string"}})
        spec.components.response(NOT_MODIFIED, {
            "description": "Not Modified: the answer is still the one whose ETag was sent in If-None-Match.",
            "headers": {ETAG: ETAG}})
        spec.components.response(TOO_MANY_REQUESTS, {
            "description": "Too Many Requests: the rate limit's window is full.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            "headers": {"Retry-After": "Retry-After"}})

    def response_helper(self, response: dict, **kwargs) -> dict:
        """Every answer named once for all operations (flask-smorest's error answers, ours) carries the rate
        limit's headers."""
        response.setdefault("headers", {}).update(_rate_headers())
        return response

    def operation_helper(self, path: str | None = None, operations: dict | None = None, **kwargs) -> None:
        for method, operation in (operations or {}).items():
            responses = operation.setdefault("responses", {})
            idempotent = any(isinstance(parameter, dict) and parameter.get("in") == "header"
                             and parameter.get("name") == IDEMPOTENCY_KEY
                             for parameter in operation.get("parameters", []))
            for status, response in responses.items():
                if not isinstance(response, dict):
                    continue  # a component: response_helper gave it the headers
                headers = response.setdefault("headers", {})
                headers.update(_rate_headers())
                if method == "get" and str(status) == "200":
                    headers[ETAG] = ETAG
                if idempotent and str(status).startswith("2"):
                    headers["Idempotent-Replayed"] = "Idempotent-Replayed"
            responses.setdefault("429", TOO_MANY_REQUESTS)
            if method == "get":
                operation.setdefault("parameters", []).append(IF_NONE_MATCH)
                responses.setdefault("304", NOT_MODIFIED)
