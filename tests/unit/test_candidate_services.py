"""The candidate services: profile rules, résumé checks and storage, consent, export and erasure."""
import json
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from eventsapp.accounts.models import Role
from eventsapp.accounts.services import authenticate
from eventsapp.browse.models import ProfileView, ViewedItem
from eventsapp.candidates import erasure, resumes, services
from eventsapp.candidates.choices import DEGREE_LABELS, TALENT_CLASS_DESCRIPTIONS
from eventsapp.candidates.forms import ProfileForm
from eventsapp.candidates.models import CandidateProfile, CandidateSkill, Degree, TalentClass
from eventsapp.candidates.services import ProfileData
from eventsapp.extensions import db
from eventsapp.notifications.models import OutboxMessage
from eventsapp.registrations.models import (
    QuestionKind,
    Registration,
    RegistrationAnswer,
    RegistrationQuestion,
    RegistrationStatus,
)
from eventsapp.validation import ValidationFailed
from tests.factories import PASSWORD, make_pdf

THIS_YEAR = 2026


@pytest.fixture(autouse=True)
def resume_folder(app, tmp_path, monkeypatch):
    folder = tmp_path / "resumes"
    monkeypatch.setitem(app.config, "RESUME_FOLDER", str(folder))
    return folder


@pytest.fixture
def candidate(ctx, make_user):
    return make_user(Role.CANDIDATE, email="li.ming@example.org", display_name="李明")


def errors_of(failure) -> dict:
    """The failure's messages by field, in English (the test app's default language is Chinese)."""
    with force_locale("en"):
        return {field: str(message) for field, message in failure.value.errors}


def valid_profile(**overrides) -> ProfileData:
    values = dict(name="李明", name_latin="Li Ming", phone="138 0013 8000", birth_year=1998, degree=Degree.MASTER,
                  school="浙江大学", major="计算机科学", graduation_year=2024, talent_class=TalentClass.E,
                  skills="Python, 数据分析", city="滨江区")
    values.update(overrides)
    return ProfileData(**values)


# --- Mobile numbers -------------------------------------------------------------------------------

@pytest.mark.parametrize(("typed", "stored"), [
    ("13800138000", "+8613800138000"),
    ("+86 138 0013 8000", "+8613800138000"),
    ("138-0013-8000", "+8613800138000"),
    ("008613800138000", "+8613800138000"),
    ("+44 7400 123456", "+447400123456"),
    ("+1 650 253 0000", "+16502530000"),  # US numbers do not tell mobile from landline
    ("", ""),
])
def test_mobile_numbers_are_stored_in_e164(typed, stored):
    assert services.parse_phone(typed) == stored


@pytest.mark.parametrize(("typed", "message"), [
    ("abc", "Enter a mobile number"),
    ("12345", "This is not a valid mobile number"),
    ("138001380001", "This is not a valid mobile number"),
    ("+86 12345678901", "This is not a valid mobile number"),
    ("0571 8888 8888", "This looks like a landline number"),
])
def test_bad_mobile_numbers_are_refused_with_a_reason(ctx, typed, message):
    with pytest.raises(ValidationFailed) as failure:
        services.parse_phone(typed)
    assert errors_of(failure)["phone"].startswith(message)


def test_numbers_are_shown_grouped_with_their_country_code():
    assert services.format_phone("+8613800138000") == "+86 138 0013 8000"
    assert services.format_phone("+447400123456") == "+44 7400 123456"
    assert services.format_phone("") == ""


# --- Skills ---------------------------------------------------------------------------------------

def test_skills_are_split_at_every_kind_of_separator_and_repeats_dropped():
    assert services.parse_skills("Python, python，数据分析、 Java ;英语；  机器   学习 ,,") == [
        "Python", "数据分析", "Java", "英语", "机器 学习"]
    assert services.parse_skills("") == []


def test_at_most_twenty_skills_of_at_most_forty_characters(ctx):
    assert len(services.parse_skills(", ".join(f"skill {n}" for n in range(20)))) == 20
    assert services.parse_skills("x" * 40) == ["x" * 40]
    with pytest.raises(ValidationFailed) as failure:
        services.parse_skills(", ".join(f"skill {n}" for n in range(21)))
    assert errors_of(failure)["skills"] == "Enter at most 20 skills; you entered 21."
    with pytest.raises(ValidationFailed) as failure:
        services.parse_skills("Python, " + "x" * 41)
    assert "at most 40 characters" in errors_of(failure)["skills"]


# --- Degrees, talent classes ----------------------------------------------------------------------

