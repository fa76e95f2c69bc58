"""Accounts: sign-up, authentication, e-mail confirmation, passwords and roles. Callers commit."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import bindparam, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from eventsapp.accounts import emails
from eventsapp.accounts.models import LoginSession, Role, User
from eventsapp.accounts.passwords import hash_password, needs_rehash, password_weaknesses, verify_password
from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.notifications.models import OutboxMessage
from eventsapp.validation import ValidationFailed

EMAIL_VERIFICATION_SALT = "eventsapp.accounts.verify-email"
EMAIL_VERIFICATION_MAX_AGE = timedelta(days=3)
PASSWORD_RESET_SALT = "eventsapp.accounts.password-reset"
PASSWORD_RESET_MAX_AGE = timedelta(hours=1)


class EmailTaken(ValidationFailed):
    """An account with this address exists already (said to administrators, never to a sign-up form)."""

    def __init__(self):
        super().__init__([("email", _l("An account with this e-mail address already exists."))])


class TokenProblem(Exception):
    """A link from an e-mail that cannot be used; ``reason`` is 'expired', 'invalid' or 'used'."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


def normalize_email(email: str) -> str:
    return email.strip().lower()


# --- Logins --------------------------------------------------------------------------------------

# The account of a login that has not ended, in one statement: every request reads it. Candidates'
# pages nearly all read the profile too (eligibility, registration, the profile itself): joined to the
# account it costs no round trip of its own. Built once: a statement built per request is hashed anew.
_USER_OF_LOGIN = (select(User).join(LoginSession, LoginSession.user_id == User.id)
                  .options(joinedload(User.candidate_profile))
                  .where(LoginSession.token_hash == bindparam("token_hash"),
                         LoginSession.created_at > bindparam("since")))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _login_lifetime() -> timedelta:
    return timedelta(seconds=current_app.config["LOGIN_SESSION_LIFETIME"])


def new_login_token() -> tuple[str, str]:
    """A login's token (for the cookie) and its digest (for the database), e.g. for bulk-made logins."""
    token = secrets.token_urlsafe(32)
    return token, _token_hash(token)


def start_login_session(user: User, user_agent: str = "") -> str:
    """A new login for the account (call it before flask_login.login_user); returns its token.

    The account's expired logins are deleted on the way, so its rows do not pile up."""
    now = utcnow()
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id,
                                                  LoginSession.created_at <= now - _login_lifetime()))
    token, digest = new_login_token()
    db.session.add(LoginSession(user_id=user.id, token_hash=digest, created_at=now, user_agent=user_agent[:200]))
    db.session.flush()
    user.login_token = token
    return token


def load_user(token: str) -> User | None:
    """Flask-Login's loader: the account of a login that has not ended nor expired."""
    user = db.session.scalar(_USER_OF_LOGIN, {"token_hash": _token_hash(token), "since": utcnow() - _login_lifetime()})
    if user is not None:
        user.login_token = token
    return user


def end_login_session(token: str | None) -> None:
    """Log out: this login's cookies (session and remember-me, and every copy of them) stop working."""
    if token:
        db.session.execute(delete(LoginSession).where(LoginSession.token_hash == _token_hash(token)))


def end_other_login_sessions(user: User) -> int:
    """End every login of the account but the one it was loaded for (all of them without one)."""
    query = delete(LoginSession).where(LoginSession.user_id == user.id)
    if user.login_token:
        query = query.where(LoginSession.token_hash != _token_hash(user.login_token))
    return db.session.execute(query).rowcount


def login_sessions_of(user: User) -> list[tuple[LoginSession, bool]]:
    """The account's logins that have not expired, newest first, each with whether it is this one."""
    current = _token_hash(user.login_token) if user.login_token else None
    rows = db.session.scalars(select(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.created_at > utcnow() - _login_lifetime())
        .order_by(LoginSession.created_at.desc(), LoginSession.id.desc()))
    return [(row, row.token_hash == current) for row in rows]


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def create_account(email: str, password: str, display_name: str, role: Role, locale: str | None = None) -> User:
    """An account (for administrators and the CLI, which may be told that the address is taken)."""
    email = normalize_email(email)
    problems = password_weaknesses(password, email)
    if problems:
        raise ValidationFailed([("password", problem) for problem in problems])
    if find_user_by_email(email) is not None:
        raise EmailTaken
    user = User(email=email, password_hash=hash_password(password), display_name=display_name.strip(),
                role=role, locale=locale)
    db.session.add(user)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:  # the same address signed up at the same moment; the unique index decided
        raise EmailTaken from None
    return user


SIGNUP_NOTICE_INTERVAL = timedelta(hours=1)


def sign_up(email: str, password: str, display_name: str, role: Role, locale: str | None = None) -> User | None:
    """A new self-service account and the e-mail that asks to confirm its address; None when the address
    has an account already. Either way the person is told to check their e-mail, so the sign-up form
    cannot be used to learn who has an account: the address's owner gets a message saying someone tried.
    Raises ValidationFailed only for a weak password, which says nothing about the address."""
    try:
        user = create_account(email, password, display_name, role, locale=locale)
    except EmailTaken:
        hash_password(password)  # the work a new account costs, so that both answers take as long
        _tell_owner_about_signup(find_user_by_email(email), locale)
        return None
    send_email_verification(user)
    return user


def _tell_owner_about_signup(owner: User | None, locale: str | None) -> None:
    """Someone signed up with an address that has an account: tell its owner, at most once an hour (the
    form could otherwise be used to fill their inbox). Nothing the form's user typed goes in the e-mail."""
    if owner is None or owner.erased_at is not None:
        return
    recent = db.session.scalar(select(OutboxMessage.id).where(
        OutboxMessage.kind == emails.SIGNUP_EXISTING, OutboxMessage.to_email == owner.email,
        OutboxMessage.created_at > utcnow() - SIGNUP_NOTICE_INTERVAL).limit(1))
    if recent is None:
        emails.tell_signup_with_existing_address(owner, locale)


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
    end_other_login_sessions(user)  # a new password logs out every other device


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
    return emails.send_verification_link(user, email_verification_token(user), EMAIL_VERIFICATION_MAX_AGE.days)


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
    return emails.send_password_reset_link(user, password_reset_token(user), locale)


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
    user.login_token = None
    end_other_login_sessions(user)  # all of them: whoever knew the old password is logged out
    return user
