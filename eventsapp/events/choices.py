"""How events read in words: their kinds and statuses, alike on pages, forms and calendar feeds."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from eventsapp.events.models import EventKind

KIND_LABELS = {
    EventKind.FAIR: _l("Recruitment fair"),
    EventKind.COMPETITION: _l("Competition"),
    EventKind.TALENT_DAY: _l("Talent Day"),
    EventKind.CONFERENCE: _l("Exchange conference"),
}
STATUS_LABELS = {"draft": _l("Draft"), "published": _l("Published"), "cancelled": _l("Cancelled")}
