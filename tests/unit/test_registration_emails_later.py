"""Registering queues its e-mail unwritten (kind + context) in the same transaction; the outbox
worker writes it in the person's language before sending, and the outbox page shows its subject."""
from __future__ import annotations

from sqlalchemy import delete, func, select

from eventsapp.extensions import db
from eventsapp.notifications import services as notifications
from eventsapp.notifications.models import OutboxMessage, OutboxStatus
from eventsapp.registrations import services
from eventsapp.registrations.models import Registration, RegistrationLog


def register(event, person):
    result = services.register_for_event(event.id, person)
    db.session.commit()
    return result


def message_to(person) -> OutboxMessage:
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_email == person.email)).one()


def test_registering_queues_the_e_mail_unwritten_with_the_registration(ctx, make_event, make_candidate):
    event = make_event(capacity=1, title_en="Autumn Graduate Fair")
    first, second = make_candidate(locale="en"), make_candidate(locale="zh_CN")
    register(event, first)
    result = register(event, second)
    assert result.registration.id is not None and result.waitlist_position == 1
    message = message_to(second)
    assert (message.kind, message.locale, message.status) == ("registration_waitlisted", "zh_CN", OutboxStatus.PENDING)
    assert (message.subject, message.body_text) == ("", "")
    assert message.render_context == {"event_id": event.id, "user_id": second.id, "position": 1}
    log = db.session.scalars(select(RegistrationLog).where(RegistrationLog.registration_id == result.registration.id))
    assert [row.action for row in log] == ["registered"]


def test_a_failed_registration_leaves_no_e_mail(ctx, make_event, make_candidate):
    event = make_event()
    services.register_for_event(event.id, make_candidate())
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_the_worker_writes_each_message_in_the_persons_language_before_sending(ctx, make_event, make_candidate):
    event = make_event(capacity=1, title_zh="秋季毕业生招聘会", title_en="Autumn Graduate Fair")
    english, chinese = make_candidate(locale="en"), make_candidate(locale="zh_CN")
    register(event, english)
    register(event, chinese)
    report = notifications.deliver_due_messages()
    assert report.logged == 2 and report.failed == 0
    confirmed, waiting = message_to(english), message_to(chinese)
    assert confirmed.subject == "Your place at Autumn Graduate Fair is confirmed"
    assert "is confirmed" in confirmed.body_text and confirmed.body_html.startswith("<!doctype html>")
    assert "秋季毕业生招聘会" in waiting.subject and '<html lang="zh-CN">' in waiting.body_html
    assert confirmed.render_context is None and waiting.render_context is None
    assert {confirmed.status, waiting.status} == {OutboxStatus.LOGGED}


def test_the_position_is_the_one_given_at_registration(ctx, make_event, make_candidate):
    event = make_event(capacity=1)
    first, second, third = make_candidate(locale="en"), make_candidate(locale="en"), make_candidate(locale="en")
    for person in (first, second, third):
        register(event, person)
    notifications.deliver_due_messages()
    assert "at number 2." in message_to(third).body_text


def test_a_message_whose_registration_is_gone_fails_for_good_without_stopping_the_others(
        ctx, make_event, make_candidate):
    event = make_event()
    gone, kept = make_candidate(locale="en"), make_candidate(locale="en")
    register(event, gone)
    register(event, kept)
    db.session.execute(delete(RegistrationLog))
    db.session.execute(delete(Registration).where(Registration.user_id == gone.id))
    db.session.commit()
    report = notifications.deliver_due_messages()
    assert (report.failed, report.logged) == (1, 1)
    failed = message_to(gone)
    assert failed.status == OutboxStatus.FAILED and "no longer exists" in failed.last_error
    assert message_to(kept).status == OutboxStatus.LOGGED


def test_the_outbox_page_shows_the_subject_of_a_message_not_written_yet(app, client, organizer, make_event,
                                                                        make_candidate):
    with app.app_context():
        event = make_event(title_en="Autumn Graduate Fair")
        person = make_candidate(locale="en")
        register(event, person)
        message_id = message_to(person).id
    page = client.get("/manage/outbox/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Your place at Autumn Graduate Fair is confirmed" in page
    with app.app_context():  # shown, not saved: the worker still writes and sends it
        message = db.session.get(OutboxMessage, message_id)
        assert message.subject == "" and message.render_context is not None
