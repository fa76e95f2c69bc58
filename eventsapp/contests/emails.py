"""What contest teams are told by e-mail: the leader's invitation to join a team. Queued in the outbox
(eventsapp.notifications), written at once in the recipient's language; the caller commits."""
from __future__ import annotations

from eventsapp.accounts.models import User
from eventsapp.contests.models import Entry
from eventsapp.notifications.models import OutboxMessage
from eventsapp.notifications.services import public_url, queue_email

TEAM_INVITATION = "contest_team_invitation"


def send_team_invitation(email: str, locale: str | None, entry: Entry, inviter: User, token: str) -> OutboxMessage:
    event = entry.contest.event
    return queue_email(TEAM_INVITATION, email, locale, TEAM_INVITATION, entry=entry, event=event, inviter=inviter,
                       invitation_url=public_url("contests.invitation", token=token),
                       event_url=public_url("events.event_detail", slug=event.slug))
