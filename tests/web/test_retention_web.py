"""Retention on the pages: organizers set the period on the event form; candidates see the date."""
from datetime import timedelta

from eventsapp.dbtypes import utcnow
from eventsapp.events.models import Event
from eventsapp.extensions import db
from eventsapp.registrations.models import RegistrationStatus
from tests.web.event_forms import event_form, stored

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}


def test_an_organizer_sets_how_long_the_events_personal_data_is_kept(app, client, organizer):
    assert client.post("/manage/events/new", data=event_form(retention_months="6")).status_code == 302
    event = stored(app, "golden-autumn-fair")
    assert event.retention_months == 6
    page = client.get(f"/manage/events/{event.id}", headers=EN).get_data(as_text=True)
    assert "Keep personal data for (months after the end)" in page and 'value="6"' in page


def test_a_period_out_of_range_is_explained_beside_the_field(app, client, organizer):
    for value in ("0", "121", "two", "9" * 30):
        response = client.post("/manage/events/new", data=event_form(retention_months=value), headers=EN)
        assert response.status_code == 200 and "Please correct the fields marked below." in response.get_data(
            as_text=True), value
    with app.app_context():
        assert db.session.query(Event).count() == 0


def test_candidates_see_until_when_each_event_keeps_their_data(app, client, login, make_event, make_candidate,
                                                               make_registration):
    person = make_candidate()
    ended = utcnow() - timedelta(days=10)
    event = make_event(title_en="Spring fair", title_zh="春季招聘会", starts_at=ended - timedelta(hours=8),
                       ends_at=ended)
    make_registration(event, person, RegistrationStatus.CONFIRMED)
    login(person)
    page = client.get("/my/privacy", headers=EN).get_data(as_text=True)
    assert "How long events keep my data" in page and "Spring fair" in page
    kept = page.split("Kept until", 1)[1][:60]
    assert str(ended.year + 2) in kept
    chinese = client.get("/my/privacy", headers=ZH).get_data(as_text=True)
    assert "春季招聘会" in chinese and "保留至" in chinese
