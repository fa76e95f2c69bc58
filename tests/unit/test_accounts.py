import pytest

from eventsapp.accounts import services
from eventsapp.accounts.models import Role
from eventsapp.accounts.passwords import password_weaknesses
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


def test_changing_the_password_checks_the_current_one_and_changes_the_session_marker(ctx):
    user = services.create_account("li@example.com", "a long enough pass phrase", "李明", Role.CANDIDATE)
    marker = user.session_marker
    with pytest.raises(ValidationFailed):
        services.change_password(user, "not it", "a brand new pass phrase")
    services.change_password(user, "a long enough pass phrase", "a brand new pass phrase")
    assert user.session_marker != marker
    assert services.load_user(f"{user.id}.{marker}") is None
    assert services.load_user(user.get_id()) is user


def test_an_admin_cannot_demote_themself(ctx):
    admin = services.create_account("root@example.com", "a long enough pass phrase", "Admin", Role.ADMIN)
    with pytest.raises(ValidationFailed):
        services.grant_role(admin, admin, Role.CANDIDATE)
