"""Analytics across events: the figures of a period (a year, a half, a quarter, a series or chosen dates)
for the organizers' analytics page, its CSV and XLSX exports and the year-in-review report. It owns no
table: it reads the other features' tables with aggregate queries.

May import, besides the shared modules at eventsapp's top level: accounts, booths, candidates, events,
matchmaking, openings, organizations, registrations, surveys.
"""

ALLOWED_IMPORTS = frozenset({
    "accounts", "booths", "candidates", "events", "matchmaking", "openings", "organizations", "registrations",
    "surveys",
})
