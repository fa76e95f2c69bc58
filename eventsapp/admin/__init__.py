"""Administration: the site administrators' pages over accounts and their roles.

May import, besides the shared modules at eventsapp's top level: accounts.
"""

ALLOWED_IMPORTS = frozenset({
    "accounts"
})
