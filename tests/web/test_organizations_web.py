"""Employers' organization pages over HTTP: creating, editing, the logo, staff and invitations, and
organizers' verification."""
import html
import re
from io import BytesIO

import pytest
from PIL import Image
from sqlalchemy import select

from eventsapp.accounts.models import Role, User
from eventsapp.extensions import db
from eventsapp.notifications.models import OutboxMessage
from eventsapp.organizations import services
from eventsapp.organizations.models import Invitation, MemberRole, Organization, OrganizationMember, OrganizationStatus
from eventsapp.organizations.views import logo_url
from tests.factories import credit_code, image_bytes

EN = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def logo_folder(app, tmp_path, monkeypatch):
    folder = tmp_path / "logos"
    monkeypatch.setitem(app.config, "LOGO_FOLDER", str(folder))
    return folder


@pytest.fixture
def employer(make_user, login):
    user = make_user(Role.EMPLOYER, email="wang.fang@xizi.example.com", display_name="王芳", locale="en",
                     email_verified=True)
    login(user)
    return user


def organization_form(**overrides):
    data = dict(name_zh="杭州西子智能科技有限公司", name_en="Hangzhou Xizi Intelligent Technology",
                credit_code=credit_code(1), industry="I", size="100_499", city="滨江区",
                website="https://www.xizi.example.com", description="Robots and software.")
    data.update(overrides)
    return data


def error_beside(page: str, field_id: str) -> str:
    match = re.search(rf'id="{field_id}"[^>]*>(?:.*?</(?:select|textarea)>)?((?:\s*<div class="invalid-feedback">'
                      r'[^<]*</div>)+)', page, re.S)
    assert match, f"no error shown beside {field_id}"
    return html.unescape(match.group(1))


def stored_organization(app) -> Organization | None:
    with app.app_context():
        organization = db.session.scalar(select(Organization))
        if organization is not None:
            db.session.expunge(organization)
        return organization


