"""`flask outbox send | work | retry`."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from eventsapp.extensions import db
from eventsapp.notifications.models import OutboxMessage, OutboxStatus


def add_message(app, status=OutboxStatus.PENDING, **overrides) -> int:
    values = dict(kind="verify_email", to_email="li@example.org", subject="Confirm your e-mail address",
                  body_text="Hello", body_html="", locale="en", status=status, attempts=0,
                  next_attempt_at=datetime.now(UTC), last_error="")
    values.update(overrides)
    with app.app_context():
        message = OutboxMessage(**values)
        db.session.add(message)
        db.session.commit()
        return message.id


def statuses(app) -> list[OutboxStatus]:
    with app.app_context():
        return list(db.session.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id)))


def test_send_delivers_what_is_due_once_and_says_what_happened(app, runner):
    add_message(app)
    add_message(app, to_email="han@example.org")
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "0 sent, 2 logged, 0 to retry later, 0 failed for good." in result.output
    assert statuses(app) == [OutboxStatus.LOGGED, OutboxStatus.LOGGED]
    assert "0 sent, 0 logged" in runner.invoke(args=["outbox", "send"]).output


def test_work_keeps_delivering_until_it_is_stopped(app, runner):
    add_message(app)
    result = runner.invoke(args=["outbox", "work", "--interval", "0", "--max-runs", "3"])
    assert result.exit_code == 0, result.output
    assert "1 logged" in result.output and result.output.rstrip().endswith("Stopped.")
    assert statuses(app) == [OutboxStatus.LOGGED]


def test_work_refuses_a_negative_interval(runner):
    assert runner.invoke(args=["outbox", "work", "--interval", "-1"]).exit_code == 2


def test_retry_puts_a_failed_message_back_in_the_queue(app, runner):
    message_id = add_message(app, status=OutboxStatus.FAILED, attempts=8, last_error="Connection refused")
    result = runner.invoke(args=["outbox", "retry", str(message_id)])
    assert result.exit_code == 0, result.output
    assert f"Message {message_id} to li@example.org is queued again." in result.output
    with app.app_context():
        message = db.session.get(OutboxMessage, message_id)
        assert (message.status, message.attempts) == (OutboxStatus.PENDING, 0)


def test_retry_refuses_messages_that_did_not_fail_or_do_not_exist(app, runner):
    message_id = add_message(app, status=OutboxStatus.SENT)
    assert runner.invoke(args=["outbox", "retry", str(message_id)]).exit_code == 1
    assert runner.invoke(args=["outbox", "retry", "424242"]).exit_code == 1
    assert statuses(app) == [OutboxStatus.SENT]
