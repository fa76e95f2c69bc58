"""Messages around an event: the cancellation notice (with the organizer's reason), the change notice (date,
time or venue), the reminder before the event (its timing is the organizer's choice per event), and the
organizer's broadcasts to a segment of an event. Everything goes through the outbox, written in bulk as rows
the outbox worker writes later (``emails.RENDERERS``), each in the recipient's language.

May import, besides the shared modules at eventsapp's top level: accounts, audit, booths, checkin, contests,
events, matchmaking, notifications, organizations, registrations.
"""

ALLOWED_IMPORTS = frozenset({
    "accounts", "audit", "booths", "checkin", "contests", "events", "matchmaking", "notifications",
    "organizations", "registrations"
})
