"""The public search of a fair's openings, over HTTP."""
import re

import pytest
from sqlalchemy import event as sa_event

from eventsapp.accounts.models import Role
from eventsapp.booths.models import BoothStatus, Hall
from eventsapp.candidates.models import Degree
from eventsapp.events.models import EventStatus
from eventsapp.extensions import db
from eventsapp.openings.models import Opening
from eventsapp.organizations.models import Industry
from tests.web.clients import client_for

EN = {"Accept-Language": "en"}


def add_opening(app, organization, event, **fields) -> Opening:
    with app.app_context():
        opening = Opening(organization_id=organization.id, event_id=event.id, **{"title": "工程师", **fields})
        db.session.add(opening)
        db.session.commit()
        db.session.refresh(opening)
        db.session.expunge(opening)
        return opening


def add_hall(app, event, name="A") -> Hall:
    with app.app_context():
        hall = Hall(event_id=event.id, name=name, rows=10, cols=20)
        db.session.add(hall)
        db.session.commit()
        db.session.refresh(hall)
        db.session.expunge(hall)
        return hall


def result_ids(page: str) -> list[int]:
    return [int(number) for number in re.findall(r'data-testid="opening-(\d+)"', page)]


@pytest.fixture
def fair(make_event):
    return make_event(slug="autumn-fair", title_en="Autumn job fair")


@pytest.fixture
def company(fair, make_organization, make_booth):
    organization = make_organization(name_zh="杭州云栖科技有限公司", name_en="Yunqi Tech")
    make_booth(fair, organization)
    return organization


def test_anyone_searches_a_fairs_openings(app, client, fair, company):
    opening = add_opening(app, company, fair, title="后端工程师", degree=Degree.BACHELOR, headcount=3,
                          salary_min=15000, salary_max=25000, work_city="滨江区", skills="Python,SQL",
                          majors="计算机科学,软件工程", description="负责支付系统")
    page = client.get("/events/autumn-fair/openings", headers=EN).get_data(as_text=True)
    assert result_ids(page) == [opening.id]
    for text in ("后端工程师", "Yunqi Tech", "Information transmission, software and IT services",
                 "Bachelor&#39;s degree or higher", "3 people", "¥15,000–25,000 / month", "滨江区",
                 '>Python</span>', '>SQL</span>', "计算机科学、软件工程", "负责支付系统", "Booth place to be announced",
                 "1 opening"):
        assert text in page, text


def test_the_chinese_page_shows_the_chinese_name(app, client, fair, company, chinese_by_default):
    add_opening(app, company, fair)
    page = client.get("/events/autumn-fair/openings").get_data(as_text=True)
    assert "杭州云栖科技有限公司" in page and '<html lang="zh-CN">' in page


def test_a_placed_booth_shows_its_code_and_hall(app, client, fair, make_organization, make_booth):
    hall = add_hall(app, fair, "B")
    organization = make_organization()
    make_booth(fair, organization, hall_id=hall.id, row=2, col=12, code="B-12")
    add_opening(app, organization, fair)
    page = client.get("/events/autumn-fair/openings", headers=EN).get_data(as_text=True)
    assert "Booth B-12 · Hall B" in page


def test_only_organizations_with_an_approved_booth_are_listed(app, client, fair, company, make_organization,
                                                              make_booth, make_staff, login):
    shown = add_opening(app, company, fair, title="公开职位")
    waiting = make_organization()
    make_booth(fair, waiting, status=BoothStatus.PENDING)
    hidden = add_opening(app, waiting, fair, title="待审核职位")
    page = client.get("/events/autumn-fair/openings").get_data(as_text=True)
    assert result_ids(page) == [shown.id] and "待审核职位" not in page
    login(make_staff(waiting))  # its own staff still see it on their own page, not in the search
    assert "待审核职位" in client.get(f"/employer/events/{fair.id}/openings").get_data(as_text=True)
    assert hidden.id not in result_ids(client.get("/events/autumn-fair/openings").get_data(as_text=True))


def test_draft_and_unknown_events_are_not_found(app, client, make_event, make_organization, make_booth,
                                                make_candidate, organizer):
    """A draft fair is there only for organizers, who preview it (as its floor plan and the API)."""
    draft = make_event(status=EventStatus.DRAFT, slug="secret-fair")
    organization = make_organization()
    make_booth(draft, organization)
    add_opening(app, organization, draft)
    assert client.get("/events/secret-fair/openings").status_code == 200
    assert client_for(app, make_candidate()).get("/events/secret-fair/openings").status_code == 404
    assert app.test_client().get("/events/secret-fair/openings").status_code == 404
    assert client.get("/events/no-such-fair/openings").status_code == 404


def test_a_cancelled_event_says_so(client, make_event):
    make_event(status=EventStatus.CANCELLED, slug="called-off")
    page = client.get("/events/called-off/openings", headers=EN).get_data(as_text=True)
    assert "This event has been cancelled." in page and "No openings have been published" in page


