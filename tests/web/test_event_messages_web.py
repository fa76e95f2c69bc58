"""The organizers' messages tab: who may open it, a broadcast written, previewed in both languages and sent,
the reminder's setting; cancelling with a reason and changing the venue from the event's pages."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from eventsapp.accounts.models import Role
from eventsapp.audit.models import AuditEntry
from eventsapp.events.models import Event, EventStatus
from eventsapp.extensions import db
from eventsapp.messages.models import Broadcast, EventReminder, ReminderTiming
from eventsapp.notifications.models import OutboxMessage
from eventsapp.registrations.models import RegistrationStatus
from tests.web.event_forms import event_form

EN = {"Accept-Language": "en"}
MESSAGE = dict(segment="confirmed", subject_zh="停车须知", subject_en="Parking", body_zh="请从北门进入。",
               body_en="Please use the north gate.")


def outbox_kinds(app) -> dict[str, int]:
    with app.app_context():
        return dict(db.session.execute(select(OutboxMessage.kind, func.count()).group_by(OutboxMessage.kind))
                    .tuples().all())


@pytest.mark.parametrize("role", [Role.CANDIDATE, Role.EMPLOYER])
def test_only_organizers_reach_the_messages_pages(client, make_user, make_event, login, role):
    event = make_event()
    assert "/login" in client.get(f"/manage/events/{event.id}/messages/").headers["Location"]
    login(make_user(role))
    for response in (client.get(f"/manage/events/{event.id}/messages/"),
                     client.get(f"/manage/events/{event.id}/messages/new"),
                     client.post(f"/manage/events/{event.id}/messages/new", data=dict(MESSAGE, step="send")),
                     client.post(f"/manage/events/{event.id}/messages/reminder", data={"timing": "off"})):
        assert response.status_code == 403


def test_unknown_and_huge_event_ids_are_not_found(client, organizer):
    assert client.get("/manage/events/999999/messages/").status_code == 404
    assert client.get(f"/manage/events/{10 ** 30}/messages/new").status_code == 404


def test_a_broadcast_is_previewed_in_both_languages_then_sent_and_listed(app, client, organizer, make_event,
                                                                         make_registrant):
    event = make_event(title_zh="春季招聘会", title_en="Spring fair")
    make_registrant(event)
    make_registrant(event)
    make_registrant(event, status=RegistrationStatus.WAITLISTED)
    hub = client.get(f"/manage/events/{event.id}", headers=EN).get_data(as_text=True)
    assert f'href="/manage/events/{event.id}/messages/"' in hub  # the tab

    preview = client.post(f"/manage/events/{event.id}/messages/new", data=dict(MESSAGE, step="preview"), headers=EN)
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "2 people will get it: Everyone confirmed." in page
    assert "停车须知" in page and "请从北门进入。" in page and "Please use the north gate." in page
    assert "此邮件由“春季招聘会”的主办方发给活动参与者。" in page  # the Chinese version, in Chinese
    assert outbox_kinds(app) == {}  # a preview sends nothing

    sent = client.post(f"/manage/events/{event.id}/messages/new", data=dict(MESSAGE, step="send"), headers=EN,
                       follow_redirects=True)
    page = sent.get_data(as_text=True)
    assert "The message is on its way to 2 people." in page and 'data-testid="broadcasts"' in page
    assert "Parking" in page
    assert outbox_kinds(app) == {"event_broadcast": 2}
    with app.app_context():
        broadcast = db.session.scalar(select(Broadcast))
        assert broadcast.recipients == 2 and broadcast.sent_by_id == organizer.id
        assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.object_type == "broadcast")) == "broadcast"
    activity = client.get(f"/manage/events/{event.id}/activity", headers=EN).get_data(as_text=True)
    assert "Message sent" in activity and "Parking" in activity and "Everyone confirmed" in activity


def test_a_broadcast_with_a_missing_language_stays_in_the_form(client, organizer, make_event):
    event = make_event()
    response = client.post(f"/manage/events/{event.id}/messages/new", data=dict(MESSAGE, body_en="", step="preview"),
                           headers=EN)
    assert response.status_code == 422 and "Write the message in English." in response.get_data(as_text=True)


def test_the_reminder_setting_is_saved_and_checked(app, client, organizer, make_event):
    event = make_event()
    refused = client.post(f"/manage/events/{event.id}/messages/reminder", data={"timing": "hours_before"},
                          headers=EN)
    assert refused.status_code == 422 and "Say how many hours before the start." in refused.get_data(as_text=True)
    client.post(f"/manage/events/{event.id}/messages/reminder", data={"timing": "hours_before", "hours_before": "6"})
    with app.app_context():
        reminder = db.session.get(EventReminder, event.id)
        assert (reminder.timing, reminder.hours_before) == (ReminderTiming.HOURS_BEFORE, 6)
    page = client.get(f"/manage/events/{event.id}/messages/", headers=EN).get_data(as_text=True)
    assert 'data-testid="reminder-due"' in page


def test_cancelling_from_the_event_page_tells_everyone_and_shows_the_reason(app, client, organizer, make_event,
                                                                           make_registrant):
    event = make_event(status=EventStatus.PUBLISHED)
    make_registrant(event, locale="en")
    make_registrant(event, status=RegistrationStatus.WAITLISTED)
    client.post(f"/manage/events/{event.id}/cancel", data={"confirmed": "yes", "reason": "台风预警 Typhoon warning"})
    assert outbox_kinds(app) == {"event_cancelled": 2}
    public = client.get(f"/events/{event.slug}", headers=EN).get_data(as_text=True)
    assert "This event has been cancelled." in public and "台风预警 Typhoon warning" in public


def test_changing_the_venue_of_a_public_event_tells_its_registrants(app, client, organizer, make_event,
                                                                   make_registrant):
    client.post("/manage/events/new", data=event_form(slug="autumn"))
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "autumn"))
    make_registrant(event)
    client.post(f"/manage/events/{event.id}", data=event_form(slug="autumn", venue_address="9 Draft Street"))
    assert outbox_kinds(app) == {}  # a draft never published tells nobody
    client.post(f"/manage/events/{event.id}/publish")
    response = client.post(f"/manage/events/{event.id}", data=event_form(slug="autumn", venue_address="1 Lake Road"),
                           headers=EN, follow_redirects=True)
    assert "1 person is told what changed." in response.get_data(as_text=True)
    assert outbox_kinds(app) == {"event_changed": 1}
    client.post(f"/manage/events/{event.id}", data=event_form(slug="autumn", venue_address="1 Lake Road",
                                                              title_en="Renamed"))
    assert outbox_kinds(app) == {"event_changed": 1}  # the title is no change of time or place
