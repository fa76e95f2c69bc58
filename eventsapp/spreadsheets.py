"""CSV files people open in Excel: UTF-8 with a byte-order mark (so Chinese stays intact), spreadsheet
formulas kept out of cells people typed, and column titles in the reader's language.

A column also has a stable code (``lead_rating``): an export that scripts rely on can offer the codes
as its header, with raw values, instead of the words.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flask_babel import LazyString


@dataclass(frozen=True)
class Column:
    code: str
    title: LazyString | str


def excel_safe(value) -> str:
    """Keep spreadsheet formulas out of cells typed by users (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def header(columns: Sequence[Column], codes: bool = False) -> list[str]:
    return [column.code if codes else str(column.title) for column in columns]


def csv_bytes(head: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(head)
    writer.writerows(rows)
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")
