"""Every look at a candidate's profile or résumé by an employer is recorded, and the candidate reads the record
at /my/profile-views."""
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from eventsapp.accounts.models import Role
from eventsapp.browse.models import ProfileView, ViewedItem
from eventsapp.candidates.models import Degree, TalentClass
from eventsapp.extensions import db
from tests.factories import PASSWORD, add_registrant
from tests.web import browsing
from tests.web.clients import EN

fair, registrant = browsing.fair, browsing.registrant  # the fixtures, shared


@pytest.fixture
def resume_folder(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "RESUME_FOLDER", str(tmp_path))
    return tmp_path


def views(app) -> list[tuple]:
    with app.app_context():
        return [(view.candidate_id, view.viewer_id, view.organization_id, view.event_id, view.item)
                for view in db.session.scalars(select(ProfileView).order_by(ProfileView.id))]


def test_the_profile_page_shows_what_the_candidate_agreed_to_and_records_the_view(client, fair, registrant, app):
    user = registrant(name="李明", name_latin="Li Ming", degree=Degree.MASTER, school="浙江大学", major="计算机",
                      graduation_year=2026, talent_class=TalentClass.E, city="西湖区", skills=("Python",),
                      phone="+8613912345678", birth_year=1996)
    response = client.get(f"/employer/events/{fair.event.id}/candidates/{user.id}", headers=EN)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for shown in ("李明", "Li Ming", "Master's degree", "浙江大学", "计算机", "2026", "Senior talent", "西湖区",
                  "Python", "No résumé uploaded.", "Add to shortlist"):
        assert shown in page
    for secret in ("13912345678", "139 1234 5678", "1996", user.email):
        assert secret not in page
    assert views(app) == [(user.id, fair.staff.id, fair.organization.id, fair.event.id, ViewedItem.PROFILE)]
    client.get(f"/employer/events/{fair.event.id}/candidates/{user.id}")
    assert len(views(app)) == 2  # every view counts


def test_the_resume_is_an_attachment_and_its_download_is_recorded(client, fair, registrant, app, resume_folder):
    user = registrant(resume=resume_folder)
    response = client.get(f"/employer/events/{fair.event.id}/candidates/{user.id}/resume")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert views(app) == [(user.id, fair.staff.id, fair.organization.id, fair.event.id, ViewedItem.RESUME)]
    page = client.get(f"/employer/events/{fair.event.id}/candidates/{user.id}").get_data(as_text=True)
    assert f"/candidates/{user.id}/resume" in page


def test_no_resume_is_404_and_not_recorded(client, fair, registrant, app):
    user = registrant()
    assert client.get(f"/employer/events/{fair.event.id}/candidates/{user.id}/resume").status_code == 404
    assert views(app) == []


def test_candidates_the_staff_may_not_see_are_404_and_nothing_is_recorded(client, fair, registrant, app,
                                                                          make_candidate, make_event):
    hidden = registrant(consent=False)
    other_event = make_event()
    elsewhere = add_registrant(app, make_candidate, other_event)
    for event_id, candidate_id in ((fair.event.id, hidden.id), (fair.event.id, elsewhere.id),
                                   (other_event.id, elsewhere.id), (fair.event.id, 999999),
                                   (fair.event.id, fair.staff.id)):
        for suffix in ("", "/resume"):
            assert client.get(f"/employer/events/{event_id}/candidates/{candidate_id}{suffix}").status_code == 404
    assert views(app) == []


@pytest.fixture
def viewed_candidate(app, fair, registrant, client, make_organization, make_booth, make_staff, make_event):
    """A candidate whose profile two organizations opened, at two fairs."""
    user = registrant(email="seen@example.org")
    other_event = make_event(title_en="Spring fair", title_zh="春季招聘会")
    other = make_organization(name_en="Qiantang Biotech", name_zh="钱塘生物")
    with app.app_context():
        from eventsapp.registrations.models import Registration, RegistrationStatus
        db.session.add(Registration(event_id=other_event.id, user_id=user.id, status=RegistrationStatus.CONFIRMED))
        db.session.commit()
    make_booth(other_event, other)
    client.get(f"/employer/events/{fair.event.id}/candidates/{user.id}")
    client.post("/logout")
    other_staff = make_staff(other)
    client.post("/login", data={"email": other_staff.email, "password": PASSWORD})
    assert client.get(f"/employer/events/{other_event.id}/candidates/{user.id}").status_code == 200
    client.post("/logout")
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    return user


def test_the_candidate_sees_who_viewed_their_profile_newest_first(client, viewed_candidate, fair):
    page = client.get("/my/profile-views", headers=EN).get_data(as_text=True)
    assert "Who viewed my profile" in page
    rows = re.findall(r'data-testid="view-\d+">(.*?)</li>', page, re.S)
    assert len(rows) == 2
    assert "Qiantang Biotech" in rows[0] and "Spring fair" in rows[0] and "Profile" in rows[0]
    assert "West Lake Robotics" in rows[1] and "Autumn fair" in rows[1]
    assert fair.staff.email not in page  # the organization, not the person
    chinese = client.get("/my/profile-views", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "钱塘生物" in chinese and "西湖机器人" in chinese


def test_the_time_is_shown_in_local_time(client, app, make_candidate, login):
    user = make_candidate()
    with app.app_context():
        db.session.add(ProfileView(candidate_id=user.id, item=ViewedItem.RESUME,
                                   created_at=datetime(2027, 9, 28, 1, 30, tzinfo=UTC)))
        db.session.commit()
    login(user)
    page = client.get("/my/profile-views", headers=EN).get_data(as_text=True)
    assert "28 Sep 2027, 09:30" in page and "Résumé" in page
    assert "An organization that has since left" in page


def test_only_the_candidates_own_views_and_in_pages(client, app, make_candidate, login):
    me, other = make_candidate(), make_candidate()
    start = datetime(2027, 1, 1, tzinfo=UTC)
    with app.app_context():
        db.session.add_all(ProfileView(candidate_id=me.id, item=ViewedItem.PROFILE,
                                       created_at=start + timedelta(minutes=n)) for n in range(30))
        db.session.add(ProfileView(candidate_id=other.id, item=ViewedItem.PROFILE, created_at=start))
        db.session.commit()
    login(me)
    first = client.get("/my/profile-views", headers=EN).get_data(as_text=True)
    assert len(re.findall(r'data-testid="view-', first)) == 25 and "page=2" in first
    second = client.get("/my/profile-views?page=2", headers=EN).get_data(as_text=True)
    assert len(re.findall(r'data-testid="view-', second)) == 5


def test_an_empty_record(client, make_candidate, login):
    login(make_candidate())
    assert "No employer has opened your profile yet." in client.get("/my/profile-views", headers=EN).get_data(
        as_text=True)


@pytest.mark.parametrize("role", [Role.EMPLOYER, Role.ORGANIZER])
def test_only_candidates_have_the_page(client, make_user, login, role):
    login(make_user(role))
    assert client.get("/my/profile-views").status_code == 403
