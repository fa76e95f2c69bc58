"""Forms for booths: they check the shape of what was typed; the services check the rules."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from eventsapp.booths import services
from eventsapp.booths.models import BoothStatus, BoothType
from eventsapp.booths.services import BoothApplication, HallData
from eventsapp.formfields import WebForm

BOOTH_TYPE_LABELS = {
    BoothType.STANDARD: _l("Standard booth (one cell)"),
    BoothType.DOUBLE: _l("Double booth (two cells side by side)"),
}
BOOTH_STATUS_LABELS = {
    BoothStatus.PENDING: _l("Awaiting a decision"),
    BoothStatus.APPROVED: _l("Approved"),
    BoothStatus.REJECTED: _l("Rejected"),
    BoothStatus.WITHDRAWN: _l("Withdrawn"),
}
TOO_LONG = _l("At most %(max)d characters.")
WHOLE_NUMBER = _l("Enter a whole number from %(min)d to %(max)d.")


def optional_int(value) -> int | None:
    if value in (None, ""):
        return None
    return int(value)


class BoothApplicationForm(WebForm):
    booth_type = RadioField(_l("Booth"), choices=[SelectChoice(kind.value, label)
                                                  for kind, label in BOOTH_TYPE_LABELS.items()],
                            default=BoothType.STANDARD.value,
                            validators=[DataRequired(_l("Choose a standard or a double booth."))])
    interviewers = IntegerField(_l("Interviewers at the booth"), default=2, validators=[
        InputRequired(_l("Enter how many people will interview at the booth.")),
        NumberRange(min=1, max=services.MAX_INTERVIEWERS, message=WHOLE_NUMBER)],
        description=_l("From 1 to %(max)d people.", max=services.MAX_INTERVIEWERS))
    note = TextAreaField(_l("Note for the organizers"), validators=[
        Length(max=services.MAX_NOTE_LENGTH, message=TOO_LONG)],
        description=_l("Optional: e.g. power for a screen, a corner place. At most %(max)d characters.",
                       max=services.MAX_NOTE_LENGTH))

    def to_application(self) -> BoothApplication:
        return BoothApplication(booth_type=BoothType(self.booth_type.data), interviewers=self.interviewers.data,
                                note=self.note.data or "")


class RejectForm(WebForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(_l("Give a reason: the organization is told.")),
                                                   Length(max=services.MAX_REASON_LENGTH, message=TOO_LONG)])


class MaxBoothsForm(WebForm):
    max_booths_per_organization = IntegerField(_l("Booths one organization may hold"), validators=[
        InputRequired(_l("Enter a number.")), NumberRange(min=1, max=services.MAX_BOOTHS_LIMIT, message=WHOLE_NUMBER)],
        description=_l("Counts applications awaiting a decision and approved booths."))


class HallForm(WebForm):
    name = StringField(_l("Hall name"), validators=[Length(max=40, message=TOO_LONG)],
                       description=_l("Letters or digits, e.g. A. Booth codes start with it: A-12."))
    rows = IntegerField(_l("Rows"), validators=[Optional()],
                        description=_l("From 1 to %(max)d.", max=services.MAX_GRID_SIZE))
    cols = IntegerField(_l("Columns"), validators=[Optional()],
                        description=_l("From 1 to %(max)d.", max=services.MAX_GRID_SIZE))
    aisle_rows = StringField(_l("Aisle rows"), validators=[Length(max=300, message=TOO_LONG)],
                             description=_l("Row numbers separated by commas, e.g. 4, 8."))
    aisle_cols = StringField(_l("Aisle columns"), validators=[Length(max=300, message=TOO_LONG)],
                             description=_l("Column numbers separated by commas, e.g. 6."))
    blocked_cells = TextAreaField(_l("Blocked cells"), validators=[Length(max=20_000, message=TOO_LONG)],
                                  description=_l("Pillars, stages, doors: row:column pairs, e.g. 3:4, 3:5."))

    def to_hall_data(self) -> HallData:
        return HallData(name=self.name.data or "", rows=self.rows.data, cols=self.cols.data,
                        aisle_rows=self.aisle_rows.data or "", aisle_cols=self.aisle_cols.data or "",
                        blocked_cells=self.blocked_cells.data or "")


class PlaceForm(WebForm):
    """Place an approved booth by code, or by hall, row and column."""

    booth_id = SelectField(_l("Booth"), coerce=int, validators=[InputRequired(_l("Choose a booth."))],
                           validate_choice=False)
    code = StringField(_l("Code"), validators=[Optional(), Length(max=30, message=TOO_LONG)],
                       description=_l("e.g. A-12, the 12th booth cell of hall A"))
    hall_id = SelectField(_l("Hall"), coerce=optional_int, validate_choice=False)
    row = IntegerField(_l("Row"), validators=[Optional(), NumberRange(min=1, max=999, message=WHOLE_NUMBER)])
    col = IntegerField(_l("Column"), validators=[Optional(), NumberRange(min=1, max=999, message=WHOLE_NUMBER)])
