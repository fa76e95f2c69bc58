import pytest
from sqlalchemy import func, select

from eventsapp.accounts import services
from eventsapp.accounts.models import LoginSession, Role
from eventsapp.accounts.passwords import password_weaknesses
from eventsapp.extensions import db
from eventsapp.validation import ValidationFailed


def test_passwords_are_stored_as_argon2id_hashes(ctx):
    user = services.create_account("Li.Ming@Example.com", "a long enough pass phrase", "李明", Role.CANDIDATE)
    assert user.email == "li.ming@example.com"
    assert user.password_hash.startswith("$argon2id$")
    assert "pass phrase" not in user.password_hash


def test_authentication_ignores_email_case_and_rejects_wrong_passwords(ctx):
    services.create_account("li@example.com", "a long enough pass phrase", "李明", Role.CANDIDATE)
    assert services.authenticate("LI@example.com ", "a long enough pass phrase") is not None
    assert services.authenticate("li@example.com", "wrong password") is None
    assert services.authenticate("nobody@example.com", "a long enough pass phrase") is None


def test_an_email_has_one_account_whatever_its_case(ctx):
    services.create_account("li@example.com", "a long enough pass phrase", "李明", Role.CANDIDATE)
    with pytest.raises(ValidationFailed) as failure:
        services.create_account("LI@EXAMPLE.COM", "another long pass phrase", "李明", Role.EMPLOYER)
    assert [field for field, _ in failure.value.errors] == ["email"]


@pytest.mark.parametrize("password", ["short", "1234567890", "aaaaaaaaaaaa", "zhangwei-2027!"])
def test_weak_passwords_are_refused(ctx, password):
    assert password_weaknesses(password, "zhangwei@example.com")


def test_changing_the_password_checks_the_current_one_and_ends_the_other_logins(ctx):
    user = services.create_account("li@example.com", "a long enough pass phrase", "李明", Role.CANDIDATE)
    phone = services.start_login_session(user, "Phone")
    laptop = services.start_login_session(user, "Laptop")  # the login the change is made from
    with pytest.raises(ValidationFailed):
        services.change_password(user, "not it", "a brand new pass phrase")
    assert db.session.scalar(select(func.count()).select_from(LoginSession)) == 2
    services.change_password(user, "a long enough pass phrase", "a brand new pass phrase")
    assert services.load_user(phone) is None
    assert services.load_user(laptop) is user and user.get_id() == laptop


def test_a_login_ends_when_logged_out_and_after_its_lifetime(ctx, app, monkeypatch):
    user = services.create_account("li@example.com", "a long enough pass phrase", "李明", Role.CANDIDATE)
    first, second = services.start_login_session(user), services.start_login_session(user)
    assert first != second and services.load_user("not a token") is None
    services.end_login_session(first)
    assert services.load_user(first) is None and services.load_user(second) is user
    monkeypatch.setitem(app.config, "LOGIN_SESSION_LIFETIME", 0)
    assert services.load_user(second) is None  # older than the lifetime
    services.start_login_session(user)  # cleans up the account's expired logins
    assert db.session.scalar(select(func.count()).select_from(LoginSession)) == 1


def test_an_account_without_a_login_has_no_session_id(ctx):
    user = services.create_account("li@example.com", "a long enough pass phrase", "李明", Role.CANDIDATE)
    with pytest.raises(RuntimeError):
        user.get_id()


def test_an_admin_cannot_demote_themself(ctx):
    admin = services.create_account("root@example.com", "a long enough pass phrase", "Admin", Role.ADMIN)
    with pytest.raises(ValidationFailed):
        services.grant_role(admin, admin, Role.CANDIDATE)
