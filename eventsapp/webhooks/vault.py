"""Endpoint secrets at rest: encrypted with Fernet (AES-128-CBC with HMAC-SHA256), so a copy of the
database (a backup) does not hold them in clear; signing needs the secret itself, so it cannot be hashed.

The key comes from ``WEBHOOK_SECRET_KEY`` (any long random string; production requires it). Unset, in
development and tests, it is derived from ``SECRET_KEY``. Changing it makes the stored secrets unreadable:
their endpoints then need a new secret ("Replace the secret").
"""
from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app

SEALED_LENGTH = 255


class SecretUnreadable(ValueError):
    """The stored secret was sealed with another key."""


@lru_cache(maxsize=8)
def _fernet(key: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"talentday-webhook-secret:" + key.encode()).digest()))


def key_from(config) -> str:
    return config.get("WEBHOOK_SECRET_KEY") or config["SECRET_KEY"]


def seal(secret: str, key: str | None = None) -> str:
    return _fernet(key or key_from(current_app.config)).encrypt(secret.encode("utf-8")).decode("ascii")


def unseal(sealed: str, key: str | None = None) -> str:
    try:
        return _fernet(key or key_from(current_app.config)).decrypt(sealed.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError) as problem:
        raise SecretUnreadable from problem
