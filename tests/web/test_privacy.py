"""Privacy: the separate consent, the data export and deleting the account, over HTTP."""
import json
from datetime import datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from eventsapp.accounts.models import Role, User
from eventsapp.candidates.models import CandidateProfile, CandidateSkill
from eventsapp.extensions import db
from eventsapp.registrations.models import (
    QuestionKind,
    Registration,
    RegistrationAnswer,
    RegistrationQuestion,
    RegistrationStatus,
)
from tests.contest_factories import build_contest
from tests.factories import PASSWORD, make_pdf

EN = {"Accept-Language": "en"}


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


def fill_profile(client):
    client.post("/my/profile", data=dict(name="李明", name_latin="Li Ming", phone="13800138000", birth_year="1998",
                                         degree="master", school="浙江大学", major="计算机", graduation_year="2024",
                                         talent_class="", skills="Python, 英语", city="西湖区"))
    client.post("/my/profile/resume", data={"resume": (BytesIO(make_pdf()), "cv.pdf")},
                content_type="multipart/form-data")


def register(app, user, event, status=RegistrationStatus.CONFIRMED, answer=None) -> int:
    with app.app_context():
        registration = Registration(event_id=event.id, user_id=user.id, status=status)
        if answer is not None:
            question = RegistrationQuestion(event_id=event.id, kind=QuestionKind.SHORT_TEXT, label_zh="期望岗位",
                                            label_en="Job you look for")
            db.session.add(question)
            db.session.flush()
            registration.answers = [RegistrationAnswer(question_id=question.id, value=answer)]
        db.session.add(registration)
        db.session.commit()
        return registration.id


def consent_of(app, user):
    with app.app_context():
        profile = db.session.get(CandidateProfile, user.id)
        return (profile.show_to_employers, profile.consent_changed_at) if profile else (False, None)


# --- Consent --------------------------------------------------------------------------------------

def test_consent_is_off_until_the_candidate_turns_it_on(app, client, candidate):
    page = client.get("/my/privacy", headers=EN).get_data(as_text=True)
    assert "Show my profile to the employers at events I register for" in page
    assert 'id="show_to_employers" name="show_to_employers" role="switch" type="checkbox" value="y">' in page
    assert "can withdraw it at any time" in page
    assert "They do not see your birth year, mobile number or e-mail address." in page
    assert consent_of(app, candidate) == (False, None)

    client.post("/my/privacy/consent", data={"show_to_employers": "y"})
    shown, turned_on_at = consent_of(app, candidate)
    assert shown is True and turned_on_at is not None
    page = client.get("/my/privacy", headers=EN).get_data(as_text=True)
    assert "checked" in page and "On since" in page
    assert "Shown to employers" in client.get("/my/profile", headers=EN).get_data(as_text=True)

    client.post("/my/privacy/consent", data={})
    shown, withdrawn_at = consent_of(app, candidate)
    assert shown is False and withdrawn_at >= turned_on_at
    assert "Off since" in client.get("/my/privacy", headers=EN).get_data(as_text=True)


def test_filling_the_profile_does_not_turn_consent_on(app, client, candidate):
    fill_profile(client)
    assert consent_of(app, candidate) == (False, None)


# --- Export ---------------------------------------------------------------------------------------

def test_the_data_export_is_a_json_download_of_everything_about_the_person(app, client, candidate, make_event):
    fill_profile(client)
    client.post("/my/privacy/consent", data={"show_to_employers": "y"})
    register(app, candidate, make_event(title_zh="金秋招聘会", title_en="Golden Autumn Fair"), answer="数据分析师")

    response = client.get("/my/data.json")
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == f'attachment; filename="my-data-{today}.json"'
    assert "password" not in response.get_data(as_text=True) and "argon2" not in response.get_data(as_text=True)
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == "li.ming@example.org" and data["account"]["role"] == "candidate"
    assert data["profile"]["name"] == "李明" and data["profile"]["phone"] == "+8613800138000"
    assert data["profile"]["resume"]["filename"] == "cv.pdf"
    assert data["skills"] == ["Python", "英语"]
    assert data["consent"]["show_to_employers"] is True
    [registration] = data["registrations"]
    assert registration["event"]["title_en"] == "Golden Autumn Fair" and registration["status"] == "confirmed"
    assert registration["answers"] == [{"question_zh": "期望岗位", "question_en": "Job you look for",
                                        "answer": "数据分析师"}]


