"""Openings and bookmarks: the rules, the degree ladder, the search and its filters, without HTTP."""
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from eventsapp.accounts.models import Role, User
from eventsapp.booths.models import Booth, BoothStatus, Hall
from eventsapp.candidates.models import Degree
from eventsapp.dbtypes import utcnow
from eventsapp.events.models import EventStatus
from eventsapp.extensions import db
from eventsapp.openings import services
from eventsapp.openings.models import Bookmark
from eventsapp.openings.services import OpeningData, OpeningFilters
from eventsapp.organizations import access
from eventsapp.organizations.models import Industry, OrganizationStatus
from eventsapp.validation import ValidationFailed


def errors_of(failure: ValidationFailed) -> dict[str, list[str]]:
    """The messages by field, in English."""
    result: dict[str, list[str]] = {}
    with force_locale("en"):
        for field, message in failure.errors:
            result.setdefault(field, []).append(str(message))
    return result


def english(message) -> str:
    with force_locale("en"):
        return str(message)


def save(organization, event, **fields):
    opening = services.save_opening(organization.id, event.id, OpeningData(**{"title": "工程师", **fields}))
    db.session.commit()
    return opening


def rejected(**fields) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as caught:
        services.save_opening(1, 1, OpeningData(**{"title": "工程师", **fields}))
    return errors_of(caught.value)


@pytest.fixture
def fair(ctx, make_event):
    return make_event()


@pytest.fixture
def exhibitor(ctx, fair, make_organization, make_booth):
    """A verified organization with an approved booth at the fair."""
    organization = make_organization(name_zh="杭州云栖科技有限公司", name_en="Yunqi Tech")
    make_booth(fair, organization)
    return organization


# --- Tags -----------------------------------------------------------------------------------------

def test_tags_split_at_every_separator_trimmed_without_repeats():
    assert services.parse_tags(" Python，数据分析、python;  机器  学习 ,,", "skills") == [
        "Python", "数据分析", "机器 学习"]
    assert services.parse_tags("", "skills") == []


def test_at_most_twenty_tags_of_fifty_characters():
    with pytest.raises(ValidationFailed) as too_many:
        services.parse_tags(",".join(f"tag{n}" for n in range(21)), "majors")
    assert errors_of(too_many.value) == {"majors": ["Enter at most 20 entries; you entered 21."]}
    with pytest.raises(ValidationFailed) as too_long:
        services.parse_tags("x" * 51, "skills")
    assert "at most 50 characters" in errors_of(too_long.value)["skills"][0]
    services.parse_tags(",".join(["x" * 50] * 1), "skills")


def test_tags_that_do_not_fit_the_column_together_are_refused():
    tags = ",".join(f"{n:02d}" + "x" * 40 for n in range(12))  # 12 tags of 42: 515 characters stored
    with pytest.raises(ValidationFailed) as caught:
        services.parse_tags(tags, "skills")
    assert "at most 500 characters together" in errors_of(caught.value)["skills"][0]


# --- Saving ---------------------------------------------------------------------------------------

def test_an_opening_is_stored_cleaned_with_normalized_tags(fair, exhibitor):
    opening = save(exhibitor, fair, title="  后端工程师\x00 ", description="第一行\r\n\r\n第二行\x07  \n",
                   degree=Degree.BACHELOR, majors="计算机科学， 软件工程、计算机科学", skills="Python; SQL, python",
                   headcount=3, salary_min=15000, salary_max=25000, work_city=" 滨江区 ")
    assert (opening.title, opening.description) == ("后端工程师", "第一行\n\n第二行")
    assert (opening.majors, opening.skills, opening.work_city) == ("计算机科学,软件工程", "Python,SQL", "滨江区")
    assert (opening.organization_id, opening.event_id, opening.degree) == (exhibitor.id, fair.id, Degree.BACHELOR)
    assert services.opening_data_of(opening).majors == "计算机科学, 软件工程"


def test_editing_changes_the_same_row(fair, exhibitor):
    opening = save(exhibitor, fair, skills="Go")
    services.save_opening(exhibitor.id, fair.id, OpeningData(title="新标题", headcount=2), opening)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(type(opening))) == 1
    assert (opening.title, opening.skills, opening.headcount) == ("新标题", "", 2)


