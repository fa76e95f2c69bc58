"""The registrant search and the skills filter read the profile's precomputed columns (search_text, skill_keys):
what they match, and that every way of changing a profile or its skills keeps the columns in step."""
from datetime import UTC, datetime, timedelta

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text

from eventsapp.accounts.models import Role, User
from eventsapp.browse import services
from eventsapp.browse.services import BrowseFilters
from eventsapp.candidates import services as candidate_services
from eventsapp.candidates.erasure import erase_account
from eventsapp.candidates.models import CandidateProfile, CandidateSkill, Degree, TalentClass
from eventsapp.candidates.services import ProfileData
from eventsapp.extensions import db
from eventsapp.registrations.models import Registration, RegistrationStatus
from tests.apps import make_app

THIS_YEAR = 2027


@pytest.fixture
def event(ctx, make_event):
    return make_event()


@pytest.fixture
def person(event, make_candidate):
    """A candidate confirmed for the event and visible to its employers, with skills added as rows of their own."""
    def make(skills=(), **profile):
        user = make_candidate(show_to_employers=True, **profile)
        db.session.add(Registration(event_id=event.id, user_id=user.id, status=RegistrationStatus.CONFIRMED))
        db.session.add_all(CandidateSkill(user_id=user.id, name=name) for name in skills)
        db.session.commit()
        return user
    return make


def found(event, **filters) -> list[int]:
    query = services.registrants_query(event.id, BrowseFilters(**filters), THIS_YEAR)
    return sorted(profile.user_id for profile in db.session.scalars(query))


def profile_data(**overrides) -> ProfileData:
    values = dict(name="李明", name_latin="Li Ming", phone="138 0013 8000", birth_year=1998, degree=Degree.MASTER,
                  school="浙江大学", major="计算机科学", graduation_year=2024, talent_class=TalentClass.E,
                  skills="Python, 数据分析", city="滨江区")
    values.update(overrides)
    return ProfileData(**values)


# --- What the search and the skills filter match -------------------------------------------------------

def test_a_word_is_found_in_the_chinese_name_the_latin_name_the_school_or_a_skill(event, person):
    by_name = person(name="欧阳娜娜", name_latin="Ouyang Nana", school="宁波大学")
    by_latin = person(name="王伟", name_latin="Wang Wei", school="宁波大学")
    by_school = person(name="张三", name_latin="Zhang San", school="浙江工业大学")
    by_skill = person(name="李四", name_latin="Li Si", school="宁波大学", skills=("SQL", "数据分析"))
    person(name="赵五", name_latin="Zhao Wu", school="宁波大学", major="欧阳修研究", city="欧阳镇")  # major, city
    assert found(event, search="欧阳") == [by_name.id]
    assert found(event, search="WANG") == [by_latin.id]
    assert found(event, search="工业") == [by_school.id]
    assert found(event, search="数据") == [by_skill.id]
    assert found(event, search="sql") == [by_skill.id]


def test_search_ignores_case_beyond_ascii_on_every_database(event, person):
    # SQLite's own LIKE and lower() fold ASCII only; the column is lower-cased by Python on both databases.
    eva = person(name="伊娃", name_latin="Éva Ödön", school="University of Örebro")
    assert found(event, search="éVA") == [eva.id]
    assert found(event, search="ÖREBRO") == [eva.id]


def test_every_word_must_match_but_a_word_does_not_run_from_one_field_into_the_next(event, person):
    match = person(name="李明", name_latin="Li Ming", school="浙江大学", skills=("Python",))
    person(name="李明", name_latin="Li Ming", school="宁波大学", skills=("Python",))
    assert found(event, search="li 浙江 python") == [match.id]
    assert found(event, search="明li") == []  # the end of the name and the start of the Latin name
    assert found(event, search="ming浙江") == []
    assert found(event, search="%") == [] and found(event, search="_") == [] and found(event, search="\\") == []


def test_a_skill_tag_matches_a_whole_skill_only_ignoring_case(event, person):
    java = person(skills=("Java",))
    script = person(skills=("JavaScript",))
    chinese = person(skills=("英语", "Excel"))
    named_english = person(school="英语", name_latin="Ying Yu")  # the tag in the school, not in the skills
    assert found(event, skills=("JAVA",)) == [java.id]
    assert found(event, skills=("javascript", "英语")) == sorted([script.id, chinese.id])
    assert found(event, skills=("Jav",)) == [] and found(event, skills=("Java_",)) == []
    assert found(event, search="英语") == sorted([chinese.id, named_english.id])


def test_the_search_and_the_skills_filter_combine_with_the_other_filters(event, person):
    match = person(name="张伟", school="浙江大学", degree=Degree.MASTER, graduation_year=2025, skills=("Python",))
    person(name="张伟", school="浙江大学", degree=Degree.ASSOCIATE, graduation_year=2025, skills=("Python",))
    person(name="张伟", school="浙江大学", degree=Degree.MASTER, graduation_year=2020, skills=("Python",))
    person(name="张伟", school="浙江大学", degree=Degree.MASTER, graduation_year=2025, skills=("Go",))
    person(name="张伟", school="复旦大学", degree=Degree.MASTER, graduation_year=2025, skills=("Python",))
    assert found(event, degrees=(Degree.MASTER, Degree.PHD), graduation_from=2022, graduation_to=2027,
                 skills=("python", "Java"), search="浙江") == [match.id]


