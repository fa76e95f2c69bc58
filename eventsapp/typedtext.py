"""Text as people type it into a box: one clean line, and tags typed on one line.

One rule for every feature: a candidate's skills, an opening's majors and skills, and the skills an
employer searches for are split at the same separators and compared alike.
"""
from __future__ import annotations

import re
import unicodedata

# , ， 、 ; ； or a line break: what people separate tags with in both languages.
TAG_SEPARATORS = re.compile(r"[,，、;；\n]")


def clean_line(text: str | None) -> str:
    """Without control characters (PostgreSQL refuses NUL) and with single spaces."""
    text = "".join(char for char in text or "" if unicodedata.category(char) != "Cc" or char.isspace())
    return " ".join(text.split())


def split_tags(text: str | None) -> list[str]:
    """The tags in one line of text, in their order: cleaned, empty ones and repeats (ignoring case) left out."""
    tags, seen = [], set()
    for part in TAG_SEPARATORS.split(text or ""):
        tag = clean_line(part)
        if tag and tag.casefold() not in seen:
            seen.add(tag.casefold())
            tags.append(tag)
    return tags
