from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, PasswordField, RadioField, SelectField, StringField, TelField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import TextInput

from eventsapp.accounts.passwords import MAX_LENGTH as PASSWORD_MAX_LENGTH
from eventsapp.candidates.choices import DEGREE_LABELS, TALENT_CLASS_DESCRIPTIONS
from eventsapp.candidates.models import Degree, TalentClass
from eventsapp.candidates.services import MAX_SKILLS, ProfileData
from eventsapp.formfields import WebForm

TOO_LONG = _l("At most %(max)d characters.")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class YearField(IntegerField):
    """A four-digit year, with a message that says so when something else is typed.

    A text box with a digit keyboard rather than a number box: no spinner, and what was typed stays visible.
    """

    widget = TextInput()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "numeric", "maxlength": 6})
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Enter the year as four digits, like 1998.")) from None


class ProfileForm(WebForm):
    name = StringField(_l("Name as written"), filters=[_strip], validators=[
        DataRequired(_l("Enter your name as written.")), Length(max=100, message=TOO_LONG)],
        description=_l("In Chinese or in the script of your passport, e.g. 李明."))
    name_latin = StringField(_l("Name in Latin letters"), filters=[_strip],
                             validators=[Length(max=100, message=TOO_LONG)],
                             description=_l("As in your passport, e.g. Li Ming."))
    phone = TelField(_l("Mobile number"), filters=[_strip], validators=[Length(max=30, message=TOO_LONG)],
                        description=_l("A mainland number without +86, e.g. 138 0013 8000, or any number "
                                       "with + and its country code."))
    birth_year = YearField(_l("Birth year"), validators=[Optional()],
                           render_kw={"inputmode": "numeric", "maxlength": 6, "autocomplete": "bday-year"})
    degree = SelectField(_l("Highest degree"), validators=[Optional()],
                         choices=[SelectChoice("", _l("— not given —"))]
                         + [SelectChoice(degree.value, label) for degree, label in DEGREE_LABELS.items()])
    school = StringField(_l("School or university"), filters=[_strip], validators=[Length(max=200, message=TOO_LONG)])
    major = StringField(_l("Major"), filters=[_strip], validators=[Length(max=200, message=TOO_LONG)])
    graduation_year = YearField(_l("Graduation year"), validators=[Optional()],
                                description=_l("The expected year if you are still studying."))
    talent_class = RadioField(_l("Talent class"), default="")
    skills = StringField(_l("Skills"), filters=[_strip], validators=[Length(max=1000, message=TOO_LONG)],
                         render_kw={"list": "skill-suggestions", "autocomplete": "off"},
                         description=_l("Separate skills with commas, e.g. Python, 数据分析, 英语 (at most %(max)d).",
                                        max=MAX_SKILLS))
    city = StringField(_l("City or district"), filters=[_strip], validators=[Length(max=100, message=TOO_LONG)],
                       render_kw={"list": "district-suggestions"},
                       description=_l("Where you live or want to work, e.g. 滨江区."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.talent_class.choices = [SelectChoice("", _l("None, or not recognised"))] + [
            SelectChoice(code.value, f"{code.value} · {description}")  # in the page's language: built per request
            for code, description in TALENT_CLASS_DESCRIPTIONS.items()]

    def to_profile_data(self) -> ProfileData:
        return ProfileData(
            name=self.name.data or "", name_latin=self.name_latin.data or "", phone=self.phone.data or "",
            birth_year=self.birth_year.data, degree=Degree(self.degree.data) if self.degree.data else None,
            school=self.school.data or "", major=self.major.data or "", graduation_year=self.graduation_year.data,
            talent_class=TalentClass(self.talent_class.data) if self.talent_class.data else None,
            skills=self.skills.data or "", city=self.city.data or "")

    def fill_from(self, data: ProfileData) -> None:
        for name in ("name", "name_latin", "phone", "birth_year", "school", "major", "graduation_year", "skills",
                     "city"):
            getattr(self, name).data = getattr(data, name)
        self.degree.data = data.degree.value if data.degree else ""
        self.talent_class.data = data.talent_class.value if data.talent_class else ""


class ResumeForm(WebForm):
    resume = FileField(_l("Résumé (PDF)"), validators=[FileRequired(_l("Choose your résumé as a PDF file."))],
                       render_kw={"accept": "application/pdf,.pdf"})

    def __init__(self, *args, max_megabytes: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.resume.description = _l("PDF only, at most %(max)s MB. A new file replaces the one before.",
                                     max=max_megabytes)


class ConsentForm(WebForm):
    show_to_employers = BooleanField(_l("Show my profile to the employers at events I register for"),
                                     render_kw={"role": "switch"})


class DeleteAccountForm(WebForm):
    password = PasswordField(_l("Your password"), render_kw={"autocomplete": "current-password"}, validators=[
        DataRequired(_l("Enter your password to confirm.")),
        Length(max=PASSWORD_MAX_LENGTH, message=TOO_LONG)],
        description=_l("Type your password again to confirm that it is you."))
