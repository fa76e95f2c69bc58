"""Issuing, replacing and reading personal codes.

The QR token is ``TC.`` followed by the code's random secret signed with the app's key (a salt of its
own, so a badge token never passes for a personal one, nor the reverse). Nothing in it names the person:
the database says whose secret it is, and only while the code has not been replaced. Callers commit.
"""
from __future__ import annotations

import enum
import hashlib
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from itsdangerous import BadSignature, Signer
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from eventsapp.accounts.models import User
from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.talentcode.models import PersonalCode

PREFIX = "TC."
TOKEN_MAX_LENGTH = 200


def _signer() -> Signer:
    return Signer(current_app.config["SECRET_KEY"], salt="personal-code", digest_method=hashlib.sha256)


def new_secret() -> str:
    return secrets.token_urlsafe(15)  # 20 characters, 120 random bits


def sign(secret: str) -> str:
    return PREFIX + _signer().sign(secret).decode()


def is_personal_token(token: str | None) -> bool:
    """Whether a scanned text is meant as a personal code (its signature is checked by ``read``)."""
    return (token or "").strip().startswith(PREFIX)


def active_code(user_id: int) -> PersonalCode | None:
    return db.session.scalar(select(PersonalCode).where(PersonalCode.user_id == user_id,
                                                        PersonalCode.revoked_at.is_(None)))


def code_of(user_id: int) -> PersonalCode:
    """The person's working code, made now if they have none yet. Flushes."""
    code = active_code(user_id)
    if code is not None:
        return code
    try:
        with db.session.begin_nested():  # two first visits at once: the unique index lets one insert
            code = PersonalCode(user_id=user_id, code=new_secret())
            db.session.add(code)
            db.session.flush()
    except IntegrityError:
        code = active_code(user_id)
    return code


def token_of(code: PersonalCode) -> str:
    return sign(code.code)


def tokens_for(user_ids: Collection[int]) -> dict[int, str]:
    """The QR tokens of these people's working codes, made for those who have none (a print run of
    badges that carry personal codes): two queries and one flush however many people. Flushes."""
    wanted = set(user_ids)
    if not wanted:
        return {}
    found = {code.user_id: code for code in db.session.scalars(select(PersonalCode).where(
        PersonalCode.user_id.in_(wanted), PersonalCode.revoked_at.is_(None)))}
    missing = wanted - found.keys()
    if missing:
        try:
            with db.session.begin_nested():
                made = {user_id: PersonalCode(user_id=user_id, code=new_secret()) for user_id in missing}
                db.session.add_all(made.values())
                db.session.flush()
            found.update(made)
        except IntegrityError:  # someone opened "My code" at that moment: take theirs
            for user_id in missing:
                found[user_id] = code_of(user_id)
    return {user_id: token_of(code) for user_id, code in found.items()}


def replace(user_id: int, now: datetime | None = None) -> PersonalCode:
    """A new code for the person; the old one stops working at once, wherever it is shown or printed.
    Flushes; the caller commits."""
    db.session.execute(update(PersonalCode).where(PersonalCode.user_id == user_id, PersonalCode.revoked_at.is_(None))
                       .values(revoked_at=now or utcnow()).execution_options(synchronize_session="fetch"))
    return code_of(user_id)


class State(enum.StrEnum):
    ACTIVE = "active"
    INVALID = "invalid"  # not signed by this app, or no such code
    REPLACED = "replaced"  # its holder replaced it
    CLOSED = "closed"  # the account is deleted or disabled


@dataclass(frozen=True)
class Reading:
    state: State
    user_id: int | None = None  # only for an active code


def read(token: str) -> Reading:
    """What a scanned personal code is: whose, while it works. Says nothing of anyone otherwise."""
    token = (token or "").strip()
    if not token.startswith(PREFIX) or len(token) > TOKEN_MAX_LENGTH:
        return Reading(State.INVALID)
    try:
        secret = _signer().unsign(token[len(PREFIX):]).decode()
    except (BadSignature, UnicodeDecodeError):
        return Reading(State.INVALID)
    row = db.session.execute(select(PersonalCode.user_id, PersonalCode.revoked_at, User.is_active_account,
                                    User.erased_at).join(User, User.id == PersonalCode.user_id)
                             .where(PersonalCode.code == secret)).first()
    if row is None:
        return Reading(State.INVALID)
    user_id, revoked_at, active, erased_at = row
    if revoked_at is not None:
        return Reading(State.REPLACED)
    if not active or erased_at is not None:
        return Reading(State.CLOSED)
    return Reading(State.ACTIVE, user_id)
