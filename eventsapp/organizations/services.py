"""Organizations: creating and editing them, their staff and invitations, and organizers'
verification. Services take plain values, flush and raise ValidationFailed; callers commit."""
from __future__ import annotations

import enum
import hashlib
import secrets
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, or_, select
from sqlalchemy.exc import IntegrityError

from eventsapp import storage
from eventsapp.accounts.models import Role, User
from eventsapp.accounts.services import find_user_by_email, normalize_email
from eventsapp.badges.services import issue_badges_of_organization
from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.i18n import localized
from eventsapp.notifications.models import OutboxMessage
from eventsapp.organizations import emails, logos
from eventsapp.organizations.creditcode import CreditCodeProblem, credit_code_problem, normalize_credit_code
from eventsapp.organizations.models import (
    Industry,
    Invitation,
    MemberRole,
    Organization,
    OrganizationMember,
    OrganizationSize,
    OrganizationStatus,
)
from eventsapp.textsearch import contains_pattern
from eventsapp.validation import ValidationFailed
from eventsapp.webhooks import lifecycle as webhooks
from eventsapp.webhooks import problems as webhook_problems

INVITATION_VALID_FOR = timedelta(days=7)
MAX_OPEN_INVITATIONS = 50
TEXT_LIMITS = {"name_zh": 200, "name_en": 200, "city": 100, "website": 300, "description": 5000}
REASON_MAX_LENGTH = 500

@dataclass
class OrganizationData:
    """An organization as typed: text as is, choices as enums (``None`` when not chosen)."""

    name_zh: str = ""
    name_en: str = ""
    credit_code: str = ""
    industry: Industry | None = None
    size: OrganizationSize | None = None
    city: str = ""
    website: str = ""
    description: str = ""


class OrganizationStateError(Exception):
    """The change does not fit the organization's status, e.g. verifying one already verified."""


class InvitationProblem(Exception):
    """An invitation link that cannot be used. ``reason``: invalid, expired, revoked, used (the link
    itself) or wrong_account, already_member, already_elsewhere (the account that opened it)."""

    LINK_REASONS = ("invalid", "expired", "revoked", "used")

    def __init__(self, reason: str, invitation: Invitation | None = None):
        self.reason = reason
        self.invitation = invitation
        super().__init__(reason)

    @property
    def is_about_the_link(self) -> bool:
        return self.reason in self.LINK_REASONS


# --- Reading --------------------------------------------------------------------------------------

def organization_data_of(organization: Organization) -> OrganizationData:
    """What the owner last saved: a change of name or credit code waiting for verification included."""
    pending = organization.has_pending_change
    return OrganizationData(
        name_zh=organization.pending_name_zh if pending else organization.name_zh,
        name_en=organization.pending_name_en if pending else organization.name_en,
        credit_code=organization.pending_credit_code if pending else organization.credit_code,
        industry=organization.industry, size=organization.size, city=organization.city,
        website=organization.website, description=organization.description)


def members_of(organization: Organization) -> list[OrganizationMember]:
    """The owner first, then staff in the order they joined."""
    return list(db.session.scalars(
        select(OrganizationMember).where(OrganizationMember.organization_id == organization.id)
        .order_by(case((OrganizationMember.role == MemberRole.OWNER, 0), else_=1), OrganizationMember.created_at,
                  OrganizationMember.id)))


def open_invitations(organization: Organization, now: datetime | None = None) -> list[Invitation]:
    """Invitations not yet accepted, revoked or expired, newest first."""
    return list(db.session.scalars(
        select(Invitation).where(Invitation.organization_id == organization.id, Invitation.accepted_at.is_(None),
                                 Invitation.revoked_at.is_(None), Invitation.expires_at > (now or utcnow()))
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())))


CHANGES_FILTER = "changes"  # the organizers' list filter for verified organizations with a pending change


def organizations_query(status: OrganizationStatus | str | None = None, search: str = ""):
    """Organizers' list: those waiting for a decision first (new ones and changes of name or credit code,
    oldest first, as they wait longest), then the rest by name. ``status`` may be CHANGES_FILTER."""
    waiting = (Organization.status == OrganizationStatus.PENDING) | Organization.change_requested_at.is_not(None)
    query = select(Organization).order_by(
        case((waiting, 0), else_=1),
        case((waiting, func.coalesce(Organization.change_requested_at, Organization.created_at)), else_=None),
        Organization.name_zh, Organization.name_en, Organization.id)
    if status == CHANGES_FILTER:
        query = query.where(Organization.change_requested_at.is_not(None))
    elif status is not None:
        query = query.where(Organization.status == status)
    search = " ".join((search or "").split())[:100]
    if search:
        pattern, code = contains_pattern(search), contains_pattern(normalize_credit_code(search))
        query = query.where(or_(Organization.name_zh.ilike(pattern, escape="\\"),
                                Organization.name_en.ilike(pattern, escape="\\"),
                                Organization.credit_code.ilike(code, escape="\\")))
    return query


