"""Who may see what on the employer side. Each rule is decided here once; views ask these
functions and answer 403 or 404 when they say no.

The central rule: employer staff see a candidate only while their organization holds an
APPROVED booth at a fair where that candidate has a CONFIRMED registration and has consented
to be shown to employers. Nothing after the booth is withdrawn or rejected.
"""
from __future__ import annotations

from sqlalchemy import exists, select

from eventsapp.accounts.models import Role, User
from eventsapp.candidates.models import CandidateProfile
from eventsapp.employers.models import Booth, BoothStatus, MemberRole, OrganizationMember, OrganizationStatus
from eventsapp.extensions import db
from eventsapp.registrations.models import Registration, RegistrationStatus


def membership_of(user: User | None) -> OrganizationMember | None:
    """The employer account's organization membership, if any."""
    if user is None or not user.is_authenticated or user.role != Role.EMPLOYER:
        return None
    return db.session.scalar(select(OrganizationMember).where(OrganizationMember.user_id == user.id))


def is_owner(user: User | None) -> bool:
    member = membership_of(user)
    return member is not None and member.role == MemberRole.OWNER


def can_apply_for_booths(user: User | None) -> bool:
    member = membership_of(user)
    return member is not None and member.organization.status == OrganizationStatus.VERIFIED


def approved_booth(user: User | None, event_id: int) -> Booth | None:
    """The user's organization's approved booth at this event: the key to its registrants."""
    member = membership_of(user)
    if member is None:
        return None
    return db.session.scalar(select(Booth).where(
        Booth.event_id == event_id, Booth.organization_id == member.organization_id,
        Booth.status == BoothStatus.APPROVED).order_by(Booth.id).limit(1))


def visible_registrants_condition(event_id: int):
    """SQL condition on CandidateProfile: confirmed at the event and consented to be seen."""
    return (CandidateProfile.show_to_employers.is_(True)) & exists().where(
        Registration.user_id == CandidateProfile.user_id, Registration.event_id == event_id,
        Registration.status == RegistrationStatus.CONFIRMED)


def can_see_candidate(user: User | None, event_id: int, candidate_id: int) -> bool:
    if approved_booth(user, event_id) is None:
        return False
    return db.session.scalar(select(CandidateProfile.user_id).where(
        CandidateProfile.user_id == candidate_id, visible_registrants_condition(event_id))) is not None


def owns_booth(user: User | None, booth: Booth) -> bool:
    """Staff of the booth's organization (any status: they can see their own application)."""
    member = membership_of(user)
    return member is not None and member.organization_id == booth.organization_id
