"""How surveys read in words: audiences, states, question kinds and the outcome of a named candidate."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from eventsapp.registrations.choices import QUESTION_KIND_LABELS, YES_NO_LABELS
from eventsapp.surveys.models import QuestionAudience, Respondent, SurveyAudience, SurveyQuestionKind, SurveyState

AUDIENCE_LABELS = {
    SurveyAudience.CANDIDATES: _l("Candidates who attended"),
    SurveyAudience.EMPLOYERS: _l("Employers (booth staff)"),
    SurveyAudience.BOTH: _l("Both candidates and employers"),
}
STATE_LABELS = {
    SurveyState.DRAFT: _l("Draft"),
    SurveyState.READY: _l("Ready: sent when the event ends"),
    SurveyState.SENT: _l("Sent"),
    SurveyState.CLOSED: _l("Closed"),
}
KIND_LABELS = {
    **{SurveyQuestionKind(kind.value): label for kind, label in QUESTION_KIND_LABELS.items()},
    SurveyQuestionKind.RATING: _l("Rating from 1 to 5"),
    SurveyQuestionKind.RECOMMEND: _l("Would recommend, 0 to 10"),
}
QUESTION_AUDIENCE_LABELS = {
    QuestionAudience.EVERYONE: _l("Everyone asked"),
    QuestionAudience.CANDIDATES: _l("Candidates only"),
    QuestionAudience.EMPLOYERS: _l("Employers only"),
}
RESPONDENT_LABELS = {Respondent.CANDIDATE: _l("Candidate"), Respondent.EMPLOYER: _l("Employer")}
# What came of a candidate the booth names: each step includes the ones before it.
OUTCOME_LEVELS = {"interviewed": _l("Interviewed"), "offered": _l("Offered a job"), "hired": _l("Hired")}
SCALES = {SurveyQuestionKind.RATING: range(1, 6), SurveyQuestionKind.RECOMMEND: range(0, 11)}
CHOICE_KINDS = (SurveyQuestionKind.SINGLE_CHOICE, SurveyQuestionKind.MULTIPLE_CHOICE, SurveyQuestionKind.YES_NO)


def answer_words(kind: SurveyQuestionKind, value: str) -> str:
    """An answer as people read it: yes/no in words, several choices on one line."""
    if kind == SurveyQuestionKind.YES_NO:
        return str(YES_NO_LABELS.get(value, value))
    return value.replace("\n", "; ")
