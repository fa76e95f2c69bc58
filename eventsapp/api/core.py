"""What every API resource shares: the flask-smorest ``Api`` (the OpenAPI 3.1 document), token
authentication and scopes, cursors, ETags, idempotency keys and the rate limit per token.

Session cookies never authenticate here: a request is anonymous unless it carries
``Authorization: Bearer <token>``, so a page open in a browser cannot be made to write through the
API (the API is exempt from CSRF for that reason). Public resources answer anonymous requests too.
"""
from __future__ import annotations

import base64
import hashlib
import json
import math
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import lru_cache, wraps

from flask import Flask, Response, current_app, g, jsonify, make_response, request
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_smorest import Api
from flask_smorest import Blueprint as SmorestBlueprint
from limits import RateLimitItem
from limits import parse as parse_limit
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from eventsapp import durability
from eventsapp.accounts.models import User
from eventsapp.api import errors
from eventsapp.api.httpdoc import HttpHeadersPlugin
from eventsapp.api.models import ApiToken, IdempotentResponse
from eventsapp.api.schemas import ErrorSchema
from eventsapp.api.tokens import authenticate
from eventsapp.dbtypes import utcnow
from eventsapp.extensions import csrf, db, limiter
from eventsapp.requestbounds import DatabaseIntegerConverter
from eventsapp.webhooks import events as webhook_types

API_PREFIX = "/api/v1"
BEARER_SCHEME = "bearerAuth"
IDEMPOTENCY_KEY_MAX = 100


class TalentApi(Api):
    """flask-smorest's Api with our error shape documented, and the app's own error handlers kept (the
    pages' error pages stay; /api/ errors are answered by eventsapp.api.errors through them)."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self):
        pass


def current_api() -> TalentApi:
    """This app's Api (one per app: the suite makes many apps)."""
    return current_app.extensions["talent-api"]


def blueprint(name: str, description: str) -> SmorestBlueprint:
    """A resource's blueprint under /api/v1: authenticated, then rate-limited per token, before each request."""
    bp = SmorestBlueprint(f"api_{name}", __name__, url_prefix=API_PREFIX, description=description)
    limiter.exempt(bp)  # counted by count_request below, in one round trip to the limiter's storage
    bp.before_request(authenticate_request)
    return bp


def init_app(app: Flask, blueprints: list[SmorestBlueprint]) -> None:
    app.config.setdefault("API_TITLE", "Talent fairs API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("OPENAPI_URL_PREFIX", API_PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_SPEC_OPTIONS", {
        "info": {"description": _SPEC_DESCRIPTION
                 .replace("EMPLOYER_WEBHOOK_TYPES", _code_list(webhook_types.EMPLOYER_EVENT_TYPES))
                 .replace("WEBHOOK_TYPES", _code_list(webhook_types.EVENT_TYPES))},
        "servers": [{"url": "/"}],
    })
    api = TalentApi()
    app.extensions["talent-api"] = api
    api.register_converter(DatabaseIntegerConverter, lambda converter: {"type": "integer", "minimum": 0,
                                                                          "maximum": 2**31 - 1})
    api.init_app(app, spec_kwargs={"extra_plugins": [HttpHeadersPlugin()]})
    api.spec.components.security_scheme(BEARER_SCHEME, {
        "type": "http", "scheme": "bearer",
        "description": "A personal access token made on the account page (My account → API tokens)."})
    for bp in blueprints:
        csrf.exempt(bp)  # cookies do not authenticate here (see the module's docstring)
        api.register_blueprint(bp)
    app.after_request(_conditional_get)
    app.after_request(_rate_headers)


_SPEC_DESCRIPTION = """\
The JSON API of the talent-fair manager.

* **Authentication**: `Authorization: Bearer <token>`, a personal access token made on the account page.
  A token carries its account's rights narrowed to its scopes (`read`, `registrations:write`,
  `checkin:write`, `contests:read`, `analytics:read`). Public resources (events, fairs, organizations,
  published contest results) also answer without a token.
* **Errors**: `{"error": {"code": "...", "message": "...", "fields": {...}}}`, the message in the language
  of `Accept-Language` (zh-CN or en).
* **Lists**: `{"data": [...], "next_cursor": "..."}`; pass `cursor` to get the next page.
* **Caching**: every GET answers an `ETag`; send it back in `If-None-Match` for a `304`.
* **Retries**: send an `Idempotency-Key` header with a POST that creates something: the same request
  sent again returns the first answer (with `Idempotent-Replayed: true`) and creates nothing twice.
* **Rate limit**: per token (per address without a valid one), `X-RateLimit-Limit` and `X-RateLimit-Remaining` on
  every answer; `429` with `Retry-After` past it.
* Timestamps are ISO 8601 with their offset; ids are strings.
* **Webhooks** (not part of this API: registered on the site, under *Webhooks*): signed POSTs of the event
  types WEBHOOK_TYPES; employers' endpoints may pick EMPLOYER_WEBHOOK_TYPES. The README's
  "Webhooks (signed)" says what each carries and how to check the signature.
"""


