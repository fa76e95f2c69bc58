"""The questions an organizer asks everyone who registers for an event."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from eventsapp.extensions import db
from eventsapp.registrations.models import QuestionColumns, QuestionKind, RegistrationQuestion
from eventsapp.validation import ValidationFailed

MAX_OPTIONS = 30


@dataclass
class QuestionData:
    kind: QuestionKind
    label_zh: str = ""
    label_en: str = ""
    options_text: str = ""
    required: bool = False
    position: int = 0


def checked_options(data: QuestionData) -> list[str]:
    """The question's choices as it keeps them (none but for single and multiple choice); raises
    ValidationFailed when the question has no label or its choices are unusable. Contests' entry-form
    questions are checked alike."""
    errors: list[tuple[str | None, str]] = []
    if not (data.label_zh.strip() or data.label_en.strip()):
        errors.append(("label_zh", _l("Write the question in at least one language.")))
    options = [line.strip() for line in data.options_text.splitlines() if line.strip()]
    if data.kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
        if len(options) < 2:
            errors.append(("options_text", _l("Give at least two choices, one per line.")))
        elif len(options) > MAX_OPTIONS:
            errors.append(("options_text", _l("At most %(count)d choices.", count=MAX_OPTIONS)))
        elif len({option.casefold() for option in options}) != len(options):
            errors.append(("options_text", _l("Each choice may appear once.")))
        elif any(len(option) > 100 for option in options):
            errors.append(("options_text", _l("Each choice may have at most 100 characters.")))
    if errors:
        raise ValidationFailed(errors)
    return options if data.kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE) else []


def fill_question(question: QuestionColumns, data: QuestionData) -> None:
    """Write checked ``data`` into a question of any form (registration or contest entry); raises
    ValidationFailed as checked_options does, before anything is written."""
    options = checked_options(data)
    question.kind = data.kind
    question.label_zh, question.label_en = data.label_zh.strip(), data.label_en.strip()
    question.options_text = "\n".join(options)
    question.required, question.position = data.required, data.position or 0


def save_question(event_id: int, data: QuestionData, question: RegistrationQuestion | None = None
                  ) -> RegistrationQuestion:
    question = question or RegistrationQuestion(event_id=event_id)
    fill_question(question, data)
    db.session.add(question)
    db.session.flush()
    return question


def delete_question(question: RegistrationQuestion) -> None:
    db.session.delete(question)
    db.session.flush()
