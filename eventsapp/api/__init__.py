"""The JSON API under /api/v1: personal access tokens, the resources, and the OpenAPI document generated
from the code (flask-smorest + marshmallow). Access rules are the pages' own (eventsapp.api.access).

May import, besides the shared modules at eventsapp's top level: accounts, analytics, awards, badges, booths,
candidates, checkin, contests, events, matchmaking, openings, organizations, registrations, reviews; webhooks
(the names of its event types, listed in the OpenAPI document and the reference page).
"""

ALLOWED_IMPORTS = frozenset({
    "accounts", "analytics", "awards", "badges", "booths", "candidates", "checkin", "contests", "events",
    "matchmaking", "openings", "organizations", "registrations", "reviews", "webhooks",
})
