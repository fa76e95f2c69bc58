"""The event types an endpoint may pick, and who may pick which. Plain data."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

REGISTRATION_CREATED = "registration.created"
REGISTRATION_CANCELLED = "registration.cancelled"
REGISTRATION_PROMOTED = "registration.promoted"
CHECKIN_RECORDED = "checkin.recorded"
MATCHING_RUN_PUBLISHED = "matching_run.published"
BOOTH_APPLICATION_DECIDED = "booth_application.decided"
CONTEST_RESULTS_PUBLISHED = "contest_results.published"
REGISTRATION_REJECTED = "registration.rejected"
REGISTRATION_WAITLISTED = "registration.waitlisted"
EVENT_CANCELLED = "event.cancelled"
PING = "ping"  # "Send test ping": every endpoint may receive it, none subscribes to it

EVENT_TYPES = {
    REGISTRATION_CREATED: _l("A registration was made"),
    REGISTRATION_CANCELLED: _l("A registration was cancelled"),
    REGISTRATION_PROMOTED: _l("Someone moved from the waiting list (or approval) to a place"),
    CHECKIN_RECORDED: _l("Someone was checked in at the door"),
    MATCHING_RUN_PUBLISHED: _l("An interview schedule was published"),
    BOOTH_APPLICATION_DECIDED: _l("A booth application was approved or rejected"),
    CONTEST_RESULTS_PUBLISHED: _l("A contest's results were published"),
    REGISTRATION_REJECTED: _l("A registration awaiting approval was declined"),
    REGISTRATION_WAITLISTED: _l("A registration awaiting approval was approved onto the waiting list (no place free)"),
    EVENT_CANCELLED: _l("An event was cancelled"),
}
# Employers hear about their own booths, and about registrants only as the pages show them: confirmed
# candidates who agreed to be seen by employers, at fairs where the organization holds an active booth.
EMPLOYER_EVENT_TYPES = (REGISTRATION_CREATED, REGISTRATION_CANCELLED, REGISTRATION_PROMOTED, CHECKIN_RECORDED,
                        MATCHING_RUN_PUBLISHED, BOOTH_APPLICATION_DECIDED, EVENT_CANCELLED)
ORGANIZER_EVENT_TYPES = tuple(EVENT_TYPES)
