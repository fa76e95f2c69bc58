from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from eventsapp.accounts.models import Role
from eventsapp.events.models import AgendaItem, Event, EventStatus
from eventsapp.extensions import db
from tests.factories import MatchingFair, local
from tests.web.event_forms import event_form, stored

EN = {"Accept-Language": "en"}


@pytest.mark.parametrize("path", ["/manage/", "/manage/events", "/manage/events/new", "/manage/series"])
def test_manage_pages_are_for_organizers_only(client, make_user, login, path):
    assert client.get(path).status_code == 302  # anonymous: to the login page
    login(make_user(Role.CANDIDATE))
    assert client.get(path).status_code == 403
    client.post("/logout")
    login(make_user(Role.EMPLOYER))
    assert client.get(path).status_code == 403
    client.post("/logout")
    login(make_user(Role.ORGANIZER))
    assert client.get(path).status_code == 200


def test_state_changing_manage_actions_are_refused_to_others(client, make_user, login, make_event):
    event = make_event(status=EventStatus.DRAFT)
    login(make_user(Role.CANDIDATE))
    for action in ("publish", "cancel", "duplicate"):
        assert client.post(f"/manage/events/{event.id}/{action}").status_code == 403


def test_an_organizer_creates_an_event_with_times_in_its_own_zone(app, client, organizer):
    response = client.post("/manage/events/new", data=event_form())
    assert response.status_code == 302
    event = stored(app, "golden-autumn-fair")
    assert event.status == EventStatus.DRAFT
    assert event.starts_at == datetime(2030, 10, 17, 1, 0, tzinfo=UTC)
    assert event.registration_closes_at == datetime(2030, 10, 16, 10, 0, tzinfo=UTC)
    assert event.capacity == 3000


def test_the_edit_form_shows_local_times_again(client, organizer, make_event):
    event = make_event(starts_at=local(2030, 10, 17, 9), ends_at=local(2030, 10, 17, 16))
    page = client.get(f"/manage/events/{event.id}").get_data(as_text=True)
    assert 'value="2030-10-17T09:00"' in page and 'value="2030-10-17T16:00"' in page


@pytest.mark.parametrize(("overrides", "message"), [
    ({"ends_at": "2030-10-17T08:00"}, "The event must end after it starts."),
    ({"registration_closes_at": "2030-10-18T08:00"}, "Registration must close before the event ends."),
    ({"capacity": "0"}, "Enter a whole number from 1 to 1000000."),
    ({"capacity": "-5"}, "Enter a whole number from 1 to 1000000."),
    ({"capacity": "many"}, "Not a valid integer value."),
    ({"capacity": "2.5"}, "Not a valid integer value."),
    ({"slug": "Autumn Fair!"}, "Use lower-case letters, digits and single hyphens only."),
    ({"title_zh": "", "title_en": ""}, "Give the event a title in at least one language."),
    ({"title_en": "x" * 201}, "At most 200 characters."),
    ({"starts_at": "not a date"}, "Not a valid datetime value."),
    ({"timezone": "Mars/Olympus"}, "Not a valid choice."),
    ({"kind": "talent_day"}, "Talent Day is on 28 September: the event must start on that day."),
])
def test_bad_event_input_is_explained_beside_the_field_and_kept(app, client, organizer, overrides, message):
    response = client.post("/manage/events/new", data=event_form(**overrides), headers=EN)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page
    assert "Please correct the fields marked below." in page
    assert 'value="Hangzhou International Expo Center"' in page  # what was typed stays
    with app.app_context():
        assert db.session.scalar(select(Event.id)) is None


def test_a_slug_already_in_use_is_refused(client, organizer, make_event):
    make_event(slug="autumn-2030")
    page = client.post("/manage/events/new", data=event_form(slug="autumn-2030"), headers=EN).get_data(as_text=True)
    assert "Another event already uses this address." in page


def test_talent_day_can_be_saved_on_28_september(app, client, organizer):
    response = client.post("/manage/events/new", data=event_form(
        kind="talent_day", slug="talent-day-2030", starts_at="2030-09-28T08:30", ends_at="2030-09-28T20:00",
        registration_closes_at=""))
    assert response.status_code == 302
    assert stored(app, "talent-day-2030").talent_day_year == 2030