@pytest.mark.parametrize(("fields", "expected"), [
    ({"title": "   "}, {"title": ["Enter the job title."]}),
    ({"title": "x" * 201}, {"title": ["At most 200 characters."]}),
    ({"description": "x" * 5001}, {"description": ["At most 5000 characters."]}),
    ({"headcount": None}, {"headcount": ["Enter how many people you want to hire."]}),
    ({"headcount": 0}, {"headcount": ["Enter a whole number from 1 to 10000."]}),
    ({"headcount": 10_001}, {"headcount": ["Enter a whole number from 1 to 10000."]}),
    ({"salary_min": -1}, {"salary_min": ["Enter a monthly amount in yuan from 0 to 1,000,000."]}),
    ({"salary_max": 1_000_001}, {"salary_max": ["Enter a monthly amount in yuan from 0 to 1,000,000."]}),
    ({"salary_min": 30000, "salary_max": 20000},
     {"salary_max": ["The highest salary cannot be lower than the lowest."]}),
    ({"degree": Degree.OTHER}, {"degree": ["Choose a degree from the list, or no requirement."]}),
    ({"work_city": "x" * 101}, {"work_city": ["At most 100 characters."]}),
])
def test_bad_input_is_refused_beside_its_field(ctx, fields, expected):
    assert rejected(**fields) == expected


def test_every_problem_is_reported_at_once(ctx):
    assert set(rejected(title="", headcount=0, majors="x" * 60, skills=",".join(map(str, range(30))))) == {
        "title", "headcount", "majors", "skills"}


@pytest.mark.parametrize(("low", "high"), [(None, None), (8000, None), (None, 12000), (0, 0), (1_000_000, 1_000_000)])
def test_a_salary_is_optional_and_either_end_may_be_given(fair, exhibitor, low, high):
    opening = save(exhibitor, fair, salary_min=low, salary_max=high)
    assert (opening.salary_min, opening.salary_max) == (low, high)


def test_deleting_an_opening(fair, exhibitor):
    opening = save(exhibitor, fair)
    services.delete_opening(opening)
    db.session.commit()
    assert services.openings_of_organization(exhibitor.id, fair.id) == []


# --- Who may change openings ----------------------------------------------------------------------

def owner(organization) -> User:
    return db.session.get(User, organization.owner_id)


def test_only_staff_of_a_verified_organization_change_openings(ctx, fair, make_organization, make_user,
                                                               make_staff):
    staff = make_staff(make_organization())
    assert services.why_cannot_change_openings(staff, fair) == []
    assert access.can_change_openings(staff) and access.is_employer(staff)
    loner = make_user(Role.EMPLOYER)
    assert not access.can_change_openings(loner) and access.is_employer(loner)
    assert "does not belong to an organization" in english(services.why_cannot_change_openings(loner, fair)[0])
    pending = owner(make_organization(status=OrganizationStatus.PENDING))
    assert "waiting for the organizers" in english(services.why_organization_cannot_list(pending)[0])
    refused = owner(make_organization(status=OrganizationStatus.REJECTED))
    assert "was not verified" in english(services.why_organization_cannot_list(refused)[0])
    assert not access.can_change_openings(pending) and not access.can_change_openings(refused)
    assert not access.can_change_openings(make_user(Role.ORGANIZER)) and not access.is_employer(make_user())


def test_openings_change_only_while_the_event_is_published_and_not_over(ctx, make_event, make_organization,
                                                                        make_staff):
    staff = make_staff(make_organization())
    over = make_event(starts_at=utcnow() - timedelta(days=2))
    cancelled = make_event(status=EventStatus.CANCELLED)
    draft = make_event(status=EventStatus.DRAFT)
    assert "is over" in english(services.why_cannot_change_openings(staff, over)[0])
    assert "cancelled" in english(services.why_cannot_change_openings(staff, cancelled)[0])
    assert "not open yet" in english(services.why_cannot_change_openings(staff, draft)[0])
    running = make_event(starts_at=utcnow() - timedelta(hours=1))
    assert services.why_cannot_change_openings(staff, running) == []