def count_organizations_by_status() -> dict[OrganizationStatus, int]:
    counts = dict(db.session.execute(
        select(Organization.status, func.count()).group_by(Organization.status)).tuples().all())
    return {status: counts.get(status, 0) for status in OrganizationStatus}


def count_pending_changes() -> int:
    return db.session.scalar(select(func.count()).where(Organization.change_requested_at.is_not(None)))


def find_by_credit_code(code: str) -> Organization | None:
    return db.session.scalar(select(Organization).where(Organization.credit_code == normalize_credit_code(code)))


# --- Rules ----------------------------------------------------------------------------------------

def _clean(text: str | None, keep_lines: bool = False) -> str:
    """Without control characters (PostgreSQL refuses NUL); single spaces, or tidy lines for long text."""
    text = "".join(char for char in text or "" if unicodedata.category(char) != "Cc" or char in "\n\t ")
    if keep_lines:
        lines = [" ".join(line.split()) for line in text.replace("\r", "").split("\n")]
        return "\n".join(lines).strip()
    return " ".join(text.split())


def normalize_website(text: str) -> str:
    """An http or https address; ``www.example.com`` gets ``https://`` in front. "" when none given."""
    text = text.strip()
    if text and "://" not in text:
        text = f"https://{text}"
    return text


def _website_error(website: str) -> str | None:
    if not website:
        return None
    parts = urlsplit(website)
    host = parts.hostname or ""
    if (parts.scheme not in ("http", "https") or "." not in host or any(char.isspace() for char in website)
            or host.startswith(".") or host.endswith(".")):
        return _l("Enter the website's address, like https://www.example.com.")
    return None


def credit_code_error(code: str) -> str | None:
    """Why a normalized credit code is refused, in words; None when it is valid."""
    problem = credit_code_problem(code)
    if problem == CreditCodeProblem.EMPTY:
        return _l("Enter the unified social credit code (18 characters).")
    if problem == CreditCodeProblem.LENGTH:
        return _l("A unified social credit code has exactly 18 characters; this one has %(count)d.", count=len(code))
    if problem == CreditCodeProblem.CHARACTERS:
        return _l("A unified social credit code uses only digits and the capital letters A–Y without I, O, S, V "
                  "and Z. Check the characters.")
    if problem == CreditCodeProblem.CHECK_CHARACTER:
        return _l("This code does not add up: its last character (the check character) does not match the "
                  "others. Check for a mistyped character.")
    return None


def _organization_errors(data: OrganizationData, organization: Organization | None) -> list[tuple[str, str]]:
    errors = []
    for name, limit in TEXT_LIMITS.items():
        if len(_clean(getattr(data, name), keep_lines=name == "description")) > limit:
            errors.append((name, _l("At most %(max)d characters.", max=limit)))
    if not _clean(data.name_zh) and not _clean(data.name_en):
        errors.append(("name_zh", _l("Enter the organization's name in Chinese, in English, or both.")))
    code = normalize_credit_code(data.credit_code)
    code_error = credit_code_error(code)
    if code_error:
        errors.append(("credit_code", code_error))
    else:
        holder = find_by_credit_code(code) or db.session.scalar(
            select(Organization).where(Organization.pending_credit_code == code))
        if holder is not None and (organization is None or holder.id != organization.id):
            errors.append(("credit_code", _l("Another organization is already registered with this credit code. "
                                             "If it is yours, ask its owner to invite you.")))
    if data.industry is None:
        errors.append(("industry", _l("Choose the industry.")))
    if data.size is None:
        errors.append(("size", _l("Choose the number of employees.")))
    website_error = _website_error(normalize_website(data.website))
    if website_error:
        errors.append(("website", website_error))
    return errors


def _identity(data: OrganizationData) -> tuple[str, str, str]:
    """The name in both languages and the credit code as they are stored: what verification is about."""
    return _clean(data.name_zh), _clean(data.name_en), normalize_credit_code(data.credit_code)


