"""Candidates: the profile, the degree ladder (pure ``degrees``), the résumé, consent, the personal data
export, and erasing an account (``erasure``, which reaches into every feature holding the person's data).

May import, besides the shared modules at eventsapp's top level: accounts, browse, contests, main,
notifications, registrations, retention, talentcode (only ``erasure``: a deleted account's personal code goes).
Registrations, browse (the record of profile views) and notifications only in ``erasure`` and the data export;
contests only for their part of both (``contests.personal_data``) and the privacy page's warning; retention
only for the privacy page's dates; webhooks only in ``erasure`` (the deliveries about the person are erased).
"""

ALLOWED_IMPORTS = frozenset({
    "accounts", "browse", "contests", "main", "notifications", "registrations", "retention", "talentcode", "webhooks"
})
