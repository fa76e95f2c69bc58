"""Who may see what on the employer side. Each rule is decided here once; views ask these
functions and answer 403 or 404 when they say no.

The central rule: employer staff see a candidate only while their organization holds an
ACTIVE booth (APPROVED, and the organization VERIFIED) at a fair where that candidate has a
CONFIRMED registration and has consented to be shown to employers. Nothing after the booth is
withdrawn or rejected, or the organization rejected or suspended: every access that comes with a
booth (browsing, profiles, résumés, shortlists, leads, the booth's ranking and interviews, badges,
its place on the public floor plan and in the openings) asks ``is_active_booth`` or
``active_booth_condition`` here, so it ends at once.
"""
from __future__ import annotations

from sqlalchemy import exists, select

from eventsapp.accounts.models import Role, User
from eventsapp.booths.models import Booth, BoothStatus
from eventsapp.candidates.models import CandidateProfile
from eventsapp.extensions import db
from eventsapp.openings.models import Opening
from eventsapp.organizations.models import MemberRole, Organization, OrganizationMember, OrganizationStatus
from eventsapp.registrations.models import Registration, RegistrationStatus


def membership_of(user: User | None) -> OrganizationMember | None:
    """The employer account's organization membership, if any."""
    if user is None or not user.is_authenticated or user.role != Role.EMPLOYER:
        return None
    return db.session.scalar(select(OrganizationMember).where(OrganizationMember.user_id == user.id))


def is_owner(user: User | None) -> bool:
    member = membership_of(user)
    return member is not None and member.role == MemberRole.OWNER


def in_good_standing(organization: Organization) -> bool:
    """Verified (a pending change of name or credit code does not change that): its booths work."""
    return organization.status == OrganizationStatus.VERIFIED


def is_active_booth(booth: Booth) -> bool:
    """An approved booth of an organization in good standing: what every access that comes with a booth needs."""
    return booth.status == BoothStatus.APPROVED and in_good_standing(booth.organization)


def active_booth_condition():
    """``is_active_booth`` as an SQL condition on Booth."""
    return (Booth.status == BoothStatus.APPROVED) & Booth.organization_id.in_(
        select(Organization.id).where(Organization.status == OrganizationStatus.VERIFIED))


def can_apply_for_booths(user: User | None) -> bool:
    member = membership_of(user)
    return member is not None and in_good_standing(member.organization)


def approved_booth(user: User | None, event_id: int) -> Booth | None:
    """The user's organization's active booth at this event: the key to its registrants."""
    member = membership_of(user)
    if member is None:
        return None
    return db.session.scalar(select(Booth).where(
        Booth.event_id == event_id, Booth.organization_id == member.organization_id,
        active_booth_condition()).order_by(Booth.id).limit(1))


# The only registrations employers see: a pending or waitlisted registrant never shows on their pages.
STATUS_SEEN_BY_EMPLOYERS = RegistrationStatus.CONFIRMED


def consents_to_employers_condition():
    """SQL condition on CandidateProfile: the candidate agreed to be shown to employers."""
    return CandidateProfile.show_to_employers.is_(True)


def visible_registrants_condition(event_id: int):
    """SQL condition on CandidateProfile: confirmed at the event and consented to be seen. The pages and the
    webhooks (``eventsapp.webhooks.emit``) both ask it."""
    return consents_to_employers_condition() & exists().where(
        Registration.user_id == CandidateProfile.user_id, Registration.event_id == event_id,
        Registration.status == STATUS_SEEN_BY_EMPLOYERS)


def owns_booth(user: User | None, booth: Booth) -> bool:
    """Staff of the booth's organization (any status: they can see their own application)."""
    member = membership_of(user)
    return member is not None and member.organization_id == booth.organization_id


def can_use_shortlist(user: User | None, booth: Booth) -> bool:
    """Staff of the booth's organization, while the booth is active: a withdrawn booth's list is closed, and
    so is a rejected or suspended organization's. The same rule opens the leads, the booth's ranking for
    the matching and its interview list."""
    return is_active_booth(booth) and owns_booth(user, booth)


# --- Organizations -------------------------------------------------------------------------------

def organization_of(user: User | None) -> Organization | None:
    """The employer account's organization, if it belongs to one."""
    member = membership_of(user)
    return member.organization if member is not None else None


def needs_organization(user: User | None) -> bool:
    """An employer account that has not created or joined an organization yet."""
    return (user is not None and user.is_authenticated and user.role == Role.EMPLOYER
            and membership_of(user) is None)


def can_edit_organization(user: User | None, organization: Organization) -> bool:
    """Only the organization's owner changes its details, invites and removes staff."""
    member = membership_of(user)
    return member is not None and member.organization_id == organization.id and member.role == MemberRole.OWNER


def can_see_organization_logo(user: User | None, organization: Organization) -> bool:
    """A verified organization's logo is public (the floor plan shows it); before that only its own
    staff and organizers see it."""
    if in_good_standing(organization):
        return True
    if user is not None and user.is_authenticated and user.is_organizer:
        return True
    member = membership_of(user)
    return member is not None and member.organization_id == organization.id


def is_employer(user: User | None) -> bool:
    """Employer accounts open the employer pages (with or without an organization yet)."""
    return user is not None and user.is_authenticated and user.role == Role.EMPLOYER


def can_change_openings(user: User | None) -> bool:
    """Any staff member of a verified organization adds, edits and deletes its openings."""
    return can_apply_for_booths(user)


def owns_opening(user: User | None, opening: Opening) -> bool:
    """Staff of the opening's organization; everyone else gets a 404 for its id."""
    member = membership_of(user)
    return member is not None and member.organization_id == opening.organization_id


def can_bookmark(user: User | None) -> bool:
    """Candidates bookmark booths; other accounts have no bookmarks."""
    return user is not None and user.is_authenticated and user.role == Role.CANDIDATE