def _set_pending(organization: Organization, identity: tuple[str, str, str] | None,
                 now: datetime | None = None) -> None:
    if identity is None:
        organization.pending_name_zh = organization.pending_name_en = organization.pending_credit_code = None
        organization.change_requested_at = None
        return
    if organization.change_requested_at is None or identity != (
            organization.pending_name_zh, organization.pending_name_en, organization.pending_credit_code):
        organization.change_requested_at = now or utcnow()  # waits from its latest version
    organization.pending_name_zh, organization.pending_name_en, organization.pending_credit_code = identity


def _apply(organization: Organization, data: OrganizationData, identity: bool = True) -> None:
    """Store what was typed; ``identity=False`` leaves the (verified) name and credit code as they are."""
    if identity:
        organization.name_zh, organization.name_en, organization.credit_code = _identity(data)
    organization.industry = data.industry
    organization.size = data.size
    organization.city = _clean(data.city)
    organization.website = normalize_website(data.website)
    organization.description = _clean(data.description, keep_lines=True)


def _flush_checking_credit_code() -> None:
    """Flush; two organizations saved with one code at the same moment: the unique index decides."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise ValidationFailed([("credit_code", _l("Another organization is already registered with this credit "
                                                   "code. If it is yours, ask its owner to invite you."))]) from None


# --- Organizations --------------------------------------------------------------------------------

def create_organization(user: User, data: OrganizationData, logo: bytes | None = None) -> Organization:
    """A new organization, PENDING verification, with ``user`` as its OWNER; the logo is optional."""
    if user.role != Role.EMPLOYER:
        raise ValidationFailed([(None, _l("Only employer accounts can create an organization."))])
    if db.session.scalar(select(OrganizationMember.id).where(OrganizationMember.user_id == user.id)) is not None:
        raise ValidationFailed([(None, _l("Your account already belongs to an organization."))])
    errors = _organization_errors(data, None)
    checked_logo = _checked_logo(logo, errors)
    if errors:
        raise ValidationFailed(errors)
    organization = Organization(status=OrganizationStatus.PENDING, status_reason="")
    _apply(organization, data)
    organization.members = [OrganizationMember(user_id=user.id, role=MemberRole.OWNER)]
    db.session.add(organization)
    _flush_checking_credit_code()
    if checked_logo is not None:
        _store_logo(organization, checked_logo)
    current_app.logger.info("Organization %s created by user %s", organization.id, user.id)
    return organization


class SaveOutcome(enum.StrEnum):
    SAVED = "saved"
    RESUBMITTED = "resubmitted"  # a rejected organization goes back to verification
    CHANGE_PENDING = "change_pending"  # a new name or credit code waits for the organizers


# Organizations whose name and credit code have been verified: what the public sees stays as verified.
VERIFIED_IDENTITY_STATUSES = (OrganizationStatus.VERIFIED, OrganizationStatus.SUSPENDED)


def update_organization(organization: Organization, data: OrganizationData, logo: bytes | None = None,
                        now: datetime | None = None) -> SaveOutcome:
    """Save the owner's changes. A rejected organization is resubmitted by saving it. A verified one
    keeps its verified name and credit code (public pages, badges and e-mails show them, and it keeps
    working) while a new name or credit code waits for the organizers (``pending_*``); typing the
    verified values again withdraws the change."""
    errors = _organization_errors(data, organization)
    checked_logo = _checked_logo(logo, errors)
    if errors:
        raise ValidationFailed(errors)
    outcome = SaveOutcome.SAVED
    if organization.status in VERIFIED_IDENTITY_STATUSES:
        _apply(organization, data, identity=False)
        wanted = _identity(data)
        verified = (organization.name_zh, organization.name_en, organization.credit_code)
        _set_pending(organization, None if wanted == verified else wanted, now)
        if organization.has_pending_change:
            outcome = SaveOutcome.CHANGE_PENDING
    else:
        _apply(organization, data)
        _set_pending(organization, None)
        if organization.status == OrganizationStatus.REJECTED:
            organization.status, organization.verified_at = OrganizationStatus.PENDING, None
            outcome = SaveOutcome.RESUBMITTED
    _flush_checking_credit_code()
    if checked_logo is not None:
        _store_logo(organization, checked_logo)
    return outcome


def _checked_logo(data: bytes | None, errors: list) -> logos.Logo | None:
    """The checked logo; None when none was uploaded, or when it is refused (the reason added to ``errors``)."""
    if data is None:
        return None
    try:
        return logos.check_logo(data, current_app.config["LOGO_MAX_BYTES"])
    except ValidationFailed as failure:
        errors.extend(failure.errors)
        return None


def logo_folder() -> Path:
    configured = current_app.config.get("LOGO_FOLDER")
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads" / "logos"


def logo_path(organization: Organization | None) -> Path | None:
    """Where the organization's logo is stored, or None when it has none (or the file is gone)."""
    if organization is None or not organization.logo_storage_name:
        return None
    path = logo_folder() / organization.logo_storage_name
    return path if path.is_file() else None


