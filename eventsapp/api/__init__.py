"""The JSON API under /api/v1: personal access tokens, the resources, and the OpenAPI document generated
from the code (flask-smorest + marshmallow). Access rules are the pages' own (eventsapp.api.access).

May import, besides the shared modules at eventsapp's top level: accounts, badges, booths, checkin, events,
matchmaking, openings, organizations, registrations.
"""

ALLOWED_IMPORTS = frozenset({
    "accounts", "badges", "booths", "checkin", "events", "matchmaking", "openings", "organizations", "registrations"
})
