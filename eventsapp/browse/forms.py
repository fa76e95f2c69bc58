from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import TextInput

from eventsapp.browse import services
from eventsapp.candidates.choices import DEGREE_LABELS
from eventsapp.candidates.forms import YearField
from eventsapp.candidates.models import Degree, TalentClass
from eventsapp.formfields import CheckboxesField, WebForm
from eventsapp.requestbounds import DB_INT_MAX
from eventsapp.typedtext import split_tags

TOO_LONG = _l("At most %(max)d characters.")
RANK_MESSAGE = _l("Enter a rank from %(min)d (the best) to %(max)d, or leave it empty.", min=1, max=services.RANK_MAX)
YEARS = NumberRange(min=1960, max=2100, message=_l("Enter a year from %(min)d to %(max)d."))
SORT_LABELS = {
    services.SORT_NAME: _l("Name"),
    services.SORT_GRADUATION: _l("Graduation year, earliest first"),
    services.SORT_GRADUATION_DESC: _l("Graduation year, latest first"),
    services.SORT_DEGREE: _l("Degree, highest first"),
}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class BrowseForm(WebForm):
    """The filters over an event's registrants: a GET form, so a search can be bookmarked and shared."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), filters=[_strip], validators=[Length(max=100, message=TOO_LONG)],
                    description=_l("Name, name in Latin letters, school or skill."))
    degree = CheckboxesField(_l("Degree"), choices=[SelectChoice(degree.value, label)
                                                    for degree, label in DEGREE_LABELS.items()])
    major = StringField(_l("Major"), filters=[_strip], validators=[Length(max=100, message=TOO_LONG)])
    school = StringField(_l("School"), filters=[_strip], validators=[Length(max=100, message=TOO_LONG)])
    graduation_from = YearField(_l("Graduated from"), validators=[Optional(), YEARS])
    graduation_to = YearField(_l("Graduated until"), validators=[Optional(), YEARS])
    talent_class = CheckboxesField(_l("Talent class"), choices=[SelectChoice(code.value, code.value)
                                                                for code in TalentClass])
    skills = StringField(_l("Skills (any of)"), filters=[_strip], validators=[Length(max=300, message=TOO_LONG)],
                         description=_l("Separate skills with commas, e.g. Python, 英语."),
                         render_kw={"list": "skill-suggestions", "autocomplete": "off"})
    under_35 = BooleanField(_l("Under 35"))
    sort = SelectField(_l("Sort by"), default=services.SORT_NAME,
                       choices=[SelectChoice(value, label) for value, label in SORT_LABELS.items()])

    def validate_graduation_to(self, field):
        first = self.graduation_from.data
        if field.data is not None and first is not None and not self.graduation_from.errors and field.data < first:
            raise ValidationError(_l("The last year comes before the first."))

    def validate_skills(self, field):
        if len(split_tags(field.data)) > services.MAX_SKILL_TAGS:
            raise ValidationError(_l("Enter at most %(max)d skills.", max=services.MAX_SKILL_TAGS))

    def to_filters(self) -> services.BrowseFilters:
        """The filters from the fields that are valid; a field with an error does not filter."""
        def good(field):
            return field.data if not field.errors else None

        return services.BrowseFilters(
            degrees=tuple(Degree(value) for value in good(self.degree) or ()),
            major=good(self.major) or "", school=good(self.school) or "",
            graduation_from=good(self.graduation_from), graduation_to=good(self.graduation_to),
            talent_classes=tuple(TalentClass(value) for value in good(self.talent_class) or ()),
            skills=tuple(split_tags(good(self.skills))), under_35=bool(self.under_35.data),
            search=good(self.q) or "", sort=good(self.sort) or services.SORT_NAME)


class RankField(IntegerField):
    """A whole number in a text box with a digit keyboard, with a message in our words when it is not one."""

    widget = TextInput()

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(RANK_MESSAGE) from None


class ShortlistEntryForm(WebForm):
    note = TextAreaField(_l("Private note"), validators=[Length(max=services.NOTE_MAX_LENGTH, message=TOO_LONG)])
    rank = RankField(_l("Rank"), validators=[Optional(), NumberRange(min=1, max=services.RANK_MAX,
                                                                      message=RANK_MESSAGE)],
                     render_kw={"inputmode": "numeric", "maxlength": 6, "autocomplete": "off"})
    next = HiddenField()


class ShortlistAddForm(ShortlistEntryForm):
    candidate_id = IntegerField(validators=[InputRequired(), NumberRange(min=1, max=DB_INT_MAX)])
