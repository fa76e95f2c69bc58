"""What a new account still has to do before the site is any use to it, and where it does it.

A candidate registers for events only with a name and a mobile number in the profile; an employer
applies for booths only through an organization. Sign-up, confirming the e-mail address and logging
in lead there while it is missing, and the account menu and the home page keep reminding.
"""
from __future__ import annotations

import enum

from eventsapp.accounts.models import Role, User
from eventsapp.candidates.services import find_profile, has_contact_details
from eventsapp.organizations.access import membership_of


class NextStep(enum.StrEnum):
    PROFILE = "profile"  # a candidate without name or mobile number
    ORGANIZATION = "organization"  # an employer without an organization


# Where each step is done.
STEP_ENDPOINTS = {NextStep.PROFILE: "candidates.profile", NextStep.ORGANIZATION: "organizations.new_organization"}


def next_step(user: User | None) -> NextStep | None:
    if user is None or not user.is_authenticated:
        return None
    if user.role == Role.CANDIDATE and not has_contact_details(find_profile(user)):
        return NextStep.PROFILE
    if user.role == Role.EMPLOYER and membership_of(user) is None:
        return NextStep.ORGANIZATION
    return None
