"""Browsing registrants: employers search the candidates who agreed to be seen, view profiles and
résumés (each view recorded), shortlist them and export the list. Owns the shortlist_entry and
profile_view tables (``models``).

May import, besides the shared modules at eventsapp's top level: accounts, booths, candidates, events, main,
organizations, registrations.
"""

ALLOWED_IMPORTS = frozenset({
    "accounts", "booths", "candidates", "events", "main", "organizations", "registrations"
})
