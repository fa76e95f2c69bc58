from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from eventsapp.formfields import WebForm
from eventsapp.messages.models import ReminderTiming, Segment
from eventsapp.messages.reminders import TIMING_LABELS, ReminderChoice
from eventsapp.messages.services import SEGMENT_LABELS, BroadcastData

TOO_LONG = _l("At most %(max)d characters.")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class BroadcastForm(WebForm):
    segment = RadioField(_l("Send to"), choices=[SelectChoice(segment.value, label)
                                                 for segment, label in SEGMENT_LABELS.items()],
                         validators=[DataRequired(_l("Choose who gets the message."))])
    subject_zh = StringField(_l("Subject (Chinese)"), filters=[_strip], validators=[
        DataRequired(_l("Write the subject in Chinese.")), Length(max=200, message=TOO_LONG)])
    body_zh = TextAreaField(_l("Message (Chinese)"), filters=[_strip], validators=[
        DataRequired(_l("Write the message in Chinese.")), Length(max=10_000, message=TOO_LONG)])
    subject_en = StringField(_l("Subject (English)"), filters=[_strip], validators=[
        DataRequired(_l("Write the subject in English.")), Length(max=200, message=TOO_LONG)])
    body_en = TextAreaField(_l("Message (English)"), filters=[_strip], validators=[
        DataRequired(_l("Write the message in English.")), Length(max=10_000, message=TOO_LONG)])

    # Which button sent the form: "preview" (the default), "edit" (back to the form) or "send".
    step = StringField()

    def to_data(self) -> BroadcastData:
        return BroadcastData(Segment(self.segment.data), self.subject_zh.data, self.subject_en.data,
                             self.body_zh.data, self.body_en.data)


class ReminderForm(WebForm):
    timing = RadioField(_l("Reminder"), choices=[SelectChoice(timing.value, label)
                                                 for timing, label in TIMING_LABELS.items()],
                        validators=[DataRequired(_l("Choose when the reminder leaves."))])
    hours_before = IntegerField(_l("Hours before the start"), validators=[
        Optional(), NumberRange(1, 336, _l("Between %(min)d and %(max)d hours."))],
        description=_l("Only for “a number of hours before it starts”: from 1 to 336 (two weeks)."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.timing.data == ReminderTiming.HOURS_BEFORE and self.hours_before.data is None \
                and not self.hours_before.errors:
            self.hours_before.errors = [*self.hours_before.errors, _l("Say how many hours before the start.")]
            return False
        return valid

    def fill_from(self, choice: ReminderChoice) -> None:
        self.timing.data, self.hours_before.data = choice.timing.value, choice.hours_before

    def to_choice(self) -> ReminderChoice:
        return ReminderChoice(ReminderTiming(self.timing.data), self.hours_before.data)
