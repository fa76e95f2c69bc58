"""The organizer's survey settings and question forms, and the form a person answers through their link
(one field per question, and for employers the outcomes of each booth)."""
from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from eventsapp.formfields import WebForm
from eventsapp.i18n import localized
from eventsapp.registrations.forms import QuestionForm, answer_field
from eventsapp.surveys.choices import AUDIENCE_LABELS, KIND_LABELS, OUTCOME_LEVELS, QUESTION_AUDIENCE_LABELS, SCALES
from eventsapp.surveys.models import QuestionAudience, SurveyAudience, SurveyQuestion, SurveyQuestionKind
from eventsapp.surveys.services import MAX_COUNT, BoothPart, OutcomeData, SurveyQuestionData, SurveySettings

TOO_LONG = _l("At most %(max)d characters.")


class SurveySettingsForm(WebForm):
    audience = SelectField(_l("Who is asked"), choices=[SelectChoice(audience.value, label)
                                                        for audience, label in AUDIENCE_LABELS.items()],
                           validators=[DataRequired()])
    anonymous = BooleanField(_l("Anonymous: answers are not linked to the people who gave them"))
    intro_zh = TextAreaField(_l("Introduction (Chinese)"), validators=[Length(max=2000, message=TOO_LONG)])
    intro_en = TextAreaField(_l("Introduction (English)"), validators=[Length(max=2000, message=TOO_LONG)])
    reminder_days = IntegerField(_l("Remind those who have not answered after (days)"), default=3, validators=[
        InputRequired(_l("Enter a number of days.")),
        NumberRange(min=1, max=30, message=_l("Enter a whole number from %(min)d to %(max)d."))])

    def to_settings(self) -> SurveySettings:
        return SurveySettings(audience=SurveyAudience(self.audience.data), anonymous=self.anonymous.data,
                              intro_zh=self.intro_zh.data or "", intro_en=self.intro_en.data or "",
                              reminder_days=self.reminder_days.data)


class SurveyQuestionForm(QuestionForm):
    """The registration question form with the survey's kinds and a choice of who is asked."""

    kind = SelectField(_l("Kind of answer"), choices=[SelectChoice(kind.value, label)
                                                      for kind, label in KIND_LABELS.items()],
                       validators=[DataRequired()])
    audience = SelectField(_l("Asked of"), choices=[SelectChoice(audience.value, label)
                                                    for audience, label in QUESTION_AUDIENCE_LABELS.items()],
                           validators=[DataRequired()])
    extra_fields = ("audience",)  # shown by templates/_macros/questions.html after the shared fields

    def to_data(self) -> SurveyQuestionData:
        return SurveyQuestionData(kind=SurveyQuestionKind(self.kind.data), label_zh=self.label_zh.data or "",
                                  label_en=self.label_en.data or "", options_text=self.options_text.data or "",
                                  required=self.required.data, position=self.position.data or 0,
                                  audience=QuestionAudience(self.audience.data))

    def fill_from(self, question: SurveyQuestion) -> None:
        super().fill_from(question)
        self.audience.data = question.audience.value


class _AnswerForm(WebForm):
    pass


def _question_field(question: SurveyQuestion):
    if question.kind not in SCALES:
        return answer_field(question, text_field=TextAreaField)  # the registration kinds, asked alike
    scale = [SelectChoice(str(value)) for value in SCALES[question.kind]]
    field = RadioField(localized(question, "label"), choices=scale, validators=[Optional()], validate_choice=False)
    field.kwargs["description"] = "" if question.required else _l("Optional")
    return field


def _count_field(label) -> IntegerField:
    return IntegerField(label, validators=[
        Optional(), NumberRange(min=0, max=MAX_COUNT, message=_l("Enter a whole number from %(min)d to %(max)d."))])


def answer_form(questions: Sequence[SurveyQuestion], parts: Sequence[BoothPart], formdata=None) -> WebForm:
    """One field per question (``question_<id>``), then for each booth the three counts
    (``booth_<id>_interviewed`` …) and a choice per nameable candidate (``booth_<id>_candidate_<id>``),
    filled with what the booth reported before."""

    class AnswerForm(_AnswerForm):
        pass

    for question in questions:
        setattr(AnswerForm, f"question_{question.id}", _question_field(question))
    levels = [SelectChoice("", _l("—"))] + [SelectChoice(value, words) for value, words in OUTCOME_LEVELS.items()]
    for part in parts:
        prefix = f"booth_{part.booth.id}_"
        setattr(AnswerForm, prefix + "interviewed", _count_field(_l("Candidates interviewed")))
        setattr(AnswerForm, prefix + "offers", _count_field(_l("Offers made")))
        setattr(AnswerForm, prefix + "hires", _count_field(_l("Hires")))
        for candidate in part.candidates:
            setattr(AnswerForm, f"{prefix}candidate_{candidate.candidate_id}",
                    SelectField(candidate.name, choices=levels, validators=[Optional()]))
    form = AnswerForm(formdata=formdata) if formdata is not None else AnswerForm()
    if formdata is None:
        for part in parts:
            prefix = f"booth_{part.booth.id}_"
            if part.outcome is not None:
                for name in ("interviewed", "offers", "hires"):
                    form[prefix + name].data = getattr(part.outcome, name)
            for candidate_id, level in part.named.items():
                if f"{prefix}candidate_{candidate_id}" in form:
                    form[f"{prefix}candidate_{candidate_id}"].data = level
    return form


def answers_from(form: WebForm, questions: Sequence[SurveyQuestion]) -> dict[int, object]:
    return {question.id: form[f"question_{question.id}"].data for question in questions}


def outcomes_from(form: WebForm, parts: Sequence[BoothPart]) -> list[OutcomeData]:
    outcomes = []
    for part in parts:
        prefix = f"booth_{part.booth.id}_"
        named = {candidate.candidate_id: form[f"{prefix}candidate_{candidate.candidate_id}"].data
                 for candidate in part.candidates}
        outcomes.append(OutcomeData(part.booth.id, form[prefix + "interviewed"].data, form[prefix + "offers"].data,
                                    form[prefix + "hires"].data,
                                    {candidate_id: level for candidate_id, level in named.items() if level}))
    return outcomes


class SurveyActionForm(WebForm):
    """The organizer's buttons: ready (send when the event ends), back to draft, send now, close."""

    action = SelectField(choices=[SelectChoice(action) for action in ("ready", "draft", "send", "close")],
                         validators=[DataRequired()])