# --- Keeping the columns in step ------------------------------------------------------------------------

def test_saving_the_profile_form_replaces_what_is_found(event, person):
    user = person(name="李明", school="浙江大学", skills=("Python",))
    candidate_services.save_profile(db.session.get(User, user.id), profile_data(
        name="李华", name_latin="Li Hua", school="复旦大学", skills="Go, 英语"), this_year=THIS_YEAR)
    db.session.commit()
    assert found(event, search="李华") == [user.id] and found(event, search="复旦") == [user.id]
    assert found(event, search="李明") == [] and found(event, search="浙江") == []
    assert found(event, skills=("go",)) == [user.id] and found(event, skills=("python",)) == []
    profile = db.session.get(CandidateProfile, user.id)
    assert profile.search_text == "李华\nli hua\n复旦大学\ngo\n英语" and profile.skill_keys == "\ngo\n英语\n"


def test_a_skill_added_or_deleted_on_its_own_is_seen_without_touching_the_profile(event, person):
    user = person(skills=("Python",))
    profile = db.session.get(CandidateProfile, user.id)
    changed_at = profile.updated_at
    db.session.add(CandidateSkill(user_id=user.id, name="Rust"))
    db.session.commit()
    assert found(event, skills=("rust",)) == [user.id] and found(event, search="rus") == [user.id]
    db.session.delete(db.session.scalar(select(CandidateSkill).where(CandidateSkill.name == "Python")))
    db.session.commit()
    assert found(event, skills=("python",)) == [] and found(event, search="python") == []
    assert db.session.get(CandidateProfile, user.id).updated_at == changed_at  # derived data, not an edit


def test_the_last_skill_removed_leaves_empty_skill_keys(event, person):
    user = person(skills=("Python",))
    profile = db.session.get(CandidateProfile, user.id)
    profile.skills = []
    db.session.commit()
    assert profile.skill_keys == "" and found(event, skills=("python",)) == []
    assert db.session.scalar(select(CandidateProfile.skill_keys).where(CandidateProfile.user_id == user.id)) == ""


def test_changes_that_do_not_concern_the_search_leave_the_columns_alone(event, person):
    user = person(skills=("Python",))
    profile = db.session.get(CandidateProfile, user.id)
    db.session.execute(text("UPDATE candidate_profile SET search_text = 'marker' WHERE user_id = :id"),
                       {"id": user.id})
    profile.major = "法学"
    db.session.commit()
    assert db.session.scalar(select(CandidateProfile.search_text).where(CandidateProfile.user_id == user.id)) \
        == "marker"


def test_an_erased_account_leaves_no_search_text_behind(event, person):
    user = person(name="李明", skills=("Python",))
    erase_account(db.session.get(User, user.id))
    db.session.commit()
    assert db.session.get(CandidateProfile, user.id) is None
    assert found(event, search="李明") == []


# --- The migration fills the columns of the profiles already there --------------------------------------

def test_the_migration_fills_the_columns_of_existing_profiles(tmp_path):
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/m.db")
    now = datetime.now(UTC) - timedelta(days=1)
    with app.app_context():
        upgrade(revision="e605b5c3e7a6")
        connection = db.session.connection()
        for number, (name, latin, school, skills) in enumerate(
                [("李明", "Li Ming", "浙江大学", ["Python", "英语"]), ("王芳", "Wang Fang", "宁波大学", [])], start=1):
            connection.execute(text("INSERT INTO user_account (id, email, password_hash, display_name, role, "
                                    "created_at, is_active_account) VALUES (:id, :email, 'x', :name, :role, :now, 1)"),
                               {"id": number, "email": f"p{number}@example.com", "name": name,
                                "role": Role.CANDIDATE.value, "now": now})
            connection.execute(text("INSERT INTO candidate_profile (user_id, name, name_latin, phone, school, major, "
                                    "city, created_at, updated_at) VALUES (:id, :name, :latin, '', :school, '', '', "
                                    ":now, :now)"), {"id": number, "name": name, "latin": latin, "school": school,
                                                     "now": now})
            for skill in skills:
                connection.execute(text("INSERT INTO candidate_skill (user_id, name) VALUES (:id, :name)"),
                                   {"id": number, "name": skill})
        db.session.commit()
        upgrade()
        rows = db.session.execute(text("SELECT search_text, skill_keys FROM candidate_profile ORDER BY user_id")).all()
        db.engine.dispose()
    assert [tuple(row) for row in rows] == [("李明\nli ming\n浙江大学\npython\n英语", "\npython\n英语\n"),
                                            ("王芳\nwang fang\n宁波大学", "")]