def outbox(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        return [(m.kind, m.to_email, m.body_text) for m in db.session.scalars(select(OutboxMessage)
                                                                              .order_by(OutboxMessage.id))]


def user_named(app, user_id) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


# --- Creating the organization --------------------------------------------------------------------

def test_an_employer_without_organization_is_guided_to_create_one(client, employer):
    response = client.get("/employer/organization")
    assert response.status_code == 302 and response.headers["Location"].endswith("/employer/organization/new")
    page = client.get("/employer/organization/new", headers=EN).get_data(as_text=True)
    assert "Create your organization" in page
    assert "I · Information transmission, software and IT services" in page  # the 20 sections
    assert page.count('<option value="') >= 20 + 5 + 13
    assert '<option value="滨江区">' in page and 'enctype="multipart/form-data"' in page


def test_creating_an_organization_with_a_logo(app, client, employer, logo_folder):
    data = organization_form(credit_code=" " + credit_code(1).lower()[:9] + " " + credit_code(1).lower()[9:],
                             logo=(BytesIO(image_bytes("JPEG", (1200, 600))), "logo.jpg"))
    response = client.post("/employer/organization/new", data=data, content_type="multipart/form-data", headers=EN)
    assert response.status_code == 302 and response.headers["Location"].endswith("/employer/organization")
    organization = stored_organization(app)
    assert organization.credit_code == credit_code(1) and organization.status == OrganizationStatus.PENDING
    with Image.open(logo_folder / organization.logo_storage_name) as logo:
        assert logo.size == (400, 200)
    page = client.get("/employer/organization", headers=EN).get_data(as_text=True)
    assert "Your organization has been created" in page and "Awaiting verification" in page
    assert "The organizers are checking your organization" in page and "You are the owner" in page
    assert f"/organizations/{organization.id}/logo?v=" in page
    assert client.get("/employer/organization/new").status_code == 302  # one organization per account


@pytest.mark.parametrize("overrides, field, words", [
    (dict(name_zh="", name_en=""), "name_zh", "in Chinese, in English, or both"),
    (dict(credit_code="91330106MA200000"), "credit_code", "exactly 18 characters; this one has 16"),
    (dict(credit_code="91330100799655058C"), "credit_code", "check character"),
    (dict(credit_code="9133010079965505IB"), "credit_code", "without I, O, S, V and Z"),
    (dict(credit_code=""), "credit_code", "Enter the unified social credit code"),
    (dict(industry=""), "industry", "Choose the industry"),
    (dict(size=""), "size", "Choose the number of employees"),
    (dict(website="javascript:alert(1)"), "website", "https://www.example.com"),
])
def test_bad_details_are_explained_beside_the_field_and_kept(app, client, employer, overrides, field, words):
    response = client.post("/employer/organization/new", data=organization_form(**overrides), headers=EN)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert words in error_beside(page, field)
    assert 'value="Hangzhou Xizi Intelligent Technology"' in page or field == "name_zh"
    assert stored_organization(app) is None


@pytest.mark.parametrize("data, filename, words", [
    (b"GIF89a not really", "logo.png", "not a PNG or JPEG image"),
    (image_bytes("GIF", (10, 10), mode="P"), "logo.gif", "not a PNG or JPEG image"),
    (image_bytes("GIF", (10, 10), mode="P"), "renamed.png", "not a PNG or JPEG image"),
    (b"%PDF-1.4 a pdf", "logo.jpg", "not a PNG or JPEG image"),
])
def test_a_bad_logo_is_explained_beside_the_field(app, client, employer, data, filename, words):
    response = client.post("/employer/organization/new", headers=EN, content_type="multipart/form-data",
                           data=organization_form(logo=(BytesIO(data), filename)))
    assert response.status_code == 422
    assert words in error_beside(response.get_data(as_text=True), "logo")
    assert stored_organization(app) is None


def test_a_logo_over_the_limit_is_refused(app, client, employer, monkeypatch):
    monkeypatch.setitem(app.config, "LOGO_MAX_BYTES", 100)
    response = client.post("/employer/organization/new", headers=EN, content_type="multipart/form-data",
                           data=organization_form(logo=(BytesIO(image_bytes("PNG", (300, 300))), "big.png")))
    assert "a logo can have at most" in error_beside(response.get_data(as_text=True), "logo")


def test_a_request_over_the_size_limit_gets_the_friendly_413_page(app, client, employer, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1000)
    response = client.post("/employer/organization/new", headers=EN, content_type="multipart/form-data",
                           data=organization_form(logo=(BytesIO(b"x" * 5000), "big.png")))
    assert response.status_code == 413 and "a logo can have at most" in response.get_data(as_text=True)


def test_a_credit_code_already_registered_says_whom_to_ask(app, client, employer, make_organization):
    make_organization(credit_code=credit_code(1))
    response = client.post("/employer/organization/new", data=organization_form(), headers=EN)
    assert "ask its owner to invite you" in error_beside(response.get_data(as_text=True), "credit_code")


# --- The organization page and editing ------------------------------------------------------------

@pytest.fixture
def own_organization(app, employer, make_organization):
    return make_organization(owner=employer, credit_code=credit_code(1), name_en="Xizi Tech",
                             name_zh="西子科技", status=OrganizationStatus.VERIFIED)


def test_the_owner_sees_details_staff_and_the_invitation_form(client, own_organization, make_staff):
    colleague = make_staff(own_organization, email="li.lei@xizi.example.com")
    page = client.get("/employer/organization", headers=EN).get_data(as_text=True)
    assert "Xizi Tech" in page and "西子科技" in page and credit_code(1) in page
    assert "Information transmission, software and IT services" in page and "100–499 employees" in page
    assert "Verified" in page and "can apply for booths" in page
    assert colleague.email in page and "Invite a colleague" in page and "Edit details" in page
    assert "/employer/organization/members/" in page  # a remove button for the staff member


def test_staff_see_the_page_read_only(client, login, own_organization, make_staff):
    client.post("/logout")
    login(make_staff(own_organization))
    page = client.get("/employer/organization", headers=EN).get_data(as_text=True)
    assert "Xizi Tech" in page and "You are a staff member" in page
    assert "Only the owner can change these details" in page
    assert "Invite a colleague" not in page and "Edit details" not in page and "Leave this organization" in page
    assert client.get("/employer/organization/edit").status_code == 403


def test_the_edit_form_warns_that_a_new_name_needs_verification_again(app, client, own_organization):
    page = client.get("/employer/organization/edit", headers=EN).get_data(as_text=True)
    assert "is used once the organizers verify it" in page and 'value="Xizi Tech"' in page
    assert re.search(r'<option (selected )?value="I"( selected)?>', page).group(0) != '<option value="I">'
    response = client.post("/employer/organization/edit", data=organization_form(name_en="Xizi Robotics"),
                           headers=EN, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "The new name or credit code will be used once the organizers verify it" in page
    assert 'data-testid="change-explained"' in page and "Xizi Robotics" in page
    organization = stored_organization(app)
    assert organization.status == OrganizationStatus.VERIFIED and organization.name_en == "Xizi Tech"
    assert organization.pending_name_en == "Xizi Robotics"
    assert 'value="Xizi Robotics"' in client.get("/employer/organization/edit", headers=EN).get_data(as_text=True)


def test_editing_the_description_keeps_verification(app, client, own_organization):
    client.post("/employer/organization/edit", headers=EN, data=organization_form(
        name_zh="西子科技", name_en="Xizi Tech", description="New"))
    organization = stored_organization(app)
    assert organization.status == OrganizationStatus.VERIFIED and organization.description == "New"


def test_a_rejected_organization_is_corrected_and_resubmitted(app, client, employer, make_organization):
    make_organization(owner=employer, status=OrganizationStatus.REJECTED, status_reason="名称与执照不符",
                      credit_code=credit_code(3))
    page = client.get("/employer/organization", headers=EN).get_data(as_text=True)
    assert "did not accept" in page and "名称与执照不符" in page and "Correct and resubmit" in page
    assert "Resubmit for verification" in client.get("/employer/organization/edit", headers=EN).get_data(as_text=True)
    response = client.post("/employer/organization/edit", data=organization_form(credit_code=credit_code(3)),
                           headers=EN, follow_redirects=True)
    assert "sent to the organizers for verification again" in response.get_data(as_text=True)
    assert stored_organization(app).status == OrganizationStatus.PENDING


def test_replacing_and_removing_the_logo(app, client, own_organization, logo_folder):
    client.post("/employer/organization/edit", content_type="multipart/form-data", headers=EN, data=organization_form(
        name_zh="西子科技", name_en="Xizi Tech", logo=(BytesIO(image_bytes("PNG")), "a.png")))
    first = stored_organization(app).logo_storage_name
    client.post("/employer/organization/edit", content_type="multipart/form-data", headers=EN, data=organization_form(
        name_zh="西子科技", name_en="Xizi Tech", logo=(BytesIO(image_bytes("JPEG")), "b.jpg")))
    second = stored_organization(app).logo_storage_name
    assert first != second and [path.name for path in logo_folder.iterdir()] == [second]
    assert "Remove the logo" in client.get("/employer/organization/edit", headers=EN).get_data(as_text=True)
    client.post("/employer/organization/logo/delete")
    assert stored_organization(app).logo_storage_name is None and list(logo_folder.iterdir()) == []


# --- The logo file --------------------------------------------------------------------------------

def _with_logo(app, organization_id: int, data: bytes) -> str:
    with app.app_context():
        organization = db.session.get(Organization, organization_id)
        services.set_logo(organization, data)
        db.session.commit()
        return f"/organizations/{organization.id}/logo?v={organization.logo_storage_name[:8]}"


def test_a_verified_organizations_logo_is_public_and_cached(app, client, make_organization):
    organization = make_organization()
    url = _with_logo(app, organization.id, image_bytes("PNG", (50, 50)))
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "max-age=31536000" in response.headers["Cache-Control"] and "public" in response.headers["Cache-Control"]
    assert Image.open(BytesIO(response.data)).size == (50, 50)
    unversioned = client.get(url.split("?")[0])
    assert unversioned.status_code == 200 and "max-age=3600" in unversioned.headers["Cache-Control"]
    again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_a_jpeg_logo_is_served_as_jpeg(app, client, make_organization):
    organization = make_organization()
    response = client.get(_with_logo(app, organization.id, image_bytes("JPEG")))
    assert response.mimetype == "image/jpeg"


def test_no_logo_or_no_organization_is_404(client, make_organization):
    assert client.get(f"/organizations/{make_organization().id}/logo").status_code == 404
    assert client.get("/organizations/999999/logo").status_code == 404


def test_a_pending_organizations_logo_is_for_its_staff_and_organizers(app, client, login, make_organization,
                                                                       make_staff, make_user):
    organization = make_organization(status=OrganizationStatus.PENDING)
    url = _with_logo(app, organization.id, image_bytes("PNG"))
    assert client.get(url).status_code == 404
    with app.test_request_context():
        assert logo_url(stored_organization(app)) is None  # pages do not link to what the visitor cannot see
    login(make_user(Role.EMPLOYER))
    assert client.get(url).status_code == 404
    client.post("/logout")
    login(make_staff(organization))
    response = client.get(url)
    assert response.status_code == 200 and "private" in response.headers["Cache-Control"]
    client.post("/logout")
    login(make_user(Role.ORGANIZER))
    assert client.get(url).status_code == 200


# --- Staff and invitations ------------------------------------------------------------------------

def invitation_token(app) -> str:
    with app.app_context():
        body = db.session.scalar(select(OutboxMessage.body_text).where(OutboxMessage.kind == "invitation")
                                 .order_by(OutboxMessage.id.desc()))
    return re.search(r"/employer/invitations/(\S+)", body).group(1)


@pytest.mark.parametrize(("confirmed", "status", "told"), [
    (False, OrganizationStatus.VERIFIED, "Confirm your e-mail address first"),
    (True, OrganizationStatus.PENDING, "once the organizers have verified your organization"),
    (True, OrganizationStatus.REJECTED, "once the organizers have verified your organization"),
])
def test_invitations_come_only_from_a_confirmed_owner_of_a_verified_organization(
        app, client, make_user, make_organization, login, confirmed, status, told):
    owner = make_user(Role.EMPLOYER, email="owner@xizi.example.com", email_verified=confirmed)
    make_organization(owner=owner, status=status, name_en="Win a prize at evil.example")
    login(owner)
    page = client.get("/employer/organization", headers=EN).get_data(as_text=True)
    assert told in page and 'action="/employer/organization/invitations"' not in page
    refused = client.post("/employer/organization/invitations", data={"email": "victim@example.org"}, headers=EN)
    assert refused.status_code == 422 and told in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.kind == "invitation")) is None


