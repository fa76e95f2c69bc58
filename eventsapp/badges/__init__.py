"""Badges: who gets one, the signed code on it, the words and colours of each role (``roles``), PDF
rendering with WeasyPrint, batch jobs and the event crew.

May import, besides the shared modules at eventsapp's top level: accounts, booths, candidates, checkin,
contests, events, main, organizations, registrations, talentcode.
"""

ALLOWED_IMPORTS = frozenset({
    "accounts", "booths", "candidates", "checkin", "contests", "events", "main", "organizations", "registrations",
    "talentcode"
})