def _code_list(names) -> str:
    return ", ".join(f"`{name}`" for name in names)


def dumped(body: dict) -> Response:
    """An answer built already in its schema's shape (ids as strings, ISO 8601 timestamps, enums as their
    values), sent as it is: marshmallow dumping 100 events again field by field was a third of the list's
    CPU. The response decorator still documents the schema, and Schemathesis checks the answers against it
    (enums are StrEnums: JSON writes their values)."""
    return jsonify(body)


# --- Authentication and scopes ------------------------------------------------------------------

def _bearer_secret() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _space, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


def authenticate_request() -> None:
    """Read the token, if any, then count the request: against the token when it is valid, else against the
    client's address -- a made-up token must not buy a fresh count. A token sent but not valid is a 401 even
    on public resources (once counted)."""
    g.api_token = None
    g.api_user = None
    token = None
    if "Authorization" in request.headers:
        secret = _bearer_secret()
        token = authenticate(secret) if secret else None
    count_request(token)
    if "Authorization" in request.headers and token is None:
        raise errors.ApiError(401, "invalid_token", _("This token is not valid: it is unknown, revoked or "
                                                      "expired."), headers={"WWW-Authenticate": "Bearer"})
    g.api_token = token
    g.api_user = token.user if token is not None else None


def current_token() -> ApiToken | None:
    return g.get("api_token")


def current_api_user() -> User | None:
    return g.get("api_user")


def require_scope(scope: str) -> User:
    """The token's account, when the request carries a token with ``scope``; 401 or 403 otherwise."""
    token = current_token()
    if token is None:
        raise errors.ApiError(401, "authentication_required",
                              _("Send a personal access token: Authorization: Bearer <token>."),
                              headers={"WWW-Authenticate": "Bearer"})
    if scope not in token.scope_set:
        raise errors.ApiError(403, "insufficient_scope",
                              _("This token does not have the “%(scope)s” permission.", scope=scope))
    return g.api_user


def forbidden(message: str) -> errors.ApiError:
    return errors.ApiError(403, "forbidden", message)


def not_found(message: str | None = None) -> errors.ApiError:
    return errors.ApiError(404, "not_found", message or _("There is nothing at this address."))


# --- Rate limit per token -------------------------------------------------------------------------

@lru_cache(maxsize=8)
def _limit_item(text: str) -> RateLimitItem:
    return parse_limit(text)


def count_request(token: ApiToken | None) -> None:
    """A fixed window per token (per address without a valid one), API_RATE_LIMIT requests long, counted in the
    limiter's storage (Redis in production) with ONE round trip: an atomic increment that starts the window's
    expiry on its first request. flask-limiter's own decorator costs three (the hit, then the window's count
    and its expiry again for its headers); only a refused request here asks for the expiry (Retry-After)."""
    g.api_rate = None
    if not limiter.enabled:
        return
    item = _limit_item(current_app.config["API_RATE_LIMIT"])
    period = item.get_expiry()
    key = f"api-rate/{rate_limit_key(token)}/{item.amount}/{period}"
    try:
        count = limiter.storage.incr(key, period)
    except Exception:  # the storage is down: let the request through, as flask-limiter's swallow_errors does
        current_app.logger.exception("the API's rate limit could not be counted")
        return
    g.api_rate = (item.amount, max(0, item.amount - count))
    if count > item.amount:
        try:
            seconds = max(1, math.ceil(limiter.storage.get_expiry(key) - time.time()))
        except Exception:
            seconds = period
        wait = format_timedelta(timedelta(seconds=seconds if seconds <= 60 else 60 * round(seconds / 60)),
                                threshold=1.0, add_direction=False)
        raise errors.ApiError(429, "too_many_requests", _("Too many requests: please wait %(wait)s.", wait=wait),
                              headers={"Retry-After": str(seconds)})


def _rate_headers(response: Response) -> Response:
    rate = g.get("api_rate")
    if rate is not None and errors.is_api_request():
        response.headers["X-RateLimit-Limit"], response.headers["X-RateLimit-Remaining"] = map(str, rate)
    return response


def rate_limit_key(token: ApiToken | None) -> str:
    """The authenticated token's id; without one (none sent, or not valid), the client's address."""
    if token is not None:
        return f"api-token:{token.id}"
    return "api-address:" + (get_remote_address() or "")


# --- Cursors ------------------------------------------------------------------------------------

