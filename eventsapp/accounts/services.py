"""Accounts: sign-up, authentication, password changes and roles. Callers commit."""
from __future__ import annotations

import hmac

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from eventsapp.accounts.models import Role, User
from eventsapp.accounts.passwords import hash_password, needs_rehash, password_weaknesses, verify_password
from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.validation import ValidationFailed


def normalize_email(email: str) -> str:
    return email.strip().lower()


def load_user(session_id: str) -> User | None:
    """Flask-Login's loader: the id must still carry the current password's marker."""
    user_id, _, marker = session_id.partition(".")
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
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
