"""Organization services: creating and editing, the logo, organizers' verification and the access rules."""
from io import BytesIO

import pytest
from flask_babel import force_locale
from PIL import Image
from sqlalchemy import select

from eventsapp.accounts.models import Role, User
from eventsapp.extensions import db
from eventsapp.notifications.models import OutboxMessage
from eventsapp.organizations import access, logos, services
from eventsapp.organizations.choices import INDUSTRY_LABELS, ORGANIZATION_SIZE_LABELS, ORGANIZATION_STATUS_LABELS
from eventsapp.organizations.models import (
    Industry,
    MemberRole,
    Organization,
    OrganizationMember,
    OrganizationSize,
    OrganizationStatus,
)
from eventsapp.validation import ValidationFailed
from tests.factories import credit_code, image_bytes, organization_data, png_claiming

MAX_BYTES = 2 * 1024 * 1024


@pytest.fixture(autouse=True)
def logo_folder(app, tmp_path, monkeypatch):
    folder = tmp_path / "logos"
    monkeypatch.setitem(app.config, "LOGO_FOLDER", str(folder))
    return folder


@pytest.fixture
def employer(ctx, make_user):
    return make_user(Role.EMPLOYER, email="wang.fang@xizi.example.com", display_name="王芳", locale="en")


def errors_of(failure) -> dict:
    with force_locale("en"):
        return {field: str(message) for field, message in failure.value.errors}


def outbox() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


# --- Labels ---------------------------------------------------------------------------------------

def test_every_choice_has_a_label():
    assert set(INDUSTRY_LABELS) == set(Industry) and len(INDUSTRY_LABELS) == 20
    assert set(ORGANIZATION_SIZE_LABELS) == set(OrganizationSize)
    assert set(ORGANIZATION_STATUS_LABELS) == set(OrganizationStatus)


# --- Creating -------------------------------------------------------------------------------------

def test_an_employer_creates_an_organization_and_becomes_its_owner(employer):
    typed = " 9133 0106 ma2 000001 " + credit_code(1)[-1].lower()  # spaces and lower case, as people type
    organization = services.create_organization(employer, organization_data(credit_code=typed))
    db.session.commit()
    assert organization.status == OrganizationStatus.PENDING
    assert organization.credit_code == credit_code(1)
    assert organization.website == "https://www.xizi.example.com"
    member = db.session.scalar(select(OrganizationMember).where(OrganizationMember.user_id == employer.id))
    assert member.organization_id == organization.id and member.role == MemberRole.OWNER
    assert access.organization_of(employer) == organization and access.is_owner(employer)


def test_one_name_is_enough_and_a_bare_domain_gets_https(employer):
    organization = services.create_organization(employer, organization_data(
        name_zh="", name_en="  Xizi   Robotics ", website="www.xizi.example.com"))
    assert organization.name_en == "Xizi Robotics" and organization.website == "https://www.xizi.example.com"


def test_the_description_keeps_its_lines(employer):
    organization = services.create_organization(employer, organization_data(description="  One\r\n\r\nTwo  \x00"))
    assert organization.description == "One\n\nTwo"


@pytest.mark.parametrize("overrides, field, words", [
    (dict(name_zh="", name_en=" "), "name_zh", "in Chinese, in English, or both"),
    (dict(credit_code=""), "credit_code", "Enter the unified social credit code"),
    (dict(credit_code="91330106MA200000"), "credit_code", "exactly 18 characters; this one has 16"),
    (dict(credit_code=credit_code(1)[:-1] + ("0" if credit_code(1)[-1] != "0" else "1")), "credit_code",
     "check character"),
    (dict(credit_code="91330106MA2OOOOOO1"), "credit_code", "without I, O, S, V and Z"),
    (dict(industry=None), "industry", "Choose the industry"),
    (dict(size=None), "size", "Choose the number of employees"),
    (dict(website="ftp://files.example.com"), "website", "https://www.example.com"),
    (dict(website="https://localhost"), "website", "https://www.example.com"),
    (dict(website="https://exa mple.com"), "website", "https://www.example.com"),
    (dict(name_en="x" * 201), "name_en", "At most 200 characters"),
])
def test_bad_details_are_explained_beside_the_field(employer, overrides, field, words):
    with pytest.raises(ValidationFailed) as failure:
        services.create_organization(employer, organization_data(**overrides))
    assert words in errors_of(failure)[field]
    assert db.session.scalar(select(Organization)) is None


def test_a_credit_code_is_used_by_one_organization_only(employer, make_organization, make_user):
    make_organization(credit_code=credit_code(1))
    with pytest.raises(ValidationFailed) as failure:
        services.create_organization(employer, organization_data(credit_code=credit_code(1).lower()))
    assert "already registered with this credit code" in errors_of(failure)["credit_code"]


