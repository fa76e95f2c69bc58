"""Registrants as CSV that Excel opens with Chinese intact, in the organizer's language."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from eventsapp.candidates.choices import degree_words, talent_class_words
from eventsapp.i18n import current_language, pick
from eventsapp.registrations.choices import STATUS_LABELS, answer_words
from eventsapp.registrations.models import Registration, RegistrationQuestion
from eventsapp.spreadsheets import Column, csv_bytes, excel_safe, header

COLUMNS = [
    Column("registration_id", _l("Registration no.")), Column("status", _l("Status")), Column("name", _l("Name")),
    Column("name_latin", _l("Name in Latin letters")), Column("email", _l("E-mail")),
    Column("phone", _l("Mobile number")),
    Column("degree", _l("Degree")), Column("school", _l("School")), Column("major", _l("Major")),
    Column("graduation_year", _l("Graduation year")), Column("talent_class", _l("Talent class")),
    Column("registered_at_utc", _l("Registered (UTC)")), Column("confirmed_at_utc", _l("Confirmed (UTC)")),
    Column("attended_at_utc", _l("Attended (UTC)")), Column("waitlist_position", _l("Place on the waiting list")),
]


def registrants_csv(rows: list[tuple[Registration, int | None]], questions: list[RegistrationQuestion]) -> bytes:
    """``rows``: (registration, its waiting-list position or None); one more column per question."""
    language = current_language()
    lines = []
    for registration, position in rows:
        profile = registration.profile
        answers = {answer.question_id: answer_words(answer) for answer in registration.answers}
        safe = excel_safe  # for text people typed; ids, dates and E.164 phones are ours
        lines.append([
            registration.id, STATUS_LABELS[registration.status],
            safe(profile.name if profile else registration.user.display_name),
            safe(profile.name_latin if profile else ""), safe(registration.user.email),
            profile.phone if profile else "",
            degree_words(profile.degree if profile else None), safe(profile.school if profile else ""),
            safe(profile.major if profile else ""), profile.graduation_year if profile else "",
            talent_class_words(profile.talent_class if profile else None),
            registration.created_at.isoformat(timespec="seconds"),
            registration.confirmed_at.isoformat(timespec="seconds") if registration.confirmed_at else "",
            registration.attended_at.isoformat(timespec="seconds") if registration.attended else "",
            position or "",
        ] + [safe(answers.get(question.id, "")) for question in questions])
    return csv_bytes(header(COLUMNS) + [pick(question, "label", language) for question in questions], lines)
