"""What accounts tell their owners by e-mail: confirm the address, reset the password, someone signed up
with your address. Queued in the outbox (eventsapp.notifications); the caller commits."""
from __future__ import annotations

from eventsapp.accounts.models import User
from eventsapp.notifications.models import OutboxMessage
from eventsapp.notifications.services import public_url, queue_email

SIGNUP_EXISTING = "signup_existing"


def tell_signup_with_existing_address(owner: User, locale: str | None) -> OutboxMessage:
    """Nothing the form's user typed goes in the e-mail."""
    return queue_email(SIGNUP_EXISTING, owner.email, owner.locale or locale, SIGNUP_EXISTING,
                       login_url=public_url("accounts.login"), reset_url=public_url("accounts.forgot_password"))


def send_verification_link(user: User, token: str, valid_days: int) -> OutboxMessage:
    return queue_email("verify_email", user.email, user.locale, "verify_email", user=user,
                       verify_url=public_url("accounts.verify_email", token=token), valid_days=valid_days)


def send_password_reset_link(user: User, token: str, locale: str | None) -> OutboxMessage:
    return queue_email("password_reset", user.email, user.locale or locale, "password_reset", user=user,
                       reset_url=public_url("accounts.reset_password", token=token))
