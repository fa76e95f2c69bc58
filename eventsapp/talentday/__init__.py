"""Talent Day: the city's holiday for talent, every 28 September, one event a year kept ahead.

May import, besides the shared modules at eventsapp's top level: events.
"""

ALLOWED_IMPORTS = frozenset({
    "events"
})
