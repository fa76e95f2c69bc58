"""What an organization's owner is told by e-mail about its booths: the organizers' decisions.
Queued in the outbox (eventsapp.notifications); the caller commits."""
from __future__ import annotations

from eventsapp.accounts.models import User
from eventsapp.booths.models import Booth
from eventsapp.notifications.models import OutboxMessage
from eventsapp.notifications.services import public_url, queue_email


def tell_owner(owner: User, booth: Booth, kind: str, **context) -> OutboxMessage:
    return queue_email(kind, owner.email, owner.locale, kind, user=owner, booth=booth, event=booth.event,
                       organization=booth.organization, booths_url=public_url("booths.employer.booth_list"),
                       event_url=public_url("events.event_detail", slug=booth.event.slug), **context)
