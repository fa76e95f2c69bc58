"""Accounts: users, roles, passwords, login sessions, e-mail verification and password resets, the
language choice, the onboarding checklist, and who may open which page (``access``). Its e-mails are in
``emails``.

May import, besides the shared modules at eventsapp's top level: candidates, notifications, organizations.
Candidates and organizations only for the onboarding checklist (what a new account does next).
"""

ALLOWED_IMPORTS = frozenset({
    "candidates", "notifications", "organizations"
})
