"""Badges: who gets one, the signed code on it, the words and colours of each role (``roles``), PDF
rendering with WeasyPrint, batch jobs and the event crew.

May import, besides the shared modules at eventsapp's top level: accounts, booths, candidates, checkin,
contests, events, jobs, main, organizations, registrations, talentcode. Print runs are background jobs
(eventsapp.jobs, kind ``badge-print``).
"""

ALLOWED_IMPORTS = frozenset({
    "accounts", "booths", "candidates", "checkin", "contests", "events", "jobs", "main", "organizations",
    "registrations", "talentcode"
})
