"""Booths: applying for a booth at a fair, the organizers' decisions, hall floor plans and placing the
booths on them (pure ``floorplan``, ``placement``, ``svgmap``). Its e-mails are in ``emails``.
Owns the hall and booth tables (``models``), which most features build on.

May import, besides the shared modules at eventsapp's top level: accounts, audit, badges, events, matchmaking,
notifications, openings, organizations, registrations.
"""

ALLOWED_IMPORTS = frozenset({
    "accounts", "audit", "badges", "events", "matchmaking", "notifications", "openings", "organizations",
    "registrations", "webhooks",
})
