"""Door check-in and lead capture at the booths: both scan the badge's signed code.

May import, besides the shared modules at eventsapp's top level: accounts, audit, badges, browse, candidates,
employers, events, main, registrations.
"""

ALLOWED_IMPORTS = frozenset({
    "accounts", "audit", "badges", "browse", "candidates", "employers", "events", "main", "registrations"
})
