"""Calendar feeds over HTTP the way calendar apps poll them, and the "My calendar" page."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import vobject
from werkzeug.http import http_date

from eventsapp.calendars import ical, services
from eventsapp.calendars.cache import feed_cache
from eventsapp.events.models import Event, EventKind, EventStatus
from eventsapp.extensions import db
from eventsapp.registrations.models import Registration, RegistrationStatus
from tests.factories import local
from tests.web.event_forms import event_form, stored

EN = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def _fresh_feeds(app):
    """Tests empty the tables with bulk deletes, which the fingerprint memo does not see."""
    services.forget_fingerprints()
    with app.app_context():
        feed_cache.clear()


def parse(response) -> dict:
    parsed = vobject.readOne(response.get_data(as_text=True))
    return {item.uid.value: item for item in getattr(parsed, "vevent_list", [])}


def test_public_feed_headers(client, make_event):
    event = make_event()
    response = client.get("/events.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["ETag"] and response.headers["Last-Modified"]
    assert "public" in response.headers["Cache-Control"] and "max-age=300" in response.headers["Cache-Control"]
    assert "Set-Cookie" not in response.headers
    assert ical.event_uid(event.id) in parse(response)


def test_unchanged_feed_answers_304_to_either_validator(client, make_event):
    make_event()
    first = client.get("/events.ics")
    by_etag = client.get("/events.ics", headers={"If-None-Match": first.headers["ETag"]})
    by_date = client.get("/events.ics", headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert by_etag.status_code == by_date.status_code == 304
    assert by_etag.data == b"" and by_etag.headers["ETag"] == first.headers["ETag"]
    stale = client.get("/events.ics", headers={"If-None-Match": '"something-else"'})
    assert stale.status_code == 200 and stale.data == first.data


def test_a_change_gives_a_new_etag_and_the_new_data(app, client, make_event):
    event = make_event(title_en="Spring fair")
    first = client.get("/events.ics", headers=EN)
    with app.app_context():
        row = db.session.get(Event, event.id)
        row.title_en, row.calendar_sequence = "Spring fair (moved)", 1
        db.session.commit()
    second = client.get("/events.ics", headers={**EN, "If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200 and second.headers["ETag"] != first.headers["ETag"]
    item = parse(second)[ical.event_uid(event.id)]
    assert item.summary.value == "Spring fair (moved)" and item.sequence.value == "1"


def test_an_older_if_modified_since_gets_the_feed(client, make_event):
    make_event()
    long_ago = http_date(datetime.now(UTC) - timedelta(days=3))
    assert client.get("/events.ics", headers={"If-Modified-Since": long_ago}).status_code == 200


def test_the_feed_is_built_once_until_something_changes(app, client, make_event, monkeypatch):
    make_event()
    calls = []
    original = services.public_feed
    monkeypatch.setattr(services, "public_feed", lambda *args: calls.append(args) or original(*args))
    bodies = {client.get("/events.ics?lang=en").data for _ in range(3)}
    assert len(calls) == 1 and len(bodies) == 1
    client.get("/events.ics?lang=zh_CN")  # another language is another feed
    assert len(calls) == 2
    make_event()
    client.get("/events.ics?lang=en")
    assert len(calls) == 3


def test_language_from_parameter_or_the_visitor(client, make_event):
    event = make_event(title_zh="春季招聘会", title_en="Spring fair")
    uid = ical.event_uid(event.id)
    assert parse(client.get("/events.ics?lang=zh_CN"))[uid].summary.value == "春季招聘会"
    assert parse(client.get("/events.ics", headers={"Accept-Language": "zh-CN,zh;q=0.9"}))[uid].summary.value \
        == "春季招聘会"
    assert parse(client.get("/events.ics?lang=en", headers={"Accept-Language": "zh-CN"}))[uid].summary.value \
        == "Spring fair"


@pytest.mark.parametrize("query, message", [
    ("kind=party", "unknown kind 'party'"),
    ("series=no-such-series", "unknown series"),
    ("colour=red", "unknown parameter 'colour'"),
    ("lang=fr", "unknown language"),
])
def test_unknown_filters_get_400_with_a_message(client, query, message):
    response = client.get(f"/events.ics?{query}")
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_kind_filter(client, make_event):
    fair, contest = make_event(), make_event(kind=EventKind.COMPETITION)
    items = parse(client.get("/events.ics?kind=competition"))
    assert set(items) == {ical.event_uid(contest.id)} and ical.event_uid(fair.id) not in items


def test_one_event_file(client, make_event):
    event = make_event(agenda=[dict(starts_at=datetime.now(UTC) + timedelta(days=30), title_en="Opening")])
    response = client.get(f"/events/{event.slug}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{event.slug}.ics"'
    assert len(parse(response)) == 2
    assert client.get(f"/events/{event.slug}.ics", headers={"If-None-Match": response.headers["ETag"]}
                      ).status_code == 304
    assert client.get(f"/events/{event.slug}").mimetype == "text/html"  # the page itself is untouched


def test_drafts_and_unknown_events_have_no_file(client, make_event):
    draft = make_event(status=EventStatus.DRAFT)
    assert client.get(f"/events/{draft.slug}.ics").status_code == 404
    assert client.get("/events/no-such-event.ics").status_code == 404
    assert client.get(f"/events/{draft.slug}.ics?x=1").status_code == 400


def test_talent_day_feed(client, make_event):
    day = make_event(kind=EventKind.TALENT_DAY, talent_day_year=2027, starts_at=local(2027, 9, 28, 9),
                     ends_at=local(2027, 9, 28, 17))
    response = client.get("/talent-day.ics")
    assert response.status_code == 200
    raw = response.get_data(as_text=True)
    assert "RRULE:FREQ=YEARLY;BYMONTHDAY=28;BYMONTH=9" in raw and f"/events/{day.slug}" in raw
    assert client.get("/talent-day.ics", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


def test_talent_day_series_is_titled_in_the_feeds_language_like_its_years(client, make_event, chinese_by_default):
    """Years with no event of their own show the series' title: it must be in the feed's language too."""
    make_event(kind=EventKind.TALENT_DAY, talent_day_year=2027, starts_at=local(2027, 9, 28, 9),
               ends_at=local(2027, 9, 28, 17), title_zh="2027 杭州人才日", title_en="Hangzhou Talent Day 2027")
    for query, headers, series_title, year_title in (
            ("?lang=en", {}, "Hangzhou Talent Day", "Hangzhou Talent Day 2027"),
            ("", {}, "杭州人才日", "2027 杭州人才日"),
            ("?lang=zh_CN", EN, "杭州人才日", "2027 杭州人才日"),
            ("", EN, "Hangzhou Talent Day", "Hangzhou Talent Day 2027")):
        parsed = vobject.readOne(client.get("/talent-day.ics" + query, headers=headers).get_data(as_text=True))
        series = [item for item in parsed.vevent_list if not hasattr(item, "recurrence_id")]
        years = [item for item in parsed.vevent_list if hasattr(item, "recurrence_id")]
        assert [item.summary.value for item in series] == [series_title], query
        assert [item.summary.value for item in years] == [year_title], query
        assert parsed.x_wr_calname.value == series_title


def test_feeds_are_read_only(client):
    assert client.post("/events.ics").status_code == 405


# --- Personal feed -------------------------------------------------------------------------------------------

def create_token(app, user) -> str:
    with app.app_context():
        token = services.create_feed_token(db.session.merge(user))
        db.session.commit()
        return token


def test_personal_feed_needs_no_session_and_sets_none(app, client, make_candidate, make_event):
    person = make_candidate()
    event = make_event()
    with app.app_context():
        registration = Registration(event_id=event.id, user_id=person.id, status=RegistrationStatus.WAITLISTED)
        db.session.add(registration)
        db.session.commit()
        uid = ical.registration_uid(registration.id)
    token = create_token(app, person)
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert "Set-Cookie" not in response.headers
    assert "private" in response.headers["Cache-Control"]
    assert parse(response)[uid].status.value == "TENTATIVE"
    again = client.get(f"/calendar/{token}.ics", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_unknown_malformed_and_replaced_tokens_get_the_same_404(app, client, make_candidate):
    person = make_candidate()
    old = create_token(app, person)
    new = create_token(app, person)
    tokens = (old, "x" * 43, "bad", new[:-1] + ("B" if new.endswith("A") else "A"))
    answers = [client.get(f"/calendar/{token}.ics") for token in tokens]
    assert {response.status_code for response in answers} == {404}
    # No hint which kind of token it was: the pages differ only where they echo the address.
    assert len({response.get_data(as_text=True).replace(token, "TOKEN")
                for token, response in zip(tokens, answers, strict=True)}) == 1
    assert client.get(f"/calendar/{new}.ics").status_code == 200


def test_the_feed_records_when_it_was_read(app, client, make_candidate):
    person = make_candidate()
    token = create_token(app, person)
    client.get(f"/calendar/{token}.ics")
    with app.app_context():
        assert services.find_feed(token).last_fetched_at is not None


# --- "My calendar" -----------------------------------------------------------------------------------------

def test_my_calendar_needs_a_login(client):
    response = client.get("/calendar/")
    assert response.status_code == 302 and "/login" in response.location
    assert client.post("/calendar/new").status_code == 302


def test_create_see_once_and_replace(app, client, login, make_candidate):
    person = make_candidate()
    login(person)
    page = client.get("/calendar/", headers=EN).get_data(as_text=True)
    assert "You have no calendar address yet." in page
    response = client.post("/calendar/new", headers=EN, follow_redirects=True)
    html = response.get_data(as_text=True)
    url = re.search(r'value="(http://talent\.test/calendar/[^"]+\.ics)"', html).group(1)
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert f'href="webcal://talent.test/calendar/{token}.ics"' in html
    assert "calendar.google.com/calendar/render?cid=webcal%3A%2F%2Ftalent.test" in html
    assert client.get(f"/calendar/{token}.ics").status_code == 200
    later = client.get("/calendar/", headers=EN).get_data(as_text=True)
    assert token not in later and "Create a new address" in later  # shown once only
    assert "The old one stops working" in later  # the confirmation before replacing it
    # A second submit (or "create a new address") replaces it: the first URL stops working.
    second = client.post("/calendar/new", follow_redirects=True).get_data(as_text=True)
    new_token = re.search(r"/calendar/([A-Za-z0-9_-]+)\.ics", second).group(1)
    assert new_token != token
    assert client.get(f"/calendar/{token}.ics").status_code == 404
    assert client.get(f"/calendar/{new_token}.ics").status_code == 200


def test_creating_needs_the_csrf_token(app, client, login, make_candidate, monkeypatch):
    login(make_candidate())
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post("/calendar/new").status_code == 400


def test_employers_and_organizers_have_the_page_too(client, login, organizer):
    assert client.get("/calendar/", headers=EN).status_code == 200


def test_my_calendar_in_chinese(client, login, make_candidate, chinese_by_default):
    login(make_candidate())
    response = client.get("/calendar/")
    assert response.status_code == 200 and 'lang="zh-CN"' in response.get_data(as_text=True)


# --- "Add to calendar" on the event page -----------------------------------------------------------------

def test_event_page_offers_add_to_calendar(client, make_event):
    event = make_event()
    html = client.get(f"/events/{event.slug}", headers=EN).get_data(as_text=True)
    assert 'data-testid="add-to-calendar"' in html and f'href="/events/{event.slug}.ics"' in html
    start = event.starts_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    assert f"dates={start}%2F" in html
    assert "outlook.live.com" in html and "outlook.office.com" in html and "calendar.yahoo.com" in html


def test_no_add_to_calendar_for_cancelled_events(client, make_event):
    event = make_event(status=EventStatus.CANCELLED)
    assert 'data-testid="add-to-calendar"' not in client.get(f"/events/{event.slug}").get_data(as_text=True)


# --- The organizer's edits reach subscribed calendars ----------------------------------------------------

def test_organizer_edits_raise_the_sequence_only_when_something_shown_changes(app, client, organizer):
    assert client.post("/manage/events/new", data=event_form(slug="autumn")).status_code == 302
    event = stored(app, "autumn")
    client.post(f"/manage/events/{event.id}/publish")
    assert stored(app, "autumn").calendar_sequence == 1
    etag = client.get("/events.ics").headers["ETag"]
    client.post(f"/manage/events/{event.id}", data=event_form(slug="autumn"))  # saved unchanged
    client.post(f"/manage/events/{event.id}", data=event_form(slug="autumn", capacity="3500"))  # not shown
    assert stored(app, "autumn").calendar_sequence == 1
    client.post(f"/manage/events/{event.id}", data=event_form(slug="autumn", starts_at="2030-10-17T10:00"))
    client.post(f"/manage/events/{event.id}/agenda", data=dict(
        starts_at="2030-10-17T10:00", ends_at="", room="Hall A", title_zh="开幕式", title_en="Opening", speaker=""))
    assert stored(app, "autumn").calendar_sequence == 3
    response = client.get("/events.ics?lang=en", headers={"If-None-Match": etag})
    assert response.status_code == 200
    item = parse(response)[ical.event_uid(event.id)]
    assert item.sequence.value == "3" and item.dtstart.value.hour == 10
