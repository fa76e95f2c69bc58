import re

from eventsapp.events import services
from eventsapp.events.models import EventKind, EventStatus
from eventsapp.events.services import EventFilters
from tests.factories import local

EN = {"Accept-Language": "en"}


def test_home_page_shows_the_next_events_and_invites_people_to_register(client, make_event):
    make_event(title_en="Golden Autumn Graduate Fair", starts_at=local(2030, 10, 17))
    make_event(title_en="Hidden draft", status=EventStatus.DRAFT, starts_at=local(2030, 10, 18))
    page = client.get("/", headers=EN).get_data(as_text=True)
    assert "Golden Autumn Graduate Fair" in page
    assert "Hidden draft" not in page
    assert 'href="/signup"' in page


def test_event_list_paginates_and_keeps_filters_in_page_links(client, make_event):
    for day in range(1, 16):
        make_event(kind=EventKind.COMPETITION, starts_at=local(2030, 3, day))
    make_event(kind=EventKind.FAIR, starts_at=local(2030, 3, 10))
    first = client.get("/events?kind=competition", headers=EN).get_data(as_text=True)
    assert "15 events" in first and first.count("event-card") == 12
    next_link = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    assert next_link.startswith("/events?after=") and "kind=competition" in next_link
    assert 'rel="prev"' not in first
    second = client.get(next_link, headers=EN).get_data(as_text=True)
    assert second.count("event-card") == 3 and "15 events" in second and 'rel="next"' not in second
    previous_link = re.search(r'rel="prev" href="([^"]+)"', second).group(1).replace("&amp;", "&")
    assert "kind=competition" in previous_link
    back = client.get(previous_link, headers=EN).get_data(as_text=True)
    assert _card_links(back) == _card_links(first) and 'rel="prev"' not in back


def _card_links(page: str) -> list[str]:
    return re.findall(r'href="(/events/[a-z0-9-]+)"', page)


