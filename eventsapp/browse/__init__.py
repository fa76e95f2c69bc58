"""Browsing registrants: employers search the candidates who agreed to be seen, view profiles and
résumés (each view recorded), shortlist them and export the list.

May import, besides the shared modules at eventsapp's top level: accounts, candidates, employers, events,
main, registrations.
"""

ALLOWED_IMPORTS = frozenset({
    "accounts", "candidates", "employers", "events", "main", "registrations"
})
