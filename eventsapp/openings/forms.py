from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, Optional, StopValidation
from wtforms.widgets import TextInput

from eventsapp.candidates.choices import DEGREE_LABELS
from eventsapp.candidates.degrees import DEGREE_LADDER
from eventsapp.candidates.models import Degree
from eventsapp.formfields import WebForm
from eventsapp.openings.services import (
    MAX_DESCRIPTION,
    MAX_HEADCOUNT,
    MAX_SALARY,
    MAX_SEARCH_LENGTH,
    MAX_TAGS,
    MAX_TITLE,
    MAX_WORK_CITY,
    OpeningData,
    OpeningFilters,
)
from eventsapp.organizations.choices import INDUSTRY_LABELS
from eventsapp.organizations.models import Industry
from eventsapp.requestbounds import DB_INT_MAX

TOO_LONG = _l("At most %(max)d characters.")
MAX_TAGS_TYPED = 1500  # room for separators and spaces; the service checks each tag


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class WholeNumberField(IntegerField):
    """A text box with a digit keyboard that says clearly when something else was typed.

    Thousands separators and spaces are allowed, as people type salaries like 15,000.
    """

    widget = TextInput()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "numeric", "autocomplete": "off"})
        super().__init__(*args, **kwargs)

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()  # "enter a whole number" says it all; no range message on top

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [valuelist[0].replace(",", "").replace("，", "").replace(" ", "")]
            if not valuelist[0]:
                self.data = None  # left empty: the Optional or InputRequired validators decide
                return
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Enter a whole number in digits.")) from None


class OpeningForm(WebForm):
    title = StringField(_l("Job title"), filters=[_strip], validators=[
        DataRequired(_l("Enter the job title.")), Length(max=MAX_TITLE, message=TOO_LONG)])
    description = TextAreaField(_l("Description"), validators=[Length(max=MAX_DESCRIPTION, message=TOO_LONG)],
                                description=_l("What the job is, what the person will do, what you offer."))
    degree = SelectField(_l("Lowest accepted degree"), validate_choice=False, validators=[
        Optional(), AnyOf(DEGREE_LADDER,
                          message=_l("Choose a degree from the list, or no requirement."))],
                         choices=[SelectChoice("", _l("No requirement"))]
                         + [SelectChoice(degree, DEGREE_LABELS[Degree(degree)]) for degree in DEGREE_LADDER],
                         description=_l("Candidates with this degree or a higher one match."))
    majors = StringField(_l("Majors"), filters=[_strip], validators=[Length(max=MAX_TAGS_TYPED, message=TOO_LONG)],
                         render_kw={"autocomplete": "off"},
                         description=_l("Separate majors with commas, e.g. 计算机科学, 软件工程 (at most %(max)d). "
                                        "Leave empty if any major is welcome.", max=MAX_TAGS))
    skills = StringField(_l("Skills"), filters=[_strip], validators=[Length(max=MAX_TAGS_TYPED, message=TOO_LONG)],
                         render_kw={"list": "skill-suggestions", "autocomplete": "off"},
                         description=_l("Separate skills with commas, e.g. Python, 数据分析, 英语 (at most %(max)d).",
                                        max=MAX_TAGS))
    headcount = WholeNumberField(_l("Headcount"), default=1, validators=[
        InputRequired(_l("Enter how many people you want to hire.")),
        NumberRange(min=1, max=MAX_HEADCOUNT, message=_l("Enter a whole number from %(min)d to %(max)d."))],
        render_kw={"inputmode": "numeric", "autocomplete": "off", "maxlength": 6})
    salary_min = WholeNumberField(_l("Salary from (yuan a month)"), validators=[
        Optional(), NumberRange(min=0, max=MAX_SALARY, message=_l("Enter a monthly amount in yuan from 0 to "
                                                                  "%(max)s.", max="1,000,000"))],
        render_kw={"inputmode": "numeric", "autocomplete": "off", "maxlength": 9})
    salary_max = WholeNumberField(_l("Salary up to (yuan a month)"), validators=[
        Optional(), NumberRange(min=0, max=MAX_SALARY, message=_l("Enter a monthly amount in yuan from 0 to "
                                                                  "%(max)s.", max="1,000,000"))],
        render_kw={"inputmode": "numeric", "autocomplete": "off", "maxlength": 9},
        description=_l("Optional. Give a range, or only one end of it."))
    work_city = StringField(_l("Work city or district"), filters=[_strip],
                            validators=[Length(max=MAX_WORK_CITY, message=TOO_LONG)],
                            render_kw={"list": "district-suggestions", "autocomplete": "off"},
                            description=_l("e.g. 滨江区"))

    def to_opening_data(self) -> OpeningData:
        return OpeningData(
            title=self.title.data or "", description=self.description.data or "",
            degree=Degree(self.degree.data) if self.degree.data else None, majors=self.majors.data or "",
            skills=self.skills.data or "", headcount=self.headcount.data, salary_min=self.salary_min.data,
            salary_max=self.salary_max.data, work_city=self.work_city.data or "")

    def fill_from(self, data: OpeningData) -> None:
        for name in ("title", "description", "majors", "skills", "headcount", "salary_min", "salary_max",
                     "work_city"):
            getattr(self, name).data = getattr(data, name)
        self.degree.data = data.degree.value if data.degree else ""


class DeleteForm(WebForm):
    """Only the CSRF token: deleting needs nothing else."""


class BookmarkForm(WebForm):
    """Bookmark a booth ("on") or remove the bookmark ("off"): the same request twice changes nothing."""

    bookmarked = SelectField(choices=[SelectChoice("on"), SelectChoice("off")], validators=[DataRequired()])
    next = HiddenField()


class OpeningSearchForm(WebForm):
    """The search's filters, read from the query string (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), filters=[_strip], validators=[Optional(), Length(max=MAX_SEARCH_LENGTH)])
    degree = SelectField(_l("My degree"), validators=[Optional()],
                         choices=[SelectChoice("", _l("Any degree"))]
                         + [SelectChoice(degree.value, label) for degree, label in DEGREE_LABELS.items()])
    major = StringField(_l("Major"), filters=[_strip], validators=[Optional(), Length(max=MAX_SEARCH_LENGTH)])
    city = StringField(_l("Work city"), filters=[_strip], validators=[Optional(), Length(max=MAX_SEARCH_LENGTH)],
                       render_kw={"list": "city-suggestions", "autocomplete": "off"})
    industry = SelectField(_l("Industry"), validators=[Optional()])
    organization = IntegerField(validators=[Optional(), NumberRange(min=1, max=DB_INT_MAX)], widget=TextInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.industry.choices = [SelectChoice("", _l("All industries"))] + [  # in the page's language: per request
            SelectChoice(industry.value, f"{industry.value} · {label}") for industry, label in INDUSTRY_LABELS.items()]

    def to_filters(self) -> OpeningFilters:
        """The valid filters; one that does not parse is ignored rather than failing the search."""
        valid = {name for name, field in self._fields.items() if not field.errors}

        def text(name: str) -> str:
            return (getattr(self, name).data or "") if name in valid else ""

        degree_values = {degree.value for degree in Degree}
        industry_values = {industry.value for industry in Industry}
        return OpeningFilters(
            text=text("q"), major=text("major"), city=text("city"),
            degree=Degree(self.degree.data) if self.degree.data in degree_values else None,
            industry=Industry(self.industry.data) if self.industry.data in industry_values else None,
            organization_id=self.organization.data if "organization" in valid and self.organization.data else None)
