"""The outbox: e-mails queued with the change that causes them and delivered afterwards by a worker.

It knows no feature: a feature writes its own e-mails (``<feature>/emails.py``), and registers with
the outbox, by kind, how to write those queued to be written later.

May import, besides the shared modules at eventsapp's top level: accounts.
Accounts only for the organizers' outbox page (access).
"""

ALLOWED_IMPORTS = frozenset({
    "accounts"
})
