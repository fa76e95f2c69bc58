"""Erasing a candidate's account: cancels their registrations (releasing what hangs on them), deletes
the profile, the résumé, free-text answers, e-mails to them and the record of who viewed their profile,
takes them out of contests (eventsapp.contests.personal_data: its rules), and closes the account.
Callers commit.

A process across features, so it lives apart from the profile services the registrations build on.
"""
from __future__ import annotations

import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from eventsapp.accounts.models import LoginSession, User
from eventsapp.accounts.passwords import verify_password
from eventsapp.browse.models import ProfileView
from eventsapp.candidates.services import find_profile, remove_resume
from eventsapp.contests.personal_data import erase_contest_data, erasure_refusals
from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.notifications.models import OutboxMessage
from eventsapp.registrations.models import ACTIVE_STATUSES, Registration, RegistrationAnswer
from eventsapp.registrations.services import cancel_registration
from eventsapp.talentcode.models import PersonalCode
from eventsapp.validation import ValidationFailed
from eventsapp.webhooks.lifecycle import erase_deliveries_about_person

ERASED_NAME = "—"


def erase_account(user: User, now: datetime | None = None) -> None:
    """Delete the person's data and close the account; their registrations stay, cancelled, for the counts.
    Refused (ValidationFailed) while they lead a submitted contest entry: they withdraw it first."""
    if user.erased_at is not None:
        return
    if leading := erasure_refusals(user):
        titles = "、".join(f"«{entry.title_zh or entry.title_en}»" for entry in leading)
        raise ValidationFailed([(None, _l("You lead the contest entry %(titles)s. Withdraw it from \"My entries\" "
                                          "before you delete your account, so that the team is not left "
                                          "without a leader.", titles=titles))])
    now = now or utcnow()
    # Before the cancellations below: their deliveries carry the person's id only, and go to organizers.
    erase_deliveries_about_person(user.id, now)
    active = db.session.scalars(select(Registration).where(Registration.user_id == user.id,
                                                           Registration.status.in_(ACTIVE_STATUSES))).all()
    for registration in active:
        cancel_registration(registration, actor=None, reason="account deleted", notify=False, name_hidden=True)
    profile = find_profile(user)
    if profile is not None:
        remove_resume(profile)
        db.session.delete(profile)
        db.session.expire(user, ["candidate_profile"])  # the account no longer has one
    # Free-text answers and e-mails written to the person may hold personal data too.
    db.session.execute(delete(RegistrationAnswer).where(RegistrationAnswer.registration_id.in_(
        select(Registration.id).where(Registration.user_id == user.id))))
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.to_email == user.email))
    db.session.execute(delete(ProfileView).where(ProfileView.candidate_id == user.id))
    db.session.execute(delete(PersonalCode).where(PersonalCode.user_id == user.id))  # no code names them any more
    erase_contest_data(user)
    user.email = f"erased-{user.id}@invalid"
    user.display_name = ERASED_NAME
    user.password_hash = f"erased${secrets.token_urlsafe(32)}"  # no password can match it
    user.email_verified_at = user.last_login_at = None
    user.is_active_account = False
    user.erased_at = now
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))  # logged out everywhere
    db.session.flush()


def erase_own_account(user: User, password: str) -> None:
    """The person deletes their own account, confirming with their password."""
    if not verify_password(user.password_hash, password):
        raise ValidationFailed([("password", _l("The password is not correct."))])
    erase_account(user)
