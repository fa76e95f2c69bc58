"""Who may open each organization page and action: the whole matrix."""
import pytest
from sqlalchemy import select

from eventsapp.accounts.models import Role, User
from eventsapp.extensions import db
from eventsapp.organizations import services
from eventsapp.organizations.models import Invitation, Organization, OrganizationMember, OrganizationStatus

EMPLOYER_PAGES = ["/employer/organization/new", "/employer/organization", "/employer/organization/edit"]
EMPLOYER_ACTIONS = ["/employer/organization/new", "/employer/organization/edit", "/employer/organization/logo/delete",
                    "/employer/organization/invitations", "/employer/organization/invitations/1/revoke",
                    "/employer/organization/members/1/remove", "/employer/organization/leave"]
OWNER_ACTIONS = ["/employer/organization/edit", "/employer/organization/logo/delete",
                 "/employer/organization/invitations"]
MANAGE_PAGES = ["/manage/organizations", "/manage/organizations/{id}"]
MANAGE_ACTIONS = ["/manage/organizations/{id}/verify", "/manage/organizations/{id}/reject"]


@pytest.fixture
def organization(make_organization):
    return make_organization(status=OrganizationStatus.PENDING)


def test_anonymous_visitors_are_sent_to_the_login_page(client, organization):
    for path in EMPLOYER_PAGES + [p.format(id=organization.id) for p in MANAGE_PAGES]:
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path
    for path in EMPLOYER_ACTIONS + [p.format(id=organization.id) for p in MANAGE_ACTIONS]:
        response = client.post(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path


@pytest.mark.parametrize("role", [Role.CANDIDATE, Role.ORGANIZER, Role.ADMIN])
def test_the_employer_pages_are_for_employer_accounts_only(client, login, make_user, role):
    login(make_user(role))
    for path in EMPLOYER_PAGES:
        assert client.get(path).status_code == 403, path
    for path in EMPLOYER_ACTIONS:
        assert client.post(path).status_code == 403, path


@pytest.mark.parametrize("role", [Role.CANDIDATE, Role.EMPLOYER])
def test_the_verification_pages_are_for_organizers_only(client, login, make_user, organization, role):
    login(make_user(role))
    for path in MANAGE_PAGES:
        assert client.get(path.format(id=organization.id)).status_code == 403, path
    for path in MANAGE_ACTIONS:
        assert client.post(path.format(id=organization.id), data={"reason": "x"}).status_code == 403, path


@pytest.mark.parametrize("role", [Role.ORGANIZER, Role.ADMIN])
def test_organizers_open_the_verification_pages(client, login, make_user, organization, role):
    login(make_user(role))
    for path in MANAGE_PAGES:
        assert client.get(path.format(id=organization.id)).status_code == 200, path


def test_an_employer_without_organization_is_sent_to_create_one(client, login, make_user):
    login(make_user(Role.EMPLOYER))
    assert client.get("/employer/organization/new").status_code == 200
    for path in ["/employer/organization", "/employer/organization/edit"]:
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].endswith("/new"), path
    for path in EMPLOYER_ACTIONS[1:]:
        response = client.post(path)
        assert response.status_code == 302 and response.headers["Location"].endswith("/new"), path


def test_staff_cannot_edit_invite_or_remove(app, client, login, organization, make_staff):
    staff = make_staff(organization)
    with app.app_context():
        owner_member = db.session.scalar(select(OrganizationMember.id).where(
            OrganizationMember.user_id == organization.owner_id))
        verified = db.session.get(Organization, organization.id)
        verified.status = OrganizationStatus.VERIFIED  # only a verified organization invites
        invitation, _token = services.invite_colleague(verified, db.session.get(User, organization.owner_id),
                                                       "li.lei@example.org")
        db.session.commit()
        invitation_id = invitation.id
    login(staff)
    assert client.get("/employer/organization").status_code == 200
    assert client.get("/employer/organization/edit").status_code == 403
    for path in OWNER_ACTIONS + [f"/employer/organization/invitations/{invitation_id}/revoke",
                                 f"/employer/organization/members/{owner_member}/remove"]:
        assert client.post(path, data={"email": "x@example.org"}).status_code == 403, path
    with app.app_context():
        assert db.session.get(Invitation, invitation_id).revoked_at is None


def test_another_organizations_ids_are_404_for_an_owner(app, client, login, organization, make_organization,
                                                        make_staff):
    other = make_organization()
    other_staff = make_staff(other)
    with app.app_context():
        other_member = db.session.scalar(select(OrganizationMember.id).where(
            OrganizationMember.user_id == other_staff.id))
        invitation, _token = services.invite_colleague(other, db.session.get(User, other.owner_id),
                                                       "li.lei@example.org")
        db.session.commit()
        invitation_id = invitation.id
    login(db_user(app, organization.owner_id))
    assert client.post(f"/employer/organization/invitations/{invitation_id}/revoke").status_code == 404
    assert client.post(f"/employer/organization/members/{other_member}/remove").status_code == 404
    assert client.post("/employer/organization/invitations/999999/revoke").status_code == 404
    with app.app_context():
        assert db.session.get(Invitation, invitation_id).revoked_at is None
        assert db.session.get(OrganizationMember, other_member) is not None


def test_an_owner_sees_only_their_own_organization(app, client, login, organization, make_organization):
    other = make_organization(name_en="Somebody Else Ltd")
    login(db_user(app, organization.owner_id))
    page = client.get("/employer/organization").get_data(as_text=True)
    assert "Somebody Else Ltd" not in page and organization.name_en in page
    assert client.get(f"/manage/organizations/{other.id}").status_code == 403


def db_user(app, user_id) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user