def test_an_account_belongs_to_one_organization(employer):
    services.create_organization(employer, organization_data())
    with pytest.raises(ValidationFailed) as failure:
        services.create_organization(employer, organization_data(credit_code=credit_code(2)))
    assert "already belongs to an organization" in errors_of(failure)[None]


@pytest.mark.parametrize("role", [Role.CANDIDATE, Role.ORGANIZER])
def test_only_employer_accounts_create_organizations(ctx, make_user, role):
    with pytest.raises(ValidationFailed):
        services.create_organization(make_user(role), organization_data())


# --- Logos ----------------------------------------------------------------------------------------

def test_a_png_logo_is_reencoded_and_stored_outside_static(employer, logo_folder):
    organization = services.create_organization(employer, organization_data(), logo=image_bytes("PNG", (40, 20)))
    db.session.commit()
    assert organization.logo_storage_name.endswith(".png") and len(organization.logo_storage_name) == 36
    path = services.logo_path(organization)
    assert path.parent == logo_folder
    with Image.open(path) as stored:
        assert stored.format == "PNG" and stored.size == (40, 20)


def test_a_large_jpeg_is_shrunk_to_fit_400_keeping_its_shape(employer):
    logo = logos.check_logo(image_bytes("JPEG", (1600, 800)), MAX_BYTES)
    assert (logo.width, logo.height, logo.extension) == (400, 200, ".jpg")
    with Image.open(BytesIO(logo.data)) as stored:
        assert stored.format == "JPEG" and stored.size == (400, 200)
    tall = logos.check_logo(image_bytes("PNG", (300, 900)), MAX_BYTES)
    assert (tall.width, tall.height) == (133, 400)


def test_transparency_and_cmyk_survive_reencoding():
    transparent = logos.check_logo(image_bytes("PNG", (10, 10), mode="RGBA"), MAX_BYTES)
    with Image.open(BytesIO(transparent.data)) as stored:
        assert stored.mode == "RGBA"
    cmyk = logos.check_logo(image_bytes("JPEG", (10, 10), mode="CMYK"), MAX_BYTES)
    with Image.open(BytesIO(cmyk.data)) as stored:
        assert stored.mode == "RGB"


def test_metadata_and_trailing_bytes_are_dropped():
    data = image_bytes("PNG", (10, 10)) + b"<script>alert(1)</script>"
    assert b"<script>" not in logos.check_logo(data, MAX_BYTES).data


@pytest.mark.parametrize("data, words", [
    (b"", "The file is empty"),
    (b"\x89PNG\r\n\x1a\nnot really a png at all", "not a PNG or JPEG image"),  # a fake PNG
    (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "not a PNG or JPEG image"),
    (image_bytes("GIF", (10, 10), mode="P"), "not a PNG or JPEG image"),
    (image_bytes("BMP", (10, 10)), "not a PNG or JPEG image"),
    (image_bytes("WEBP", (10, 10)), "not a PNG or JPEG image"),
    (image_bytes("PNG", (30, 30))[:60], "incomplete or damaged"),
    (png_claiming(30_000, 30_000), "too many pixels"),  # a decompression bomb
    (png_claiming(9000, 10), "too many pixels"),
    (png_claiming(5000, 5001), "too many pixels"),
])
def test_files_that_are_not_good_logos_are_refused(data, words, app):
    with app.app_context(), pytest.raises(ValidationFailed) as failure:
        logos.check_logo(data, MAX_BYTES)
    assert words in errors_of(failure)["logo"]


def test_a_logo_over_the_limit_is_refused(app):
    with app.app_context(), pytest.raises(ValidationFailed) as failure:
        logos.check_logo(image_bytes("PNG", (10, 10)), max_bytes=50)
    assert "a logo can have at most" in errors_of(failure)["logo"]


def test_a_refused_logo_stops_the_whole_save_and_leaves_no_file(employer, logo_folder):
    with pytest.raises(ValidationFailed) as failure:
        services.create_organization(employer, organization_data(credit_code=""), logo=image_bytes("GIF", mode="P"))
    assert set(errors_of(failure)) == {"credit_code", "logo"}
    assert not logo_folder.exists() or not any(logo_folder.iterdir())


def test_a_new_logo_replaces_the_old_file_after_the_commit(employer, logo_folder):
    organization = services.create_organization(employer, organization_data(), logo=image_bytes("PNG"))
    db.session.commit()
    old = services.logo_path(organization)
    services.set_logo(organization, image_bytes("JPEG"))
    assert old.exists()  # until the commit, the stored row still names it
    db.session.commit()
    assert not old.exists() and services.logo_path(organization).suffix == ".jpg"
    services.remove_logo(organization)
    db.session.commit()
    assert organization.logo_storage_name is None and list(logo_folder.iterdir()) == []


