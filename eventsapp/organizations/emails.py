"""What an organization's people are told by e-mail: decisions about the organization, and invitations
to join it. Queued in the outbox (eventsapp.notifications); the caller commits."""
from __future__ import annotations

from eventsapp.accounts.models import User
from eventsapp.notifications.models import OutboxMessage
from eventsapp.notifications.services import public_url, queue_email
from eventsapp.organizations.models import Invitation, Organization


def tell_owner(owner: User, organization: Organization, kind: str, **context) -> OutboxMessage:
    return queue_email(kind, owner.email, owner.locale, kind, user=owner, organization=organization,
                       organization_url=public_url("organizations.my_organization"),
                       webhooks_url=public_url("webhooks.endpoint_list"), **context)


def send_invitation(email: str, locale: str | None, organization: Organization, inviter: User,
                    invitation: Invitation, token: str, valid_days: int) -> OutboxMessage:
    return queue_email("invitation", email, locale, "invitation", organization=organization, inviter=inviter,
                       invitation=invitation, invitation_url=public_url("organizations.invitation", token=token),
                       valid_days=valid_days)
