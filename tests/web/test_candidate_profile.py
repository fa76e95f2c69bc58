"""The candidate's profile page and résumé, over HTTP."""
import html
import re
from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy import select

from eventsapp.accounts.models import Role
from eventsapp.candidates.models import CandidateProfile, CandidateSkill, Degree, TalentClass
from eventsapp.extensions import db
from tests.factories import document_javascript, make_pdf

EN = {"Accept-Language": "en"}
MY_PAGES = ["/my/profile", "/my/profile/resume", "/my/privacy", "/my/data.json"]
MY_ACTIONS = ["/my/profile", "/my/profile/resume", "/my/profile/resume/delete", "/my/privacy/consent",
              "/my/privacy/delete-account"]


@pytest.fixture(autouse=True)
def resume_folder(app, tmp_path, monkeypatch):
    folder = tmp_path / "resumes"
    monkeypatch.setitem(app.config, "RESUME_FOLDER", str(folder))
    return folder


@pytest.fixture
def candidate(make_user, login):
    user = make_user(Role.CANDIDATE, email="li.ming@example.org", display_name="李明", locale="en")
    login(user)
    return user


def profile_form(**overrides):
    data = dict(name="李明", name_latin="Li Ming", phone="13800138000", birth_year="1998", degree="master",
                school="浙江大学", major="计算机科学与技术", graduation_year="2024", talent_class="E",
                skills="Python, 数据分析、英语", city="滨江区")
    data.update(overrides)
    return data


def stored_profile(app, user):
    with app.app_context():
        profile = db.session.get(CandidateProfile, user.id)
        if profile is not None:
            profile.skill_names  # noqa: B018 - load the skills before the session closes
            db.session.expunge(profile)
        return profile


def error_beside(page: str, field_id: str) -> str:
    """The error messages shown right under the field with this id."""
    match = re.search(rf'id="{field_id}"[^>]*>(?:.*?</select>)?((?:\s*<div class="invalid-feedback">[^<]*</div>)+)',
                      page, re.S)
    assert match, f"no error shown beside {field_id}"
    return html.unescape(match.group(1))


def upload(client, data: bytes, filename: str = "简历 李明.pdf"):
    return client.post("/my/profile/resume", data={"resume": (BytesIO(data), filename)},
                       content_type="multipart/form-data", headers=EN)


# --- Who may open the pages -----------------------------------------------------------------------

@pytest.mark.parametrize("path", MY_PAGES)
def test_anonymous_visitors_are_sent_to_the_login_page(client, path):
    response = client.get(path)
    if path.endswith(".json"):  # a script: the JSON error shape, not a page to log in on
        assert response.status_code == 401 and response.get_json()["error"] == "not_logged_in"
    else:
        assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("path", MY_ACTIONS)
