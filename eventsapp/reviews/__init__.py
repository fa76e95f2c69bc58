"""Reviews: judging a contest. Organizers invite judges by e-mail, form panels per track and round,
run the assignment engine (``eventsapp.judging``) and adjust it by hand, write each round's rubric and
read the leaderboard; judges accept their invitation, declare conflicts of interest and fill in their
score sheets. Conflicts are also detected from organizations, schools and e-mail domains
(``conflicts``). The tables are the contests' (``eventsapp.contests.models``); this package owns the
behaviour, its e-mails (``emails``) and the ``contest assign`` command (``cli``).

May import, besides the shared modules at eventsapp's top level: accounts, audit, badges, candidates,
contests, events, judging, notifications, organizations.
"""

ALLOWED_IMPORTS = frozenset({
    "accounts", "audit", "badges", "candidates", "contests", "events", "judging", "notifications", "organizations"
})
