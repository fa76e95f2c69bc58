"""Matchmaking: candidates' and employers' preferences, the fit score, match runs with the
``matching`` engine, publishing the interview schedule (each run computed, published and replaced is
written to the audit log), and the interviews.

May import, besides the shared modules at eventsapp's top level: accounts, audit, booths, candidates,
employers, events, main, matching, notifications, registrations.
"""

ALLOWED_IMPORTS = frozenset({
    "accounts", "audit", "booths", "candidates", "employers", "events", "main", "matching", "notifications",
    "registrations"
})
