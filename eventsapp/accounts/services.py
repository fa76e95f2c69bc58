"""Accounts: sign-up, authentication, e-mail confirmation, passwords and roles. Callers commit."""
from __future__ import annotations

import hmac
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from eventsapp.accounts.models import Role, User
from eventsapp.accounts.passwords import hash_password, needs_rehash, password_weaknesses, verify_password
from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.notifications.models import OutboxMessage
from eventsapp.notifications.services import public_url, queue_email
from eventsapp.validation import ValidationFailed

EMAIL_VERIFICATION_SALT = "eventsapp.accounts.verify-email"
EMAIL_VERIFICATION_MAX_AGE = timedelta(days=3)
PASSWORD_RESET_SALT = "eventsapp.accounts.password-reset"
PASSWORD_RESET_MAX_AGE = timedelta(hours=1)


class TokenProblem(Exception):
    """A link from an e-mail that cannot be used; ``reason`` is 'expired', 'invalid' or 'used'."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


def normalize_email(email: str) -> str:
    return email.strip().lower()


# Candidates' pages nearly all read the profile (eligibility, registration, the profile itself):
# joined to the account it costs no round trip of its own. Built once: session.get() with options
# builds and hashes a new statement on every request.
_USER_WITH_PROFILE = (select(User).options(joinedload(User.candidate_profile))
                      .where(User.id == bindparam("user_id")))


def load_user(session_id: str) -> User | None:
    """Flask-Login's loader: the id must still carry the current password's marker."""
    user_id, _, marker = session_id.partition(".")
    user = db.session.scalar(_USER_WITH_PROFILE, {"user_id": int(user_id)}) if user_id.isdigit() else None
    if user is None or not hmac.compare_digest(user.session_marker, marker):
        return None
    return user


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def create_account(email: str, password: str, display_name: str, role: Role, locale: str | None = None) -> User:
    email = normalize_email(email)
    errors = [("password", problem) for problem in password_weaknesses(password, email)]
    if find_user_by_email(email) is not None:
        errors.append(("email", _l("An account with this e-mail address already exists.")))
    if errors:
        raise ValidationFailed(errors)
    user = User(email=email, password_hash=hash_password(password), display_name=display_name.strip(),
                role=role, locale=locale)
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError:  # the same address signed up at the same moment; the unique index decided
        db.session.rollback()
        raise ValidationFailed([("email", _l("An account with this e-mail address already exists."))]) from None
    return user


def sign_up(email: str, password: str, display_name: str, role: Role, locale: str | None = None) -> User:
    """A new self-service account, with the e-mail that asks to confirm its address in the same transaction."""
    user = create_account(email, password, display_name, role, locale=locale)
    send_email_verification(user)
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active account with these credentials, or None; upgrades outdated hashes."""
    user = find_user_by_email(email)
    if not verify_password(user.password_hash if user else None, password):
        return None
    if not user.is_active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not verify_password(user.password_hash, current_password):
        raise ValidationFailed([("current_password", _l("The current password is not correct."))])
    problems = password_weaknesses(new_password, user.email)
    if new_password == current_password:
        problems.append(_l("Choose a password different from the current one."))
    if problems:
        raise ValidationFailed([("new_password", problem) for problem in problems])
    user.password_hash = hash_password(new_password)


def set_locale(user: User, locale: str) -> None:
    user.locale = locale


def grant_role(acting_admin: User, user: User, role: Role) -> None:
    if acting_admin.id == user.id and role != Role.ADMIN:
        raise ValidationFailed([("role", _l("You cannot take away your own administrator role."))])
    user.role = role


# --- Signed links sent by e-mail ----------------------------------------------------------------

def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _load_token(token: str, salt: str, max_age: timedelta) -> dict:
    try:
        payload = _serializer(salt).loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired:
        raise TokenProblem("expired") from None
    except BadSignature:
        raise TokenProblem("invalid") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("user"), int):
        raise TokenProblem("invalid")
    return payload


def email_verification_token(user: User) -> str:
    return _serializer(EMAIL_VERIFICATION_SALT).dumps({"user": user.id, "email": user.email})


def send_email_verification(user: User) -> OutboxMessage:
    """Queue the e-mail with the link that confirms the account's address (valid 3 days)."""
    return queue_email("verify_email", user.email, user.locale, "verify_email", user=user,
                       verify_url=public_url("accounts.verify_email", token=email_verification_token(user)),
                       valid_days=EMAIL_VERIFICATION_MAX_AGE.days)


def verify_email(token: str) -> User:
    """Mark the address in the token as confirmed; confirming twice is fine. Raises TokenProblem."""
    payload = _load_token(token, EMAIL_VERIFICATION_SALT, EMAIL_VERIFICATION_MAX_AGE)
    user = db.session.get(User, payload["user"])
    if user is None or user.email != payload.get("email"):  # the account is gone or its address changed
        raise TokenProblem("invalid")
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    return user


def password_reset_token(user: User) -> str:
    # The password's fingerprint makes the link single-use: it no longer matches once the password changed.
    return _serializer(PASSWORD_RESET_SALT).dumps({"user": user.id, "password": user.session_marker})


def request_password_reset(email: str, locale: str | None = None) -> OutboxMessage | None:
    """Queue a reset link (valid 1 hour, once) when an active account has this address; else nothing.

    ``locale`` is for accounts that never chose a language (e.g. the page's language).
    """
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        return None
    return queue_email("password_reset", user.email, user.locale or locale, "password_reset", user=user,
                       reset_url=public_url("accounts.reset_password", token=password_reset_token(user)))


def user_for_password_reset(token: str) -> User:
    """The account a reset link is for, while the link is fresh and unused. Raises TokenProblem."""
    payload = _load_token(token, PASSWORD_RESET_SALT, PASSWORD_RESET_MAX_AGE)
    user = db.session.get(User, payload["user"])
    if user is None or not user.is_active:
        raise TokenProblem("invalid")
    if not hmac.compare_digest(user.session_marker, str(payload.get("password", ""))):
        raise TokenProblem("used")
    return user


def reset_password(token: str, new_password: str) -> User:
    """Set a new password through a reset link; the link proves the address, so it counts as confirmed."""
    user = user_for_password_reset(token)
    problems = password_weaknesses(new_password, user.email)
    if problems:
        raise ValidationFailed([("password", problem) for problem in problems])
    user.password_hash = hash_password(new_password)
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    return user
