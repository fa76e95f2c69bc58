"""Events: series, events and their agenda, the public listing and event pages, the words for kinds and
statuses (``choices``), and copying an event (a Talent Day's copy moves to its next free year).

May import, besides the shared modules at eventsapp's top level: candidates, registrations, webhooks.
Candidates only for the degree words of the eligibility form; registrations only in the event page;
webhooks to announce a cancelled event.
"""

ALLOWED_IMPORTS = frozenset({
    "candidates", "registrations", "webhooks"
})
