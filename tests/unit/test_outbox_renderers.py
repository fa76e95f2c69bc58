"""The outbox writes a message queued unwritten with the renderer its feature registered for the kind."""
from __future__ import annotations

import pytest

from eventsapp.extensions import db
from eventsapp.notifications import services as outbox
from eventsapp.notifications.models import OutboxMessage
from eventsapp.registrations import emails as registration_emails


def test_the_application_registers_each_features_renderers_by_kind(app):
    renderers = app.extensions[outbox.RENDERERS_KEY]
    assert renderers[registration_emails.CONFIRMED] is registration_emails.render_confirmed_later  # and the badge
    assert renderers[registration_emails.WAITLISTED] is registration_emails.render_later


def test_a_kind_nobody_registered_cannot_be_written(ctx):
    db.session.execute(outbox.INSERT_MESSAGE, outbox.message_written_later(
        "nobody_writes_this", "someone@example.org", "en", {"anything": 1}))
    message = db.session.query(OutboxMessage).one()
    with pytest.raises(outbox.CannotRender, match="nobody_writes_this"):
        outbox.rendered(message)


def test_a_registered_renderer_gives_the_templates_context(app, ctx):
    seen = []

    def renderer(stored: dict) -> dict:
        seen.append(stored)
        return {"verify_url": "https://x.example/v", "valid_days": 3}

    outbox.register_renderers(app, {"verify_email": renderer})
    try:
        db.session.execute(outbox.INSERT_MESSAGE, outbox.message_written_later(
            "verify_email", "someone@example.org", "en", {"user_id": 7}))
        subject, text, _html = outbox.rendered(db.session.query(OutboxMessage).one())
    finally:
        del app.extensions[outbox.RENDERERS_KEY]["verify_email"]
    assert seen == [{"user_id": 7}] and subject and "https://x.example/v" in text
