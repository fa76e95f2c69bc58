"""Endpoint secrets at rest: encrypted with Fernet (AES-128-CBC with HMAC-SHA256), so a copy of the
database (a backup) does not hold them in clear; signing needs the secret itself, so it cannot be hashed.

The key comes from ``WEBHOOK_SECRET_KEY`` (any long random string; production requires it). Unset, in
development and tests, it is derived from ``SECRET_KEY``. To change it, the former keys are listed in
``WEBHOOK_OLD_SECRET_KEYS`` (comma-separated) while ``flask webhooks rotate-key`` re-seals every secret with
the new one (``reseal``): a secret is sealed with the current key and read with any of them (cryptography's
``MultiFernet``). A secret no configured key reads is unreadable: its endpoint needs a new secret ("Replace
the secret").
"""
from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app

from eventsapp.config import webhook_old_keys

SEALED_LENGTH = 255


class SecretUnreadable(ValueError):
    """The stored secret was sealed with a key that is not configured (any more)."""


@lru_cache(maxsize=8)
def _fernet(key: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"talentday-webhook-secret:" + key.encode()).digest()))


@lru_cache(maxsize=8)
def _keyring(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([_fernet(key) for key in keys])


def key_from(config) -> str:
    return config.get("WEBHOOK_SECRET_KEY") or config["SECRET_KEY"]


def keys_from(config) -> tuple[str, ...]:
    """The key that seals, then the former keys that still unseal."""
    return (key_from(config), *(key for key in webhook_old_keys(config) if key))


def _sealer(key: str | None) -> Fernet | MultiFernet:
    return _fernet(key) if key else _keyring(keys_from(current_app.config))


def seal(secret: str, key: str | None = None) -> str:
    """``secret`` encrypted with ``key``, by default the current key (WEBHOOK_SECRET_KEY)."""
    return _sealer(key).encrypt(secret.encode("utf-8")).decode("ascii")


def unseal(sealed: str, key: str | None = None) -> str:
    """The secret, read with ``key``, by default with any configured key; SecretUnreadable if none reads it."""
    try:
        return _sealer(key).decrypt(sealed.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError) as problem:
        raise SecretUnreadable from problem


def reseal(sealed: str) -> str | None:
    """``sealed`` sealed again with the current key (MultiFernet.rotate), or None when it already is;
    SecretUnreadable when no configured key reads it."""
    current = key_from(current_app.config)
    try:
        _fernet(current).decrypt(sealed.encode("ascii"))
        return None
    except (InvalidToken, ValueError):
        pass
    try:
        return _keyring(keys_from(current_app.config)).rotate(sealed.encode("ascii")).decode("ascii")
    except (InvalidToken, ValueError) as problem:
        raise SecretUnreadable from problem
