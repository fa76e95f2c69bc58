"""Openings: the jobs an organization lists at its booths, the public search, and candidates' bookmarks.
Owns the opening and bookmark tables (``models``).

May import, besides the shared modules at eventsapp's top level: accounts, booths, candidates, events, main,
organizations.
"""

ALLOWED_IMPORTS = frozenset({
    "accounts", "booths", "candidates", "events", "main", "organizations"
})
