"""Registration: places, the waiting list, approval, questions, the registration history, the words for
all of them (``choices``), eligibility rules and exports. Its e-mails are in ``emails``.

May import, besides the shared modules at eventsapp's top level: accounts, badges, candidates, events,
matchmaking, notifications.
"""

ALLOWED_IMPORTS = frozenset({
    "accounts", "badges", "candidates", "events", "matchmaking", "notifications", "webhooks"
})
