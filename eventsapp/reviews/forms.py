"""The judging pages' forms: judges, panels, the rubric, assignment, and the score sheet (built per rubric)."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DecimalField, EmailField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, StopValidation
from wtforms.widgets import TextInput

from eventsapp.contests.choices import AGGREGATION_LABELS
from eventsapp.contests.models import RubricCriterion
from eventsapp.formfields import WebForm
from eventsapp.reviews.conflicts import REASON_MAX_LENGTH
from eventsapp.reviews.judges import MAX_LOAD_LIMIT, TEXT_LIMITS
from eventsapp.reviews.scoring import COMMENT_MAX_LENGTH, DESCRIPTION_MAX_LENGTH, MAX_POINTS_LIMIT, NAME_MAX_LENGTH


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class NumberField(DecimalField):
    """A number typed in a text box with a number keyboard: a comma works as the decimal point, and
    anything that is not a finite number is refused with one clear message."""

    widget = TextInput()

    def __init__(self, *args, whole: bool = False, **kwargs):
        self.whole = whole
        kwargs.setdefault("render_kw", {"inputmode": "numeric" if whole else "decimal", "autocomplete": "off"})
        super().__init__(*args, **kwargs)

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        typed = valuelist[0].strip().replace("，", ",").replace(",", ".").replace(" ", "")[:30]
        if not typed:
            self.data = None
            return
        try:
            number = Decimal(typed)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or (self.whole and number != number.to_integral_value()):
            self.data = None
            raise ValueError(self.gettext(_l("Enter a whole number.") if self.whole else _l("Enter a number.")))
        self.data = int(number) if self.whole else number


class InviteJudgeForm(WebForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)], filters=[_strip])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=TEXT_LIMITS["name"])], filters=[_strip])
    organization = StringField(_l("Organization"), validators=[Optional(), Length(max=TEXT_LIMITS["organization"])],
                               filters=[_strip], description=_l("Where the judge works: entries of the same "
                                                                "organization are never given to them."))
    school = StringField(_l("School"), validators=[Optional(), Length(max=TEXT_LIMITS["school"])], filters=[_strip])
    max_load = NumberField(_l("Most entries per round"), whole=True,
                           validators=[Optional(), NumberRange(min=0, max=MAX_LOAD_LIMIT)],
                           description=_l("Empty: no limit of their own."))


class EditJudgeForm(InviteJudgeForm):
    email = None


class AcceptJudgeForm(WebForm):
    organization = StringField(_l("Your organization"), filters=[_strip],
                               validators=[Optional(), Length(max=TEXT_LIMITS["organization"])])
    school = StringField(_l("Your school"), validators=[Optional(), Length(max=TEXT_LIMITS["school"])],
                         filters=[_strip], description=_l("Entries of your organization or school are never given to "
                                                          "you: conflicts of interest are detected from these."))


class PanelForm(WebForm):
    track = SelectField(_l("Track"), choices=[SelectChoice("", _l("Every track"))], default="")
    name = StringField(_l("Panel name"), validators=[Optional(), Length(max=100)], filters=[_strip])
    room = StringField(_l("Room"), validators=[Optional(), Length(max=100)], filters=[_strip])


class PanelMemberForm(WebForm):
    judge = SelectField(_l("Judge"), choices=[], validators=[DataRequired()])


class CriterionForm(WebForm):
    name_zh = StringField(_l("Name (Chinese)"), validators=[Optional(), Length(max=NAME_MAX_LENGTH)], filters=[_strip])
    name_en = StringField(_l("Name (English)"), validators=[Optional(), Length(max=NAME_MAX_LENGTH)], filters=[_strip])
    description_zh = TextAreaField(_l("Description (Chinese)"),
                                   validators=[Optional(), Length(max=DESCRIPTION_MAX_LENGTH)], filters=[_strip])
    description_en = TextAreaField(_l("Description (English)"),
                                   validators=[Optional(), Length(max=DESCRIPTION_MAX_LENGTH)], filters=[_strip])
    weight = NumberField(_l("Weight"), default=Decimal(1), validators=[InputRequired(), NumberRange(min=0, max=1000)])
    max_points = NumberField(_l("Maximum points"), whole=True, default=10,
                             validators=[InputRequired(), NumberRange(min=1, max=MAX_POINTS_LIMIT)])
    comment_required = BooleanField(_l("A comment is required"))
    position = NumberField(_l("Order"), whole=True, default=0, validators=[Optional(), NumberRange(min=0, max=1000)])


class AssignForm(WebForm):
    per_entry = NumberField(_l("Judges per entry"), whole=True,
                            validators=[InputRequired(), NumberRange(min=1, max=50)])
    max_load = NumberField(_l("Most entries per judge"), whole=True,
                           validators=[Optional(), NumberRange(min=1, max=MAX_LOAD_LIMIT)],
                           description=_l("Empty: as few as possible, within each judge's own limit."))


class HandChangeForm(WebForm):
    judge = SelectField(_l("Judge"), choices=[], validators=[DataRequired()])


class MethodForm(WebForm):
    method = SelectField(_l("Method"), choices=[SelectChoice(method.value, label)
                                                for method, label in AGGREGATION_LABELS.items()])


# Where the organizer goes back to after opening or closing a round from one of the pages that offer it.
ROUND_STATE_PAGES = ("judging_round", "judging", "rounds", "results", "results_round")


class RoundStateForm(WebForm):
    state = SelectField(choices=[SelectChoice(state, state) for state in ("open", "closed")],
                        validators=[InputRequired()])
    back = HiddenField(default="judging_round")
    confirmed = HiddenField()  # "yes" from the confirmation page, which closing a round goes through

    def back_page(self) -> str:
        return self.back.data if self.back.data in ROUND_STATE_PAGES else "judging_round"


class ConflictForm(WebForm):
    reason = StringField(_l("Why"), validators=[DataRequired(), Length(max=REASON_MAX_LENGTH)], filters=[_strip])


class SheetFormBase(WebForm):
    version = HiddenField()
    comment = TextAreaField(_l("Comment on the entry"), validators=[Optional(), Length(max=COMMENT_MAX_LENGTH)])
    action = HiddenField()  # the button pressed: draft or submit


def sheet_form_class(criteria: list[RubricCriterion]) -> type[SheetFormBase]:
    """A score sheet form with points and a comment for each criterion of the rubric."""
    fields = {}
    for criterion in criteria:
        fields[f"points_{criterion.id}"] = NumberField(
            _l("Points (0–%(max)d)", max=criterion.max_points),
            validators=[Optional(), NumberRange(min=0, max=criterion.max_points,
                                                message=_l("Between 0 and %(max)d points.", max=criterion.max_points))])
        fields[f"comment_{criterion.id}"] = TextAreaField(
            _l("Comment (required)") if criterion.comment_required else _l("Comment"),
            validators=[Optional(), Length(max=COMMENT_MAX_LENGTH)])
    return type("SheetForm", (SheetFormBase,), fields)
