"""Matchmaking: candidates' and employers' preferences, the fit score, match runs with the
``matching`` engine, publishing the interview schedule, and the interviews.

May import, besides the shared modules at eventsapp's top level: accounts, booths, candidates, employers,
events, main, matching, notifications, registrations.
"""

ALLOWED_IMPORTS = frozenset({
    "accounts", "booths", "candidates", "employers", "events", "main", "matching", "notifications",
    "registrations"
})