def _store_logo(organization: Organization, logo: logos.Logo) -> None:
    previous = organization.logo_storage_name
    organization.logo_storage_name = storage.write_file(logo_folder(), logo.data, logo.extension, db.session)
    if previous:
        storage.delete_after_commit(logo_folder() / previous, db.session)
    db.session.flush()


def set_logo(organization: Organization, data: bytes) -> None:
    """Check and store a new logo, replacing the one before."""
    errors: list = []
    checked = _checked_logo(data or b"", errors)
    if checked is None:
        raise ValidationFailed(errors)
    _store_logo(organization, checked)


def remove_logo(organization: Organization) -> None:
    if organization.logo_storage_name:
        storage.delete_after_commit(logo_folder() / organization.logo_storage_name, db.session)
        organization.logo_storage_name = None
        db.session.flush()


# --- Verification ---------------------------------------------------------------------------------

def verify_organization(organization: Organization, now: datetime | None = None) -> list[OutboxMessage]:
    """Organizers confirm the organization (it may then apply for booths), or the change of name or
    credit code a verified one asked for (the new ones become public). Its owner is told."""
    if organization.status == OrganizationStatus.SUSPENDED:
        raise OrganizationStateError("suspended: reinstate it")
    if organization.status == OrganizationStatus.VERIFIED:
        if not organization.has_pending_change:
            raise OrganizationStateError("already verified")
        previous = SimpleNamespace(name_zh=organization.name_zh, name_en=organization.name_en)
        organization.name_zh, organization.name_en = organization.pending_name_zh, organization.pending_name_en
        organization.credit_code = organization.pending_credit_code
        _set_pending(organization, None)
        organization.verified_at = now or utcnow()
        _flush_checking_credit_code()
        return _notify_owners(organization, "organization_change_verified", previous=previous)
    organization.status = OrganizationStatus.VERIFIED
    organization.status_reason = ""
    organization.verified_at = now or utcnow()
    _booths_start_or_stop(organization)
    resumed = _regain_standing(organization)  # the endpoints a rejection stopped
    db.session.flush()
    return _notify_owners(organization, "organization_verified", endpoints=resumed)


def _booths_start_or_stop(organization: Organization) -> None:
    """The organization's booths stop or start working (its standing changed): its interviews' calendar
    entries change state (matchmaking.interviews.employer_unavailable), so their SEQUENCE rises."""
    organization.calendar_sequence = (organization.calendar_sequence or 0) + 1
    issue_badges_of_organization(organization.id)  # its staff's badges come (or go) with its booths


def _lose_standing(organization: Organization, reason: str) -> None:
    """Rejected or suspended (``reason``: a webhooks problem code): its webhook endpoints stop. The time is
    that of the first loss until it is in good standing again (rejected, corrected, rejected again: the
    endpoints the first rejection stopped still start again when it is verified)."""
    now = utcnow()
    if organization.standing_lost_at is None:
        organization.standing_lost_at = now
    webhooks.stop_endpoints_of_organization(organization.id, reason, now)


def _regain_standing(organization: Organization) -> list[str]:
    """Verified or reinstated: the webhook endpoints stopped since it lost its standing start again; those
    left off from an older stop stay off. Returns them as the owners' e-mail shows them (no query: tokens)."""
    resumed = webhooks.resume_endpoints_of_organization(organization.id, organization.standing_lost_at)
    organization.standing_lost_at = None
    return [endpoint.shown_as for endpoint in resumed]


def _checked_reason(reason: str, message) -> str:
    reason = _clean(reason)
    if not reason:
        raise ValidationFailed([("reason", message)])
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationFailed([("reason", _l("At most %(max)d characters.", max=REASON_MAX_LENGTH))])
    return reason


