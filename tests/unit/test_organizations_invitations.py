"""Inviting colleagues: hashed tokens, seven days, once only, the right kind of account; leaving and removing."""
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from eventsapp.accounts.models import Role, User
from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.notifications.models import OutboxMessage
from eventsapp.organizations import access, services
from eventsapp.organizations.models import Invitation, MemberRole, OrganizationMember
from eventsapp.validation import ValidationFailed


@pytest.fixture
def organization(ctx, make_organization):
    return make_organization()


@pytest.fixture
def owner(organization):
    return db.session.get(User, organization.owner_id)


def errors_of(failure) -> dict:
    with force_locale("en"):
        return {field: str(message) for field, message in failure.value.errors}


def invite(organization, owner, email="li.lei@example.org", now=None):
    invitation, token = services.invite_colleague(organization, owner, email, now=now)
    db.session.commit()
    return invitation, token


def test_an_invitation_is_emailed_and_only_its_hash_is_kept(organization, owner):
    invitation, token = invite(organization, owner, email=" Li.Lei@Example.org ")
    assert invitation.email == "li.lei@example.org"
    assert invitation.token_hash == services.hash_token(token) and token not in invitation.token_hash
    assert len(token) >= 40
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)
    message = db.session.scalar(select(OutboxMessage))
    assert message.kind == "invitation" and message.to_email == "li.lei@example.org"
    assert f"http://talent.test/employer/invitations/{token}" in message.body_text
    assert token in message.body_html


def test_an_employer_without_organization_accepts_and_becomes_staff(organization, owner, make_user):
    invitation, token = invite(organization, owner)
    colleague = make_user(Role.EMPLOYER, email="li.lei@example.org")
    member = services.accept_invitation(token, colleague)
    db.session.commit()
    assert member.role == MemberRole.STAFF and member.organization_id == organization.id
    assert invitation.accepted_at is not None
    assert access.organization_of(colleague).id == organization.id and not access.is_owner(colleague)


def test_a_used_link_does_not_work_again(organization, owner, make_user):
    _, token = invite(organization, owner)
    services.accept_invitation(token, make_user(Role.EMPLOYER))
    db.session.commit()
    with pytest.raises(services.InvitationProblem) as problem:
        services.accept_invitation(token, make_user(Role.EMPLOYER))
    assert problem.value.reason == "used"


def test_an_expired_link_does_not_work(organization, owner, make_user):
    eight_days_ago = utcnow() - timedelta(days=8)
    _, token = invite(organization, owner, now=eight_days_ago)
    with pytest.raises(services.InvitationProblem) as problem:
        services.accept_invitation(token, make_user(Role.EMPLOYER))
    assert problem.value.reason == "expired"
    assert services.open_invitations(organization) == []


def test_a_revoked_link_does_not_work(organization, owner, make_user):
    invitation, token = invite(organization, owner)
    services.revoke_invitation(invitation)
    db.session.commit()
    with pytest.raises(services.InvitationProblem) as problem:
        services.accept_invitation(token, make_user(Role.EMPLOYER))
    assert problem.value.reason == "revoked" and problem.value.is_about_the_link


@pytest.mark.parametrize("token", ["", "nonsense", "x" * 500])
def test_an_unknown_link_does_not_work(organization, token):
    with pytest.raises(services.InvitationProblem) as problem:
        services.invitation_for_token(token)
    assert problem.value.reason == "invalid"


def test_inviting_the_same_address_again_replaces_the_first_link(organization, owner, make_user):
    first, first_token = invite(organization, owner)
    second, second_token = invite(organization, owner)
    assert first.revoked_at is not None and services.open_invitations(organization) == [second]
    with pytest.raises(services.InvitationProblem):
        services.invitation_for_token(first_token)
    assert services.invitation_for_token(second_token) == second


@pytest.mark.parametrize("role", [Role.CANDIDATE, Role.ORGANIZER, Role.ADMIN])
def test_other_kinds_of_account_cannot_accept(organization, owner, make_user, role):
    _, token = invite(organization, owner)
    with pytest.raises(services.InvitationProblem) as problem:
        services.accept_invitation(token, make_user(role))
    assert problem.value.reason == "wrong_account" and not problem.value.is_about_the_link


def test_a_member_of_another_organization_cannot_accept(organization, owner, make_organization, make_staff):
    _, token = invite(organization, owner)
    elsewhere = make_staff(make_organization())
    with pytest.raises(services.InvitationProblem) as problem:
        services.accept_invitation(token, elsewhere)
    assert problem.value.reason == "already_elsewhere"


def test_a_member_of_this_organization_is_told_so(organization, owner, make_staff):
    _, token = invite(organization, owner)
    with pytest.raises(services.InvitationProblem) as problem:
        services.accept_invitation(token, make_staff(organization))
    assert problem.value.reason == "already_member"


def test_inviting_someone_who_cannot_join_is_explained(organization, owner, make_user, make_staff,
                                                      make_organization):
    make_user(Role.CANDIDATE, email="candidate@example.org")
    staff = make_staff(organization, email="staff@example.org")
    make_staff(make_organization(), email="elsewhere@example.org")
    for email, words in (("candidate@example.org", "not an employer account"),
                         (staff.email, "already a member of your organization"),
                         ("elsewhere@example.org", "already belongs to another organization")):
        with pytest.raises(ValidationFailed) as failure:
            services.invite_colleague(organization, owner, email)
        assert words in errors_of(failure)["email"]
    assert db.session.scalar(select(Invitation)) is None


def test_the_number_of_open_invitations_is_limited(organization, owner, monkeypatch):
    monkeypatch.setattr(services, "MAX_OPEN_INVITATIONS", 2)
    invite(organization, owner, "a@example.org")
    invite(organization, owner, "b@example.org")
    invite(organization, owner, "b@example.org")  # a new link for someone already invited is fine
    with pytest.raises(ValidationFailed) as failure:
        services.invite_colleague(organization, owner, "c@example.org")
    assert "already 2 open invitations" in errors_of(failure)["email"]


def test_the_owner_removes_staff_but_not_themself(organization, owner, make_staff, make_organization):
    staff = make_staff(organization)
    members = services.members_of(organization)
    assert [member.role for member in members] == [MemberRole.OWNER, MemberRole.STAFF]
    with pytest.raises(ValidationFailed):
        services.remove_member(organization, members[0])
    other = access.membership_of(make_staff(make_organization()))
    with pytest.raises(ValidationFailed):
        services.remove_member(organization, other)
    services.remove_member(organization, members[1])
    db.session.commit()
    assert access.membership_of(staff) is None


def test_staff_leave_and_the_owner_stays(organization, owner, make_staff):
    staff = make_staff(organization)
    services.leave_organization(access.membership_of(staff))
    with pytest.raises(ValidationFailed) as failure:
        services.leave_organization(access.membership_of(owner))
    assert "owner" in errors_of(failure)[None]
    db.session.commit()
    assert db.session.scalars(select(OrganizationMember)).all() == [access.membership_of(owner)]
