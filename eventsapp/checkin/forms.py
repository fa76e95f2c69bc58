from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, Length

from eventsapp.browse.services import NOTE_MAX_LENGTH

RATING_LABELS = {1: _l("1 · weak"), 2: _l("2 · fair"), 3: _l("3 · good"), 4: _l("4 · strong")}
RATING_MESSAGE = _l("Choose a rating from 1 (weak) to 4 (strong).")
RATING_CHOICES = [SelectChoice("", _l("No rating"))] + [SelectChoice(str(value), label)
                                                        for value, label in RATING_LABELS.items()]


class LeadForm(FlaskForm):
    """A lead's rating and note, on the leads list (the scan page's script sends the same fields)."""

    rating = SelectField(_l("Rating"), default="", choices=RATING_CHOICES, validate_choice=False,
                         validators=[AnyOf([choice.value for choice in RATING_CHOICES], message=RATING_MESSAGE)])
    note = TextAreaField(_l("Note"), validators=[Length(max=NOTE_MAX_LENGTH,
                                                        message=_l("At most %(max)d characters."))])

    @property
    def rating_value(self) -> int | None:
        return int(self.rating.data) if self.rating.data else None