def test_every_degree_and_talent_class_has_a_label(app):
    assert set(DEGREE_LABELS) == set(Degree)
    assert set(TALENT_CLASS_DESCRIPTIONS) == set(TalentClass)
    with app.test_request_context():
        form = ProfileForm(formdata=None)
        assert [choice.value for choice in form.degree.choices] == ["", *[degree.value for degree in Degree]]
        assert [choice.value for choice in form.talent_class.choices] == ["", "A", "B", "C", "D", "E", "F"]


# --- Saving a profile -----------------------------------------------------------------------------

def test_a_profile_is_saved_with_clean_values(candidate):
    profile = services.save_profile(candidate, valid_profile(name="  李  明 ", skills="Python，数据分析、python"),
                                    this_year=THIS_YEAR)
    db.session.commit()
    assert (profile.name, profile.phone, profile.degree, profile.talent_class) == (
        "李 明", "+8613800138000", Degree.MASTER, TalentClass.E)
    assert profile.skill_names == ["Python", "数据分析"]
    assert profile.show_to_employers is False


def test_control_characters_are_dropped_from_text(candidate):
    profile = services.save_profile(candidate, valid_profile(school="浙江\x00大学\x1b", skills="Py\x00thon"),
                                    this_year=THIS_YEAR)
    assert profile.school == "浙江大学" and profile.skill_names == ["Python"]


def test_saving_again_replaces_the_skills(candidate):
    services.save_profile(candidate, valid_profile(skills="Python, Java"), this_year=THIS_YEAR)
    db.session.commit()
    services.save_profile(candidate, valid_profile(skills="java, 英语"), this_year=THIS_YEAR)
    db.session.commit()
    assert sorted(db.session.scalars(select(CandidateSkill.name))) == ["java", "英语"]


def test_a_new_profile_starts_from_the_account_name(candidate):
    assert services.profile_data_of(candidate).name == "李明"
    assert services.find_profile(candidate) is None  # reading creates nothing


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"birth_year": 1939}, "birth_year", "Enter a birth year from 1940 to 2012."),
    ({"birth_year": 2013}, "birth_year", "Enter a birth year from 1940 to 2012."),
    ({"graduation_year": 1959}, "graduation_year", "Enter a graduation year from 1960 to 2032."),
    ({"graduation_year": 2033}, "graduation_year", "Enter a graduation year from 1960 to 2032."),
    ({"birth_year": 2000, "graduation_year": 2010}, "graduation_year",
     "This is less than 14 years after your birth year; check both years."),
    ({"name": "  "}, "name", "Enter your name as written."),
    ({"name_latin": "李明"}, "name_latin", "Use Latin letters only, like Li Ming or Zhang Xiaoyu."),
    ({"school": "大" * 201}, "school", "At most 200 characters."),
    ({"phone": "12345"}, "phone", "This is not a valid mobile number. Check the digits; for a number outside "
                                  "mainland China, start with + and the country code."),
])
def test_profile_rules_name_the_field_at_fault(candidate, overrides, field, message):
    with pytest.raises(ValidationFailed) as failure:
        services.save_profile(candidate, valid_profile(**overrides), this_year=THIS_YEAR)
    assert errors_of(failure) == {field: message}
    assert services.find_profile(candidate) is None


def test_years_at_the_edges_of_the_range_are_accepted(candidate):
    services.save_profile(candidate, valid_profile(birth_year=1940, graduation_year=1960), this_year=THIS_YEAR)
    services.save_profile(candidate, valid_profile(birth_year=2012, graduation_year=2032), this_year=THIS_YEAR)
    assert services.find_profile(candidate).graduation_year == 2032


def test_latin_names_may_have_accents_hyphens_and_apostrophes(candidate):
    profile = services.save_profile(candidate, valid_profile(name_latin="José Müller-O'Neil"), this_year=THIS_YEAR)
    assert profile.name_latin == "José Müller-O'Neil"


def test_all_errors_are_reported_at_once(candidate):
    with pytest.raises(ValidationFailed) as failure:
        services.save_profile(candidate, valid_profile(phone="x", birth_year=1800, skills="a" * 50),
                              this_year=THIS_YEAR)
    assert set(errors_of(failure)) == {"phone", "birth_year", "skills"}


# --- Résumé checks --------------------------------------------------------------------------------

def test_a_real_pdf_is_accepted_and_its_pages_counted():
    assert resumes.check_pdf(make_pdf(pages=3), max_bytes=5 * 1024 * 1024, max_pages=50) == 3


