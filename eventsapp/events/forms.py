from __future__ import annotations

from datetime import date
from zoneinfo import available_timezones

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from eventsapp.candidates.choices import DEGREE_LABELS, HANGZHOU_DISTRICTS
from eventsapp.candidates.models import TalentClass
from eventsapp.events.choices import KIND_LABELS
from eventsapp.events.models import EventKind
from eventsapp.events.services import SLUG_PATTERN, AgendaItemData, EventData, EventFilters
from eventsapp.formfields import DATETIME_FORMAT, CheckboxesField, WebForm
from eventsapp.timezones import to_local_naive, to_utc

# Zones people in our region use first; the rest follow alphabetically.
PREFERRED_ZONES = ("Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Tokyo", "Asia/Singapore",
                   "Europe/London", "Europe/Berlin", "America/New_York", "America/Los_Angeles", "UTC")
ZONE_CHOICES = [SelectChoice(zone) for zone in PREFERRED_ZONES] + [
    SelectChoice(zone) for zone in sorted(available_timezones() - set(PREFERRED_ZONES)) if "/" in zone
]
TOO_LONG = _l("At most %(max)d characters.")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class EventForm(WebForm):
    kind = SelectField(_l("Kind"), choices=[SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()],
                       validators=[DataRequired(_l("Choose a kind."))])
    series_id = SelectField(_l("Series"), coerce=lambda value: int(value) if value not in (None, "", "None") else None,
                            validators=[Optional()])
    slug = StringField(_l("Web address"), filters=[_strip], validators=[
        Optional(), Length(max=80, message=TOO_LONG),
        Regexp(SLUG_PATTERN, message=_l("Use lower-case letters, digits and single hyphens only."))],
        description=_l("The last part of the event's address, e.g. autumn-fair-2027. "
                       "Left empty, it is made from the English title."))
    title_zh = StringField(_l("Title (Chinese)"), filters=[_strip], validators=[Length(max=200, message=TOO_LONG)])
    title_en = StringField(_l("Title (English)"), filters=[_strip], validators=[Length(max=200, message=TOO_LONG)])
    description_zh = TextAreaField(_l("Description (Chinese)"), filters=[_strip],
                                   validators=[Length(max=20000, message=TOO_LONG)])
    description_en = TextAreaField(_l("Description (English)"), filters=[_strip],
                                   validators=[Length(max=20000, message=TOO_LONG)])
    venue_name_zh = StringField(_l("Venue (Chinese)"), filters=[_strip], validators=[Length(max=200, message=TOO_LONG)])
    venue_name_en = StringField(_l("Venue (English)"), filters=[_strip], validators=[Length(max=200, message=TOO_LONG)])
    venue_address = StringField(_l("Address"), filters=[_strip], validators=[Length(max=300, message=TOO_LONG)])
    venue_halls = StringField(_l("Halls"), filters=[_strip], validators=[Length(max=200, message=TOO_LONG)],
                              description=_l("Separate halls with commas, e.g. A, B, C, D."))
    district = SelectField(_l("District"), choices=[SelectChoice("", _l("— not given —"))] + [
        SelectChoice(district) for district in HANGZHOU_DISTRICTS], default="", validators=[Optional()],
        description=_l("The Hangzhou district the event takes place in: the analytics filter by it."))
    timezone = SelectField(_l("Time zone"), choices=ZONE_CHOICES, default="Asia/Shanghai",
                           validators=[DataRequired()],
                           description=_l("All times below are in this time zone."))
    starts_at = DateTimeLocalField(_l("Starts"), format=DATETIME_FORMAT,
                                   validators=[InputRequired(_l("Enter a date and time."))])
    ends_at = DateTimeLocalField(_l("Ends"), format=DATETIME_FORMAT,
                                 validators=[InputRequired(_l("Enter a date and time."))])
    registration_opens_at = DateTimeLocalField(_l("Registration opens"), format=DATETIME_FORMAT,
                                               validators=[Optional()],
                                               description=_l("Empty: open as soon as the event is published."))
    registration_closes_at = DateTimeLocalField(_l("Registration closes"), format=DATETIME_FORMAT,
                                                validators=[Optional()],
                                                description=_l("Empty: open until the event ends."))
    capacity = IntegerField(_l("Capacity"), validators=[
        InputRequired(_l("Enter how many people can take part.")),
        NumberRange(min=1, max=1_000_000, message=_l("Enter a whole number from %(min)d to %(max)d."))])

    requires_approval = BooleanField(_l("Organizers approve each registration"))
    eligible_degrees = CheckboxesField(_l("Degrees that may register"), validators=[Optional()],
                                       description=_l("None ticked: any degree."))
    eligible_talent_classes = CheckboxesField(
        _l("Talent classes that may register"), choices=[SelectChoice(c.value) for c in TalentClass],
        validators=[Optional()], description=_l("None ticked: anyone, with or without a class."))
    max_age = IntegerField(_l("Younger than (years)"), validators=[
        Optional(), NumberRange(min=16, max=100, message=_l("Enter a whole number from %(min)d to %(max)d."))],
        description=_l("E.g. 35 for graduates under 35. Empty: any age."))
    retention_months = IntegerField(_l("Keep personal data for (months after the end)"), validators=[
        Optional(), NumberRange(min=1, max=120, message=_l("Enter a whole number from %(min)d to %(max)d."))],
        description=_l("Then answers, reasons, profile views, e-mails and résumés no other event needs are erased; "
                       "the counts stay. Empty: the site's default."))
    graduation_year_min = IntegerField(_l("Graduation year from"), validators=[
        Optional(), NumberRange(min=1960, max=2100, message=_l("Enter a whole number from %(min)d to %(max)d."))])
    graduation_year_max = IntegerField(_l("Graduation year until"), validators=[
        Optional(), NumberRange(min=1960, max=2100, message=_l("Enter a whole number from %(min)d to %(max)d."))])

    def __init__(self, *args, series_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.eligible_degrees.choices = [SelectChoice(degree.value, label) for degree, label in DEGREE_LABELS.items()]
        self.series_id.choices = [SelectChoice("", _l("— none —"))] + [
            SelectChoice(series.id, label) for series, label in series_choices]

    def validate_title_zh(self, field) -> None:
        if not (field.data or self.title_en.data):
            raise ValidationError(_l("Give the event a title in at least one language."))

    def to_event_data(self) -> EventData:
        zone = self.timezone.data
        return EventData(
            kind=EventKind(self.kind.data), slug=self.slug.data or "", series_id=self.series_id.data,
            title_zh=self.title_zh.data or "", title_en=self.title_en.data or "",
            description_zh=self.description_zh.data or "", description_en=self.description_en.data or "",
            venue_name_zh=self.venue_name_zh.data or "", venue_name_en=self.venue_name_en.data or "",
            venue_address=self.venue_address.data or "", venue_halls=self.venue_halls.data or "",
            district=self.district.data or "",
            timezone=zone, capacity=self.capacity.data,
            starts_at=to_utc(self.starts_at.data, zone), ends_at=to_utc(self.ends_at.data, zone),
            registration_opens_at=to_utc(self.registration_opens_at.data, zone),
            registration_closes_at=to_utc(self.registration_closes_at.data, zone),
            requires_approval=self.requires_approval.data,
            eligible_degrees=",".join(self.eligible_degrees.data or []),
            eligible_talent_classes=",".join(self.eligible_talent_classes.data or []),
            max_age=self.max_age.data, graduation_year_min=self.graduation_year_min.data,
            graduation_year_max=self.graduation_year_max.data, retention_months=self.retention_months.data,
        )

    def fill_from(self, data: EventData) -> None:
        """Show an existing event's values, with times in its own zone."""
        for name in ("slug", "series_id", "title_zh", "title_en", "description_zh", "description_en",
                     "venue_name_zh", "venue_name_en", "venue_address", "venue_halls", "timezone", "capacity",
                     "requires_approval", "max_age", "graduation_year_min", "graduation_year_max",
                     "retention_months"):
            getattr(self, name).data = getattr(data, name)
        self.eligible_degrees.data = [code for code in data.eligible_degrees.split(",") if code]
        self.eligible_talent_classes.data = [code for code in data.eligible_talent_classes.split(",") if code]
        self.kind.data = data.kind.value
        for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
            getattr(self, name).data = to_local_naive(getattr(data, name), data.timezone)


class AgendaItemForm(WebForm):
    starts_at = DateTimeLocalField(_l("Starts"), format=DATETIME_FORMAT,
                                   validators=[InputRequired(_l("Enter a date and time."))])
    ends_at = DateTimeLocalField(_l("Ends"), format=DATETIME_FORMAT, validators=[Optional()])
    room = StringField(_l("Room"), filters=[_strip], validators=[Length(max=100, message=TOO_LONG)])
    title_zh = StringField(_l("Title (Chinese)"), filters=[_strip], validators=[Length(max=200, message=TOO_LONG)])
    title_en = StringField(_l("Title (English)"), filters=[_strip], validators=[Length(max=200, message=TOO_LONG)])
    speaker = StringField(_l("Speaker"), filters=[_strip], validators=[Length(max=200, message=TOO_LONG)])

    def validate_title_zh(self, field) -> None:
        if not (field.data or self.title_en.data):
            raise ValidationError(_l("Give the item a title in at least one language."))

    def to_item_data(self, zone_name: str) -> AgendaItemData:
        return AgendaItemData(
            starts_at=to_utc(self.starts_at.data, zone_name), ends_at=to_utc(self.ends_at.data, zone_name),
            room=self.room.data or "", title_zh=self.title_zh.data or "", title_en=self.title_en.data or "",
            speaker=self.speaker.data or "")

    def fill_from(self, item, zone_name: str) -> None:
        self.starts_at.data = to_local_naive(item.starts_at, zone_name)
        self.ends_at.data = to_local_naive(item.ends_at, zone_name)
        for name in ("room", "title_zh", "title_en", "speaker"):
            getattr(self, name).data = getattr(item, name)


class ConfirmForm(WebForm):
    """Sent from a confirmation page: ``confirmed`` is "yes" once the organizer has read what the action does."""

    confirmed = HiddenField()

    @property
    def is_confirmed(self) -> bool:
        return self.validate_on_submit() and self.confirmed.data == "yes"


class CancelEventForm(ConfirmForm):
    """The cancellation's confirmation, with the reason everyone concerned is told."""

    reason = TextAreaField(_l("Why is the event cancelled?"), filters=[_strip], validators=[
        DataRequired(_l("Say why the event is cancelled: everyone concerned is told.")),
        Length(max=1000, message=TOO_LONG)],
        description=_l("Shown on the event page and written to everyone registered, the booth staff and the judges."))


class SeriesForm(WebForm):
    slug = StringField(_l("Web address"), filters=[_strip], validators=[
        DataRequired(_l("Enter a web address.")), Length(max=80, message=TOO_LONG),
        Regexp(SLUG_PATTERN, message=_l("Use lower-case letters, digits and single hyphens only."))])
    title_zh = StringField(_l("Title (Chinese)"), filters=[_strip], validators=[Length(max=200, message=TOO_LONG)])
    title_en = StringField(_l("Title (English)"), filters=[_strip], validators=[Length(max=200, message=TOO_LONG)])


class EventFilterForm(WebForm):
    """The public list's filters, read from the query string (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    kind = SelectField(_l("Kind"), choices=[SelectChoice("", _l("All kinds"))]
                       + [SelectChoice(k.value, v) for k, v in KIND_LABELS.items()],
                       validators=[Optional()])
    month = StringField(_l("Month"), validators=[
        Optional(), Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", message=_l("Choose a month, like 2027-09."))])
    when = SelectField(_l("When"), choices=[SelectChoice("upcoming", _l("Upcoming")), SelectChoice("past", _l("Past")),
                                         SelectChoice("all", _l("All dates"))],
                       default="upcoming", validators=[Optional()])

    def to_filters(self) -> EventFilters:
        valid = {name for name, field in self._fields.items() if not field.errors}
        kind = EventKind(self.kind.data) if "kind" in valid and self.kind.data else None
        month = None
        if "month" in valid and self.month.data:
            year, month_number = self.month.data.split("-")
            month = date(int(year), int(month_number), 1)
        when = self.when.data if "when" in valid and self.when.data else "upcoming"
        # A month in the past or future should show that month whole, not only its upcoming part.
        if month is not None and not self.when.raw_data:
            when = "all"
        return EventFilters(kind=kind, month=month, when=when)