def test_a_rolled_back_upload_leaves_no_file(employer, logo_folder):
    organization = services.create_organization(employer, organization_data())
    db.session.commit()
    services.set_logo(organization, image_bytes("PNG"))
    db.session.rollback()
    assert list(logo_folder.iterdir()) == []


# --- Editing --------------------------------------------------------------------------------------

@pytest.fixture
def verified(employer):
    organization = services.create_organization(employer, organization_data())
    services.verify_organization(organization)
    db.session.commit()
    return organization


def test_editing_other_details_keeps_a_verified_organization_verified(verified):
    outcome = services.update_organization(verified, organization_data(description="New text", city="西湖区"))
    assert outcome == services.SaveOutcome.SAVED and verified.status == OrganizationStatus.VERIFIED
    assert verified.city == "西湖区" and not verified.has_pending_change


@pytest.mark.parametrize("change", [dict(name_zh="杭州新名字有限公司"), dict(name_en="New Name Ltd"),
                                    dict(credit_code=credit_code(7))])
def test_a_new_name_or_credit_code_waits_for_verification_while_the_verified_one_stays(verified, change):
    before = (verified.name_zh, verified.name_en, verified.credit_code)
    outcome = services.update_organization(verified, organization_data(**change, city="西湖区"))
    db.session.commit()
    assert outcome == services.SaveOutcome.CHANGE_PENDING and verified.has_pending_change
    assert verified.status == OrganizationStatus.VERIFIED and verified.verified_at is not None
    assert (verified.name_zh, verified.name_en, verified.credit_code) == before  # what everyone sees
    assert verified.city == "西湖区"  # other details change at once
    wanted = organization_data(**change)
    assert (verified.pending_name_zh, verified.pending_name_en, verified.pending_credit_code) == (
        wanted.name_zh, wanted.name_en, wanted.credit_code)
    assert services.organization_data_of(verified).credit_code == wanted.credit_code  # the form shows the change
    assert access.can_apply_for_booths(db.session.get(User, verified.members[0].user_id))


def test_verifying_the_change_makes_it_public_and_tells_the_owner(verified):
    services.update_organization(verified, organization_data(name_en="Westlake Robotics Ltd"))
    services.verify_organization(verified)
    db.session.commit()
    assert verified.name_en == "Westlake Robotics Ltd" and not verified.has_pending_change
    [message] = [m for m in outbox() if m.kind == "organization_change_verified"]
    assert "Westlake Robotics Ltd" in message.body_text and "is now shown as" in message.body_text


def test_refusing_the_change_keeps_the_verified_details(verified):
    before = verified.name_en
    services.update_organization(verified, organization_data(name_en="Typo Ltd"))
    with pytest.raises(ValidationFailed):
        services.refuse_change(verified, " ")
    services.refuse_change(verified, "The licence says otherwise")
    db.session.commit()
    assert verified.name_en == before and not verified.has_pending_change
    [message] = [m for m in outbox() if m.kind == "organization_change_refused"]
    assert "Typo Ltd" in message.body_text and "The licence says otherwise" in message.body_text
    with pytest.raises(services.OrganizationStateError):
        services.refuse_change(verified, "again")


def test_typing_the_verified_name_again_withdraws_the_change(verified):
    services.update_organization(verified, organization_data(name_en="Other Ltd"))
    assert services.update_organization(verified, organization_data()) == services.SaveOutcome.SAVED
    assert not verified.has_pending_change


def test_a_changed_credit_code_cannot_be_one_another_organization_has_or_asked_for(verified, ctx,
                                                                                   make_organization):
    other = make_organization(credit_code=credit_code(8))
    with pytest.raises(ValidationFailed):
        services.update_organization(verified, organization_data(credit_code=other.credit_code))
    services.update_organization(verified, organization_data(credit_code=credit_code(9)))
    db.session.commit()
    with pytest.raises(ValidationFailed):
        services.update_organization(db.session.get(type(verified), other.id),
                                     organization_data(credit_code=credit_code(9)))


def test_keeping_its_own_credit_code_is_not_a_duplicate(verified):
    services.update_organization(verified, organization_data(credit_code=credit_code(1).lower()))
    assert verified.credit_code == credit_code(1)


def test_a_rejected_organization_is_resubmitted_by_saving_it(employer):
    organization = services.create_organization(employer, organization_data())
    services.reject_organization(organization, "The licence does not match")
    assert services.update_organization(organization, organization_data(name_en="Right Name Ltd")) == \
        services.SaveOutcome.RESUBMITTED
    assert organization.status == OrganizationStatus.PENDING and organization.name_en == "Right Name Ltd"


# --- Verification ---------------------------------------------------------------------------------

