"""The source strings are English: make the en catalog say so for every message (after `pybabel update`)."""
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

path = Path(sys.argv[1] if len(sys.argv) > 1 else "eventsapp/translations/en/LC_MESSAGES/messages.po")
with path.open("rb") as handle:
    catalog = read_po(handle, locale="en")
for message in catalog:
    if not message.id:
        continue
    message.string = message.id  # a plural message's id is the (singular, plural) pair
    message.flags.discard("fuzzy")
with path.open("wb") as handle:
    write_po(handle, catalog)
