"""Domain errors raised by services and shown by views next to the offending field."""
from __future__ import annotations

from collections.abc import Iterable

from eventsapp.formfields import WebForm


class ValidationFailed(Exception):
    """A rule across rows failed; ``errors`` lists ``(field name, message)`` pairs.

    The field name may be ``None`` for a message about the whole form.
    """

    def __init__(self, errors: Iterable[tuple[str | None, str]]):
        self.errors = list(errors)
        super().__init__("; ".join(f"{field}: {message}" for field, message in self.errors))


def apply_to_form(form: WebForm, failure: ValidationFailed) -> list[str]:
    """Attach each error to its field; return the messages that belong to no field."""
    general = []
    for field_name, message in failure.errors:
        field = getattr(form, field_name, None) if field_name else None
        if field is None:
            general.append(str(message))
        else:
            field.errors = [*field.errors, message]
    return general