def test_an_opening_belongs_to_its_organizations_staff_only(fair, exhibitor, make_organization, make_staff,
                                                            make_user):
    opening = save(exhibitor, fair)
    assert access.owns_opening(make_staff(exhibitor), opening)
    assert access.owns_opening(owner(exhibitor), opening)
    assert not access.owns_opening(make_staff(make_organization()), opening)
    assert not access.owns_opening(make_user(Role.CANDIDATE), opening)
    assert not access.owns_opening(make_user(Role.ORGANIZER), opening)
    assert not access.owns_opening(None, opening)


# --- Degrees and salaries -------------------------------------------------------------------------

@pytest.mark.parametrize(("candidate", "required", "expected"), [
    (Degree.BACHELOR, None, True),
    (Degree.BACHELOR, Degree.BACHELOR, True),
    (Degree.BACHELOR, Degree.ASSOCIATE, True),
    (Degree.BACHELOR, Degree.VOCATIONAL, True),
    (Degree.BACHELOR, Degree.MASTER, False),
    (Degree.VOCATIONAL, Degree.ASSOCIATE, False),
    (Degree.PHD, Degree.MASTER, True),
    (Degree.PHD, Degree.POSTDOC, False),
    (Degree.POSTDOC, Degree.POSTDOC, True),
    (Degree.OTHER, None, True),
    (Degree.OTHER, Degree.VOCATIONAL, False),
])
def test_the_degree_ladder(candidate, required, expected):
    assert services.degree_satisfies(candidate, required) is expected


@pytest.mark.parametrize(("language", "low", "high", "expected"), [
    ("en", 15000, 25000, "¥15,000–25,000 / month"),
    ("en", 8000, 8000, "¥8,000 / month"),
    ("en", 8000, None, "from ¥8,000 / month"),
    ("en", None, 1_000_000, "up to ¥1,000,000 / month"),
    ("en", None, None, ""),
    ("zh-CN", 15000, 25000, "15,000–25,000 元/月"),
])
def test_salaries_are_formatted_for_the_page_language(app, language, low, high, expected):
    with app.test_request_context(headers={"Accept-Language": language}):
        formatted = services.format_salary(low, high)
    if language == "en" or "元" in formatted:
        assert formatted == expected
    else:  # the Chinese pattern is translated at the end of the issue; the number is formatted already
        assert "15,000" in formatted and "25,000" in formatted


# --- Searching ------------------------------------------------------------------------------------

def titles(event, **filters) -> list[str]:
    return sorted(opening.title for opening in db.session.scalars(
        services.search_query(event.id, OpeningFilters(**filters))))


def test_only_organizations_with_an_approved_booth_at_that_fair_are_listed(fair, exhibitor, make_event,
                                                                           make_organization, make_booth):
    save(exhibitor, fair, title="approved")
    for status in (BoothStatus.PENDING, BoothStatus.REJECTED, BoothStatus.WITHDRAWN):
        organization = make_organization()
        make_booth(fair, organization, status=status)
        save(organization, fair, title=status.value)
    elsewhere = make_organization()
    make_booth(make_event(), elsewhere)  # approved at another fair only
    save(elsewhere, fair, title="elsewhere")
    save(make_organization(), fair, title="no booth")
    assert titles(fair) == ["approved"]


def test_an_organization_with_two_booths_is_listed_once_per_opening(fair, exhibitor, make_booth):
    make_booth(fair, exhibitor)
    save(exhibitor, fair, title="once")
    assert titles(fair) == ["once"]
    assert len(services.approved_booths_by_organization(fair.id, [exhibitor.id])[exhibitor.id]) == 2


def test_text_search_covers_title_description_organization_skills_and_majors(fair, exhibitor, make_organization,
                                                                              make_booth):
    save(exhibitor, fair, title="后端工程师", description="负责支付系统", skills="Python,SQL", majors="软件工程")
    other = make_organization(name_zh="西湖银行", name_en="West Lake Bank", industry=Industry.J)
    make_booth(fair, other)
    save(other, fair, title="柜员", skills="Excel", majors="金融学")
    assert titles(fair, text="工程师") == ["后端工程师"]
    assert titles(fair, text="支付") == ["后端工程师"]
    assert titles(fair, text="python") == ["后端工程师"]
    assert titles(fair, text="金融") == ["柜员"]
    assert titles(fair, text="west lake") == ["柜员"]
    assert titles(fair, text="云栖") == ["后端工程师"]
    assert titles(fair, text="yunqi") == ["后端工程师"]
    assert titles(fair, text="%") == [] and titles(fair, text="_") == []  # wildcards are plain characters
    assert titles(fair, text="   ") == ["后端工程师", "柜员"]


