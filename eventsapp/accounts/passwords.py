"""Password hashing (Argon2id) and the rules a new password must meet."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l

MIN_LENGTH = 10
MAX_LENGTH = 128

_hasher = PasswordHasher()
# Verified when no account matches, so a login takes as long for unknown e-mails as for known ones.
_DUMMY_HASH = _hasher.hash("not-a-real-password-for-timing")

# The most common choices from public breach lists that pass the length rule.
COMMON_PASSWORDS = frozenset({
    "1234567890", "12345678910", "0123456789", "1111111111", "0000000000", "1q2w3e4r5t",
    "qwertyuiop", "password12", "password123", "password1234", "iloveyou12", "qwerty1234",
    "1qaz2wsx3edc", "abcdefghij", "abc1234567", "a123456789", "123456789a", "zaq12wsxcde",
    "passw0rd123", "welcome123", "admin12345", "administrator", "letmein123", "football12",
    "woaini1314", "woaini5201314", "5201314520", "1314520520", "qwertyuiop123", "asdfghjkl1",
    "talentday2026", "talentday2027", "hangzhou123", "changeme123",
})


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def password_weaknesses(password: str, email: str = "") -> list[str]:
    """Why a password is too weak, as messages for the user; empty when it is fine."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(_l("Use at least %(count)d characters.", count=MIN_LENGTH))
    elif len(password) > MAX_LENGTH:
        problems.append(_l("Use at most %(count)d characters.", count=MAX_LENGTH))
    if password.lower() in COMMON_PASSWORDS:
        problems.append(_l("This password is one of the most common ones; choose another."))
    elif len(set(password)) < 5:
        problems.append(_l("Use more different characters."))
    local_part = email.split("@")[0].lower()
    if len(local_part) >= 4 and local_part in password.lower():
        problems.append(_l("Do not use your e-mail address in your password."))
    return problems
