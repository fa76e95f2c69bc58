"""What people are asked by e-mail: the survey invitation after an event, and its one reminder, each with
the person's link. Queued unwritten in bulk (``message_written_later``: one plain INSERT for a whole
event) in the recipient's language; the outbox worker writes them with ``RENDERERS``."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from eventsapp.accounts.models import User
from eventsapp.extensions import db
from eventsapp.notifications import services as outbox
from eventsapp.surveys.models import Survey, SurveyInvitation
from eventsapp.surveys.tokens import invitation_token

INVITATION, REMINDER = "survey_invitation", "survey_reminder"


def queue_invitations(survey: Survey, invitation_ids: Sequence[int], kind: str) -> int:
    """One message of ``kind`` per invitation (none to deleted accounts); the number queued."""
    if not invitation_ids:
        return 0
    rows = [outbox.message_written_later(kind, email, locale, {"invitation_id": invitation_id})
            for invitation_id, email, locale in db.session.execute(
                select(SurveyInvitation.id, User.email, User.locale).join(User, User.id == SurveyInvitation.user_id)
                .where(SurveyInvitation.id.in_(invitation_ids), User.erased_at.is_(None))
                .order_by(SurveyInvitation.id))]
    if rows:
        db.session.execute(outbox.INSERT_MESSAGE, rows)
    return len(rows)


def render_later(stored: dict) -> dict:
    """The template context of an invitation or reminder queued unwritten."""
    invitation_id = stored.get("invitation_id")
    invitation = db.session.get(SurveyInvitation, invitation_id) if isinstance(invitation_id, int) else None
    if invitation is None:
        raise outbox.CannotRender(f"the survey invitation {invitation_id} no longer exists")
    event = invitation.survey.event
    return dict(user=invitation.user, survey=invitation.survey, event=event, invitation=invitation,
                answer_url=outbox.public_url("surveys.answer", token=invitation_token(invitation.id)),
                event_url=outbox.public_url("events.event_detail", slug=event.slug))


RENDERERS = dict.fromkeys((INVITATION, REMINDER), render_later)
