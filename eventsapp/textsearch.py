"""Searching text with SQL LIKE: what people type is matched literally."""
from __future__ import annotations


def contains_pattern(text: str) -> str:
    """A LIKE pattern (used with ``escape="\\\\"``) for columns containing ``text``, with ``%`` and ``_``
    taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
