"""The API's validation messages in the request's language. marshmallow and webargs write theirs in English;
here each of their message keys has a lazy Flask-Babel string, read when the error answer is written (in
the language of Accept-Language). The request schemas (eventsapp.api.schemas) use these fields, validators
and base schema; a key not listed here keeps the library's English."""
from __future__ import annotations

from collections.abc import Callable, Mapping

import marshmallow as ma
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

Message = LazyString | Callable[..., LazyString]

# Every field's keys (marshmallow's Field.default_error_messages).
ANY_FIELD: Mapping[str, Message] = {
    "required": _l("This field is required."),
    "null": _l("This field may not be empty (null)."),
    "validator_failed": _l("This value is not valid."),
    # Dates and times (a date is never asked for one: it has no time of day to be aware of).
    "invalid_awareness": _l("Give the time with its offset, e.g. 2026-05-01T09:00:00+08:00."),
}
# Each field type's own keys, looked up along the field's classes (the most specific first).
BY_TYPE: Mapping[type, Mapping[str, Message]] = {
    fields.Integer: {"invalid": _l("Give a whole number, in the digits 0-9.")},
    fields.Number: {"invalid": _l("Give a number."), "too_large": _l("This number is too large.")},
    fields.String: {"invalid": _l("Give a text."), "invalid_utf8": _l("Give a text in UTF-8.")},
    fields.Boolean: {"invalid": _l("Give true or false.")},
    fields.Date: {"invalid": _l("Give a date as YYYY-MM-DD, e.g. 2026-05-01.")},
    fields.DateTime: {
        "invalid": _l("Give a date and time in ISO 8601 with its offset, e.g. 2026-05-01T09:00:00+08:00."),
    },

    fields.Mapping: {"invalid": _l("Give an object ({...}).")},
    fields.List: {"invalid": _l("Give a list ([...]).")},
    fields.Nested: {"type": _l("Give an object ({...}).")},
    fields.Enum: {"unknown": lambda choices, **_ignored: _l("Give one of: %(choices)s.", choices=choices)},
}
# The schema's own keys: a field it does not know, or a body that is not an object.
SCHEMA: dict[str, LazyString] = {
    "unknown": _l("Not a field of this request."),
    "type": _l("Give an object ({...})."),
}
# webargs' own texts (no key): a body that is not JSON.
WEBARGS_TEXTS: Mapping[str, LazyString] = {
    "Invalid JSON body.": _l("The body is not valid JSON."),
}


def field_message(field: fields.Field, key: str, **params) -> LazyString | None:
    """The translated message of ``field``'s ``key`` (with marshmallow's parameters), or None."""
    for kind in type(field).__mro__:
        message = BY_TYPE.get(kind, {}).get(key)
        if message is not None:
            break
    else:
        message = ANY_FIELD.get(key)
    if callable(message) and not isinstance(message, LazyString):
        return message(**params)
    return message


def library_text(text: object) -> object:
    """A text webargs wrote in English, in the request's language (others as they are)."""
    return WEBARGS_TEXTS.get(text, text) if isinstance(text, str) else text


class TranslatedField:
    """Mixed into a marshmallow field: its errors in the request's language."""

    def make_error(self, key: str, **kwargs) -> ma.ValidationError:
        message = field_message(self, key, **kwargs)
        if message is None:
            return super().make_error(key, **kwargs)
        return ma.ValidationError([message])


class Schema(ma.Schema):
    """A request schema: the schema's own errors in the request's language."""

    error_messages = SCHEMA


# Validators: their messages are written when a value fails, inside the request, so in its language (a plain
# string: marshmallow takes a validator's message apart if it is not one). An ``error=`` of a schema still wins.

class Range(validate.Range):
    def _format_error(self, value, message: str) -> str:
        if self.error:
            return super()._format_error(value, message)
        if self.min is not None and self.max is not None:
            return _("Give a value from %(min)s to %(max)s.", min=self.min, max=self.max)
        if self.min is not None:
            return _("Give a value of at least %(min)s.", min=self.min)
        return _("Give a value of at most %(max)s.", max=self.max)


class Length(validate.Length):
    def _format_error(self, value, message: str) -> str:
        if self.error:
            return super()._format_error(value, message)
        if self.equal is not None:
            return _("Give exactly %(equal)s characters.", equal=self.equal)
        if self.min is not None and self.max is not None:
            return _("Give %(min)s to %(max)s characters.", min=self.min, max=self.max)
        if self.min is not None:
            return _("Give at least %(min)s characters.", min=self.min)
        return _("Give at most %(max)s characters.", max=self.max)


class OneOf(validate.OneOf):
    def _format_error(self, value) -> str:
        if self.error is not self.default_message:
            return super()._format_error(value)
        return _("Give one of: %(choices)s.", choices=self.choices_text)


class Regexp(validate.Regexp):
    def _format_error(self, value) -> str:
        if self.error is not self.default_message:
            return super()._format_error(value)
        return _("This value is not in the expected form.")
