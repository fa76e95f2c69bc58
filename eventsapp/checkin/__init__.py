"""Door check-in and lead capture at the booths: both scan the badge's signed code.

May import, besides the shared modules at eventsapp's top level: accounts, audit, badges, booths, browse,
candidates, events, main, organizations, registrations.
"""

ALLOWED_IMPORTS = frozenset({
    "accounts", "audit", "badges", "booths", "browse", "candidates", "events", "main", "organizations",
    "registrations", "webhooks",
})
