"""Demo data: ``flask seed-demo`` fills an empty database with events, organizations and people.

May import, besides the shared modules at eventsapp's top level: accounts, awards, badges, booths, candidates,
checkin, contests, events, matchmaking, openings, organizations, registrations, surveys, talentday.
"""

ALLOWED_IMPORTS = frozenset({
    "accounts", "awards", "badges", "booths", "candidates", "checkin", "contests", "events", "matchmaking", "openings",
    "organizations", "registrations", "surveys", "talentday"
})
