from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, Length

from eventsapp.browse.services import NOTE_MAX_LENGTH
from eventsapp.checkin.leads import RATING_MESSAGE, RATINGS
from eventsapp.formfields import WebForm

RATING_LABELS = dict(zip(RATINGS, (_l("1 · weak"), _l("2 · fair"), _l("3 · good"), _l("4 · strong")), strict=True))
RATING_CHOICES = [SelectChoice("", _l("No rating"))] + [SelectChoice(str(value), label)
                                                        for value, label in RATING_LABELS.items()]


class LeadForm(WebForm):
    """A lead's rating and note, on the leads list (the scan page's script sends the same fields)."""

    rating = SelectField(_l("Rating"), default="", choices=RATING_CHOICES, validate_choice=False,
                         validators=[AnyOf([choice.value for choice in RATING_CHOICES], message=RATING_MESSAGE)])
    note = TextAreaField(_l("Note"), validators=[Length(max=NOTE_MAX_LENGTH,
                                                        message=_l("At most %(max)d characters."))])

    @property
    def rating_value(self) -> int | None:
        return int(self.rating.data) if self.rating.data else None