def test_the_degree_filter_shows_what_the_visitors_degree_satisfies(fair, exhibitor):
    for degree in (None, Degree.VOCATIONAL, Degree.BACHELOR, Degree.MASTER, Degree.POSTDOC):
        save(exhibitor, fair, title=degree.value if degree else "any", degree=degree)
    assert titles(fair, degree=Degree.BACHELOR) == ["any", "bachelor", "vocational"]
    assert titles(fair, degree=Degree.ASSOCIATE) == ["any", "vocational"]
    assert titles(fair, degree=Degree.PHD) == ["any", "bachelor", "master", "vocational"]
    assert titles(fair, degree=Degree.POSTDOC) == ["any", "bachelor", "master", "postdoc", "vocational"]
    assert titles(fair, degree=Degree.OTHER) == ["any"]


def test_major_city_industry_and_organization_filters(fair, exhibitor, make_organization, make_booth):
    save(exhibitor, fair, title="a", majors="计算机科学与技术,软件工程", work_city="滨江区")
    save(exhibitor, fair, title="b", majors="金融学", work_city="杭州市西湖区")
    bank = make_organization(industry=Industry.J)
    make_booth(fair, bank)
    save(bank, fair, title="c", majors="金融学", work_city="上城区")
    assert titles(fair, major="计算机") == ["a"]
    assert titles(fair, major="金融") == ["b", "c"]
    assert titles(fair, city="西湖") == ["b"]
    assert titles(fair, industry=Industry.J) == ["c"]
    assert titles(fair, industry=Industry.I) == ["a", "b"]
    assert titles(fair, organization_id=exhibitor.id, major="金融") == ["b"]
    assert titles(fair, major="金融", city="上城") == ["c"]


def test_the_search_pages_by_twenty_newest_first(fair, exhibitor):
    for number in range(45):
        save(exhibitor, fair, title=f"job {number:02d}")
    first, third = services.search_openings(fair.id, OpeningFilters(), 1), services.search_openings(
        fair.id, OpeningFilters(), 3)
    assert (first.total, first.pages, len(first.items), len(third.items)) == (45, 3, 20, 5)
    assert first.items[0].title == "job 44" and third.items[-1].title == "job 00"
    assert services.search_openings(fair.id, OpeningFilters(), 99).items == []


def test_booths_come_with_their_hall_and_cities_are_suggested(fair, exhibitor, make_organization, make_booth):
    hall = Hall(event_id=fair.id, name="A", rows=5, cols=10)
    db.session.add(hall)
    db.session.commit()
    placed = make_organization()
    booth = make_booth(fair, placed, hall_id=hall.id, row=1, col=12, code="A-12")
    save(placed, fair, work_city="滨江区")
    save(exhibitor, fair, work_city="余杭区")
    save(make_organization(), fair, work_city="临安区")  # not at the fair: not suggested
    booths = services.approved_booths_by_organization(fair.id, [placed.id, exhibitor.id])
    assert booths[placed.id] == [booth] and booths[placed.id][0].hall.name == "A"
    assert services.cities_at_event(fair.id) == ["余杭区", "滨江区"]
    assert services.organization_at_event(fair.id, placed.id) == placed
    assert services.organization_at_event(fair.id, 999_999) is None


# --- Bookmarks ------------------------------------------------------------------------------------

@pytest.fixture
def booth(fair, exhibitor) -> int:
    """The id of the exhibitor's approved booth."""
    return db.session.scalar(select(Booth.id).where(Booth.organization_id == exhibitor.id))


def bookmark_count(user) -> int:
    return db.session.scalar(select(func.count()).select_from(Bookmark).where(Bookmark.user_id == user.id))


