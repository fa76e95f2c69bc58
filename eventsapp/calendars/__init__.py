"""iCalendar feeds: public event feeds, Talent Day as a yearly series, and personal feeds of a
person's registrations, interviews and contest pitches (pure ``ical`` renders them).

May import, besides the shared modules at eventsapp's top level: accounts, candidates, contests, employers,
events, matchmaking, notifications, registrations, talentday.
"""

ALLOWED_IMPORTS = frozenset({
    "accounts", "candidates", "contests", "employers", "events", "matchmaking", "notifications",
    "registrations", "talentday"
})
