"""Organizations: the employers' organizations, registering and verifying them (and suspending and
reinstating them), members and invitations, logos, and who may see what on the employer side
(``access``: the active-booth rule every feature with a booth asks). Its e-mails are in ``emails``.
Owns the organization, organization_member and invitation tables; halls and booths are the booths
feature's, openings and bookmarks the openings', shortlists and profile views browse's.

May import, besides the shared modules at eventsapp's top level: accounts, audit, badges, booths, candidates,
events, main, notifications, openings, registrations, webhooks (only ``webhooks.lifecycle``: a rejected or
suspended organization's endpoints stop).
"""

ALLOWED_IMPORTS = frozenset({
    "accounts", "audit", "badges", "booths", "candidates", "events", "main", "notifications", "openings",
    "registrations", "webhooks"
})