def test_filters_from_the_query_string(app, client, fair, company, make_organization, make_booth):
    engineer = add_opening(app, company, fair, title="工程师", degree=Degree.MASTER, majors="计算机科学",
                           work_city="滨江区")
    anyone = add_opening(app, company, fair, title="客服", work_city="余杭区")
    bank = make_organization(name_en="West Lake Bank", industry=Industry.J)
    make_booth(fair, bank)
    teller = add_opening(app, bank, fair, title="柜员", degree=Degree.BACHELOR, majors="金融学", work_city="上城区")

    def ids(query: str) -> set[int]:
        return set(result_ids(client.get(f"/events/autumn-fair/openings?{query}").get_data(as_text=True)))

    assert ids("") == {engineer.id, anyone.id, teller.id}
    assert ids("q=west+lake") == {teller.id}
    assert ids("degree=bachelor") == {anyone.id, teller.id}
    assert ids("degree=phd") == {engineer.id, anyone.id, teller.id}
    assert ids("degree=other") == {anyone.id}
    assert ids("major=计算机") == {engineer.id}
    assert ids("city=余杭") == {anyone.id}
    assert ids("industry=J") == {teller.id}
    assert ids(f"organization={company.id}") == {engineer.id, anyone.id}
    assert ids(f"organization={company.id}&degree=bachelor") == {anyone.id}


def test_nonsense_filters_are_ignored_not_an_error(app, client, fair, company):
    opening = add_opening(app, company, fair)
    for query in ("degree=wizard", "industry=Z", "organization=abc", "page=-3", "page=abc", "q=" + "长" * 500,
                  "major=%00", "city=\x00"):
        response = client.get(f"/events/autumn-fair/openings?{query}")
        assert response.status_code == 200, query
    assert result_ids(client.get("/events/autumn-fair/openings?degree=wizard").get_data(as_text=True)) == [opening.id]


def test_the_organization_filter_names_the_organization_and_can_be_removed(app, client, fair, company):
    add_opening(app, company, fair)
    page = client.get(f"/events/autumn-fair/openings?organization={company.id}&q=工程", headers=EN)
    text = page.get_data(as_text=True)
    assert "Only Yunqi Tech" in text
    assert 'href="/events/autumn-fair/openings?q=%E5%B7%A5%E7%A8%8B"' in text  # the ×: other filters stay
    assert f'name="organization" value="{company.id}"' in text  # kept when the other filters change


def test_twenty_results_a_page_with_links_that_keep_the_filters(app, client, fair, company):
    for number in range(45):
        add_opening(app, company, fair, title=f"职位 {number:02d}", work_city="滨江区")
    first = client.get("/events/autumn-fair/openings?city=滨江", headers=EN).get_data(as_text=True)
    assert len(result_ids(first)) == 20 and "45 openings" in first
    assert "/events/autumn-fair/openings?city=%E6%BB%A8%E6%B1%9F&amp;page=3" in first
    third = client.get("/events/autumn-fair/openings?city=滨江&page=3").get_data(as_text=True)
    assert len(result_ids(third)) == 5 and "职位 00" in third
    assert result_ids(client.get("/events/autumn-fair/openings?page=9").get_data(as_text=True)) == []


def test_the_page_asks_the_database_the_same_number_of_times_for_one_result_or_twenty(
        app, client, fair, make_organization, make_booth, make_candidate, login):
    hall = add_hall(app, fair)
    login(make_candidate())

    def add_exhibitor(number: int):
        organization = make_organization()
        make_booth(fair, organization, hall_id=hall.id, row=1, col=number, code=f"A-{number}")
        add_opening(app, organization, fair, skills="Python,SQL")

    def statements() -> int:
        counted = []
        with app.app_context():
            listener = lambda *args: counted.append(1)  # noqa: E731
            sa_event.listen(db.engine, "before_cursor_execute", listener)
            try:
                assert client.get("/events/autumn-fair/openings").status_code == 200
            finally:
                sa_event.remove(db.engine, "before_cursor_execute", listener)
        return len(counted)

    add_exhibitor(1)
    with_one = statements()
    for number in range(2, 21):
        add_exhibitor(number)
    assert statements() == with_one


@pytest.mark.parametrize("role", [None, Role.CANDIDATE])
def test_visitors_and_candidates_see_bookmark_buttons_others_do_not(app, client, fair, company, make_user, login,
                                                                    role):
    add_opening(app, company, fair)
    if role:
        login(make_user(role))
    assert "Bookmark booth" in client.get("/events/autumn-fair/openings", headers=EN).get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.EMPLOYER, Role.ORGANIZER])
def test_employers_and_organizers_see_no_bookmark_buttons(app, client, fair, company, make_user, login, role):
    add_opening(app, company, fair)
    login(make_user(role))
    page = client.get("/events/autumn-fair/openings", headers=EN).get_data(as_text=True)
    assert "Bookmark booth" not in page and "工程师" in page