def test_anonymous_posts_are_sent_to_the_login_page(client, path):
    response = client.post(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", [Role.EMPLOYER, Role.ORGANIZER, Role.ADMIN])
def test_the_candidate_pages_are_for_candidates_only(client, make_user, login, role):
    login(make_user(role))
    for path in MY_PAGES:
        assert client.get(path).status_code == 403, path
    for path in MY_ACTIONS:
        assert client.post(path).status_code == 403, path


# --- The profile ----------------------------------------------------------------------------------

def test_a_new_profile_starts_with_the_account_name_and_shows_the_email(client, candidate):
    page = client.get("/my/profile", headers=EN).get_data(as_text=True)
    assert 'value="李明"' in page and "li.ming@example.org" in page
    assert "Top talent worldwide" in page and "City-level leading talent" in page  # the classes explained
    assert '<datalist id="skill-suggestions">' in page and '<option value="数据分析">' in page
    assert '<option value="滨江区">' in page


def test_a_candidate_saves_the_profile(app, client, candidate):
    response = client.post("/my/profile", data=profile_form(), headers=EN)
    assert response.status_code == 302
    profile = stored_profile(app, candidate)
    assert (profile.name, profile.name_latin, profile.phone) == ("李明", "Li Ming", "+8613800138000")
    assert (profile.birth_year, profile.degree, profile.graduation_year) == (1998, Degree.MASTER, 2024)
    assert (profile.talent_class, profile.city) == (TalentClass.E, "滨江区")
    assert profile.skill_names == ["Python", "数据分析", "英语"]
    page = client.get("/my/profile", headers=EN).get_data(as_text=True)
    assert "Your profile has been saved." in page
    assert 'value="+86 138 0013 8000"' in page and 'value="Python, 数据分析, 英语"' in page
    assert 'value="E" checked' in page or re.search(r'checked[^>]*value="E"', page)


def test_an_international_number_and_no_talent_class(app, client, candidate):
    client.post("/my/profile", data=profile_form(phone="+44 7400 123456", talent_class="", degree=""))
    profile = stored_profile(app, candidate)
    assert (profile.phone, profile.talent_class, profile.degree) == ("+447400123456", None, None)
    assert 'value="+44 7400 123456"' in client.get("/my/profile").get_data(as_text=True)


def test_full_width_digits_and_stray_control_characters_are_understood(app, client, candidate):
    response = client.post("/my/profile", data=profile_form(phone="１３８ ００１３ ８０００", birth_year="１９９８",
                                                           school="浙江\x00大学"))
    assert response.status_code == 302
    profile = stored_profile(app, candidate)
    assert (profile.phone, profile.birth_year, profile.school) == ("+8613800138000", 1998, "浙江大学")


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"name": ""}, "name", "Enter your name as written."),
    ({"name": "李" * 101}, "name", "At most 100 characters."),
    ({"name_latin": "李明"}, "name_latin", "Use Latin letters only, like Li Ming or Zhang Xiaoyu."),
    ({"phone": "12345"}, "phone", "This is not a valid mobile number."),
    ({"phone": "call me"}, "phone", "Enter a mobile number, like 138 0013 8000"),
    ({"phone": "0571 8888 8888"}, "phone", "This looks like a landline number. Enter a mobile number."),
    ({"phone": "1" * 31}, "phone", "At most 30 characters."),
    ({"birth_year": "1939"}, "birth_year", "Enter a birth year from 1940 to "),
    ({"birth_year": "nineteen"}, "birth_year", "Enter the year as four digits, like 1998."),
    ({"birth_year": "1998.5"}, "birth_year", "Enter the year as four digits, like 1998."),
    ({"graduation_year": "1950"}, "graduation_year", "Enter a graduation year from 1960 to "),
    ({"graduation_year": "3000"}, "graduation_year", "Enter a graduation year from 1960 to "),
    ({"birth_year": "2000", "graduation_year": "2005"}, "graduation_year", "less than 14 years after your birth"),
    ({"degree": "wizard"}, "degree", "Not a valid choice."),
    ({"talent_class": "Z"}, "talent_class", "Not a valid choice."),
    ({"school": "大" * 201}, "school", "At most 200 characters."),
    ({"major": "x" * 201}, "major", "At most 200 characters."),
    ({"city": "x" * 101}, "city", "At most 100 characters."),
    ({"skills": ", ".join(f"skill {n}" for n in range(21))}, "skills", "Enter at most 20 skills; you entered 21."),
    ({"skills": "Python, " + "x" * 41}, "skills", "A skill can have at most 40 characters"),
    ({"skills": "x" * 1001}, "skills", "At most 1000 characters."),
])
def test_bad_profile_input_is_explained_beside_the_field_and_kept(app, client, candidate, overrides, field,
                                                                  message):
    response = client.post("/my/profile", data=profile_form(**overrides), headers=EN)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Please correct the fields marked below." in page
    if field != "talent_class":  # radio buttons show their error under the whole group
        assert message in error_beside(page, field)
    else:
        assert message in page
    typed = overrides[field]
    if field not in ("degree", "talent_class"):
        assert f'value="{html.escape(typed, quote=True)}"' in page  # what was typed stays
    assert 'value="浙江大学"' in page or field == "school"
    assert stored_profile(app, candidate) is None


def test_a_failed_save_keeps_the_stored_profile(app, client, candidate):
    client.post("/my/profile", data=profile_form())
    client.post("/my/profile", data=profile_form(phone="12345", school="清华大学"))
    assert stored_profile(app, candidate).school == "浙江大学"


def test_saving_without_skills_removes_them(app, client, candidate):
    client.post("/my/profile", data=profile_form())
    client.post("/my/profile", data=profile_form(skills=""))
    with app.app_context():
        assert db.session.scalar(select(CandidateSkill.id)) is None


