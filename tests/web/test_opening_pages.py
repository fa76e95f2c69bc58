"""Employers keep their openings per fair, over HTTP: the access matrix, the form and its messages."""
import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from eventsapp.accounts.models import Role, User
from eventsapp.candidates.models import Degree
from eventsapp.dbtypes import utcnow
from eventsapp.events.models import EventKind, EventStatus
from eventsapp.extensions import db
from eventsapp.openings.models import Opening
from eventsapp.organizations.models import OrganizationStatus

EN = {"Accept-Language": "en"}


def opening_form(**overrides):
    data = dict(title="后端工程师", description="负责支付系统。", degree="bachelor", majors="计算机科学，软件工程",
                skills="Python, SQL、英语", headcount="3", salary_min="15,000", salary_max="25000", work_city="滨江区")
    data.update(overrides)
    return data


def add_opening(app, organization, event, **fields) -> Opening:
    with app.app_context():
        opening = Opening(organization_id=organization.id, event_id=event.id, **{"title": "工程师", **fields})
        db.session.add(opening)
        db.session.commit()
        db.session.refresh(opening)
        db.session.expunge(opening)
        return opening


def stored(app, opening_id) -> Opening | None:
    with app.app_context():
        opening = db.session.get(Opening, opening_id)
        if opening is not None:
            db.session.expunge(opening)
        return opening


def count_openings(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Opening))


def owner_of(app, organization) -> User:
    with app.app_context():
        user = db.session.get(User, organization.owner_id)
        db.session.expunge(user)
        return user


def error_beside(page: str, field_id: str) -> str:
    match = re.search(rf'id="{field_id}"[^>]*>(?:.*?</(?:select|textarea)>)?'
                      r'((?:\s*<div class="invalid-feedback">[^<]*</div>)+)', page, re.S)
    assert match, f"no error shown beside {field_id}"
    return html.unescape(match.group(1))


@pytest.fixture
def fair(make_event):
    return make_event(title_en="Autumn job fair", slug="autumn-fair")


@pytest.fixture
def company(make_organization):
    return make_organization(name_zh="杭州云栖科技有限公司", name_en="Yunqi Tech")


@pytest.fixture
def staff(company, make_staff):
    return make_staff(company)


# --- The access matrix ----------------------------------------------------------------------------

def employer_urls(event_id: int, opening_id: int) -> list[tuple[str, str]]:
    return [("get", "/employer/openings"), ("get", f"/employer/events/{event_id}/openings"),
            ("post", f"/employer/events/{event_id}/openings"), ("get", f"/employer/openings/{opening_id}"),
            ("post", f"/employer/openings/{opening_id}"), ("post", f"/employer/openings/{opening_id}/delete")]


def test_anonymous_visitors_are_sent_to_log_in(app, client, fair, company):
    opening = add_opening(app, company, fair)
    for method, url in employer_urls(fair.id, opening.id):
        response = getattr(client, method)(url, data=opening_form())
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    assert stored(app, opening.id) is not None


@pytest.mark.parametrize("role", [Role.CANDIDATE, Role.ORGANIZER, Role.ADMIN])
def test_other_accounts_are_refused(app, client, fair, company, make_user, login, role):
    opening = add_opening(app, company, fair)
    login(make_user(role))
    for method, url in employer_urls(fair.id, opening.id):
        assert getattr(client, method)(url, data=opening_form()).status_code == 403, url
    assert stored(app, opening.id).title == "工程师" and count_openings(app) == 1


def test_an_employer_without_an_organization_is_told_what_to_do(app, client, fair, make_user, login):
    login(make_user(Role.EMPLOYER))
    for url in ("/employer/openings", f"/employer/events/{fair.id}/openings"):
        page = client.get(url, headers=EN).get_data(as_text=True)
        assert "does not belong to an organization yet" in page
        assert 'name="title"' not in page
    response = client.post(f"/employer/events/{fair.id}/openings", data=opening_form(), headers=EN)
    assert response.status_code == 403 and "does not belong to an organization yet" in response.get_data(as_text=True)
    assert count_openings(app) == 0


@pytest.mark.parametrize(("status", "message"), [(OrganizationStatus.PENDING, "waiting for the organizers"),
                                                 (OrganizationStatus.REJECTED, "was not verified")])
def test_staff_of_an_unverified_organization_cannot_add_or_change(app, client, fair, make_organization, make_staff,
                                                                  login, status, message):
    organization = make_organization(status=status)
    opening = add_opening(app, organization, fair)
    login(make_staff(organization))
    page = client.get(f"/employer/events/{fair.id}/openings", headers=EN).get_data(as_text=True)
    assert message in page and 'name="title"' not in page and "工程师" in page  # their list, read only
    for method, url in employer_urls(fair.id, opening.id)[2:]:
        if method == "post":
            response = client.post(url, data=opening_form(title="改"), headers=EN)
            assert response.status_code == 403 and message in response.get_data(as_text=True), url
    assert stored(app, opening.id).title == "工程师" and count_openings(app) == 1


