"""Forms of the matching preferences: the organizer's settings, candidates' list, employers' exclusions."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, HiddenField, IntegerField, SelectField, StringField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired, NumberRange, Optional, StopValidation

from eventsapp.events.models import Event
from eventsapp.formfields import DATETIME_FORMAT, WebForm
from eventsapp.matchmaking import fitscore
from eventsapp.matchmaking.preferences import (
    INTERVIEWS_PER_CANDIDATE,
    MAX_RANKED,
    MAX_SEARCH_LENGTH,
    SLOT_MINUTES,
    RoundSettings,
)
from eventsapp.organizations.choices import INDUSTRY_LABELS
from eventsapp.organizations.models import Industry
from eventsapp.timezones import to_local_naive, to_utc

WHOLE_NUMBER = _l("Enter a whole number from %(min)d to %(max)d.")

CRITERION_LABELS = {
    "degree": _l("Degree"),
    "major": _l("Major"),
    "skills": _l("Skills"),
    "graduation_year": _l("Graduation year"),
    "talent_class": _l("Talent class"),
}
CRITERION_RULES = {
    "degree": _l("Full weight when the candidate's degree meets the lowest degree the booth's openings ask for "
                 "(or they ask for none)."),
    "major": _l("Full weight when the candidate's major and one the booth's openings name contain each other "
                "(or they name none)."),
    "skills": _l("The share of the skills the booth's openings name that the candidate has (nothing when they name "
                 "none)."),
    "graduation_year": _l("Full weight when the graduation year is within the fair's range (or it has none)."),
    "talent_class": _l("Class A counts 6/6 of the weight, B 5/6 … F 1/6; no class counts nothing."),
}


class WholeNumberField(IntegerField):
    """Says once, clearly, when something other than a whole number was typed."""

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Enter a whole number in digits.")) from None


def _whole_number(label, bounds: tuple[int, int], default: int, description=None) -> IntegerField:
    return WholeNumberField(label, default=default, description=description, render_kw={"inputmode": "numeric"},
                        validators=[InputRequired(_l("Enter a number.")),
                                    NumberRange(min=bounds[0], max=bounds[1], message=WHOLE_NUMBER)])


class MatchingSettingsForm(WebForm):
    """Times are typed in the event's zone; the interview hours are on the fair's (first) day."""

    deadline = DateTimeLocalField(_l("Preferences deadline"), format=DATETIME_FORMAT,
                                  validators=[InputRequired(_l("Enter a date and time."))],
                                  description=_l("Candidates rank booths until then."))
    max_ranked = _whole_number(_l("Booths a candidate may rank"), MAX_RANKED, 10)
    interviews_per_candidate = _whole_number(_l("Interviews per candidate"), INTERVIEWS_PER_CANDIDATE, 3,
                                             _l("At most this many booths are matched to each candidate."))
    slot_minutes = _whole_number(_l("Slot length (minutes)"), SLOT_MINUTES, 30)
    interviews_start_at = TimeField(_l("Interviews start"), validators=[InputRequired(_l("Enter a time."))])
    interviews_end_at = TimeField(_l("Interviews end"), validators=[InputRequired(_l("Enter a time."))])
    weight_degree = _whole_number(CRITERION_LABELS["degree"], (0, 10), fitscore.DEFAULT_WEIGHTS["degree"])
    weight_major = _whole_number(CRITERION_LABELS["major"], (0, 10), fitscore.DEFAULT_WEIGHTS["major"])
    weight_skills = _whole_number(CRITERION_LABELS["skills"], (0, 10), fitscore.DEFAULT_WEIGHTS["skills"])
    weight_graduation_year = _whole_number(CRITERION_LABELS["graduation_year"], (0, 10),
                                           fitscore.DEFAULT_WEIGHTS["graduation_year"])
    weight_talent_class = _whole_number(CRITERION_LABELS["talent_class"], (0, 10),
                                        fitscore.DEFAULT_WEIGHTS["talent_class"])

    def weight_fields(self):
        return [getattr(self, f"weight_{name}") for name in fitscore.CRITERIA]

    def to_settings(self, event: Event) -> RoundSettings:
        day = to_local_naive(event.starts_at, event.timezone).date()
        return RoundSettings(
            deadline=to_utc(self.deadline.data, event.timezone),
            interviews_start_at=to_utc(datetime.combine(day, self.interviews_start_at.data), event.timezone),
            interviews_end_at=to_utc(datetime.combine(day, self.interviews_end_at.data), event.timezone),
            max_ranked=self.max_ranked.data, interviews_per_candidate=self.interviews_per_candidate.data,
            slot_minutes=self.slot_minutes.data,
            weights={name: field.data for name, field in zip(fitscore.CRITERIA, self.weight_fields(), strict=True)})

    def fill_from(self, settings: RoundSettings, event: Event) -> None:
        self.deadline.data = to_local_naive(settings.deadline, event.timezone)
        self.interviews_start_at.data = to_local_naive(settings.interviews_start_at, event.timezone).time()
        self.interviews_end_at.data = to_local_naive(settings.interviews_end_at, event.timezone).time()
        for name in ("max_ranked", "interviews_per_candidate", "slot_minutes"):
            getattr(self, name).data = getattr(settings, name)
        for name, field in zip(fitscore.CRITERIA, self.weight_fields(), strict=True):
            field.data = settings.weights[name]


class BoothSearchForm(WebForm):
    """The booth list's search, read from the query string (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), filters=[lambda value: value.strip()[:MAX_SEARCH_LENGTH] if value else ""],
                    validators=[Optional()])
    industry = SelectField(_l("Industry"), validators=[Optional()],
                           choices=[SelectChoice("", _l("All industries"))]
                           + [SelectChoice(industry.value, label) for industry, label in INDUSTRY_LABELS.items()])

    def industry_filter(self) -> Industry | None:
        value = self.industry.data
        return Industry(value) if value in {industry.value for industry in Industry} else None


class AddBoothForm(WebForm):
    """"Rank this booth" from any page: ``next`` is where to go back to."""

    next = HiddenField()


class MoveBoothForm(WebForm):
    """Up, Down, or (from the script) a place in the list."""

    direction = HiddenField(validators=[Optional(), AnyOf(("up", "down"))])
    position = IntegerField(validators=[Optional(), NumberRange(min=1, max=MAX_RANKED[1])])


class AcceptableForm(WebForm):
    acceptable = HiddenField(validators=[AnyOf(("yes", "no"))])
