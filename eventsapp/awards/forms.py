"""The organizer's forms: advancing a round, scheduling pitches, giving an award."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateTimeLocalField, DecimalField, IntegerField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from eventsapp.formfields import DATETIME_FORMAT, CheckboxesField, WebForm

TOP, MIN_SCORE = "top", "min_score"


class AdvanceForm(WebForm):
    mode = RadioField(_l("Who advances"), choices=[SelectChoice(TOP, _l("The best entries of each track")),
                                                   SelectChoice(MIN_SCORE, _l("Every entry with at least a score of"))],
                      default=TOP, validators=[InputRequired()])
    top = IntegerField(_l("How many per track"), default=3, validators=[Optional(), NumberRange(min=1, max=10000)])
    min_score = DecimalField(_l("Lowest score that advances (0–100)"), places=2,
                             validators=[Optional(), NumberRange(min=0, max=100)])
    tie_winners = CheckboxesField(_l("Tied at the cut-off: these advance too"), coerce=int, choices=[])
    ties_decided = BooleanField(_l("I have decided the ties"))

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.mode.data == TOP and self.top.data is None:
            self.top.errors.append(_l("Say how many entries per track advance."))
            return False
        if self.mode.data == MIN_SCORE and self.min_score.data is None:
            self.min_score.errors.append(_l("Say the lowest score that advances."))
            return False
        return True

    def cut(self) -> dict:
        return {"top": self.top.data} if self.mode.data == TOP else {"min_score": float(self.min_score.data)}


class ScheduleForm(WebForm):
    room = StringField(_l("Room"), validators=[DataRequired(), Length(max=100)])
    panel_id = SelectField(_l("Panel of the room"), coerce=int, choices=[], validate_choice=True)
    starts_at = DateTimeLocalField(_l("First pitch starts"), format=DATETIME_FORMAT, validators=[DataRequired()])
    minutes = IntegerField(_l("Minutes per pitch"), default=15,
                           validators=[InputRequired(), NumberRange(min=3, max=180)])
    entry_ids = CheckboxesField(_l("Entries, in running order"), coerce=int, choices=[],
                                validators=[DataRequired(message=_l("Choose the entries that pitch in this room."))])


class AwardForm(WebForm):
    entry_id = SelectField(_l("Entry"), coerce=int, choices=[], validators=[InputRequired()])
    name_zh = StringField(_l("Award (Chinese)"), validators=[Length(max=100)])
    name_en = StringField(_l("Award (English)"), validators=[Length(max=100)])
    rank = IntegerField(_l("Rank"), default=1, validators=[InputRequired(), NumberRange(min=1, max=1000)])
    prize_amount = DecimalField(_l("Prize (yuan)"), places=2, default=0,
                                validators=[InputRequired(), NumberRange(min=0, max=9_999_999_999)])
    whole_contest = BooleanField(_l("An award of the whole contest (not of the entry's track)"))

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not (self.name_zh.data or "").strip() and not (self.name_en.data or "").strip():
            self.name_zh.errors.append(_l("Name the award in Chinese or English."))
            return False
        return True
