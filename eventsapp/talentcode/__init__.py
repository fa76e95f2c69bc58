"""The personal talent code (人才码): one signed code per account, shown as a QR code on the phone
("My code", pinned to the home screen and readable offline), replaced at will, and accepted by every
door and booth where its holder has a place or a role (eventsapp.badges.services decides what it means
at an event).

May import, besides the shared modules at eventsapp's top level: accounts, badges.
"""

ALLOWED_IMPORTS = frozenset({"accounts", "badges"})
