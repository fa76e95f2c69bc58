"""Organizations (employers): registering and verifying them, members and invitations, logos, and the
halls, booths, openings, bookmarks, shortlists and profile views that other features build on. Its
e-mails are in ``emails``.

May import, besides the shared modules at eventsapp's top level: accounts, audit, candidates, events, main,
notifications, registrations.
"""

ALLOWED_IMPORTS = frozenset({
    "accounts", "audit", "badges", "candidates", "events", "main", "notifications", "registrations"
})
