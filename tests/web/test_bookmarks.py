"""Candidates bookmark booths and see them on "My bookmarks", over HTTP."""
import pytest
from sqlalchemy import func, select

from eventsapp.accounts.models import Role
from eventsapp.booths.models import Booth, BoothStatus, Hall
from eventsapp.events.models import EventStatus
from eventsapp.extensions import db
from eventsapp.openings.models import Bookmark, Opening

EN = {"Accept-Language": "en"}


@pytest.fixture
def fair(make_event):
    return make_event(slug="autumn-fair", title_en="Autumn job fair")


@pytest.fixture
def booth(app, fair, make_organization, make_booth):
    organization = make_organization(name_zh="杭州云栖科技有限公司", name_en="Yunqi Tech")
    with app.app_context():
        hall = Hall(event_id=fair.id, name="A", rows=10, cols=20)
        db.session.add(hall)
        db.session.add(Opening(organization_id=organization.id, event_id=fair.id, title="后端工程师"))
        db.session.commit()
        hall_id = hall.id
    return make_booth(fair, organization, hall_id=hall_id, row=1, col=12, code="A-12")


@pytest.fixture
def candidate(make_candidate, login):
    user = make_candidate(locale="en")
    login(user)
    return user


def bookmarks_of(app, user) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(Bookmark.booth_id).where(Bookmark.user_id == user.id)))


def count_bookmarks(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Bookmark))


def test_anonymous_visitors_are_sent_to_log_in_and_come_back(client, booth):
    response = client.post(f"/my/bookmarks/{booth.id}", data={"bookmarked": "on",
                                                               "next": "/events/autumn-fair/openings?q=x#opening-1"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/events/autumn-fair/openings?q%3Dx")
    response = client.get("/my/bookmarks")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", [Role.EMPLOYER, Role.ORGANIZER, Role.ADMIN])
def test_other_accounts_have_no_bookmarks(app, client, booth, make_user, login, role):
    login(make_user(role))
    assert client.get("/my/bookmarks").status_code == 403
    assert client.post(f"/my/bookmarks/{booth.id}", data={"bookmarked": "on"}).status_code == 403
    assert count_bookmarks(app) == 0


def test_a_candidate_bookmarks_a_booth_from_the_search_and_sees_it(app, client, fair, booth, candidate):
    back = "/events/autumn-fair/openings?q=%E5%B7%A5#opening-1"
    response = client.post(f"/my/bookmarks/{booth.id}", data={"bookmarked": "on", "next": back})
    assert response.status_code == 302 and response.headers["Location"] == back
    assert bookmarks_of(app, candidate) == [booth.id]
    search = client.get("/events/autumn-fair/openings", headers=EN).get_data(as_text=True)
    assert "Yunqi Tech is in your bookmarks." in search and "★ Bookmarked" in search
    page = client.get("/my/bookmarks").get_data(as_text=True)
    for text in ("Autumn job fair", "Yunqi Tech", "Booth A-12 · Hall A",
                 f'href="/events/autumn-fair/openings?organization={booth.organization_id}"'):
        assert text in page, text


def test_bookmarking_is_idempotent_and_the_toggle_removes_it(app, client, booth, candidate):
    for _ in range(2):
        assert client.post(f"/my/bookmarks/{booth.id}", data={"bookmarked": "on"}).status_code == 302
    assert bookmarks_of(app, candidate) == [booth.id]
    for _ in range(2):
        response = client.post(f"/my/bookmarks/{booth.id}", data={"bookmarked": "off"})
        assert response.status_code == 302 and response.headers["Location"] == "/my/bookmarks"
    assert bookmarks_of(app, candidate) == []
    assert "No bookmarks yet." in client.get("/my/bookmarks").get_data(as_text=True)


@pytest.mark.parametrize("status", [BoothStatus.PENDING, BoothStatus.REJECTED, BoothStatus.WITHDRAWN])
def test_only_approved_booths_can_be_bookmarked(app, client, fair, make_organization, make_booth, candidate, status):
    booth = make_booth(fair, make_organization(), status=status)
    assert client.post(f"/my/bookmarks/{booth.id}", data={"bookmarked": "on"}).status_code == 404
    assert count_bookmarks(app) == 0


def test_booths_of_draft_events_and_unknown_booths_are_not_found(app, client, make_event, make_organization,
                                                                 make_booth, candidate):
    booth = make_booth(make_event(status=EventStatus.DRAFT), make_organization())
    assert client.post(f"/my/bookmarks/{booth.id}", data={"bookmarked": "on"}).status_code == 404
    assert client.post("/my/bookmarks/999999", data={"bookmarked": "on"}).status_code == 404
    assert client.post("/my/bookmarks/999999", data={"bookmarked": "off"}).status_code == 404
    assert count_bookmarks(app) == 0


def test_a_malformed_or_forged_request_changes_nothing(app, client, booth, candidate, monkeypatch):
    assert client.post(f"/my/bookmarks/{booth.id}", data={"bookmarked": "maybe"}).status_code == 400
    assert client.post(f"/my/bookmarks/{booth.id}").status_code == 400
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post(f"/my/bookmarks/{booth.id}", data={"bookmarked": "on"}).status_code == 400
    assert count_bookmarks(app) == 0


def test_the_way_back_never_leaves_the_site(client, booth, candidate):
    for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = client.post(f"/my/bookmarks/{booth.id}", data={"bookmarked": "on", "next": target})
        assert response.headers["Location"] == "/my/bookmarks", target


def test_nobody_sees_another_persons_bookmarks(app, client, booth, make_candidate, login, chinese_by_default):
    someone = make_candidate()
    login(someone)
    client.post(f"/my/bookmarks/{booth.id}", data={"bookmarked": "on"})
    client.post("/logout")
    login(make_candidate(locale="en"))
    page = client.get("/my/bookmarks").get_data(as_text=True)
    assert "Yunqi Tech" not in page and "No bookmarks yet." in page
    search = client.get("/events/autumn-fair/openings").get_data(as_text=True)
    assert "Bookmark booth" in search and "★ Bookmarked" not in search


def test_a_withdrawn_booth_stays_listed_with_a_note_and_can_be_removed(app, client, booth, candidate):
    client.post(f"/my/bookmarks/{booth.id}", data={"bookmarked": "on"})
    with app.app_context():
        db.session.get(Booth, booth.id).status = BoothStatus.WITHDRAWN
        db.session.commit()
    page = client.get("/my/bookmarks").get_data(as_text=True)
    assert "This booth is no longer at the fair." in page and "Its openings" not in page
    client.post(f"/my/bookmarks/{booth.id}", data={"bookmarked": "off"})
    assert bookmarks_of(app, candidate) == []