def test_an_invitations_subject_holds_no_link_and_no_long_text(app, client, own_organization, employer):
    with app.app_context():
        db.session.get(User, employer.id).display_name = "Free money at www.evil.example " + "x" * 60
        db.session.commit()
    client.post("/employer/organization/invitations", data={"email": "li.lei@example.org"})
    with app.app_context():
        subject = db.session.scalar(select(OutboxMessage.subject).where(OutboxMessage.kind == "invitation"))
    assert "www.evil.example" not in subject and "www·evil·example" in subject
    assert "x" * 60 not in subject and "…" in subject


def test_the_whole_invitation_story(app, client, login, own_organization, make_user):
    response = client.post("/employer/organization/invitations", data={"email": "Li.Lei@Example.org"}, headers=EN,
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "We have sent an invitation to li.lei@example.org" in page and "Waiting for an answer" in page
    token = invitation_token(app)
    client.post("/logout")
    # Not logged in: asked to log in or sign up, and brought back afterwards.
    response = client.get(f"/employer/invitations/{token}", headers=EN)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Join Xizi Tech" in page
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert f"/login?next=/employer/invitations/{token}" in page
    assert f"/signup?next=/employer/invitations/{token}" in page
    colleague = make_user(Role.EMPLOYER, email="lei.li@example.org", display_name="李雷")
    response = client.post(f"/login?next=/employer/invitations/{token}",
                           data={"email": colleague.email, "password": "correct horse battery staple"})
    assert response.headers["Location"] == f"/employer/invitations/{token}"
    page = client.get(f"/employer/invitations/{token}", headers=EN).get_data(as_text=True)
    assert "Join as 李雷" in page and "You are logged in as lei.li@example.org" in page  # another address
    response = client.post(f"/employer/invitations/{token}", headers=EN, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "You are now a member of Xizi Tech" in page and "You are a staff member" in page
    with app.app_context():
        member = db.session.scalar(select(OrganizationMember).where(OrganizationMember.user_id == colleague.id))
        assert member.role == MemberRole.STAFF and member.organization_id == own_organization.id
    # The link is used up: whoever used it is sent to the organization, anyone else gets a clear page.
    response = client.get(f"/employer/invitations/{token}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/employer/organization")
    client.post("/logout")
    response = client.get(f"/employer/invitations/{token}", headers=EN)
    assert response.status_code == 400 and "already been used" in response.get_data(as_text=True)


def test_a_bad_invitation_address_is_explained(client, own_organization):
    response = client.post("/employer/organization/invitations", data={"email": "not-an-address"}, headers=EN)
    assert response.status_code == 422
    assert "valid e-mail address" in error_beside(response.get_data(as_text=True), "email")


@pytest.mark.parametrize("reason, words", [
    ("expired", "has expired"), ("revoked", "has been withdrawn"), ("invalid", "does not work")])
def test_links_that_cannot_be_used_get_a_clear_400_page(app, client, own_organization, reason, words):
    client.post("/employer/organization/invitations", data={"email": "li.lei@example.org"})
    token = invitation_token(app)
    with app.app_context():
        invitation = db.session.scalar(select(Invitation))
        if reason == "expired":
            invitation.expires_at = invitation.created_at
        elif reason == "revoked":
            invitation.revoked_at = invitation.created_at
        else:
            token = token[:-3] + "abc"
        db.session.commit()
    client.post("/logout")
    for method in (client.get, client.post):
        response = method(f"/employer/invitations/{token}", headers=EN)
        assert response.status_code == 400 and words in response.get_data(as_text=True)


def test_revoking_an_invitation(app, client, own_organization):
    client.post("/employer/organization/invitations", data={"email": "li.lei@example.org"})
    with app.app_context():
        invitation_id = db.session.scalar(select(Invitation.id))
    response = client.post(f"/employer/organization/invitations/{invitation_id}/revoke", headers=EN,
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "has been revoked" in page and "Waiting for an answer" not in page
    assert client.get(f"/employer/invitations/{invitation_token(app)}").status_code == 400


@pytest.mark.parametrize("role, words", [(Role.CANDIDATE, "cannot join an organization"),
                                         (Role.ORGANIZER, "cannot join an organization")])
def test_other_kinds_of_account_are_told_clearly(app, client, login, own_organization, make_user, role, words):
    client.post("/employer/organization/invitations", data={"email": "li.lei@example.org"})
    token = invitation_token(app)
    client.post("/logout")
    login(make_user(role, email="li.lei@example.org"))
    for method in (client.get, client.post):
        response = method(f"/employer/invitations/{token}", headers=EN)
        assert response.status_code == 403 and words in response.get_data(as_text=True)


def test_an_account_in_another_organization_is_told_clearly(app, client, login, own_organization,
                                                             make_organization, make_staff):
    client.post("/employer/organization/invitations", data={"email": "li.lei@example.org"})
    token = invitation_token(app)
    client.post("/logout")
    login(make_staff(make_organization()))
    response = client.post(f"/employer/invitations/{token}", headers=EN)
    assert response.status_code == 403 and "already belongs to an organization" in response.get_data(as_text=True)


def test_a_member_opening_their_own_invitation_goes_to_the_organization(app, client, own_organization):
    client.post("/employer/organization/invitations", data={"email": "li.lei@example.org"})
    response = client.get(f"/employer/invitations/{invitation_token(app)}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/employer/organization")


def test_the_owner_removes_a_staff_member_and_a_staff_member_leaves(app, client, login, own_organization,
                                                                     make_staff):
    first, second = make_staff(own_organization), make_staff(own_organization)
    with app.app_context():
        first_member = db.session.scalar(select(OrganizationMember.id).where(OrganizationMember.user_id == first.id))
        own_member = db.session.scalar(select(OrganizationMember.id).where(
            OrganizationMember.user_id == own_organization.owner_id))
    response = client.post(f"/employer/organization/members/{first_member}/remove", headers=EN,
                           follow_redirects=True)
    assert "is no longer a member" in response.get_data(as_text=True)
    response = client.post(f"/employer/organization/members/{own_member}/remove", headers=EN, follow_redirects=True)
    assert "The owner cannot be removed" in response.get_data(as_text=True)
    response = client.post("/employer/organization/leave", headers=EN, follow_redirects=True)
    assert "As the owner you cannot leave" in response.get_data(as_text=True)
    client.post("/logout")
    login(second)
    response = client.post("/employer/organization/leave", headers=EN, follow_redirects=True)
    assert "You have left Xizi Tech" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(OrganizationMember.user_id).where(
            OrganizationMember.organization_id == own_organization.id)) == own_organization.owner_id


# --- Organizers -----------------------------------------------------------------------------------

def test_the_organizers_list_with_counts_filters_and_search(client, organizer, make_organization):
    make_organization(name_zh="阿里巴巴（中国）有限公司", name_en="Alibaba (China)", credit_code="91330100799655058B")
    waiting = make_organization(status=OrganizationStatus.PENDING, name_zh="等待公司", name_en="Waiting Ltd")
    make_organization(status=OrganizationStatus.REJECTED, name_en="Rejected Ltd")
    page = client.get("/manage/organizations", headers=EN).get_data(as_text=True)
    assert re.search(r'data-testid="count-pending">1<', page) and re.search(r'data-testid="count-verified">1<', page)
    assert page.index("Waiting Ltd") < page.index("Alibaba") and page.index("Waiting Ltd") < page.index("Rejected Ltd")
    page = client.get("/manage/organizations?status=pending", headers=EN).get_data(as_text=True)
    assert f"organization-{waiting.id}" in page and "Alibaba" not in page
    page = client.get("/manage/organizations?q=9133+0100+7996", headers=EN).get_data(as_text=True)
    assert "Alibaba" in page and "Waiting Ltd" not in page
    page = client.get("/manage/organizations?q=nothing-like-this&status=bogus", headers=EN).get_data(as_text=True)
    assert "No organizations match" in page


def test_an_organizer_verifies_and_the_owner_is_emailed(app, client, organizer, make_organization):
    organization = make_organization(status=OrganizationStatus.PENDING, name_en="Waiting Ltd")
    page = client.get(f"/manage/organizations/{organization.id}", headers=EN).get_data(as_text=True)
    assert "Waiting Ltd" in page and organization.credit_code in page and "Reject with this reason" in page
    response = client.post(f"/manage/organizations/{organization.id}/verify", headers=EN, follow_redirects=True)
    assert "is verified; its owner has been told" in response.get_data(as_text=True)
    assert stored_organization(app).status == OrganizationStatus.VERIFIED
    [(kind, to, _body)] = outbox(app)
    assert kind == "organization_verified" and to == user_named(app, organization.owner_id).email
    response = client.post(f"/manage/organizations/{organization.id}/verify", headers=EN, follow_redirects=True)
    assert "nothing to verify" in response.get_data(as_text=True) and len(outbox(app)) == 1


def test_rejecting_needs_a_reason_that_the_owner_reads(app, client, organizer, make_organization):
    organization = make_organization(status=OrganizationStatus.PENDING)
    response = client.post(f"/manage/organizations/{organization.id}/reject", data={"reason": "  "}, headers=EN)
    assert response.status_code == 422
    assert "Say why" in error_beside(response.get_data(as_text=True), "reason")
    assert stored_organization(app).status == OrganizationStatus.PENDING and outbox(app) == []
    client.post(f"/manage/organizations/{organization.id}/reject", data={"reason": "执照已过期"})
    organization = stored_organization(app)
    assert organization.status == OrganizationStatus.REJECTED and organization.status_reason == "执照已过期"
    [(kind, _to, body)] = outbox(app)
    assert kind == "organization_rejected" and "执照已过期" in body


def test_unknown_organization_ids_are_404_for_organizers(client, organizer):
    assert client.get("/manage/organizations/999999").status_code == 404
    assert client.post("/manage/organizations/999999/verify").status_code == 404
    assert client.post("/manage/organizations/999999/reject", data={"reason": "x"}).status_code == 404


def test_sending_invitations_is_limited(app, client, own_organization, monkeypatch):
    monkeypatch.setitem(app.config, "INVITATION_LIMIT", "2 per hour")
    for number in range(2):
        assert client.post("/employer/organization/invitations", data={"email": f"c{number}@example.org"}
                           ).status_code == 302
    assert client.post("/employer/organization/invitations", data={"email": "c3@example.org"}).status_code == 429


def test_the_organizer_sees_a_rename_old_to_new_and_verifies_or_refuses_it(app, client, own_organization,
                                                                         make_user, login):
    client.post("/employer/organization/edit", data=organization_form(name_zh="西子科技", name_en="Xizi Robotics"))
    client.post("/logout")
    login(make_user(Role.ORGANIZER))
    listing = client.get("/manage/organizations?status=changes", headers=EN).get_data(as_text=True)
    assert 'data-testid="count-changes">1<' in listing and "Xizi Tech" in listing
    page = client.get(f"/manage/organizations/{own_organization.id}", headers=EN).get_data(as_text=True)
    change = page.split('data-testid="pending-change"')[1].split("</dl>")[0]
    assert "<del" in change and "Xizi Tech" in change and "Xizi Robotics" in change and "西子科技" not in change
    assert "Verify the change" in page and "Suspend with this reason" in page

    response = client.post(f"/manage/organizations/{own_organization.id}/refuse", data={"refuse-reason": " "},
                           headers=EN)
    assert response.status_code == 422 and "Say why" in response.get_data(as_text=True)
    client.post(f"/manage/organizations/{own_organization.id}/verify")
    organization = stored_organization(app)
    assert organization.name_en == "Xizi Robotics" and not organization.has_pending_change
    assert [kind for kind, _to, _body in outbox(app)] == ["organization_change_verified"]


def test_an_invitation_names_the_verified_organization_and_holds_no_link_it_did_not_make(
        app, client, own_organization, employer):
    with app.app_context():
        organization = db.session.get(Organization, own_organization.id)
        organization.name_en = "Xizi Tech, jobs at https://evil.example/apply"
        organization.pending_name_en = "Renamed at www.other.example"
        db.session.get(User, employer.id).display_name = "Boss of evil.example"
        db.session.commit()
    client.post("/employer/organization/invitations", data={"email": "li.lei@example.org"}, headers=EN)
    with app.app_context():
        message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "invitation"))
    for body in (message.body_text, message.body_html):
        assert "evil.example" not in body and "https://evil" not in body and "Renamed" not in body
        assert "Xizi Tech, jobs at evil·example/apply" in body and "Boss of evil·example" in body
    assert "/employer/invitations/" in message.body_text  # our own link stays a link
