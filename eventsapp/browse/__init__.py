"""Browsing registrants: employers search the candidates who agreed to be seen, view profiles and
résumés (each view recorded), shortlist them and export the list. Owns the shortlist_entry and
profile_view tables (``models``).

May import, besides the shared modules at eventsapp's top level: accounts, booths, candidates, checkin,
events, main, organizations, registrations.
Checkin only for its leads (``BoothLead``), which the shortlist shows beside their entries.
"""

ALLOWED_IMPORTS = frozenset({
    "accounts", "booths", "candidates", "checkin", "events", "main", "organizations", "registrations"
})