def test_bookmarking_twice_keeps_one_bookmark_and_removing_twice_is_fine(fair, booth, make_candidate):
    candidate = make_candidate()
    for _ in range(2):
        services.set_bookmark(candidate, booth, True)
        db.session.commit()
    assert bookmark_count(candidate) == 1
    assert services.bookmarked_booth_ids(candidate, [booth, 12345]) == {booth}
    for _ in range(2):
        services.set_bookmark(candidate, booth, False)
        db.session.commit()
    assert bookmark_count(candidate) == 0


@pytest.mark.parametrize("status", [BoothStatus.PENDING, BoothStatus.REJECTED, BoothStatus.WITHDRAWN])
def test_only_approved_booths_can_be_bookmarked(fair, make_organization, make_booth, make_candidate, status):
    booth = make_booth(fair, make_organization(), status=status)
    with pytest.raises(LookupError):
        services.set_bookmark(make_candidate(), booth.id, True)


@pytest.mark.parametrize("status", [EventStatus.DRAFT, EventStatus.CANCELLED])
def test_only_booths_of_published_events_can_be_bookmarked(ctx, make_event, make_organization, make_booth,
                                                           make_candidate, status):
    booth = make_booth(make_event(status=status), make_organization())
    with pytest.raises(LookupError):
        services.set_bookmark(make_candidate(), booth.id, True)


def test_an_unknown_booth_is_not_found_either_way(ctx, make_candidate):
    for wanted in (True, False):
        with pytest.raises(LookupError):
            services.set_bookmark(make_candidate(), 999_999, wanted)


def test_a_bookmark_can_be_removed_after_the_booth_was_withdrawn(fair, booth, make_candidate):
    candidate = make_candidate()
    services.set_bookmark(candidate, booth, True)
    db.session.commit()
    withdrawn = db.session.get(Bookmark, (candidate.id, booth)).booth
    withdrawn.status = BoothStatus.WITHDRAWN
    db.session.commit()
    [group] = services.bookmarks_of(candidate)
    assert not services.is_bookmark_visible(group.bookmarks[0].booth)
    services.set_bookmark(candidate, booth, False)
    db.session.commit()
    assert services.bookmarks_of(candidate) == []


def test_bookmarks_are_grouped_by_event_and_are_each_persons_own(ctx, make_event, make_organization, make_booth,
                                                                 make_candidate):
    later, sooner = make_event(), make_event(starts_at=utcnow() + timedelta(days=3))
    booths = [make_booth(event, make_organization()) for event in (later, sooner, sooner)]
    hidden = make_event()
    hidden_booth = make_booth(hidden, make_organization())
    me, someone = make_candidate(), make_candidate()
    for booth in (*booths, hidden_booth):
        services.set_bookmark(me, booth.id, True)
    services.set_bookmark(someone, booths[0].id, True)
    db.session.commit()
    hidden.status = EventStatus.DRAFT  # unpublished after the bookmark: not shown
    db.session.commit()
    groups = services.bookmarks_of(me)
    assert [group.event for group in groups] == [sooner, later]
    assert [len(group.bookmarks) for group in groups] == [2, 1]
    assert [bookmark.booth for bookmark in services.bookmarks_of(someone)[0].bookmarks] == [booths[0]]


def test_only_candidates_bookmark(ctx, make_user, make_candidate):
    assert access.can_bookmark(make_candidate())
    for role in (Role.EMPLOYER, Role.ORGANIZER, Role.ADMIN):
        assert not access.can_bookmark(make_user(role))
    assert not access.can_bookmark(None)
    assert services.bookmarked_booth_ids(None, [1]) == set()


def test_a_bookmark_made_at_the_same_moment_elsewhere_is_not_an_error(fair, booth, make_candidate, monkeypatch):
    candidate = make_candidate()
    services.set_bookmark(candidate, booth, True)
    db.session.commit()
    db.session.expunge(db.session.get(Bookmark, (candidate.id, booth)))  # the other request's row: not in this session
    monkeypatch.setattr(db.session, "get", lambda *args, **kwargs: None)  # as if the other request was not seen
    services.set_bookmark(candidate, booth, True)
    db.session.commit()
    assert bookmark_count(candidate) == 1
