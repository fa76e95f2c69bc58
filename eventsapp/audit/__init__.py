"""The audit log: who did what to which object, when, and from what to what.

Owns the ``audit_entry`` table, the ``record`` service every feature calls after a change worth
keeping (organizations, booths, check-ins, and later contest decisions and survey sends), and the
organizers' "Activity" page of an event. Imports accounts and events only; features import it,
never the other way round. The registrations' own history (registration_log) stays where it is.
"""

ALLOWED_IMPORTS = frozenset({"accounts"})
