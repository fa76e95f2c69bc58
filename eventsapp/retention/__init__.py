"""Retention: an event's personal data is kept for a set time after it ends, then erased (``services``);
``flask retention run`` (``cli``) and the scheduled job run it.

May import, besides the shared modules at eventsapp's top level: accounts, audit, browse, candidates, events,
jobs (the event's background jobs and their files), notifications, registrations, webhooks (only
``webhooks.lifecycle``: the event's deliveries are erased).
"""

ALLOWED_IMPORTS = frozenset({
    "accounts", "audit", "browse", "candidates", "events", "jobs", "notifications", "registrations", "webhooks"
})
