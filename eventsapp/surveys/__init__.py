"""Post-event surveys: the organizer's survey per event (questions of the registration kinds plus a 1-5
rating and a 0-10 "would recommend"), the invitations sent when the event ends (one per person, with one
reminder), the answers given through a personal link (anonymous or not), the employers' outcomes per booth
(interviewed, offers, hires, optionally per named candidate) that analytics sums, and the results page
with its charts and CSV export.

May import, besides the shared modules at eventsapp's top level: accounts, audit, booths, browse, candidates,
checkin, events, main, matchmaking, notifications, organizations, registrations.
"""

ALLOWED_IMPORTS = frozenset({
    "accounts", "audit", "booths", "browse", "candidates", "checkin", "events", "main", "matchmaking",
    "notifications", "organizations", "registrations",
})
