"""Booths: applying for a booth at a fair, the organizers' decisions, hall floor plans and placing the
booths on them (pure ``floorplan``, ``placement``, ``svgmap``). Its e-mails are in ``emails``.

May import, besides the shared modules at eventsapp's top level: accounts, audit, employers, events, notifications,
registrations.
"""

ALLOWED_IMPORTS = frozenset({
    "accounts", "audit", "badges", "employers", "events", "matchmaking", "notifications", "registrations"
})
