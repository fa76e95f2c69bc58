"""How registrations read in words: statuses, question kinds, yes/no answers and the history's actions.

Forms, pages, exports and calendar feeds all word them alike.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from eventsapp.registrations.models import QuestionKind, RegistrationAnswer, RegistrationStatus

STATUS_LABELS = {
    RegistrationStatus.PENDING: _l("Awaiting approval"),
    RegistrationStatus.CONFIRMED: _l("Confirmed"),
    RegistrationStatus.WAITLISTED: _l("Waiting list"),
    RegistrationStatus.CANCELLED: _l("Cancelled"),
    RegistrationStatus.REJECTED: _l("Declined"),
}
QUESTION_KIND_LABELS = {
    QuestionKind.SHORT_TEXT: _l("Short text"),
    QuestionKind.SINGLE_CHOICE: _l("Single choice"),
    QuestionKind.MULTIPLE_CHOICE: _l("Multiple choice"),
    QuestionKind.YES_NO: _l("Yes / no"),
}
YES_NO_LABELS = {"yes": _l("Yes"), "no": _l("No")}
# The registration history's actions (RegistrationLog.action), as the organizers' page words them.
ACTION_LABELS = {
    "registered": _l("Registered for the event"),
    "promoted": _l("Moved up from the waiting list"),
    "cancelled": _l("Cancelled"),
    "approved": _l("Approved"),
    "rejected": _l("Declined"),
    "added": _l("Added by an organizer"),
    "moved_in": _l("Moved here from another event"),
    "attended": _l("Attended"),
}


def answer_words(answer: RegistrationAnswer) -> str:
    """An answer as people read it: yes/no in words, several choices on one line."""
    if answer.question.kind == QuestionKind.YES_NO:
        return str(YES_NO_LABELS.get(answer.value, answer.value))
    return answer.value.replace("\n", "; ")


def status_words(status: str | None) -> str:
    """A status stored as text (the history's from/to) in words; '—' for none."""
    return str(STATUS_LABELS[RegistrationStatus(status)]) if status else "—"
