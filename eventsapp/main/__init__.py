"""Site-wide pages: the home page, the language switch and the error pages every blueprint renders.

May import, besides the shared modules at eventsapp's top level: api (its error shape), events, registrations.
"""

ALLOWED_IMPORTS = frozenset({
    "api", "events", "registrations"
})