def test_staff_of_another_organization_get_404_for_its_openings(app, client, fair, company, make_organization,
                                                                make_staff, login):
    opening = add_opening(app, company, fair, title="别人的职位")
    login(make_staff(make_organization()))
    for method, url in employer_urls(fair.id, opening.id)[3:]:
        assert getattr(client, method)(url, data=opening_form()).status_code == 404, url
    assert "别人的职位" not in client.get(f"/employer/events/{fair.id}/openings").get_data(as_text=True)
    assert stored(app, opening.id).title == "别人的职位"


def test_unknown_ids_and_draft_events_are_not_found(app, client, make_event, company, staff, login):
    login(staff)
    draft = make_event(status=EventStatus.DRAFT)
    opening = add_opening(app, company, draft)
    for url in ("/employer/events/999999/openings", f"/employer/events/{draft.id}/openings",
                "/employer/openings/999999", f"/employer/openings/{opening.id}"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/employer/events/{draft.id}/openings", data=opening_form()).status_code == 404
    assert client.post("/employer/openings/999999/delete").status_code == 404


@pytest.mark.parametrize(("overrides", "message"), [
    ({"starts_at": utcnow() - timedelta(days=3)}, "This event is over"),
    ({"status": EventStatus.CANCELLED}, "This event has been cancelled"),
])
def test_openings_of_a_past_or_cancelled_event_are_read_only(app, client, make_event, company, staff, login,
                                                             overrides, message):
    event = make_event(**overrides)
    opening = add_opening(app, company, event)
    login(staff)
    page = client.get(f"/employer/events/{event.id}/openings", headers=EN).get_data(as_text=True)
    assert message in page and "工程师" in page and 'name="title"' not in page
    assert client.post(f"/employer/events/{event.id}/openings", data=opening_form()).status_code == 403
    assert client.post(f"/employer/openings/{opening.id}", data=opening_form(title="改")).status_code == 403
    assert client.post(f"/employer/openings/{opening.id}/delete").status_code == 403
    assert stored(app, opening.id).title == "工程师" and count_openings(app) == 1


# --- Staff of the owning organization -------------------------------------------------------------

@pytest.mark.parametrize("who", ["owner", "staff"])
def test_any_member_adds_an_opening(app, client, fair, company, make_staff, login, who):
    login(make_staff(company) if who == "staff" else owner_of(app, company))
    response = client.post(f"/employer/events/{fair.id}/openings", data=opening_form())
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/employer/events/{fair.id}/openings")
    with app.app_context():
        opening = db.session.scalar(select(Opening))
        assert (opening.organization_id, opening.event_id, opening.title) == (company.id, fair.id, "后端工程师")
        assert (opening.majors, opening.skills) == ("计算机科学,软件工程", "Python,SQL,英语")
        assert (opening.degree, opening.headcount, opening.salary_min, opening.salary_max) == (
            Degree.BACHELOR, 3, 15000, 25000)
    page = client.get(f"/employer/events/{fair.id}/openings", headers=EN).get_data(as_text=True)
    assert "added" in page and "后端工程师" in page and "¥15,000–25,000 / month" in page
    assert "Bachelor&#39;s degree or higher" in page


def test_the_list_page_says_whether_candidates_see_the_openings(app, client, fair, company, staff, make_booth,
                                                                login):
    login(staff)
    page = client.get(f"/employer/events/{fair.id}/openings", headers=EN).get_data(as_text=True)
    assert "Only you and your colleagues see these openings" in page
    make_booth(fair, company)
    page = client.get(f"/employer/events/{fair.id}/openings", headers=EN).get_data(as_text=True)
    assert "Candidates see these openings" in page and "Booth place to be announced" in page
    events_page = client.get("/employer/openings", headers=EN).get_data(as_text=True)
    assert "Autumn job fair" in events_page and "Booth approved" in events_page and "0 openings" in events_page


@pytest.mark.parametrize(("overrides", "field_id", "message"), [
    ({"title": "  "}, "title", "Enter the job title."),
    ({"title": "x" * 201}, "title", "At most 200 characters."),
    ({"description": "x" * 5001}, "description", "At most 5000 characters."),
    ({"headcount": ""}, "headcount", "Enter how many people you want to hire."),
    ({"headcount": "abc"}, "headcount", "Enter a whole number in digits."),
    ({"headcount": "0"}, "headcount", "Enter a whole number from 1 to 10000."),
    ({"headcount": "10001"}, "headcount", "Enter a whole number from 1 to 10000."),
    ({"salary_min": "-5"}, "salary_min", "Enter a monthly amount in yuan from 0 to 1,000,000."),
    ({"salary_max": "2000000"}, "salary_max", "Enter a monthly amount in yuan from 0 to 1,000,000."),
    ({"salary_max": "1.5万"}, "salary_max", "Enter a whole number in digits."),
    ({"salary_min": "30000", "salary_max": "20000"}, "salary_max",
     "The highest salary cannot be lower than the lowest."),
    ({"majors": ",".join(f"专业{n}" for n in range(21))}, "majors", "Enter at most 20 entries; you entered 21."),
    ({"skills": "x" * 51}, "skills", "Each entry can have at most 50 characters"),
    ({"degree": "other"}, "degree", "Choose a degree from the list, or no requirement."),
    ({"degree": "nonsense"}, "degree", "Choose a degree from the list, or no requirement."),
    ({"work_city": "区" * 101}, "work_city", "At most 100 characters."),
])
def test_bad_input_gets_a_message_beside_the_field(app, client, fair, staff, login, overrides, field_id, message):
    login(staff)
    response = client.post(f"/employer/events/{fair.id}/openings", data=opening_form(**overrides), headers=EN)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in error_beside(page, field_id)
    assert "Please correct the fields marked below." in page
    assert count_openings(app) == 0


def test_the_form_keeps_what_was_typed_after_an_error(client, fair, staff, login):
    login(staff)
    page = client.post(f"/employer/events/{fair.id}/openings", data=opening_form(title="")).get_data(as_text=True)
    assert 'value="计算机科学，软件工程"' in page and "负责支付系统。" in page


def test_staff_edit_and_delete_their_organizations_opening(app, client, fair, company, staff, login):
    opening = add_opening(app, company, fair, title="旧标题", skills="Go,Rust", salary_min=9000)
    login(staff)
    page = client.get(f"/employer/openings/{opening.id}").get_data(as_text=True)
    assert 'value="旧标题"' in page and 'value="Go, Rust"' in page and 'value="9000"' in page
    response = client.post(f"/employer/openings/{opening.id}", data=opening_form(title="新标题", salary_min=""))
    assert response.status_code == 302
    changed = stored(app, opening.id)
    assert (changed.title, changed.salary_min, changed.salary_max) == ("新标题", None, 25000)
    response = client.post(f"/employer/openings/{opening.id}", data=opening_form(headcount="0"), headers=EN)
    assert response.status_code == 422 and "from 1 to 10000" in error_beside(response.get_data(as_text=True),
                                                                            "headcount")
    response = client.post(f"/employer/openings/{opening.id}/delete")
    assert response.status_code == 302 and stored(app, opening.id) is None
    assert client.post(f"/employer/openings/{opening.id}/delete").status_code == 404  # a second submit


def test_a_forged_form_without_its_csrf_token_is_refused(app, client, fair, company, staff, login, monkeypatch):
    opening = add_opening(app, company, fair)
    login(staff)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post(f"/employer/events/{fair.id}/openings", data=opening_form()).status_code in (400, 422)
    assert client.post(f"/employer/openings/{opening.id}/delete").status_code == 400
    assert count_openings(app) == 1


def test_the_pages_are_in_chinese_by_default(client, fair, staff, login, chinese_by_default):
    login(staff)
    page = client.get(f"/employer/events/{fair.id}/openings").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page and "name=\"title\"" in page


def test_a_word_instead_of_a_number_gets_one_clear_message(client, fair, staff, login):
    login(staff)
    page = client.post(f"/employer/events/{fair.id}/openings", data=opening_form(headcount="三"),
                       headers=EN).get_data(as_text=True)
    assert error_beside(page, "headcount").count("invalid-feedback") == 1


def test_only_events_with_booths_have_openings(app, client, make_event, company, staff, login):
    conference = make_event(kind=EventKind.CONFERENCE, slug="conference")
    talent_day = make_event(kind=EventKind.TALENT_DAY, slug="talent-day")
    login(staff)
    assert client.get(f"/employer/events/{conference.id}/openings").status_code == 404
    assert client.get(f"/employer/events/{talent_day.id}/openings").status_code == 200
    page = client.get("/employer/openings").get_data(as_text=True)
    assert f'data-testid="event-{talent_day.id}"' in page and f'data-testid="event-{conference.id}"' not in page
    assert client.get("/events/conference/openings").status_code == 404
    assert client.get("/events/talent-day/openings").status_code == 200
