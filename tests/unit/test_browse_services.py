"""The browse services without HTTP: the query's filters, shortlists, the record of views, the CSV renderer."""
import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import select

from eventsapp.booths.models import Booth, BoothStatus
from eventsapp.browse import export, services
from eventsapp.browse.models import ProfileView, ShortlistEntry, ViewedItem
from eventsapp.browse.services import BrowseFilters
from eventsapp.candidates.models import CandidateProfile, CandidateSkill, Degree, TalentClass
from eventsapp.extensions import db
from eventsapp.organizations import access
from eventsapp.registrations.models import Registration, RegistrationStatus
from eventsapp.typedtext import split_tags
from eventsapp.validation import ValidationFailed

THIS_YEAR = 2027


@pytest.fixture
def event(ctx, make_event):
    return make_event()


@pytest.fixture
def person(event, make_candidate):
    """A candidate confirmed for the event and visible to its employers, unless told otherwise."""
    def make(status=RegistrationStatus.CONFIRMED, consent=True, skills=(), **profile):
        user = make_candidate(show_to_employers=consent, **profile)
        db.session.add(Registration(event_id=event.id, user_id=user.id, status=status))
        db.session.add_all(CandidateSkill(user_id=user.id, name=name) for name in skills)
        db.session.commit()
        return user
    return make


@pytest.fixture
def booth(event, make_organization, make_booth):
    return db.session.get(Booth, make_booth(event, make_organization()).id)


def found(event, **filters) -> list[int]:
    query = services.registrants_query(event.id, BrowseFilters(**filters), THIS_YEAR)
    return [profile.user_id for profile in db.session.scalars(query)]


def test_only_confirmed_and_consenting_registrants_of_this_event(event, person, make_event, make_candidate):
    visible = person()
    person(consent=False)
    for status in (RegistrationStatus.PENDING, RegistrationStatus.WAITLISTED, RegistrationStatus.CANCELLED,
                   RegistrationStatus.REJECTED):
        person(status=status)
    other = make_event()
    elsewhere = make_candidate(show_to_employers=True)
    db.session.add(Registration(event_id=other.id, user_id=elsewhere.id, status=RegistrationStatus.CONFIRMED))
    db.session.commit()
    assert found(event) == [visible.id]
    assert found(other) == [elsewhere.id]


def test_under_35_means_born_after_this_year_minus_35_and_an_unknown_birth_year_does_not_count(event, person):
    young = person(birth_year=THIS_YEAR - 34)
    person(birth_year=THIS_YEAR - 35)
    person(birth_year=None)
    assert found(event, under_35=True) == [young.id]


def test_skills_match_any_tag_ignoring_case_and_each_person_once(event, person):
    both = person(skills=("Python", "Go"))
    one = person(skills=("go",))
    person(skills=("Java",))
    person(skills=())
    assert sorted(found(event, skills=("GO", "python"))) == sorted([both.id, one.id])


def test_graduation_years_are_inclusive_and_an_unknown_year_is_left_out_by_a_range(event, person):
    early, late = person(graduation_year=2024), person(graduation_year=2026)
    person(graduation_year=None)
    assert sorted(found(event, graduation_from=2024, graduation_to=2026)) == sorted([early.id, late.id])
    assert found(event, graduation_from=2025) == [late.id]
    assert found(event, graduation_to=2024) == [early.id]


def test_major_and_school_are_substrings_ignoring_case(event, person):
    match = person(school="Zhejiang University", major="Computer Science")
    person(school="Zhejiang University", major="Law")
    assert found(event, school="zhejiang", major="COMPUTER") == [match.id]


def test_degrees_and_talent_classes_are_sets(event, person):
    phd = person(degree=Degree.PHD, talent_class=TalentClass.E)
    master = person(degree=Degree.MASTER, talent_class=TalentClass.D)
    person(degree=Degree.BACHELOR, talent_class=None)
    assert sorted(found(event, degrees=(Degree.PHD, Degree.MASTER))) == sorted([phd.id, master.id])
    assert found(event, talent_classes=(TalentClass.E, TalentClass.A)) == [phd.id]


def test_search_words_each_match_some_field_and_at_most_five_count(event, person):
    match = person(name="张伟", name_latin="Zhang Wei", school="浙江大学", skills=("机器学习",))
    person(name="张伟", name_latin="Zhang Wei", school="宁波大学")
    assert found(event, search="zhang 浙江 机器") == [match.id]
    assert services.search_words("a b c d e f g") == ["a", "b", "c", "d", "e"]
    assert found(event, search="%") == [] and found(event, search="\\") == []


def test_profiles_are_fetched_with_their_skills_in_one_more_query(event, person):
    person(skills=("Python", "SQL"))
    [profile] = db.session.scalars(services.registrants_query(event.id, BrowseFilters(), THIS_YEAR)).all()
    assert "skills" in profile.__dict__ and profile.skill_names == ["Python", "SQL"]


def test_a_page_and_the_total_come_from_one_query(event, person, app):
    people = [person(name_latin=f"Person {n:02d}") for n in range(27)]
    statements = []

    def listener(connection, cursor, statement, *args):
        statements.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", listener)
    try:
        second = services.browse_registrants(event.id, BrowseFilters(), THIS_YEAR, page=2)
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", listener)
    assert [profile.user_id for profile in second.items] == [people[25].id, people[26].id]
    assert (second.total, second.pages, second.page) == (27, 2, 2)
    assert len([sql for sql in statements if "candidate_profile" in sql and "count" in sql.lower()]) == 1
    beyond = services.browse_registrants(event.id, BrowseFilters(), THIS_YEAR, page=5)
    assert beyond.items == [] and beyond.total == 27
    assert services.browse_registrants(event.id, BrowseFilters(), THIS_YEAR, page=-3).page == 1