def refuse_change(organization: Organization, reason: str) -> list[OutboxMessage]:
    """Organizers turn down a verified organization's new name or credit code: the verified ones stay."""
    reason = _checked_reason(reason, _l("Say why, so that the organization can put it right."))
    if not organization.has_pending_change:
        raise OrganizationStateError("no change to refuse")
    refused = " / ".join(name for name in (organization.pending_name_zh, organization.pending_name_en) if name)
    _set_pending(organization, None)
    db.session.flush()
    return _notify_owners(organization, "organization_change_refused", reason=reason, refused_name=refused)


def reject_organization(organization: Organization, reason: str) -> list[OutboxMessage]:
    """Organizers turn the organization down with a reason its owner reads; it can correct and resubmit.
    Its booths stop working at once (organizations.access)."""
    reason = _checked_reason(reason, _l("Say why, so that the organization can put it right."))
    if organization.status == OrganizationStatus.REJECTED:
        raise OrganizationStateError("already rejected")
    organization.status = OrganizationStatus.REJECTED
    organization.status_reason = reason
    organization.verified_at = None
    _booths_start_or_stop(organization)
    _lose_standing(organization, webhook_problems.ORGANIZATION_REJECTED)
    db.session.flush()
    return _notify_owners(organization, "organization_rejected", reason=reason)


def suspend_organization(organization: Organization, reason: str) -> list[OutboxMessage]:
    """Organizers stop a verified organization, with a reason its owner reads: at once it loses every
    access its booths gave (organizations.access) and its place on the public floor plan and openings;
    its booths and data are kept for when it is reinstated."""
    reason = _checked_reason(reason, _l("Say why: the organization is told."))
    if organization.status != OrganizationStatus.VERIFIED:
        raise OrganizationStateError("only a verified organization can be suspended")
    organization.status = OrganizationStatus.SUSPENDED
    organization.status_reason = reason
    _booths_start_or_stop(organization)
    _lose_standing(organization, webhook_problems.ORGANIZATION_SUSPENDED)
    db.session.flush()
    return _notify_owners(organization, "organization_suspended", reason=reason)


def reinstate_organization(organization: Organization) -> list[OutboxMessage]:
    """Lift a suspension: the organization, its approved booths and the webhook endpoints the suspension
    stopped work again; its owners are told, with those endpoints."""
    if organization.status != OrganizationStatus.SUSPENDED:
        raise OrganizationStateError("not suspended")
    organization.status = OrganizationStatus.VERIFIED
    organization.status_reason = ""
    _booths_start_or_stop(organization)
    resumed = _regain_standing(organization)
    db.session.flush()
    return _notify_owners(organization, "organization_reinstated", endpoints=resumed)


def owners_to_tell(organization: Organization) -> list[User]:
    """Who is told by e-mail of what happens to the organization (decisions about it, its webhook endpoints
    stopping): its current owners whose account is not erased. Never a former member."""
    return [member.user for member in members_of(organization)
            if member.role == MemberRole.OWNER and member.user.erased_at is None]


def _notify_owners(organization: Organization, template: str, **context) -> list[OutboxMessage]:
    return [emails.tell_owner(owner, organization, template, **context) for owner in owners_to_tell(organization)]


# --- Staff and invitations ------------------------------------------------------------------------

def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def why_cannot_invite(organization: Organization, inviter: User) -> list:
    """Reasons the owner cannot invite yet. An invitation carries the names they wrote to any address,
    so it comes only from a confirmed address and an organization the organizers verified."""
    reasons = []
    if inviter.email_verified_at is None:
        reasons.append(_l("Confirm your e-mail address first: open the link we sent you, or ask for a new one on "
                          "your account page."))
    if organization.status != OrganizationStatus.VERIFIED:
        reasons.append(_l("You can invite colleagues once the organizers have verified your organization."))
    return reasons