def test_verifying_tells_the_owner_by_email(employer):
    organization = services.create_organization(employer, organization_data())
    services.verify_organization(organization)
    db.session.commit()
    assert organization.status == OrganizationStatus.VERIFIED and organization.verified_at is not None
    assert access.can_apply_for_booths(employer)
    [message] = outbox()
    assert message.kind == "organization_verified" and message.to_email == employer.email
    assert message.locale == "en" and "is verified" in message.subject
    assert "http://talent.test/employer/organization" in message.body_text and message.body_html


def test_rejecting_needs_a_reason_and_tells_the_owner(employer):
    organization = services.create_organization(employer, organization_data())
    with pytest.raises(ValidationFailed) as failure:
        services.reject_organization(organization, "   ")
    assert "Say why" in errors_of(failure)["reason"]
    assert organization.status == OrganizationStatus.PENDING and outbox() == []
    services.reject_organization(organization, "营业执照名称与填写不一致")
    db.session.commit()
    assert organization.status == OrganizationStatus.REJECTED
    assert organization.status_reason == "营业执照名称与填写不一致"
    assert not access.can_apply_for_booths(employer)
    [message] = outbox()
    assert message.kind == "organization_rejected" and "营业执照名称与填写不一致" in message.body_text
    assert "could not be verified" in message.subject


def test_a_decision_cannot_be_repeated(employer):
    organization = services.create_organization(employer, organization_data())
    services.verify_organization(organization)
    with pytest.raises(services.OrganizationStateError):
        services.verify_organization(organization)
    services.reject_organization(organization, "Closed down")  # organizers may withdraw a verification
    with pytest.raises(services.OrganizationStateError):
        services.reject_organization(organization, "Again")


def test_the_organizers_list_puts_pending_first_and_searches(ctx, make_organization):
    verified = make_organization(name_zh="阿里巴巴（中国）有限公司", credit_code="91330100799655058B")
    pending_old = make_organization(status=OrganizationStatus.PENDING, name_zh="乙公司")
    pending_new = make_organization(status=OrganizationStatus.PENDING, name_zh="甲公司")
    rejected = make_organization(status=OrganizationStatus.REJECTED)
    ids = [organization.id for organization in db.session.scalars(services.organizations_query())]
    assert ids[:2] == [pending_old.id, pending_new.id] and set(ids[2:]) == {verified.id, rejected.id}
    assert [o.id for o in db.session.scalars(services.organizations_query(search="阿里巴巴"))] == [verified.id]
    assert [o.id for o in db.session.scalars(services.organizations_query(search="9133 0100 7996"))] == [verified.id]
    assert [o.id for o in db.session.scalars(
        services.organizations_query(OrganizationStatus.REJECTED))] == [rejected.id]
    assert services.count_organizations_by_status() == {
        OrganizationStatus.PENDING: 2, OrganizationStatus.VERIFIED: 1, OrganizationStatus.REJECTED: 1,
        OrganizationStatus.SUSPENDED: 0}


# --- Access rules ---------------------------------------------------------------------------------

def test_who_sees_a_logo(ctx, make_organization, make_staff, make_user):
    pending = make_organization(status=OrganizationStatus.PENDING)
    verified = make_organization()
    staff = make_staff(pending)
    outsider = make_user(Role.EMPLOYER)
    organizer = make_user(Role.ORGANIZER)
    candidate = make_user(Role.CANDIDATE)
    assert access.can_see_organization_logo(None, verified) and access.can_see_organization_logo(candidate, verified)
    assert access.can_see_organization_logo(staff, pending) and access.can_see_organization_logo(organizer, pending)
    assert not access.can_see_organization_logo(outsider, pending)
    assert not access.can_see_organization_logo(candidate, pending)


def test_who_edits_an_organization(ctx, make_organization, make_staff, make_user):
    organization = make_organization()
    other = make_organization()
    owner = db.session.get(User, organization.owner_id)
    staff = make_staff(organization)
    assert access.can_edit_organization(owner, organization)
    assert not access.can_edit_organization(owner, other)
    assert not access.can_edit_organization(staff, organization)
    assert access.needs_organization(make_user(Role.EMPLOYER)) and not access.needs_organization(staff)
    assert not access.needs_organization(make_user(Role.CANDIDATE))


def test_a_cut_off_logo_is_refused_even_after_weasyprint_relaxed_pillow(app, monkeypatch):
    # Importing WeasyPrint (for badges) turns on Pillow's LOAD_TRUNCATED_IMAGES for the whole process.
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    whole = image_bytes("JPEG", (300, 300))
    with app.app_context(), pytest.raises(ValidationFailed) as failure:
        logos.check_logo(whole[: len(whole) // 2], MAX_BYTES)
    assert "incomplete or damaged" in errors_of(failure)["logo"]
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # left as it was found
