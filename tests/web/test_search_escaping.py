"""Organizers' and administrators' searches take % and _ literally, like the public ones: a search
for "100%" finds "100%" and not everything."""
from __future__ import annotations

import pytest

from eventsapp.accounts.models import Role
from eventsapp.organizations.models import OrganizationStatus

EN = {"Accept-Language": "en"}


@pytest.fixture
def admin(make_user, login):
    user = make_user(Role.ADMIN, email="root@example.org", display_name="Admin")
    login(user)
    return user


def test_the_event_list_search(client, organizer, make_event):
    make_event(title_en="Fair 100% online", slug="fair-online")
    make_event(title_en="Autumn fair", slug="autumn_fair")
    make_event(title_en="Spring fair", slug="springfair")
    page = client.get("/manage/events?q=100%25", headers=EN).get_data(as_text=True)
    assert "Fair 100% online" in page and "Autumn fair" not in page
    page = client.get("/manage/events?q=n_f", headers=EN).get_data(as_text=True)  # "_" is not "any character"
    assert "Autumn fair" in page and "Spring fair" not in page


def test_the_people_search(client, admin, make_user):
    make_user(email="a_b@example.org", display_name="Underscore")
    make_user(email="axb@example.org", display_name="Letter")
    page = client.get("/admin/users?q=a_b", headers=EN).get_data(as_text=True)
    assert "Underscore" in page and "Letter" not in page
    assert "Letter" not in client.get("/admin/users?q=%25", headers=EN).get_data(as_text=True)


def test_the_organizations_search(client, organizer, make_organization):
    make_organization(name_en="Percent 100% Ltd", status=OrganizationStatus.PENDING)
    make_organization(name_en="Other Ltd", status=OrganizationStatus.PENDING)
    page = client.get("/manage/organizations?q=%25", headers=EN).get_data(as_text=True)
    assert "Percent 100% Ltd" in page and "Other Ltd" not in page


def test_the_registrants_search(app, client, organizer, make_event, make_candidate):
    from eventsapp.extensions import db
    from eventsapp.registrations.models import Registration, RegistrationStatus

    event = make_event()
    for name in ("李_明", "李明明"):
        person = make_candidate(name=name)
        with app.app_context():
            db.session.add(Registration(event_id=event.id, user_id=person.id, status=RegistrationStatus.CONFIRMED))
            db.session.commit()
    page = client.get(f"/manage/events/{event.id}/registrations?q=李_", headers=EN).get_data(as_text=True)
    assert "李_明" in page and "李明明" not in page


def test_the_badge_search(app, client, organizer, make_event, make_candidate):
    from eventsapp.badges import services as badges
    from eventsapp.extensions import db
    from eventsapp.registrations.models import Registration, RegistrationStatus

    event = make_event()
    for name in ("王%芳", "王小芳"):
        person = make_candidate(name=name)
        with app.app_context():
            db.session.add(Registration(event_id=event.id, user_id=person.id, status=RegistrationStatus.CONFIRMED))
            db.session.commit()
    with app.app_context():
        badges.sync_badges(event.id)
        db.session.commit()
    page = client.get(f"/manage/events/{event.id}/badges?q=%25", headers=EN).get_data(as_text=True)
    assert "王%芳" in page and "王小芳" not in page
