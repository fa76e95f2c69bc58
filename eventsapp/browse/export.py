"""A booth's shortlist as CSV that Excel opens with Chinese intact (UTF-8 with a byte-order mark)."""
from __future__ import annotations

import csv
import io

from eventsapp.browse.services import ShortlistRow
from eventsapp.registrations.export import excel_safe

CSV_HEADER = ["rank", "name", "name_latin", "degree", "school", "major", "graduation_year", "talent_class",
              "skills", "note", "lead_rating", "lead_captured_at_utc"]


def shortlist_csv(rows: list[ShortlistRow], hidden_label: str) -> bytes:
    """One line per entry, in the list's order; a candidate who can no longer be seen keeps only the
    rank and the note, with ``hidden_label`` in place of the name."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for row in rows:
        entry, profile = row.entry, row.profile
        lead = [entry.lead_rating or "",
                entry.lead_captured_at.isoformat(timespec="seconds") if entry.lead_captured_at else ""]
        if profile is None:
            writer.writerow([entry.rank or "", hidden_label, "", "", "", "", "", "", "", excel_safe(entry.note), *lead])
            continue
        writer.writerow([
            entry.rank or "", excel_safe(profile.name), excel_safe(profile.name_latin),
            profile.degree.value if profile.degree else "", excel_safe(profile.school), excel_safe(profile.major),
            profile.graduation_year or "", profile.talent_class.value if profile.talent_class else "",
            excel_safe(", ".join(profile.skill_names)), excel_safe(entry.note), *lead,
        ])
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")
