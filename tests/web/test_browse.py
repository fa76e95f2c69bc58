"""Employers browse the registrants of a fair where they hold an approved booth: filters, search, sort,
pages, and only what the candidate agreed to show."""
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from eventsapp.candidates.models import Degree, TalentClass
from eventsapp.extensions import db
from eventsapp.registrations.models import RegistrationStatus
from tests.factories import add_registrant
from tests.web import browsing
from tests.web.browsing import ids_on
from tests.web.clients import EN

fair, registrant = browsing.fair, browsing.registrant  # the fixtures, shared
THIS_YEAR = datetime.now(ZoneInfo("Asia/Shanghai")).year


def test_staff_see_the_confirmed_consenting_registrants_and_nobody_else(client, fair, registrant, app,
                                                                          make_candidate, make_event):
    shown = registrant(name="王芳", name_latin="Wang Fang")
    hidden = [registrant(consent=False), registrant(status=RegistrationStatus.WAITLISTED),
              registrant(status=RegistrationStatus.PENDING), registrant(status=RegistrationStatus.CANCELLED)]
    elsewhere = add_registrant(app, make_candidate, make_event())
    page = client.get(fair.url, headers=EN).get_data(as_text=True)
    assert ids_on(page) == [shown.id]
    assert "1 registrant matches" in page
    assert all(user.id not in ids_on(page) for user in [*hidden, elsewhere])


def test_a_card_shows_what_the_candidate_agreed_to_show_and_never_contact_details(client, fair, registrant,
                                                                                   tmp_path, app, monkeypatch):
    monkeypatch.setitem(app.config, "RESUME_FOLDER", str(tmp_path))
    user = registrant(name="李明", name_latin="Li Ming", degree=Degree.PHD, school="浙江大学", major="控制科学",
                      graduation_year=2026, talent_class=TalentClass.E, city="滨江区", phone="+8613912345678",
                      birth_year=1993, skills=("Python", "机器人"), resume=tmp_path)
    page = client.get(fair.url, headers=EN).get_data(as_text=True)
    card = page[page.index(f'data-testid="candidate-{user.id}"'):]
    for shown in ("李明", "Li Ming", "PhD", "浙江大学", "控制科学", "Graduation 2026", "Talent class E", "滨江区",
                  "Python", "机器人"):
        assert shown in card
    assert f'href="/employer/events/{fair.event.id}/candidates/{user.id}"' in card
    assert f'href="/employer/events/{fair.event.id}/candidates/{user.id}/resume"' in card
    for secret in ("13912345678", "139 1234 5678", "1993", user.email):
        assert secret not in page


def test_no_resume_link_without_a_resume(client, fair, registrant):
    user = registrant()
    assert f"/candidates/{user.id}/resume" not in client.get(fair.url).get_data(as_text=True)


def test_filters_combine(client, fair, registrant):
    match = registrant(degree=Degree.MASTER, school="浙江大学", major="计算机科学与技术", graduation_year=2026,
                       talent_class=TalentClass.E, skills=("Python",), birth_year=THIS_YEAR - 25)
    registrant(degree=Degree.BACHELOR, school="浙江大学", major="计算机科学与技术", graduation_year=2026,
               skills=("Python",))
    registrant(degree=Degree.MASTER, school="浙江工业大学", major="计算机", graduation_year=2026, skills=("Python",))
    registrant(degree=Degree.MASTER, school="浙江大学", major="计算机", graduation_year=2020, skills=("Python",))
    registrant(degree=Degree.MASTER, school="浙江大学", major="计算机", graduation_year=2026, skills=("Java",))
    registrant(degree=Degree.MASTER, school="浙江大学", major="计算机", graduation_year=2026, skills=("Python",),
               birth_year=THIS_YEAR - 40)
    registrant(degree=Degree.MASTER, school="浙江大学", major="计算机", graduation_year=2026, skills=("Python",),
               talent_class=TalentClass.F)
    query = {"degree": ["master", "phd"], "school": "浙江大学", "major": "计算机", "graduation_from": "2025",
             "graduation_to": "2027", "talent_class": ["E", "D"], "skills": "python, Go", "under_35": "y"}
    page = client.get(fair.url, query_string=query).get_data(as_text=True)
    assert ids_on(page) == [match.id]


def test_several_degrees_widen_the_list_and_every_filter_is_kept_on_the_page(client, fair, registrant):
    master, phd = registrant(degree=Degree.MASTER), registrant(degree=Degree.PHD)
    registrant(degree=Degree.BACHELOR)
    page = client.get(fair.url, query_string={"degree": ["master", "phd"], "sort": "degree"}).get_data(as_text=True)
    assert ids_on(page) == [phd.id, master.id]
    assert re.search(r'value="master"[^>]*checked|checked[^>]*value="master"', page)


