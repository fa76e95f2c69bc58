"""The analytics page's period and filters, read from the query string so a view can be bookmarked."""
from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional

from eventsapp.analytics.services import Filters, Period, PeriodKind
from eventsapp.candidates.choices import HANGZHOU_DISTRICTS
from eventsapp.events.choices import KIND_LABELS
from eventsapp.events.models import EventKind
from eventsapp.formfields import WebForm

PERIOD_LABELS = {
    PeriodKind.YEAR: _l("A calendar year"),
    PeriodKind.HALF: _l("A half year (spring: Jan–Jun, autumn: Jul–Dec)"),
    PeriodKind.QUARTER: _l("A quarter"),
    PeriodKind.SERIES: _l("A series"),
    PeriodKind.CUSTOM: _l("Chosen dates"),
}
HALF_LABELS = {1: _l("Spring (January–June)"), 2: _l("Autumn (July–December)")}
# Longer periods would only make one slow page: a year at a time is what reports compare.
LONGEST_CUSTOM_PERIOD = timedelta(days=3 * 366)
FIRST_YEAR, LAST_YEAR = 2000, 2100


class AnalyticsForm(WebForm):
    """No CSRF: the form only chooses what to show."""

    class Meta:
        csrf = False

    period = SelectField(_l("Period"), default=PeriodKind.YEAR.value,
                         choices=[SelectChoice(kind.value, label) for kind, label in PERIOD_LABELS.items()])
    year = IntegerField(_l("Year"), validators=[
        Optional(), NumberRange(min=FIRST_YEAR, max=LAST_YEAR, message=_l("Enter a year from %(min)d to %(max)d."))])
    half = SelectField(_l("Half"), choices=[SelectChoice(str(number), label) for number, label in HALF_LABELS.items()],
                       default="1")
    quarter = SelectField(_l("Quarter"), choices=[SelectChoice(str(number), f"Q{number}") for number in range(1, 5)],
                          default="1")
    series = SelectField(_l("Series"), default="", validators=[Optional()])
    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("Until"), validators=[Optional()])
    kind = SelectField(_l("Kind of event"), choices=[SelectChoice("", _l("All kinds"))] + [
        SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()], default="")
    district = SelectField(_l("District of the event"), choices=[SelectChoice("", _l("All districts"))] + [
        SelectChoice(district) for district in HANGZHOU_DISTRICTS], default="")

    def __init__(self, *args, series_choices=(), default_year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.default_year = default_year
        self.series.choices = [SelectChoice("", _l("— choose a series —"))] + [
            SelectChoice(str(series_id), title) for series_id, title in series_choices]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        kind = self.period.data
        if kind == PeriodKind.SERIES and not self.series.errors and not self.series.data:
            self.series.errors = [*self.series.errors, _l("Choose a series.")]
            valid = False
        if kind == PeriodKind.CUSTOM and not (self.start.errors or self.end.errors):
            for date_field in (self.start, self.end):
                if date_field.data is None:
                    date_field.errors = [*date_field.errors, _l("Enter a date.")]
                    valid = False
            if self.start.data and self.end.data:
                if self.end.data < self.start.data:
                    self.end.errors = [*self.end.errors, _l("The period must not end before it starts.")]
                    valid = False
                elif self.end.data - self.start.data > LONGEST_CUSTOM_PERIOD:
                    self.end.errors = [*self.end.errors, _l("Choose at most three years.")]
                    valid = False
                elif not (FIRST_YEAR <= self.start.data.year and self.end.data.year <= LAST_YEAR):
                    self.start.errors = [*self.start.errors, _l("Choose dates from %(first)d to %(last)d.",
                                                                first=FIRST_YEAR, last=LAST_YEAR)]
                    valid = False
        return valid

    def to_period(self) -> Period:
        """The period chosen; call after ``validate``."""
        year = self.year.data or self.default_year
        kind = PeriodKind(self.period.data)
        if kind == PeriodKind.HALF:
            return Period.half(year, int(self.half.data))
        if kind == PeriodKind.QUARTER:
            return Period.quarter(year, int(self.quarter.data))
        if kind == PeriodKind.SERIES:
            return Period.series(int(self.series.data))
        if kind == PeriodKind.CUSTOM:
            return Period.custom(self.start.data, self.end.data)
        return Period.year(year)

    def to_filters(self) -> Filters:
        return Filters(kind=EventKind(self.kind.data) if self.kind.data else None, district=self.district.data or "")
