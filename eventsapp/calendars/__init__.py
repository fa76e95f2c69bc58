"""iCalendar feeds: public event feeds, Talent Day as a yearly series, and personal feeds of a
person's registrations and interviews (pure ``ical`` renders them).

May import, besides the shared modules at eventsapp's top level: accounts, booths, candidates, contests, events,
matchmaking, notifications, organizations, registrations, talentday.
"""

ALLOWED_IMPORTS = frozenset({
    "accounts", "booths", "candidates", "contests", "events", "matchmaking", "notifications", "organizations",
    "registrations", "talentday"
})
