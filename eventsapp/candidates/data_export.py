"""The person's data export: the candidate features' part (profile, registrations, who viewed them) and
the contests' part, in one JSON-ready dict. A process across features, like erasure."""
from __future__ import annotations

from datetime import datetime

from eventsapp.accounts.models import User
from eventsapp.candidates.services import export_personal_data
from eventsapp.contests.personal_data import export_contest_data


def personal_data_export(user: User, now: datetime | None = None) -> dict:
    """Everything we keep about the person."""
    return {**export_personal_data(user, now), "contests": export_contest_data(user)}
