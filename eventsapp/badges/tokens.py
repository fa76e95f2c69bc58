"""The code printed as a QR on each badge: the badge's random secret, signed with the app's key.

The token carries no personal data and no database id: someone holding it learns nothing, and
without the key nobody can make one that verifies. Reissuing a badge gives it a new secret, so
the old token still verifies as a signature but finds a revoked badge.
"""
from __future__ import annotations

import hashlib
import secrets

from flask import current_app
from itsdangerous import BadSignature, Signer

# Short, unambiguous characters for what people read and type (no 0/O, 1/I/L).
NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
NUMBER_LENGTH = 7


class TokenInvalid(Exception):
    """Not a token this app signed: tampered, truncated, or from another installation."""


def _signer() -> Signer:
    return Signer(current_app.config["SECRET_KEY"], salt="badge-code", digest_method=hashlib.sha256)


def new_secret() -> str:
    return secrets.token_urlsafe(12)  # 16 characters, 96 random bits


def new_number() -> str:
    return "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(NUMBER_LENGTH))


def normalize_number(typed: str) -> str:
    """What a person typed at the door, as stored: upper case, no spaces or dashes."""
    return "".join(ch for ch in typed.upper() if ch.isalnum())


def sign(secret: str) -> str:
    return _signer().sign(secret).decode()


def unsign(token: str) -> str:
    """The badge secret inside a scanned token; TokenInvalid if the signature does not hold."""
    token = (token or "").strip()
    if not token or len(token) > 200:
        raise TokenInvalid(token)
    try:
        return _signer().unsign(token).decode()
    except (BadSignature, UnicodeDecodeError) as error:
        raise TokenInvalid(token) from error