def encode_cursor(*values: object) -> str:
    """An opaque cursor: the sort key of the last row sent (keyset pagination)."""
    plain = [value.isoformat() if isinstance(value, datetime) else value for value in values]
    return base64.urlsafe_b64encode(json.dumps(plain, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, *kinds: type) -> tuple:
    """The values of a cursor made by ``encode_cursor``, of the given kinds; 400 for anything else."""
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(raw, list) or len(raw) != len(kinds):
            raise ValueError
        values = []
        for value, kind in zip(raw, kinds, strict=True):
            if kind is datetime:
                value = datetime.fromisoformat(value)
                if value.tzinfo is None:
                    raise ValueError
            elif kind is int:
                if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 2**31 - 1:
                    raise ValueError
            elif not isinstance(value, kind):
                raise ValueError
            values.append(value)
        return tuple(values)
    except (ValueError, TypeError, UnicodeDecodeError, json.JSONDecodeError):
        raise errors.ApiError(400, "invalid_cursor", _("This cursor is not valid: use the next_cursor of a "
                                                       "list as it was given.")) from None


def page(rows: list, limit: int, key: Callable[[object], tuple]) -> tuple[list, str | None]:
    """Rows of one page (``limit + 1`` were read) and the cursor for the next, if there is one."""
    if len(rows) > limit:
        rows = rows[:limit]
        return rows, encode_cursor(*key(rows[-1]))
    return rows, None


def page_of_list(rows: list, limit: int, cursor: str | None, key: Callable[[object], tuple],
                 kinds: tuple[type, ...], newest_first: bool = False) -> tuple[list, str | None]:
    """One page of a list a service reads whole (one person's entries, reviews or interviews, one booth's
    interviews: tens of rows), with the same cursors as the lists paged in SQL: ordered by ``key`` (unique:
    it ends with an id), and the page after a cursor starts past the cursor's key, so a row added or removed
    meanwhile neither repeats nor hides another."""
    rows = sorted(rows, key=key, reverse=newest_first)
    if cursor is not None:
        after = decode_cursor(cursor, *kinds)
        rows = [row for row in rows if (key(row) < after if newest_first else key(row) > after)]
    return page(rows[:limit + 1], limit, key)


# --- ETag / If-None-Match -----------------------------------------------------------------------

def _conditional_get(response: Response) -> Response:
    """Every successful JSON GET under /api/ carries an ETag; If-None-Match with it answers 304. Answers for
    a token are private to it; public ones may be cached but are checked again each time."""
    if not errors.is_api_request() or request.method not in ("GET", "HEAD"):
        return response
    response.vary.add("Authorization")
    response.vary.add("Accept-Language")
    if response.status_code == 200 and response.mimetype == "application/json" and not response.direct_passthrough:
        response.add_etag()
        if current_token() is not None:
            response.cache_control.private = True
        response.cache_control.no_cache = True
        response.make_conditional(request)
    return response


# --- Idempotency keys ---------------------------------------------------------------------------

def _fingerprint() -> str:
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.path.encode(), request.get_data()):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def _replay(stored: IdempotentResponse) -> Response:
    response = current_app.response_class(stored.body, status=stored.status_code, mimetype="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _stored(token_id: int, key: str) -> IdempotentResponse | None:
    return db.session.scalar(select(IdempotentResponse).where(IdempotentResponse.token_id == token_id,
                                                              IdempotentResponse.key == key))


def creating(view):
    """A POST that creates: it commits here, together with the answer kept under its Idempotency-Key (if
    sent). The same key again with the same request returns that answer and creates nothing; with another
    request it is refused (422). Two requests with one key at once: the second's insert of the key finds it
    taken (ON CONFLICT DO NOTHING), its work is rolled back, and it returns the first's answer."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        key = request.headers.get("Idempotency-Key")
        token = current_token()
        if key is None or token is None:
            response = make_response(view(*args, **kwargs))
            if response.status_code < 400:
                db.session.commit()
            return response
        if not key or len(key) > IDEMPOTENCY_KEY_MAX or not key.isascii() or not key.isprintable():
            raise errors.ApiError(400, "invalid_idempotency_key", _(
                "The Idempotency-Key must be 1 to %(max)d printable ASCII characters.", max=IDEMPOTENCY_KEY_MAX),
                fields={"Idempotency-Key": _("1 to %(max)d printable ASCII characters.", max=IDEMPOTENCY_KEY_MAX)})
        fingerprint = _fingerprint()
        token_id = token.id
        stored = _stored(token_id, key)
        if stored is None:
            response = make_response(view(*args, **kwargs))
            if response.status_code >= 400:
                return response  # nothing was created: a retry may succeed
            # One statement, no savepoint: the key is kept unless another request with it won meanwhile.
            dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
            kept = db.session.scalar(
                dialect.insert(IdempotentResponse).values(
                    token_id=token_id, key=key, fingerprint=fingerprint, status_code=response.status_code,
                    body=response.get_data(as_text=True), created_at=utcnow())
                .on_conflict_do_nothing(index_elements=["token_id", "key"]).returning(IdempotentResponse.id))
            if kept is not None:
                db.session.commit()
                return response
            db.session.rollback()  # another request with this key won: its work stands, not ours
            stored = _stored(token_id, key)
            if stored is None:
                raise RuntimeError("an Idempotency-Key was taken, then gone")
        if stored.fingerprint != fingerprint:
            raise errors.ApiError(422, "idempotency_key_reused", _(
                "This Idempotency-Key was used for another request: use a new key for a new request."))
        # The answer was committed with its work, whose request may still be waiting for the disk
        # (eventsapp.durability): so does this one before it repeats it (PostgreSQL; one statement).
        durability.wait_for_disk_of(db.session, stored.created_at)
        return _replay(stored)
    return wrapped
