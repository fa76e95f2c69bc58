"""Reports: the year in review as a PDF (``flask report year``, and the organizers' download), written from
the analytics figures of the year and of the year before, with the analytics page's charts.

May import, besides the shared modules at eventsapp's top level: accounts, analytics, badges, candidates,
events, jobs, organizations, registrations.
"""

ALLOWED_IMPORTS = frozenset({
    "accounts", "analytics", "badges", "candidates", "events", "jobs", "organizations", "registrations"
})
