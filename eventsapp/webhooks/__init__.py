"""Signed webhooks: endpoints that organizers (one event or all events) and employers (their organization's
booths) register, the deliveries the features write in their own transactions (an outbox), and the worker
that signs and sends them with retries (``flask webhooks deliver`` and the scheduler's ``webhooks`` job).

May import, besides the shared modules at eventsapp's top level: accounts, booths, candidates, checkin, contests,
events, matchmaking, notifications, organizations, registrations (their models and access rules, to build
payloads and decide who may see them).
"""

ALLOWED_IMPORTS = frozenset({
    "accounts", "booths", "candidates", "checkin", "contests", "events", "matchmaking", "notifications",
    "organizations", "registrations",
})