def test_event_list_pages_never_repeat_or_skip_an_event(ctx, make_event):
    """Keyset pages: walking forwards and then backwards through every page visits each event once, in order,
    including events that start at the same moment (told apart by id)."""
    for number in range(23):
        make_event(slug=f"fair-{number:02d}", starts_at=local(2030, 3, 1 + number // 3))
    for when in ("upcoming", "all"):
        filters = EventFilters(when=when)
        pages, after = [], None
        while True:
            page = services.list_public_events(filters, per_page=5, zone_name="Asia/Shanghai", after=after,
                                               now=local(2029, 1, 1))
            pages.append([event.slug for event in page.items])
            if page.next_after is None:
                break
            after = page.next_after
        walked = [slug for page in pages for slug in page]
        expected = sorted(walked)
        assert walked == (expected if when == "upcoming" else expected[::-1]) and len(walked) == 23
        assert len(pages) == 5 and page.total == 23
        before, backwards = page.previous_before, [pages[-1]]
        while before is not None:
            page = services.list_public_events(filters, per_page=5, zone_name="Asia/Shanghai", before=before,
                                               now=local(2029, 1, 1))
            backwards.insert(0, [event.slug for event in page.items])
            before = page.previous_before
        assert backwards == pages


def test_a_cursor_that_is_no_public_event_gives_the_first_page(ctx, make_event):
    shown = make_event(slug="shown", starts_at=local(2030, 3, 1))
    draft = make_event(slug="draft", status=EventStatus.DRAFT, starts_at=local(2030, 3, 2))
    for cursor in (draft.id, 10**6):
        page = services.list_public_events(EventFilters(), per_page=5, zone_name="Asia/Shanghai", after=cursor,
                                           now=local(2029, 1, 1))
        assert [event.slug for event in page.items] == [shown.slug]


def test_event_list_filters_by_month_and_reports_a_bad_month_beside_the_field(client, make_event):
    make_event(title_en="March fair", starts_at=local(2030, 3, 5))
    make_event(title_en="April fair", starts_at=local(2030, 4, 5))
    page = client.get("/events?month=2030-04", headers=EN).get_data(as_text=True)
    assert "April fair" in page and "March fair" not in page
    bad = client.get("/events?month=April", headers=EN)
    assert bad.status_code == 200
    assert "Choose a month, like 2027-09." in bad.get_data(as_text=True)


def test_past_events_are_listed_separately(client, make_event):
    make_event(title_en="Long gone fair", starts_at=local(2020, 3, 5))
    assert "Long gone fair" not in client.get("/events", headers=EN).get_data(as_text=True)
    assert "Long gone fair" in client.get("/events?when=past", headers=EN).get_data(as_text=True)


def test_event_page_shows_times_in_the_event_time_zone_with_venue_agenda_and_places(client, make_event):
    make_event(slug="autumn", title_en="Autumn fair", starts_at=local(2030, 10, 17, 9),
               ends_at=local(2030, 10, 17, 16), capacity=250, venue_address="353 Benjing Avenue",
               registration_opens_at=local(2020, 1, 1),
               agenda=[dict(starts_at=local(2030, 10, 17, 13, 30), title_en="CV clinic", room="Hall D",
                            speaker="Zhang Wei")])
    page = client.get("/events/autumn", headers=EN).get_data(as_text=True)
    assert "17 Oct 2030, 09:00 – 16:00" in page  # 01:00 UTC shown as 09:00 in Asia/Shanghai
    assert "Asia/Shanghai (UTC+08:00)" in page
    for text in ("Hangzhou International Expo Center", "353 Benjing Avenue", "CV clinic", "Hall D", "Zhang Wei",
                 "places left of 250"):
        assert text in page


def test_chinese_pages_use_chinese_dates(client, make_event):
    make_event(slug="autumn", starts_at=local(2030, 9, 28, 9), ends_at=local(2030, 9, 28, 17))
    page = client.get("/events/autumn", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)
    assert "2030年9月28日 09:00" in page


def test_another_time_zone_is_shown_in_its_own_time(client, make_event):
    make_event(slug="london", timezone="Europe/London", starts_at=local(2030, 7, 1, 9, zone="Europe/London"))
    assert "1 Jul 2030, 09:00" in client.get("/events/london", headers=EN).get_data(as_text=True)


def test_drafts_are_not_found_by_the_public_and_cancelled_events_say_so(client, make_event):
    make_event(slug="secret", status=EventStatus.DRAFT)
    make_event(slug="off", status=EventStatus.CANCELLED)
    assert client.get("/events/secret").status_code == 404
    assert "This event has been cancelled." in client.get("/events/off", headers=EN).get_data(as_text=True)


def test_unknown_pages_get_a_friendly_page_in_the_visitors_language(client):
    english = client.get("/no-such-page", headers=EN)
    assert english.status_code == 404
    assert "Page not found" in english.get_data(as_text=True)
    chinese = client.get("/no-such-page", headers={"Accept-Language": "zh-CN"})
    assert "页面不存在" in chinese.get_data(as_text=True) or "找不到" in chinese.get_data(as_text=True)
    api = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert api.status_code == 404 and api.json["error"]


def test_server_errors_get_a_friendly_page_without_a_stack_trace(app, client, monkeypatch):
    from eventsapp.events import services

    def explode(*args, **kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(services, "next_public_events", explode)
    monkeypatch.setattr("eventsapp.main.views.next_public_events", explode)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = client.get("/", headers=EN)
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Something went wrong" in body and "database on fire" not in body and "Traceback" not in body


def test_healthz_reports_the_database(client, monkeypatch):
    assert client.get("/healthz").json == {"status": "ok", "database": "ok"}
    from eventsapp.extensions import db

    def broken(*args, **kwargs):
        raise ConnectionError("down")

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] != "ok"


# --- What the public may know: Event.is_public -----------------------------------------------------

def _public_surfaces(client, event) -> dict[str, bool]:
    """Whether the event shows on each public page, list and feed."""
    def shows(path: str) -> bool:
        response = client.get(path, headers=EN)
        return response.status_code == 200 and event.title_en in response.get_data(as_text=True)
    return {
        "list": shows("/events?when=all"),
        "month": shows(f"/events?when=all&month={event.starts_at:%Y-%m}"),
        "detail": shows(f"/events/{event.slug}"),
        "places": client.get(f"/events/{event.slug}/places.json").status_code != 404,
        "floor_plan": shows(f"/events/{event.slug}/floor-plan"),
        "openings": shows(f"/events/{event.slug}/openings"),
        "event_feed": client.get(f"/events/{event.slug}.ics").status_code == 200,
        "public_feed": f"UID:event-{event.id}@" in client.get("/events.ics").get_data(as_text=True),
    }


def test_a_draft_cancelled_before_it_was_ever_published_stays_hidden_everywhere(client, make_event):
    never_published = make_event(title_en="Fair that never was", status=EventStatus.CANCELLED, published_at=None)
    assert _public_surfaces(client, never_published) == dict.fromkeys(_public_surfaces(client, never_published),
                                                                       False)


def test_a_cancelled_event_that_had_been_published_stays_visible_marked_cancelled(client, make_event):
    once_public = make_event(title_en="Fair called off", status=EventStatus.CANCELLED,
                             published_at=local(2026, 1, 5))
    surfaces = _public_surfaces(client, once_public)
    assert all(surfaces[name] for name in ("list", "month", "detail", "event_feed", "public_feed")), surfaces
    assert "STATUS:CANCELLED" in client.get(f"/events/{once_public.slug}.ics").get_data(as_text=True)


def test_a_cancelled_draft_is_not_in_its_registrants_personal_calendar_or_badge(app, client, make_event,
                                                                                   make_candidate, login):
    from eventsapp.calendars.services import personal_feed
    from eventsapp.extensions import db
    from eventsapp.registrations.models import Registration, RegistrationStatus

    never_published = make_event(title_en="Fair that never was", status=EventStatus.CANCELLED, published_at=None)
    person = make_candidate()
    with app.app_context():
        db.session.add(Registration(event_id=never_published.id, user_id=person.id,
                                    status=RegistrationStatus.CONFIRMED))
        db.session.commit()
        with app.test_request_context():
            feed = personal_feed(db.session.get(type(person), person.id), "en", "http://localhost")
        assert feed.entries == []
    login(person)
    assert client.get(f"/events/{never_published.slug}/badge.pdf").status_code == 404
    assert client.get(f"/events/{never_published.slug}/register").status_code == 404