def test_text_search_covers_name_latin_name_school_and_skills_and_every_word_must_match(client, fair, registrant):
    chen = registrant(name="陈静", name_latin="Chen Jing", school="浙江大学", skills=("数据分析",))
    zhou = registrant(name="周伟", name_latin="Zhou Wei", school="杭州电子科技大学", skills=("芯片设计",))

    def found(text):
        return ids_on(client.get(fair.url, query_string={"q": text}).get_data(as_text=True))

    assert found("陈") == [chen.id]
    assert found("chen jing") == [chen.id]
    assert found("电子科技") == [zhou.id]
    assert found("芯片") == [zhou.id]
    assert found("Zhou 数据") == []
    assert sorted(found("大学")) == sorted([chen.id, zhou.id])
    assert found("100%") == [] and found("_") == []  # wildcards are taken literally


def test_sorts_are_stable(client, fair, registrant):
    late = registrant(name_latin="Zhao Lei", graduation_year=2027, degree=Degree.BACHELOR)
    early = registrant(name_latin="an Na", graduation_year=2024, degree=Degree.MASTER)
    same = registrant(name_latin="Li Na", graduation_year=2024, degree=Degree.MASTER)
    none = registrant(name_latin="", name="无名", graduation_year=None, degree=None)

    def order(sort):
        return ids_on(client.get(fair.url, query_string={"sort": sort}).get_data(as_text=True))

    assert order("name") == [early.id, same.id, late.id, none.id]
    assert order("graduation_year") == [early.id, same.id, late.id, none.id]
    assert order("-graduation_year") == [late.id, early.id, same.id, none.id]
    assert order("degree") == [early.id, same.id, late.id, none.id]


def test_pages_of_25_with_the_total_and_page_links_that_keep_the_filters(client, fair, registrant):
    people = [registrant(name_latin=f"Person {n:02d}", degree=Degree.MASTER) for n in range(27)]
    first = client.get(fair.url, query_string={"degree": ["master", "phd"]}, headers=EN).get_data(as_text=True)
    assert len(ids_on(first)) == 25 and "27 registrants match" in first and "page 1 of 2" in first
    assert "degree=master&amp;degree=phd&amp;page=2" in first
    second = client.get(fair.url, query_string={"degree": ["master", "phd"], "page": 2}).get_data(as_text=True)
    assert ids_on(second) == [people[25].id, people[26].id]
    beyond = client.get(fair.url, query_string={"page": 99}, headers=EN)
    assert beyond.status_code == 200 and "Nobody matches" in beyond.get_data(as_text=True)
    assert client.get(fair.url, query_string={"page": "abc"}).status_code == 200


@pytest.mark.parametrize("query, field, message", [
    ({"graduation_from": "abc"}, "graduation_from", "Enter the year as four digits"),
    ({"graduation_to": "20266"}, "graduation_to", "Enter a year from 1960 to 2100."),
    ({"graduation_from": "2027", "graduation_to": "2025"}, "graduation_to", "The last year comes before the first."),
    ({"degree": "professor"}, "degree", "valid choice"),
    ({"talent_class": "Z"}, "talent_class", "valid choice"),
    ({"sort": "email"}, "sort", "valid choice"),
    ({"q": "x" * 101}, "q", "At most 100 characters."),
    ({"skills": ",".join(f"s{n}" for n in range(11))}, "skills", "Enter at most 10 skills."),
])
def test_bad_filter_values_get_a_message_beside_the_field_and_are_not_used(client, fair, registrant, query, field,
                                                                           message):
    user = registrant()
    response = client.get(fair.url, query_string=query, headers=EN)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page and "Please correct the fields marked below." in page
    assert ids_on(page) == [user.id]


def test_the_page_is_in_chinese_by_default(client, fair, registrant, chinese_by_default):
    registrant(degree=Degree.MASTER)
    page = client.get(fair.url).get_data(as_text=True)
    assert '<html lang="zh-CN">' in page and "秋季招聘会" in page


def test_nothing_after_the_booth_is_withdrawn(client, fair, registrant, app):
    registrant()
    assert client.get(fair.url).status_code == 200
    with app.app_context():
        from eventsapp.booths.models import Booth, BoothStatus
        db.session.get(Booth, fair.booth.id).status = BoothStatus.WITHDRAWN
        db.session.commit()
    assert client.get(fair.url).status_code == 403


def test_an_unknown_event_is_404(client, fair):
    assert client.get("/employer/events/999999/registrants").status_code == 404
