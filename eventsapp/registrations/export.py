"""Registrants as CSV that Excel opens with Chinese intact (UTF-8 with a byte-order mark)."""
from __future__ import annotations

import csv
import io

from eventsapp.registrations.models import Registration, RegistrationQuestion

CSV_HEADER = ["registration_id", "status", "name", "name_latin", "email", "phone", "degree", "school", "major",
              "graduation_year", "talent_class", "registered_at_utc", "confirmed_at_utc", "attended_at_utc",
              "waitlist_position"]


def excel_safe(value) -> str:
    """Keep spreadsheet formulas out of cells typed by users (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def registrants_csv(rows: list[tuple[Registration, int | None]], questions: list[RegistrationQuestion]) -> bytes:
    """``rows``: (registration, its waiting-list position or None)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER + [question.label_zh or question.label_en for question in questions])
    for registration, position in rows:
        profile = registration.profile
        answers = {answer.question_id: answer.value.replace("\n", "; ") for answer in registration.answers}
        safe = excel_safe  # for text people typed; ids, dates and E.164 phones are ours
        writer.writerow([
            registration.id, registration.status.value,
            safe(profile.name if profile else registration.user.display_name),
            safe(profile.name_latin if profile else ""), safe(registration.user.email),
            profile.phone if profile else "",
            profile.degree.value if profile and profile.degree else "", safe(profile.school if profile else ""),
            safe(profile.major if profile else ""), profile.graduation_year if profile else "",
            profile.talent_class.value if profile and profile.talent_class else "",
            registration.created_at.isoformat(timespec="seconds"),
            registration.confirmed_at.isoformat(timespec="seconds") if registration.confirmed_at else "",
            registration.attended_at.isoformat(timespec="seconds") if registration.attended else "",
            position or "",
        ] + [safe(answers.get(question.id, "")) for question in questions])
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")