def test_visible_profile(event, person):
    visible, hidden = person(), person(consent=False)
    assert services.visible_profile(event.id, visible.id).user_id == visible.id
    assert services.visible_profile(event.id, hidden.id) is None


# --- Shortlists -----------------------------------------------------------------------------------

def test_adding_and_changing_an_entry(booth, person, make_user):
    staff, user = make_user(), person()
    entry = services.add_to_shortlist(booth, user.id, staff, note="  good  ", rank=3)
    assert (entry.candidate_id, entry.note, entry.rank, entry.added_by_id) == (user.id, "good", 3, staff.id)
    again = services.add_to_shortlist(booth, user.id, staff)
    assert again.id == entry.id and (again.note, again.rank) == ("good", 3)
    services.update_entry(entry, "", None)
    assert (entry.note, entry.rank) == ("", None)


def test_only_visible_candidates_can_be_added(booth, person, make_user):
    with pytest.raises(LookupError):
        services.add_to_shortlist(booth, person(consent=False).id, make_user())
    with pytest.raises(LookupError):
        services.add_to_shortlist(booth, 999999, make_user())


@pytest.mark.parametrize("note, rank, field", [("x" * 2001, None, "note"), ("", 0, "rank"), ("", 10_000, "rank")])
def test_bad_notes_and_ranks_are_refused_by_field(booth, person, make_user, note, rank, field):
    with pytest.raises(ValidationFailed) as refused:
        services.add_to_shortlist(booth, person().id, make_user(), note=note, rank=rank)
    assert [name for name, _message in refused.value.errors] == [field]


def test_the_shortlist_is_ranked_then_in_order_added_and_hides_who_can_no_longer_be_seen(booth, person, make_user):
    staff = make_user()
    unranked, second, first, gone = person(), person(), person(), person()
    for user, rank in ((unranked, None), (second, 2), (first, 1), (gone, 1)):
        services.add_to_shortlist(booth, user.id, staff, rank=rank)
    db.session.get(CandidateProfile, gone.id).show_to_employers = False
    db.session.flush()
    rows = services.shortlist_of(booth)
    assert [row.entry.candidate_id for row in rows] == [first.id, gone.id, second.id, unranked.id]
    assert [row.profile is None for row in rows] == [False, True, False, False]


def test_shortlisted_ids(booth, person, make_user):
    on, off = person(), person()
    services.add_to_shortlist(booth, on.id, make_user())
    assert services.shortlisted_ids(booth, [on.id, off.id]) == {on.id}
    assert services.shortlisted_ids(booth, []) == set()


def test_removing_an_entry(booth, person, make_user):
    entry = services.add_to_shortlist(booth, person().id, make_user())
    assert services.find_entry(booth, entry.id) is entry
    services.remove_entry(entry)
    assert db.session.scalars(select(ShortlistEntry)).all() == []


def test_find_entry_only_finds_the_booths_own(booth, event, person, make_user, make_organization, make_booth):
    other = db.session.get(Booth, make_booth(event, make_organization()).id)
    entry = services.add_to_shortlist(other, person().id, make_user())
    assert services.find_entry(booth, entry.id) is None


def test_the_shortlist_is_open_only_to_the_staff_of_an_approved_booth(booth, make_organization, make_staff,
                                                                     make_user):
    staff = make_staff(booth.organization)
    assert access.can_use_shortlist(staff, booth)
    assert not access.can_use_shortlist(make_staff(make_organization()), booth)
    assert not access.can_use_shortlist(make_user(), booth)
    booth.status = BoothStatus.WITHDRAWN
    assert not access.can_use_shortlist(staff, booth)


def test_the_csv_renderer(booth, person, make_user):
    staff = make_user()
    user = person(name="李明", name_latin="Li Ming", degree=Degree.PHD, school="+浙江大学", major="AI",
                  graduation_year=2026, talent_class=TalentClass.E, skills=("Python",))
    services.add_to_shortlist(booth, user.id, staff, note="=1+1", rank=1)
    body = export.shortlist_csv(services.shortlist_of(booth), "hidden")
    assert body.startswith("\ufeff".encode())
    assert list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))[1] == [
        "1", "李明", "Li Ming", "PhD", "'+浙江大学", "AI", "2026", "Talent class E", "Python", "'=1+1", "", ""]
    codes = export.shortlist_csv(services.shortlist_of(booth), "hidden", codes=True)
    assert list(csv.reader(io.StringIO(codes.decode("utf-8-sig"))))[1][3:8] == ["phd", "'+浙江大学", "AI", "2026", "E"]


# --- The record of views --------------------------------------------------------------------------

def test_views_are_recorded_and_listed_newest_first(booth, person, make_user):
    staff, user = make_user(), person()
    older = services.record_view(user.id, staff, booth.organization_id, booth.event_id, ViewedItem.PROFILE)
    older.created_at = datetime.now(UTC) - timedelta(days=1)
    newer = services.record_view(user.id, staff, booth.organization_id, booth.event_id, ViewedItem.RESUME)
    db.session.add(ProfileView(candidate_id=staff.id, item=ViewedItem.PROFILE))
    db.session.flush()
    assert db.session.scalars(services.views_of_query(user.id)).all() == [newer, older]


def test_skill_tags_are_split_like_the_profiles():
    assert split_tags(" Python，数据分析、python ; Go ") == ["Python", "数据分析", "Go"]
    assert split_tags("") == []