# --- The résumé -----------------------------------------------------------------------------------

def test_upload_download_and_remove_a_resume(app, client, candidate, resume_folder):
    pdf = make_pdf(pages=2)
    response = upload(client, pdf)
    assert response.status_code == 302 and response.headers["Location"].endswith("/my/profile#my-resume")
    profile = stored_profile(app, candidate)
    stored = resume_folder / profile.resume_storage_name
    assert stored.read_bytes() == pdf and profile.resume_filename == "简历 李明.pdf"
    assert not stored.resolve().is_relative_to(Path(app.static_folder).resolve())
    page = client.get("/my/profile", headers=EN).get_data(as_text=True)
    assert "Your résumé has been saved (2 pages)." in page and "简历 李明.pdf" in page

    download = client.get("/my/profile/resume")
    assert download.status_code == 200 and download.data == pdf
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%E7%AE%80%E5%8E%86" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in download.headers["Cache-Control"]
    assert client.get(f"/static/{profile.resume_storage_name}").status_code == 404

    assert client.post("/my/profile/resume/delete").status_code == 302
    assert not stored.exists()
    assert client.get("/my/profile/resume").status_code == 404
    assert stored_profile(app, candidate).resume_filename is None


def test_another_candidate_cannot_download_the_resume(app, client, candidate, make_user, login):
    upload(client, make_pdf())
    client.post("/logout")
    login(make_user(Role.CANDIDATE))
    assert client.get("/my/profile/resume").status_code == 404
    assert stored_profile(app, candidate).resume_storage_name not in client.get("/my/profile").get_data(as_text=True)


def test_a_new_resume_replaces_the_old_file(app, client, candidate, resume_folder):
    upload(client, make_pdf(), "old.pdf")
    old = resume_folder / stored_profile(app, candidate).resume_storage_name
    upload(client, make_pdf(pages=3), "new.pdf")
    profile = stored_profile(app, candidate)
    assert not old.exists()
    assert [path.name for path in resume_folder.iterdir()] == [profile.resume_storage_name]
    assert profile.resume_filename == "new.pdf"


@pytest.mark.parametrize(("data", "filename", "message"), [
    (b"I am a text file that was renamed.", "cv.pdf", "This file is not a PDF."),
    (b"%PDF-1.4\n1 0 obj garbage\n%%EOF", "cv.pdf", "This PDF is incomplete or damaged."),
    (make_pdf()[:-100], "cv.pdf", "This PDF is incomplete or damaged."),
    (b"", "cv.pdf", "Choose your résumé as a PDF file."),
    (make_pdf(build=document_javascript), "cv.pdf", "This PDF contains active content (JavaScript)"),
    (make_pdf(pages=51), "cv.pdf", "This PDF has 51 pages; at most 50 are accepted."),
])
def test_a_file_that_is_not_a_good_pdf_is_refused_beside_the_field(app, client, candidate, resume_folder, data,
                                                                   filename, message):
    response = upload(client, data, filename)
    assert response.status_code == 422
    assert message in error_beside(response.get_data(as_text=True), "resume")
    assert stored_profile(app, candidate) is None
    assert not resume_folder.exists() or not any(resume_folder.iterdir())


def test_a_pdf_over_the_service_limit_is_refused(app, client, candidate, monkeypatch):
    monkeypatch.setitem(app.config, "RESUME_MAX_BYTES", 2048)
    response = upload(client, make_pdf() + b"\n" * 4096)
    assert response.status_code == 422
    assert "a résumé can have at most" in error_beside(response.get_data(as_text=True), "resume")


def test_an_upload_over_the_request_limit_gets_the_friendly_413_page(app, client, candidate):
    big = b"%PDF-1.4\n" + b"0" * (app.config["MAX_CONTENT_LENGTH"] + 1024)
    response = upload(client, big)
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "The file is too large: a résumé can have at most 5 MB." in page
    assert stored_profile(app, candidate) is None


def test_example_values_are_hints_not_values_that_look_typed(client, make_candidate, login):
    """An empty year field must not look filled in: examples read "e.g. 2027"."""
    login(make_candidate())
    page = client.get("/my/profile", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'placeholder="e.g. 2027"' in page and 'placeholder="2027"' not in page
    assert 'placeholder="e.g. 138 0013 8000"' in page