def invite_colleague(organization: Organization, inviter: User, email: str,
                     now: datetime | None = None) -> tuple[Invitation, str]:
    """Invite someone by e-mail; returns the invitation and its token (only its hash is stored).

    Inviting the same address again replaces the open invitation, so only the newest link works.
    """
    reasons = why_cannot_invite(organization, inviter)
    if reasons:
        raise ValidationFailed([(None, reason) for reason in reasons])
    now = now or utcnow()
    email = normalize_email(email)
    invitee = find_user_by_email(email)
    if invitee is not None:
        membership = db.session.scalar(select(OrganizationMember).where(OrganizationMember.user_id == invitee.id))
        if membership is not None and membership.organization_id == organization.id:
            raise ValidationFailed([("email", _l("%(email)s is already a member of your organization.",
                                                 email=email))])
        if membership is not None:
            raise ValidationFailed([("email", _l("The account %(email)s already belongs to another organization.",
                                                 email=email))])
        if invitee.role != Role.EMPLOYER:
            raise ValidationFailed([("email", _l("The account %(email)s is not an employer account, so it cannot "
                                                 "join an organization. Ask your colleague for their work "
                                                 "address, or to sign up as an employer with another one.",
                                                 email=email))])
    waiting = open_invitations(organization, now)
    if sum(earlier.email != email for earlier in waiting) >= MAX_OPEN_INVITATIONS:
        raise ValidationFailed([("email", _l("There are already %(max)d open invitations. Revoke some, or wait "
                                             "until they are accepted or expire.", max=MAX_OPEN_INVITATIONS))])
    for earlier in waiting:
        if earlier.email == email:
            earlier.revoked_at = now
    token = secrets.token_urlsafe(32)
    invitation = Invitation(organization_id=organization.id, email=email, token_hash=hash_token(token),
                            invited_by_id=inviter.id, created_at=now, expires_at=now + INVITATION_VALID_FOR)
    db.session.add(invitation)
    db.session.flush()
    emails.send_invitation(email, invitee.locale if invitee is not None else inviter.locale, organization, inviter,
                           invitation, token, INVITATION_VALID_FOR.days)
    return invitation, token


def revoke_invitation(invitation: Invitation, now: datetime | None = None) -> None:
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = now or utcnow()
        db.session.flush()


def invitation_for_token(token: str, now: datetime | None = None) -> Invitation:
    """The invitation whose link this is, while it can be used; raises InvitationProblem otherwise."""
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == hash_token(token or "")))
    if invitation is None:
        raise InvitationProblem("invalid")
    if invitation.accepted_at is not None:
        raise InvitationProblem("used", invitation)
    if invitation.revoked_at is not None:
        raise InvitationProblem("revoked", invitation)
    if invitation.expires_at <= (now or utcnow()):
        raise InvitationProblem("expired", invitation)
    return invitation


def check_invitee(invitation: Invitation, user: User) -> None:
    """Raises InvitationProblem when this account cannot accept the invitation."""
    if user.role != Role.EMPLOYER:
        raise InvitationProblem("wrong_account", invitation)
    membership = db.session.scalar(select(OrganizationMember).where(OrganizationMember.user_id == user.id))
    if membership is not None:
        reason = "already_member" if membership.organization_id == invitation.organization_id else "already_elsewhere"
        raise InvitationProblem(reason, invitation)


def accept_invitation(token: str, user: User, now: datetime | None = None) -> OrganizationMember:
    """The invited colleague joins as STAFF; the link then no longer works."""
    now = now or utcnow()
    invitation = invitation_for_token(token, now)
    check_invitee(invitation, user)
    member = OrganizationMember(organization_id=invitation.organization_id, user_id=user.id, role=MemberRole.STAFF)
    invitation.accepted_at = now
    db.session.add(member)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:  # the same account joined somewhere in a request at the same moment
        raise InvitationProblem("already_elsewhere", invitation) from None
    issue_badges_of_organization(invitation.organization_id, [user.id])
    current_app.logger.info("User %s joined organization %s by invitation %s", user.id, invitation.organization_id,
                            invitation.id)
    return member


def organization_names(ids: Collection[int]) -> dict[int, str]:
    """Organizations by name in the reader's language, by id (one query): for the audit log's pages."""
    return {organization.id: localized(organization, "name") for organization in db.session.scalars(
        select(Organization).where(Organization.id.in_(list(ids))))}


def remove_member(organization: Organization, member: OrganizationMember) -> None:
    """The owner removes a staff member (never the owner)."""
    if member.organization_id != organization.id:
        raise ValidationFailed([(None, _l("This person is not a member of your organization."))])
    if member.role == MemberRole.OWNER:
        raise ValidationFailed([(None, _l("The owner cannot be removed from the organization."))])
    db.session.delete(member)
    db.session.flush()
    issue_badges_of_organization(organization.id, [member.user_id])  # one still registered: a candidate's


def leave_organization(member: OrganizationMember) -> None:
    """A staff member leaves; the owner stays, as someone must answer for the organization."""
    if member.role == MemberRole.OWNER:
        raise ValidationFailed([(None, _l("As the owner you cannot leave your organization."))])
    db.session.delete(member)
    db.session.flush()
    issue_badges_of_organization(member.organization_id, [member.user_id])  # one still registered: a candidate's