def test_publish_unpublish_cancel_and_duplicate_from_the_event_page(app, client, organizer, make_event):
    event = make_event(slug="spring", status=EventStatus.DRAFT,
                       agenda=[dict(starts_at=local(2030, 3, 1, 10), title_en="Opening")],
                       starts_at=local(2030, 3, 1, 9))
    client.post(f"/manage/events/{event.id}/publish")
    assert stored(app, "spring").status == EventStatus.PUBLISHED
    assert client.get("/events/spring").status_code == 200
    client.post(f"/manage/events/{event.id}/unpublish", data={"confirmed": "yes"})
    assert stored(app, "spring").status == EventStatus.DRAFT
    client.post("/logout")
    assert client.get("/events/spring").status_code == 404
    client.post("/login", data={"email": organizer.email, "password": "correct horse battery staple"})
    response = client.post(f"/manage/events/{event.id}/duplicate")
    copy = stored(app, "spring-copy")
    assert response.headers["Location"].endswith(f"/manage/events/{copy.id}")
    with app.app_context():
        assert db.session.scalar(select(AgendaItem.title_en).where(AgendaItem.event_id == copy.id)) == "Opening"
    refused = client.post(f"/manage/events/{event.id}/cancel", data={"confirmed": "yes"}, headers=EN)
    assert refused.status_code == 422 and "Say why the event is cancelled" in refused.get_data(as_text=True)
    assert stored(app, "spring").status == EventStatus.DRAFT
    client.post(f"/manage/events/{event.id}/cancel", data={"confirmed": "yes", "reason": "The hall is closed"})
    assert stored(app, "spring").status == EventStatus.CANCELLED
    page = client.post(f"/manage/events/{event.id}/publish", headers=EN, follow_redirects=True).get_data(as_text=True)
    assert "This cannot be done while the event is Cancelled." in page


def test_a_cancelled_event_cannot_be_edited(app, client, organizer, make_event):
    event = make_event(slug="off", status=EventStatus.CANCELLED, starts_at=local(2030, 10, 17, 9))
    client.post(f"/manage/events/{event.id}", data=event_form(slug="off", title_en="Changed"))
    assert stored(app, "off").title_en != "Changed"


def test_agenda_items_are_added_edited_and_removed(app, client, organizer, make_event):
    event = make_event(starts_at=local(2030, 10, 17, 9), ends_at=local(2030, 10, 17, 16))
    response = client.post(f"/manage/events/{event.id}/agenda", data=dict(
        starts_at="2030-10-17T10:00", ends_at="2030-10-17T11:00", room="Hall A", title_zh="开幕式",
        title_en="Opening", speaker="Mayor"))
    assert response.status_code == 302
    with app.app_context():
        item = db.session.scalar(select(AgendaItem))
        assert item.starts_at == local(2030, 10, 17, 10)
    client.post(f"/manage/events/{event.id}/agenda/{item.id}", data=dict(
        starts_at="2030-10-17T10:30", ends_at="", room="Hall B", title_zh="开幕式", title_en="Opening", speaker=""))
    with app.app_context():
        assert db.session.get(AgendaItem, item.id).room == "Hall B"
    client.post(f"/manage/events/{event.id}/agenda/{item.id}/delete")
    with app.app_context():
        assert db.session.get(AgendaItem, item.id) is None


def test_bad_agenda_items_are_explained(client, organizer, make_event):
    event = make_event(starts_at=local(2030, 10, 17, 9), ends_at=local(2030, 10, 17, 16))
    response = client.post(f"/manage/events/{event.id}/agenda", headers=EN, data=dict(
        starts_at="2031-01-01T10:00", ends_at="", room="", title_zh="", title_en="", speaker=""))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Give the item a title in at least one language." in page


def test_agenda_items_of_another_event_are_not_found(client, organizer, make_event):
    first = make_event(agenda=[dict(starts_at=local(2030, 1, 1), title_en="Mine")], starts_at=local(2030, 1, 1))
    second = make_event()
    with client.application.app_context():
        item_id = db.session.scalar(select(AgendaItem.id))
    assert client.get(f"/manage/events/{second.id}/agenda/{item_id}").status_code == 404
    assert client.post(f"/manage/events/{second.id}/agenda/{item_id}/delete").status_code == 404
    assert client.get(f"/manage/events/{first.id}/agenda/{item_id}").status_code == 200


