"""Door check-in and lead capture at the booths: both scan the badge's signed code.

May import, besides the shared modules at eventsapp's top level: accounts, badges, browse, candidates,
employers, events, main, registrations.
"""

ALLOWED_IMPORTS = frozenset({"audit", 
    "accounts", "badges", "browse", "candidates", "employers", "events", "main", "registrations"
})
