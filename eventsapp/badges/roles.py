"""A badge role as people read and see it: the same word on the printed badge, the badge pages and at the door."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from eventsapp.badges.models import BadgeRole

ROLE_LABELS = {BadgeRole.CANDIDATE: _l("Candidate"), BadgeRole.EMPLOYER: _l("Exhibitor"),
               BadgeRole.ORGANIZER: _l("Organizer"), BadgeRole.JUDGE: _l("Judge"),
               BadgeRole.VOLUNTEER: _l("Volunteer")}
ROLE_COLOURS = {BadgeRole.CANDIDATE: "#1d5fbf", BadgeRole.EMPLOYER: "#17803d", BadgeRole.ORGANIZER: "#b4232c",
                BadgeRole.JUDGE: "#6a3fb5", BadgeRole.VOLUNTEER: "#d9600b"}