def test_the_export_holds_only_the_persons_own_registrations(app, client, candidate, make_user, make_event):
    register(app, make_user(Role.CANDIDATE), make_event(title_en="Someone else's fair"))
    data = client.get("/my/data.json").get_json()
    assert data["registrations"] == [] and data["profile"] is None


# --- Deleting the account -------------------------------------------------------------------------

@pytest.mark.parametrize(("password", "message"), [
    ("", "Enter your password to confirm."),
    ("not my password", "The password is not correct."),
])
def test_deleting_the_account_needs_the_current_password(app, client, candidate, password, message):
    fill_profile(client)
    response = client.post("/my/privacy/delete-account", data={"password": password}, headers=EN)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, candidate.id).erased_at is None
        assert db.session.get(CandidateProfile, candidate.id) is not None
    assert client.get("/my/profile").status_code == 200  # still logged in


def test_deleting_the_account_erases_the_person_and_keeps_an_anonymous_cancelled_registration(
        app, client, candidate, make_user, make_event, resume_folder):
    fill_profile(client)
    event = make_event(capacity=1)
    registration_id = register(app, candidate, event)
    waiting = make_user(Role.CANDIDATE)
    waiting_id = register(app, waiting, event, status=RegistrationStatus.WAITLISTED)
    assert any(resume_folder.iterdir())

    response = client.post("/my/privacy/delete-account", data={"password": PASSWORD}, headers=EN,
                           follow_redirects=True)
    assert "Your account and your personal data have been deleted. Goodbye, and good luck!" in response.get_data(
        as_text=True)
    with app.app_context():
        user = db.session.get(User, candidate.id)
        assert (user.email, user.display_name, user.locale) == (f"erased-{candidate.id}@invalid", "—", "en")
        assert user.erased_at is not None and user.is_active_account is False
        assert "$argon2" not in user.password_hash
        assert db.session.get(CandidateProfile, candidate.id) is None
        assert db.session.scalar(select(CandidateSkill.id)) is None
        assert db.session.get(Registration, registration_id).status == RegistrationStatus.CANCELLED
        assert db.session.get(Registration, waiting_id).status == RegistrationStatus.CONFIRMED  # the place went on
    assert not any(resume_folder.iterdir())

    assert client.get("/my/profile").status_code == 302  # logged out
    assert client.post("/login", data={"email": "li.ming@example.org", "password": PASSWORD}).status_code == 200
    assert client.post("/login", data={"email": f"erased-{candidate.id}@invalid",
                                       "password": PASSWORD}).status_code == 200


def test_the_email_is_free_again_after_deletion(client, candidate):
    client.post("/my/privacy/delete-account", data={"password": PASSWORD})
    response = client.post("/signup", data=dict(role="candidate", display_name="李明", email="li.ming@example.org",
                                                password="a brand new pass phrase",
                                                password_confirm="a brand new pass phrase"))
    assert response.status_code == 302


def test_a_leader_of_a_submitted_entry_is_told_to_withdraw_it_before_deleting(app, client, candidate, factories):
    world = build_contest(factories)
    world.entry(leader=candidate, title_zh="智能水务")
    page = client.get("/my/privacy", headers=EN).get_data(as_text=True)
    assert "You lead a submitted contest entry" in page and "智能水务" in page
    response = client.post("/my/privacy/delete-account", data={"password": PASSWORD}, headers=EN)
    assert response.status_code == 422 and "Withdraw it from" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, candidate.id).erased_at is None


def test_the_data_export_has_the_contests(client, candidate, factories):
    world = build_contest(factories)
    world.entry(leader=candidate, title_zh="智能水务")
    data = json.loads(client.get("/my/data.json").get_data(as_text=True))
    assert [entry["title_zh"] for entry in data["contests"]["entries"]] == ["智能水务"]
