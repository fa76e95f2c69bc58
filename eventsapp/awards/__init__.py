"""Awards: the end of a contest. Scores of a round read from the submitted score sheets (with
``eventsapp.judging``), advancing entries from a closed round to the next one (ties at the cut-off
decided by the organizer), the pitch schedule of a roadshow or final (rooms, time slots, running order),
awards and their publication (the public results page, the teams' e-mails, PDF certificates), the
organizer's CSV exports and the ``contest results`` command. Its e-mails are in ``emails``.

May import, besides the shared modules at eventsapp's top level: accounts, audit, badges, candidates,
contests, events, jobs (the certificates as a background job), judging, notifications, reviews (a round's
scores are its leaderboard's).
"""

ALLOWED_IMPORTS = frozenset({
    "accounts", "audit", "badges", "candidates", "contests", "events", "jobs", "judging", "notifications",
    "reviews", "webhooks",
})