def test_the_dashboard_warns_until_the_next_talent_day_is_published(app, client, organizer):
    page = client.get("/manage/", headers=EN).get_data(as_text=True)
    assert 'data-testid="talent-day-warning"' in page
    assert "There is no event for it yet." in page
    from zoneinfo import ZoneInfo

    from eventsapp.talentday.services import next_talent_day
    with app.app_context():
        year = next_talent_day(datetime.now(ZoneInfo("Asia/Shanghai")).date()).year
    response = client.post(f"/manage/talent-day/{year}/ensure")
    assert response.status_code == 302
    event = stored(app, f"talent-day-{year}")
    assert "Its draft is waiting for you." in client.get("/manage/", headers=EN).get_data(as_text=True)
    client.post(f"/manage/events/{event.id}/publish")
    page = client.get("/manage/", headers=EN).get_data(as_text=True)
    assert 'data-testid="talent-day-warning"' not in page
    assert f"Talent Day {year} is published." in page


def test_series_group_events(app, client, organizer):
    assert client.post("/manage/series", data=dict(slug="youth-season", title_zh="青春潮创",
                                                   title_en="Youth season")).status_code == 302
    page = client.post("/manage/series", data=dict(slug="youth-season", title_zh="x", title_en=""),
                       headers=EN).get_data(as_text=True)
    assert "Another series already uses this address." in page
    with app.app_context():
        from eventsapp.events.models import Series
        series_id = db.session.scalar(select(Series.id))
    client.post("/manage/events/new", data=event_form(series_id=str(series_id)))
    assert stored(app, "golden-autumn-fair").series_id == series_id


def test_admins_grant_roles_and_organizers_cannot(app, client, make_user, login):
    candidate = make_user(Role.CANDIDATE, email="future.organizer@example.com")
    login(make_user(Role.ORGANIZER))
    assert client.get("/admin/users").status_code == 403
    assert client.post(f"/admin/users/{candidate.id}/role", data={"role": "organizer"}).status_code == 403
    client.post("/logout")
    login(make_user(Role.ADMIN))
    page = client.get("/admin/users?q=future", headers=EN).get_data(as_text=True)
    assert "future.organizer@example.com" in page
    client.post(f"/admin/users/{candidate.id}/role", data={"role": "organizer"})
    with app.app_context():
        from eventsapp.accounts.models import User
        assert db.session.get(User, candidate.id).role == Role.ORGANIZER
    assert client.post("/admin/users/999999/role", data={"role": "organizer"}).status_code == 404



def test_moving_an_event_asks_first_when_its_schedule_is_published_then_moves_it(
        app, client, organizer, make_event, make_organization, make_booth, make_candidate, make_staff):
    from eventsapp.matchmaking import runs
    from eventsapp.matchmaking.models import Interview

    fair = MatchingFair(app, make_event, make_organization, make_booth, make_candidate, make_staff, quota=1)
    booth = fair.booth(interviewers=1, name_en="Westlake Robotics")
    fair.candidate(booth, name="安安")
    with app.app_context():
        run = runs.run_matching(fair.event.id, None, seed=1)
        runs.publish_run(fair.event.id, run.id, before_deadline_confirmed=True)
        db.session.commit()
        event = db.session.get(Event, fair.event.id)
        before = db.session.scalar(select(Interview.starts_at))
        start, end = (moment.astimezone(ZoneInfo(event.timezone)) for moment in (event.starts_at, event.ends_at))
    moved = event_form(slug=event.slug, title_zh=event.title_zh, title_en=event.title_en, registration_closes_at="",
                       starts_at=f"{start + timedelta(days=2):%Y-%m-%dT%H:%M}",
                       ends_at=f"{end + timedelta(days=2):%Y-%m-%dT%H:%M}")
    question = client.post(f"/manage/events/{event.id}", data=moved, headers=EN)
    page = question.get_data(as_text=True)
    assert question.status_code == 200 and 'data-testid="confirmation"' in page
    assert "1 interview keeps its place in the day" in page
    with app.app_context():
        assert db.session.scalar(select(Interview.starts_at)) == before  # nothing moved yet

    done = client.post(f"/manage/events/{event.id}", data={**moved, "confirmed": "yes"})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Interview.starts_at)) == before + timedelta(days=2)
