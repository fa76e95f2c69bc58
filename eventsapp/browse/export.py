"""A booth's shortlist as CSV that Excel opens with Chinese intact, in the employer's language; or, with
``codes``, the stable column codes and raw values the README promises scripts (``?codes=1``)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from eventsapp.browse.services import ShortlistRow
from eventsapp.candidates.choices import degree_words, talent_class_words
from eventsapp.spreadsheets import Column, csv_bytes, excel_safe, header

COLUMNS = [
    Column("rank", _l("Rank")), Column("name", _l("Name")), Column("name_latin", _l("Name in Latin letters")),
    Column("degree", _l("Degree")), Column("school", _l("School")), Column("major", _l("Major")),
    Column("graduation_year", _l("Graduation year")), Column("talent_class", _l("Talent class")),
    Column("skills", _l("Skills")), Column("note", _l("Private note")), Column("lead_rating", _l("Lead rating")),
    Column("lead_captured_at_utc", _l("Lead scanned (UTC)")),
]


def shortlist_csv(rows: list[ShortlistRow], hidden_label: str, codes: bool = False) -> bytes:
    """One line per entry, in the list's order; a candidate who can no longer be seen keeps only the
    rank and the note, with ``hidden_label`` in place of the name."""
    lines = []
    for row in rows:
        entry, profile = row.entry, row.profile
        lead = ["", ""] if row.lead is None else [row.lead.rating or "",
                                                  row.lead.captured_at.isoformat(timespec="seconds")]
        if profile is None:
            lines.append([entry.rank or "", hidden_label, "", "", "", "", "", "", "", excel_safe(entry.note), *lead])
            continue
        if codes:
            degree = profile.degree.value if profile.degree else ""
            talent_class = profile.talent_class.value if profile.talent_class else ""
        else:
            degree, talent_class = degree_words(profile.degree), talent_class_words(profile.talent_class)
        lines.append([
            entry.rank or "", excel_safe(profile.name), excel_safe(profile.name_latin), degree,
            excel_safe(profile.school), excel_safe(profile.major), profile.graduation_year or "", talent_class,
            excel_safe(", ".join(profile.skill_names)), excel_safe(entry.note), *lead,
        ])
    return csv_bytes(header(COLUMNS, codes), lines)
