"""Personal access tokens: made and revoked by their owner on the account pages, checked on every API
request. The secret is ``tdp_`` and 40 random URL-safe characters; only its SHA-256 digest is stored."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from eventsapp.accounts.models import User
from eventsapp.api.models import ApiToken, IdempotentResponse
from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.validation import ValidationFailed

TOKEN_PREFIX = "tdp_"
PREFIX_SHOWN = 10  # "tdp_" and six characters of the secret, shown in the list of tokens
NAME_MAX_LENGTH = 100
MAX_TOKENS_PER_ACCOUNT = 20
MAX_LIFETIME = timedelta(days=366)
# Writing "last used" on every request would turn each read into a write: once a minute is precise enough.
LAST_USED_PRECISION = timedelta(minutes=1)

READ = "read"
REGISTRATIONS_WRITE = "registrations:write"
CHECKIN_WRITE = "checkin:write"
CONTESTS_READ = "contests:read"
ANALYTICS_READ = "analytics:read"
SCOPES = (READ, REGISTRATIONS_WRITE, CHECKIN_WRITE, CONTESTS_READ, ANALYTICS_READ)
SCOPE_LABELS = {
    READ: _l("Read: events, your registrations and interviews, and what your role lets you see"),
    REGISTRATIONS_WRITE: _l("Registrations: register and cancel; organizers approve, decline and cancel"),
    CHECKIN_WRITE: _l("Check-in: let people in at the door of events you run"),
    CONTESTS_READ: _l("Contests: your team's entries, the entries you judge; organizers read every entry"),
    ANALYTICS_READ: _l("Analytics: the organizers' figures of a period (small groups stay hidden)"),
}


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


class TokenAlreadyMade(Exception):
    """The form with this one-time value already made ``token``: a reload or a second click makes nothing."""

    def __init__(self, token: ApiToken):
        super().__init__(token.id)
        self.token = token


def new_form_nonce() -> str:
    return secrets.token_urlsafe(24)


def _made_with(user: User, nonce: str) -> ApiToken | None:
    return db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.creation_nonce == nonce))


def create_token(user: User, name: str, scopes: list[str] | tuple[str, ...],
                 expires_at: datetime | None = None, now: datetime | None = None,
                 nonce: str | None = None) -> tuple[ApiToken, str]:
    """A new token for ``user`` and its secret (shown once: it cannot be read back). ``nonce``: the one-time
    value of the form that asks; TokenAlreadyMade if that form was already sent (kept with the token, in the
    database: every worker sees it)."""
    now = now or utcnow()
    made = _made_with(user, nonce) if nonce is not None else None
    if made is not None:
        raise TokenAlreadyMade(made)
    name = (name or "").strip()
    chosen = [scope for scope in SCOPES if scope in set(scopes)]
    errors: list[tuple[str | None, str]] = []
    if not name:
        errors.append(("name", _l("Give the token a name, e.g. the system that will use it.")))
    elif len(name) > NAME_MAX_LENGTH:
        errors.append(("name", _l("At most %(max)d characters.", max=NAME_MAX_LENGTH)))
    if not chosen or len(chosen) != len(set(scopes)):
        errors.append(("scopes", _l("Choose at least one of the permissions listed.")))
    if expires_at is not None and expires_at <= now:
        errors.append(("expires_on", _l("Choose a day in the future.")))
    elif expires_at is not None and expires_at > now + MAX_LIFETIME:
        errors.append(("expires_on", _l("A token lasts at most a year.")))
    if len(active_tokens_of(user, now)) >= MAX_TOKENS_PER_ACCOUNT:
        errors.append((None, _l("You have %(count)d tokens: revoke one you no longer use first.",
                                count=MAX_TOKENS_PER_ACCOUNT)))
    if errors:
        raise ValidationFailed(errors)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(30)
    token = ApiToken(user_id=user.id, name=name, token_hash=token_digest(secret), prefix=secret[:PREFIX_SHOWN],
                     scopes=" ".join(chosen), created_at=now, expires_at=expires_at, creation_nonce=nonce)
    try:
        with db.session.begin_nested():  # the same form sent twice at once: the second finds the nonce taken
            db.session.add(token)
            db.session.flush()
    except IntegrityError:
        made = _made_with(user, nonce) if nonce is not None else None
        if made is None:
            raise
        raise TokenAlreadyMade(made) from None
    return token, secret


def tokens_of(user: User) -> list[ApiToken]:
    """Every token of the account, the newest first (revoked and expired ones included, marked)."""
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                   .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def is_usable(token: ApiToken, now: datetime) -> bool:
    return token.revoked_at is None and (token.expires_at is None or token.expires_at > now)


def active_tokens_of(user: User, now: datetime | None = None) -> list[ApiToken]:
    now = now or utcnow()
    return [token for token in tokens_of(user) if is_usable(token, now)]


def revoke_token(user: User, token_id: int, now: datetime | None = None) -> ApiToken:
    """The owner revokes one of their tokens; someone else's token is as unknown as a missing one."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise LookupError(token_id)
    if token.revoked_at is None:
        token.revoked_at = now or utcnow()
    return token


@cache
def _by_digest():
    """The token and its account in one query, built once (after every model is known): every API request
    with a token runs it."""
    return (select(ApiToken).where(ApiToken.token_hash == bindparam("digest"))
            .options(joinedload(ApiToken.user)))


def authenticate(secret: str, now: datetime | None = None) -> ApiToken | None:
    """The usable token with this secret whose account may still log in, or None. Notes when it was used."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    now = now or utcnow()
    token = db.session.scalar(_by_digest(), {"digest": token_digest(secret)})
    if token is None or not is_usable(token, now):
        return None
    user = token.user
    if not user.is_active_account or user.erased_at is not None:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        # A plain UPDATE, committed at once: before the request's own work, which may roll back.
        db.session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
        db.session.commit()
    return token


def forget_old_idempotent_responses(now: datetime, keep: timedelta) -> int:
    """Delete the answers kept under Idempotency-Keys longer than ``keep`` (a client retries within minutes,
    not days): the scheduler's job. Returns how many were deleted."""
    deleted = db.session.execute(delete(IdempotentResponse).where(IdempotentResponse.created_at < now - keep))
    db.session.commit()
    return deleted.rowcount
