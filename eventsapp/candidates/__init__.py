"""Candidates: the profile, the degree ladder (pure ``degrees``), the résumé, consent, the personal data
export, and erasing an account (``erasure``, which reaches into every feature holding the person's data).

May import, besides the shared modules at eventsapp's top level: accounts, employers, main, notifications,
registrations.
Registrations, employers and notifications only in ``erasure`` and the data export.
"""

ALLOWED_IMPORTS = frozenset({
    "accounts", "employers", "main", "notifications", "registrations"
})
