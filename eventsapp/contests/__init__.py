"""Contests: a competition event's tracks, groups, rounds and entry form; entries and their teams (with
invitations by e-mail); and, for judging, the judges, panels, conflicts of interest, review assignments,
rubrics, score sheets, pitch slots and awards. The pure judging engine is ``eventsapp.judging``. The
words for all of it are in ``choices``, its e-mails in ``emails``.

May import, besides the shared modules at eventsapp's top level: accounts, audit, candidates, events, judging,
main, notifications, organizations, registrations.
"""

ALLOWED_IMPORTS = frozenset({
    "accounts", "audit", "candidates", "events", "judging", "main", "notifications", "organizations", "registrations"
})
