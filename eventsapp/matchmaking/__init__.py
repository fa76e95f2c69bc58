"""Matchmaking: candidates' and employers' preferences, the fit score, match runs with the
``matching`` engine, publishing the interview schedule, and the interviews.

May import, besides the shared modules at eventsapp's top level: accounts, audit, booths, browse, candidates,
events, main, matching, notifications, openings, organizations, registrations.
"""

ALLOWED_IMPORTS = frozenset({
    "accounts", "audit", "booths", "browse", "candidates", "events", "main", "matching", "notifications",
    "openings", "organizations", "registrations", "webhooks",
})