@pytest.mark.parametrize(("data", "message"), [
    (b"", "The file is empty."),
    (b"Dear employer, this is my CV in plain text.", "This file is not a PDF."),
    (b"PK\x03\x04 a Word document", "This file is not a PDF."),
    (b"%PDF-1.7\nthis is not really a PDF\n%%EOF\n", "This PDF is incomplete or damaged."),
    (make_pdf()[:-200], "This PDF is incomplete or damaged."),
    (make_pdf(password="secret"), "This PDF is protected with a password or encrypted."),
])
def test_files_that_are_not_a_readable_pdf_are_refused(app, data, message):
    with app.test_request_context(), pytest.raises(resumes.NotAResume) as failure:
        resumes.check_pdf(data, max_bytes=5 * 1024 * 1024, max_pages=50)
    assert errors_of(failure)["resume"].startswith(message)


def test_a_pdf_over_the_size_limit_is_refused(app):
    data = make_pdf()
    with app.test_request_context(), pytest.raises(resumes.NotAResume) as failure:
        resumes.check_pdf(data + b" " * (1024 * 1024), max_bytes=1024 * 1024, max_pages=50)
    assert errors_of(failure)["resume"].startswith("The file has 1 MB; a résumé can have at most 1 MB.")


@pytest.mark.parametrize(("original", "shown"), [
    ("简历 张三.PDF", "简历 张三.pdf"),
    ("../../etc/passwd", "passwd.pdf"),
    ("C:\\Users\\li\\Desktop\\cv.pdf", "cv.pdf"),
    ('a\x00b<i>"x".pdf', "ab_i__x_.pdf"),
    ("   ", "resume.pdf"),
    (None, "resume.pdf"),
    ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
])
def test_the_original_file_name_is_kept_but_made_safe(original, shown):
    assert resumes.display_filename(original) == shown


# --- Résumé storage -------------------------------------------------------------------------------

def test_a_resume_is_stored_under_a_random_name_outside_the_static_folder(app, candidate, resume_folder):
    data = make_pdf()
    assert services.store_resume(candidate, "我的简历.pdf", data) == 1
    db.session.commit()
    profile = services.find_profile(candidate)
    stored = resume_folder / profile.resume_storage_name
    assert stored.read_bytes() == data
    assert "简历" not in profile.resume_storage_name and len(profile.resume_storage_name) == 36
    assert profile.resume_filename == "我的简历.pdf" and profile.resume_size == len(data)
    assert not stored.resolve().is_relative_to(app.static_folder)


def test_the_default_folder_is_in_the_instance_folder(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "RESUME_FOLDER", None)
    assert services.resume_folder() == Path(app.instance_path) / "uploads" / "resumes"


def test_replacing_a_resume_deletes_the_old_file_once_committed(candidate, resume_folder):
    services.store_resume(candidate, "old.pdf", make_pdf())
    db.session.commit()
    old = resume_folder / services.find_profile(candidate).resume_storage_name
    services.store_resume(candidate, "new.pdf", make_pdf(pages=2))
    assert old.exists()  # the committed row still names it
    db.session.commit()
    assert not old.exists()
    assert [path.name for path in resume_folder.iterdir()] == [services.find_profile(candidate).resume_storage_name]


def test_a_rolled_back_upload_leaves_no_file_and_keeps_the_old_one(candidate, resume_folder):
    services.store_resume(candidate, "old.pdf", make_pdf())
    db.session.commit()
    old_name = services.find_profile(candidate).resume_storage_name
    services.store_resume(candidate, "new.pdf", make_pdf())
    db.session.rollback()
    assert [path.name for path in resume_folder.iterdir()] == [old_name]


def test_a_refused_file_changes_nothing(candidate, resume_folder):
    with pytest.raises(ValidationFailed):
        services.store_resume(candidate, "cv.pdf", b"plain text")
    assert not resume_folder.exists() or not any(resume_folder.iterdir())


def test_removing_the_resume_deletes_the_file(candidate, resume_folder):
    services.store_resume(candidate, "cv.pdf", make_pdf())
    db.session.commit()
    profile = services.find_profile(candidate)
    services.remove_resume(profile)
    db.session.commit()
    assert profile.resume_storage_name is None and services.resume_path(profile) is None
    assert not any(resume_folder.iterdir())


# --- Consent --------------------------------------------------------------------------------------

def test_consent_is_off_until_turned_on_and_each_change_is_dated(candidate):
    profile = services.get_or_create_profile(candidate)
    assert profile.show_to_employers is False and profile.consent_changed_at is None
    services.set_consent(candidate, True)
    first = profile.consent_changed_at
    assert profile.show_to_employers is True and first is not None
    services.set_consent(candidate, True)
    assert profile.consent_changed_at == first  # no change, no new date
    services.set_consent(candidate, False)
    assert profile.show_to_employers is False and profile.consent_changed_at >= first


