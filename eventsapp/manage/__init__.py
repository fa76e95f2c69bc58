"""The organizers' event hub: the dashboard of decisions waiting, each event's tabs, and editing events,
series and agenda items.

May import, besides the shared modules at eventsapp's top level: accounts, booths, calendars, checkin, events,
matchmaking, messages, notifications, organizations, registrations, talentday.
"""

ALLOWED_IMPORTS = frozenset({
    "accounts", "booths", "calendars", "checkin", "events", "matchmaking", "messages", "notifications",
    "organizations", "registrations", "talentday"
})
