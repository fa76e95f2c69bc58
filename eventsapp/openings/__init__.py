"""Openings: the jobs an organization lists at its booths, the public search, and candidates' bookmarks.

May import, besides the shared modules at eventsapp's top level: accounts, booths, candidates, employers,
events, main.
"""

ALLOWED_IMPORTS = frozenset({
    "accounts", "booths", "candidates", "employers", "events", "main"
})