# --- Export and erasure ---------------------------------------------------------------------------

@pytest.fixture
def registered(candidate, make_event):
    """The candidate, with a profile, a résumé and a confirmed registration with two answers."""
    event = make_event(title_zh="金秋招聘会", title_en="Golden Autumn Fair")
    services.save_profile(candidate, valid_profile(), this_year=THIS_YEAR)
    services.store_resume(candidate, "cv.pdf", make_pdf())
    services.set_consent(candidate, True)
    questions = [RegistrationQuestion(event_id=event.id, kind=QuestionKind.SHORT_TEXT, label_zh="你的期望岗位",
                                      label_en="Job you look for"),
                 RegistrationQuestion(event_id=event.id, kind=QuestionKind.MULTIPLE_CHOICE, label_en="Sessions",
                                      options_text="Morning\nAfternoon")]
    db.session.add_all(questions)
    db.session.flush()
    registration = Registration(event_id=event.id, user_id=candidate.id, status=RegistrationStatus.CONFIRMED,
                                answers=[RegistrationAnswer(question_id=questions[0].id, value="数据分析师"),
                                         RegistrationAnswer(question_id=questions[1].id, value="Morning\nAfternoon")])
    db.session.add(registration)
    db.session.commit()
    return candidate, registration


def test_the_export_holds_the_account_profile_consent_and_registrations(registered):
    candidate, _ = registered
    data = services.export_personal_data(candidate)
    text = json.dumps(data, ensure_ascii=False)
    assert "password" not in text and "$argon2" not in text
    assert data["account"]["email"] == "li.ming@example.org"
    assert data["profile"]["phone"] == "+8613800138000" and data["profile"]["degree"] == "master"
    assert data["profile"]["resume"]["filename"] == "cv.pdf"
    assert data["skills"] == ["Python", "数据分析"]
    assert data["consent"]["show_to_employers"] is True and data["consent"]["changed_at"]
    [registration] = data["registrations"]
    assert registration["event"]["title_zh"] == "金秋招聘会" and registration["status"] == "confirmed"
    assert [answer["answer"] for answer in registration["answers"]] == ["数据分析师", ["Morning", "Afternoon"]]


def test_the_export_holds_who_viewed_the_profile(registered, make_organization):
    candidate, registration = registered
    organization = make_organization(name_zh="西湖机器人")
    db.session.add(ProfileView(candidate_id=candidate.id, organization_id=organization.id,
                               event_id=registration.event_id, item=ViewedItem.RESUME))
    db.session.commit()
    [view] = services.export_personal_data(candidate)["profile_views"]
    assert (view["organization"]["name_zh"], view["item"]) == ("西湖机器人", "resume")


def test_the_export_of_a_candidate_without_a_profile(candidate):
    data = services.export_personal_data(candidate)
    assert data["profile"] is None and data["skills"] == [] and data["registrations"] == []
    assert data["consent"] == {"show_to_employers": False, "changed_at": None}


def test_erasing_removes_personal_data_and_cancels_registrations(registered, resume_folder):
    candidate, registration = registered
    candidate.locale = "en"
    db.session.add(OutboxMessage(kind="registration_confirmed", to_email=candidate.email, subject="s",
                                 body_text="Dear Li Ming", locale="en"))
    db.session.add(ProfileView(candidate_id=candidate.id, item=ViewedItem.PROFILE))
    db.session.flush()
    erasure.erase_account(candidate)
    db.session.commit()
    assert candidate.email == f"erased-{candidate.id}@invalid" and candidate.display_name == "—"
    assert candidate.erased_at is not None and candidate.is_active_account is False
    assert candidate.locale == "en"
    assert db.session.get(CandidateProfile, candidate.id) is None
    assert db.session.scalar(select(CandidateSkill.id)) is None
    assert not any(resume_folder.iterdir())
    kept = db.session.get(Registration, registration.id)
    assert kept is not None and kept.status == RegistrationStatus.CANCELLED
    assert db.session.scalar(select(RegistrationAnswer.id)) is None  # free text may name the person
    assert db.session.scalar(select(OutboxMessage.id)) is None
    assert db.session.scalar(select(ProfileView.id)) is None
    assert authenticate("li.ming@example.org", PASSWORD) is None
    assert authenticate(candidate.email, PASSWORD) is None


def test_erasing_needs_the_right_password(candidate):
    with pytest.raises(ValidationFailed) as failure:
        erasure.erase_own_account(candidate, "not my password")
    assert errors_of(failure) == {"password": "The password is not correct."}
    assert candidate.erased_at is None
    erasure.erase_own_account(candidate, PASSWORD)
    assert candidate.erased_at is not None
