"""A survey's results for its organizer: who was asked and who answered, per question the counts, the
average of a scale and the Net Promoter Score, the free-text answers, the booths' outcomes; and the same
as CSV files.

What is shown when few answered: counts and averages always (they say nothing about one person's answer
the organizer could not already guess from the count). Free-text answers of an anonymous survey with fewer
than ``MIN_ANONYMOUS_TEXTS`` responses are withheld, on the page and in the export: with so few people,
the wording could tell who wrote it. A named survey shows each answer with its author, as the people were
told when they answered.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from eventsapp import charts
from eventsapp.accounts.models import User
from eventsapp.booths.models import Booth
from eventsapp.extensions import db
from eventsapp.i18n import current_language, pick
from eventsapp.organizations.models import Organization
from eventsapp.registrations.choices import YES_NO_LABELS
from eventsapp.spreadsheets import Column, csv_bytes, excel_safe, header
from eventsapp.surveys.choices import OUTCOME_LEVELS, RESPONDENT_LABELS, SCALES, answer_words
from eventsapp.surveys.models import (
    BoothOutcome,
    OutcomeCandidate,
    Respondent,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyQuestion,
    SurveyQuestionKind,
    SurveyResponse,
)

MIN_ANONYMOUS_TEXTS = 5


def average(numbers: Sequence[int]) -> float | None:
    return sum(numbers) / len(numbers) if numbers else None


def net_promoter_score(scores: Sequence[int]) -> float | None:
    """Promoters (9–10) minus detractors (0–6), as a percentage of everyone who answered: −100 to 100."""
    if not scores:
        return None
    promoters = sum(1 for score in scores if score >= 9)
    detractors = sum(1 for score in scores if score <= 6)
    return 100 * (promoters - detractors) / len(scores)


@dataclass
class QuestionResult:
    question: SurveyQuestion
    answered: int = 0
    counts: list[tuple[str, int]] = field(default_factory=list)  # each choice or scale value, in order
    average: float | None = None
    nps: float | None = None
    promoters: int = 0
    passives: int = 0
    detractors: int = 0
    texts: list[tuple[str, str]] = field(default_factory=list)  # (author or "", answer)
    texts_withheld: bool = False

    @property
    def is_text(self) -> bool:
        return self.question.kind == SurveyQuestionKind.SHORT_TEXT


@dataclass
class BoothResult:
    booth_code: str
    organization: str
    interviewed: int
    offers: int
    hires: int
    named: list[tuple[str, str]]  # (candidate, outcome level in words)


@dataclass
class SurveyResults:
    survey: Survey
    invited: dict[Respondent, int]
    answered: dict[Respondent, int]
    questions: list[QuestionResult]
    booths: list[BoothResult]

    @property
    def responses(self) -> int:
        return sum(self.answered.values())

    @property
    def texts_withheld(self) -> bool:
        return self.survey.anonymous and self.responses < MIN_ANONYMOUS_TEXTS

    def totals(self) -> tuple[int, int, int]:
        return (sum(booth.interviewed for booth in self.booths), sum(booth.offers for booth in self.booths),
                sum(booth.hires for booth in self.booths))


def _labels(question: SurveyQuestion) -> list[tuple[str, str]]:
    """(stored value, words) of each answer the question offers, in order."""
    if question.kind in SCALES:
        return [(str(value), str(value)) for value in SCALES[question.kind]]
    if question.kind == SurveyQuestionKind.YES_NO:
        return [(value, str(words)) for value, words in YES_NO_LABELS.items()]
    return [(option, option) for option in question.options]


def question_result(question: SurveyQuestion, values: Sequence[str], authors: Sequence[str],
                    withhold_texts: bool) -> QuestionResult:
    """The figures of one question from its answers (``values`` as stored; ``authors`` beside them, empty
    strings in an anonymous survey)."""
    result = QuestionResult(question, answered=len(values))
    if question.kind == SurveyQuestionKind.SHORT_TEXT:
        result.texts_withheld = withhold_texts and bool(values)
        if not withhold_texts:
            result.texts = sorted(zip(authors, values, strict=True), key=lambda pair: pair[1].casefold())
        return result
    chosen = Counter(choice for value in values for choice in value.split("\n") if choice)
    result.counts = [(words, chosen.get(value, 0)) for value, words in _labels(question)]
    if question.kind in SCALES:
        numbers = [int(value) for value in values]
        result.average = average(numbers)
    if question.kind == SurveyQuestionKind.RECOMMEND:
        result.nps = net_promoter_score(numbers)
        result.promoters = sum(1 for number in numbers if number >= 9)
        result.detractors = sum(1 for number in numbers if number <= 6)
        result.passives = len(numbers) - result.promoters - result.detractors
    return result


def survey_results(survey: Survey) -> SurveyResults:
    invited = {Respondent(respondent): count for respondent, count in db.session.execute(
        select(SurveyInvitation.respondent, func.count()).where(SurveyInvitation.survey_id == survey.id)
        .group_by(SurveyInvitation.respondent))}
    answered = {Respondent(respondent): count for respondent, count in db.session.execute(
        select(SurveyResponse.respondent, func.count()).where(SurveyResponse.survey_id == survey.id)
        .group_by(SurveyResponse.respondent))}
    withhold = survey.anonymous and sum(answered.values()) < MIN_ANONYMOUS_TEXTS
    values: dict[int, list[str]] = defaultdict(list)
    authors: dict[int, list[str]] = defaultdict(list)
    for question_id, value, name in db.session.execute(
            select(SurveyAnswer.question_id, SurveyAnswer.value, User.display_name)
            .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
            .outerjoin(User, User.id == SurveyResponse.user_id)
            .where(SurveyResponse.survey_id == survey.id).order_by(SurveyAnswer.id)):
        values[question_id].append(value)
        authors[question_id].append("" if survey.anonymous else (name or ""))
    questions = [question_result(question, values[question.id], authors[question.id], withhold)
                 for question in survey.questions]
    return SurveyResults(survey, invited, answered, questions, booth_results(survey.event_id))


def response_counts(survey: Survey) -> tuple[int, int]:
    """How many people answered, and how many were asked."""
    return (db.session.scalar(select(func.count()).where(SurveyResponse.survey_id == survey.id)),
            db.session.scalar(select(func.count()).where(SurveyInvitation.survey_id == survey.id)))


def booth_results(event_id: int) -> list[BoothResult]:
    language = current_language()
    named: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for row, name in db.session.execute(
            select(OutcomeCandidate, User.display_name).join(User, User.id == OutcomeCandidate.candidate_id)
            .where(OutcomeCandidate.event_id == event_id).order_by(User.display_name)):
        level = "hired" if row.hired else "offered" if row.offered else "interviewed"
        named[row.booth_id].append((name, str(OUTCOME_LEVELS[level])))
    rows = db.session.execute(
        select(BoothOutcome, Booth.code, Organization).join(Booth, Booth.id == BoothOutcome.booth_id)
        .join(Organization, Organization.id == Booth.organization_id)
        .where(BoothOutcome.event_id == event_id).order_by(Booth.id))
    return [BoothResult(code or "", pick(organization, "name", language), outcome.interviewed, outcome.offers,
                        outcome.hires, named[outcome.booth_id]) for outcome, code, organization in rows]


def results_charts(results: SurveyResults) -> dict[int, object]:
    """Question id → its chart (the counts per choice or scale value), for the questions answered."""
    language = current_language()
    drawn = {}
    for result in results.questions:
        if result.counts and result.answered:
            labels = [label for label, _count in result.counts]
            horizontal = result.question.kind not in SCALES and (
                len(labels) > 4 or any(len(label) > 12 for label in labels))
            drawn[result.question.id] = charts.bar_chart(
                pick(result.question, "label", language), labels, [count for _label, count in result.counts],
                horizontal=horizontal)
    return drawn


# --- CSV ---------------------------------------------------------------------------------------------

RESPONSE_COLUMNS = [Column("response_no", _l("Response no.")), Column("respondent", _l("Respondent")),
                    Column("submitted_utc", _l("Submitted (UTC)"))]
NAMED_COLUMNS = [Column("name", _l("Name")), Column("email", _l("E-mail"))]
OUTCOME_COLUMNS = [Column("booth", _l("Booth")), Column("organization", _l("Organization")),
                   Column("interviewed", _l("Candidates interviewed")), Column("offers", _l("Offers made")),
                   Column("hires", _l("Hires")), Column("named", _l("Named candidates"))]


def responses_csv(survey: Survey, withhold_texts: bool) -> bytes:
    """One line per response, one column per question. An anonymous survey's lines carry no name and only
    the day; its free-text answers are left out when withheld (see the module's docstring)."""
    language = current_language()
    questions = list(survey.questions)
    responses: Iterable[SurveyResponse] = db.session.scalars(
        select(SurveyResponse).where(SurveyResponse.survey_id == survey.id).order_by(SurveyResponse.id))
    lines = []
    for number, response in enumerate(responses, start=1):
        answers = {answer.question_id: answer.value for answer in response.answers}
        line: list = [number, str(RESPONDENT_LABELS[response.respondent])]
        if survey.anonymous:
            line.append(response.submitted_at.date().isoformat())
        else:
            line.append(response.submitted_at.isoformat(timespec="seconds"))
            line += [excel_safe(response.user.display_name), response.user.email] if response.user else ["", ""]
        for question in questions:
            value = answers.get(question.id, "")
            withheld = withhold_texts and question.kind == SurveyQuestionKind.SHORT_TEXT
            line.append("" if withheld else excel_safe(answer_words(question.kind, value)))
        lines.append(line)
    columns = RESPONSE_COLUMNS + ([] if survey.anonymous else NAMED_COLUMNS)
    return csv_bytes(header(columns) + [pick(question, "label", language) for question in questions], lines)


def outcomes_csv(booths: Sequence[BoothResult]) -> bytes:
    return csv_bytes(header(OUTCOME_COLUMNS), [
        [booth.booth_code, excel_safe(booth.organization), booth.interviewed, booth.offers, booth.hires,
         excel_safe("; ".join(f"{name} ({level})" for name, level in booth.named))] for booth in booths])
