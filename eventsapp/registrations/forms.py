from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from eventsapp.formfields import CheckboxesField, WebForm
from eventsapp.i18n import localized
from eventsapp.registrations.choices import QUESTION_KIND_LABELS, YES_NO_LABELS
from eventsapp.registrations.models import QuestionColumns, QuestionKind, RegistrationQuestion
from eventsapp.registrations.questions import QuestionData
from eventsapp.requestbounds import database_id

TOO_LONG = _l("At most %(max)d characters.")


def answer_field(question: QuestionColumns, text_field=StringField):
    """The field that answers a question of one of the registration kinds (registrations, contest entries and
    surveys ask them alike; ``kind`` is compared by value, so a feature's own enum of the same kinds works).
    Required answers are checked by the service, which knows the question: the field only says "Optional"."""
    label = localized(question, "label")
    if question.kind == QuestionKind.SHORT_TEXT:
        field = text_field(label, validators=[Optional(), Length(max=1000, message=TOO_LONG)])
    elif question.kind == QuestionKind.YES_NO:
        field = RadioField(label, choices=[SelectChoice(value, words) for value, words in YES_NO_LABELS.items()],
                           validators=[Optional()], validate_choice=False)
    elif question.kind == QuestionKind.SINGLE_CHOICE:
        field = RadioField(label, choices=[SelectChoice(option) for option in question.options],
                           validators=[Optional()], validate_choice=False)
    else:
        field = CheckboxesField(label, choices=[SelectChoice(option) for option in question.options],
                                validators=[Optional()], validate_choice=False)
    field.kwargs["description"] = "" if question.required else _l("Optional")
    return field


class _NoQuestionsForm(WebForm):
    """Events without questions (most) share this class: building a class per request costs CPU."""


def registration_form(questions: list[RegistrationQuestion], formdata=None) -> WebForm:
    """A form with one field per question of the event; the service checks the answers."""
    if not questions:
        return _NoQuestionsForm(formdata=formdata) if formdata is not None else _NoQuestionsForm()

    class RegistrationForm(WebForm):
        pass

    for question in questions:
        setattr(RegistrationForm, f"question_{question.id}", answer_field(question))
    return RegistrationForm(formdata=formdata) if formdata is not None else RegistrationForm()


def answers_from(form: WebForm, questions: list[RegistrationQuestion]) -> dict[int, str | list[str]]:
    return {question.id: getattr(form, f"question_{question.id}").data for question in questions}


class DecisionForm(WebForm):
    """Organizers' bulk approve / reject of pending registrations."""

    registration_ids = SelectMultipleField(coerce=database_id, validate_choice=False)
    decision = SelectField(choices=[SelectChoice("approve"), SelectChoice("reject")], validators=[DataRequired()])
    reason = StringField(_l("Reason (sent to the people you decline)"),
                         validators=[Length(max=500, message=TOO_LONG)])


class ReasonForm(WebForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(_l("Give a reason: it is kept in the log.")),
                                                   Length(max=500, message=TOO_LONG)])


class AddRegistrantForm(WebForm):
    email = EmailField(_l("E-mail of the account"), validators=[DataRequired(_l("Enter an e-mail address.")),
                                                                Length(max=254, message=TOO_LONG)])
    reason = StringField(_l("Reason"), validators=[DataRequired(_l("Give a reason: it is kept in the log.")),
                                                   Length(max=500, message=TOO_LONG)])


class MoveForm(WebForm):
    target_event_id = SelectField(_l("Move to"), coerce=int, validators=[InputRequired()])
    reason = StringField(_l("Reason"), validators=[DataRequired(_l("Give a reason: it is kept in the log.")),
                                                   Length(max=500, message=TOO_LONG)])


class CapacityForm(WebForm):
    capacity = IntegerField(_l("Capacity"), validators=[
        InputRequired(_l("Enter how many people can take part.")),
        NumberRange(min=1, max=1_000_000, message=_l("Enter a whole number from %(min)d to %(max)d."))])


class QuestionForm(WebForm):
    kind = SelectField(_l("Kind of answer"), choices=[SelectChoice(kind.value, label)
                                                      for kind, label in QUESTION_KIND_LABELS.items()],
                       validators=[DataRequired()])
    label_zh = StringField(_l("Question (Chinese)"), validators=[Length(max=300, message=TOO_LONG)])
    label_en = StringField(_l("Question (English)"), validators=[Length(max=300, message=TOO_LONG)])
    options_text = TextAreaField(_l("Choices, one per line"), validators=[Length(max=3000, message=TOO_LONG)],
                                 description=_l("Only for single and multiple choice."))
    required = BooleanField(_l("An answer is required"))
    position = IntegerField(_l("Order"), default=0, validators=[Optional(), NumberRange(min=0, max=999)])

    def to_data(self) -> QuestionData:
        return QuestionData(kind=QuestionKind(self.kind.data), label_zh=self.label_zh.data or "",
                            label_en=self.label_en.data or "", options_text=self.options_text.data or "",
                            required=self.required.data, position=self.position.data or 0)

    def fill_from(self, question: QuestionColumns) -> None:
        """Show a saved question (of any form) for editing."""
        self.process(obj=question)
        self.kind.data = question.kind.value
