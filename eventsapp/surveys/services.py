"""Building a survey, sending it when its event ends (with one reminder), and answering it through the
personal link. Services flush; the caller commits. Every organizer's change is written to the audit log.

Sending is safe when two schedulers run at once: an invitation is a row unique per (survey, person),
inserted with ON CONFLICT DO NOTHING, and only the rows a call inserted get an e-mail; the reminder is
claimed the same way (an UPDATE that sets ``reminded_at`` only where it is still empty). Answering is
claimed by an UPDATE that sets ``answered`` only where it is still false, so a link answers once.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from eventsapp.accounts.models import Role, User
from eventsapp.audit.services import record
from eventsapp.booths.models import Booth
from eventsapp.browse.models import ShortlistEntry
from eventsapp.candidates.models import CandidateProfile
from eventsapp.checkin.models import BoothLead
from eventsapp.dbtypes import utcnow
from eventsapp.events.models import Event, EventStatus
from eventsapp.extensions import db
from eventsapp.i18n import current_language
from eventsapp.matchmaking.interviews import staff_of
from eventsapp.matchmaking.models import Interview, MatchRun, RunStatus
from eventsapp.organizations.access import active_booth_condition
from eventsapp.registrations.models import Registration, RegistrationStatus
from eventsapp.registrations.questions import QuestionData, fill_question
from eventsapp.registrations.services import check_answers
from eventsapp.requestbounds import is_ascii_digits
from eventsapp.surveys import emails
from eventsapp.surveys.choices import SCALES
from eventsapp.surveys.models import (
    BoothOutcome,
    OutcomeCandidate,
    QuestionAudience,
    Respondent,
    Survey,
    SurveyAnswer,
    SurveyAudience,
    SurveyInvitation,
    SurveyQuestion,
    SurveyQuestionKind,
    SurveyResponse,
    SurveyState,
)
from eventsapp.surveys.tokens import invitation_id_from, invitation_token
from eventsapp.validation import ValidationFailed

# After a survey was sent, people who became eligible later (a check-in recorded late, new booth staff)
# are still invited by the scheduler for this long.
LATE_INVITATIONS = timedelta(days=14)
MAX_COUNT = 100_000  # candidates interviewed, offers, hires of one booth


class SurveyRefused(Exception):
    """What was asked cannot be done to the survey as it is; the message says why."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


# --- Building ----------------------------------------------------------------------------------------

@dataclass
class SurveySettings:
    audience: SurveyAudience = SurveyAudience.BOTH
    anonymous: bool = False
    intro_zh: str = ""
    intro_en: str = ""
    reminder_days: int = 3


@dataclass
class SurveyQuestionData(QuestionData):
    kind: SurveyQuestionKind = SurveyQuestionKind.RATING  # type: ignore[assignment]
    audience: QuestionAudience = QuestionAudience.EVERYONE


def find_survey(event_id: int) -> Survey | None:
    return db.session.scalar(select(Survey).where(Survey.event_id == event_id))


def has_answers(survey: Survey) -> bool:
    return bool(db.session.scalar(select(exists().where(SurveyResponse.survey_id == survey.id))))


def _check_editable(survey: Survey) -> None:
    if survey.id is not None and has_answers(survey):
        raise SurveyRefused(_l("The survey has answers: it can no longer be changed."))
    if survey.state == SurveyState.CLOSED:
        raise SurveyRefused(_l("The survey is closed."))


def _settings_of(survey: Survey) -> dict:
    return {"audience": survey.audience, "anonymous": survey.anonymous, "intro_zh": survey.intro_zh,
            "intro_en": survey.intro_en, "reminder_days": survey.reminder_days}


def save_survey(event: Event, data: SurveySettings, actor: User | None) -> Survey:
    """Create the event's survey or change its settings (until the first answer)."""
    survey = find_survey(event.id)
    before = None
    if survey is None:
        survey = Survey(event_id=event.id)
        db.session.add(survey)
    else:
        _check_editable(survey)
        before = _settings_of(survey)
    survey.audience, survey.anonymous = data.audience, data.anonymous
    survey.intro_zh, survey.intro_en = data.intro_zh.strip(), data.intro_en.strip()
    survey.reminder_days = data.reminder_days
    db.session.flush()
    record(actor, "survey_saved" if before else "survey_created", survey, before, _settings_of(survey))
    return survey


def save_question(survey: Survey, data: SurveyQuestionData, actor: User | None,
                  question: SurveyQuestion | None = None) -> SurveyQuestion:
    """Add or change a question (until the first answer); raises ValidationFailed for unusable words."""
    _check_editable(survey)
    scale = data.kind in SCALES
    if scale:  # a scale has no choices of its own
        data.options_text = ""
    question = question or SurveyQuestion(survey_id=survey.id)
    fill_question(question, data)
    question.audience = data.audience
    db.session.add(question)
    db.session.flush()
    record(actor, "survey_question_saved", question, None,
           {"label_zh": question.label_zh, "label_en": question.label_en, "kind": question.kind},
           event_id=survey.event_id)
    return question


def delete_question(survey: Survey, question: SurveyQuestion, actor: User | None) -> None:
    _check_editable(survey)
    record(actor, "survey_question_deleted", question, {"label_zh": question.label_zh, "label_en": question.label_en},
           {}, event_id=survey.event_id)
    db.session.delete(question)
    db.session.flush()


def _check_has_something_to_ask(survey: Survey) -> None:
    asked = [question for question in survey.questions if any(
        question.asked_of(respondent) for respondent in Respondent if survey.asks(respondent))]
    if not asked and not survey.asks(Respondent.EMPLOYER):
        raise SurveyRefused(_l("Add at least one question first."))


def set_ready(survey: Survey, ready: bool, actor: User | None) -> None:
    """Ready: the scheduler sends the survey when the event ends. Not ready: a draft again."""
    if survey.state not in (SurveyState.DRAFT, SurveyState.READY):
        raise SurveyRefused(_l("The survey has been sent already."))
    if ready:
        _check_has_something_to_ask(survey)
    before = survey.state
    survey.state = SurveyState.READY if ready else SurveyState.DRAFT
    db.session.flush()
    record(actor, "survey_state_changed", survey, {"state": before}, {"state": survey.state})


def close_survey(survey: Survey, actor: User | None, now: datetime | None = None) -> None:
    """No more answers; the results stay."""
    if survey.state != SurveyState.SENT:
        raise SurveyRefused(_l("Only a sent survey can be closed."))
    survey.state, survey.closed_at = SurveyState.CLOSED, now or utcnow()
    db.session.flush()
    record(actor, "survey_state_changed", survey, {"state": SurveyState.SENT}, {"state": survey.state})


# --- Sending -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Invitee:
    user_id: int
    respondent: Respondent
    booth_id: int | None = None


def invitees(survey: Survey) -> list[Invitee]:
    """Who the survey asks: candidates who attended (checked in), and the staff of the event's active
    booths (each person once, for the first of their organization's booths)."""
    found: list[Invitee] = []
    if survey.asks(Respondent.CANDIDATE):
        found += [Invitee(user_id, Respondent.CANDIDATE) for user_id in db.session.scalars(
            select(Registration.user_id).join(User, User.id == Registration.user_id).where(
                Registration.event_id == survey.event_id, Registration.status == RegistrationStatus.CONFIRMED,
                Registration.attended_at.is_not(None), User.erased_at.is_(None), User.role == Role.CANDIDATE)
            .order_by(Registration.user_id))]
    if survey.asks(Respondent.EMPLOYER):
        first_booth: dict[int, int] = {}
        for booth_id, organization_id in db.session.execute(
                select(Booth.id, Booth.organization_id).where(Booth.event_id == survey.event_id,
                                                              active_booth_condition()).order_by(Booth.id)):
            first_booth.setdefault(organization_id, booth_id)
        for organization_id, staff in staff_of(set(first_booth)).items():
            found += [Invitee(user.id, Respondent.EMPLOYER, first_booth[organization_id]) for user in staff]
    return found


def _insert_ignoring_duplicates(rows: list[dict]) -> list[int]:
    """Insert invitations, skipping any (survey, person) already there; the ids of the rows inserted."""
    if not rows:
        return []
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(SurveyInvitation.__table__).values(rows).on_conflict_do_nothing(
        index_elements=["survey_id", "user_id"]).returning(SurveyInvitation.__table__.c.id)
    return list(db.session.scalars(statement))


def _invite(survey: Survey, now: datetime) -> int:
    rows = [{"survey_id": survey.id, "user_id": invitee.user_id, "respondent": invitee.respondent.value,
             "booth_id": invitee.booth_id, "sent_at": now, "answered": False} for invitee in invitees(survey)]
    invitation_ids = _insert_ignoring_duplicates(rows)
    emails.queue_invitations(survey, invitation_ids, emails.INVITATION)
    return len(invitation_ids)


def _mark_sent(survey: Survey, now: datetime) -> bool:
    """READY (or DRAFT, by hand) → SENT, once; False when another call did it first."""
    claimed = db.session.execute(update(Survey).where(
        Survey.id == survey.id, Survey.state.in_((SurveyState.DRAFT, SurveyState.READY)))
        .values(state=SurveyState.SENT, sent_at=now).execution_options(synchronize_session=False)).rowcount
    db.session.refresh(survey)
    return bool(claimed)


def send_due_surveys(now: datetime) -> int:
    """Send the ready surveys of events that have ended (not cancelled), and invite people who became
    eligible since a survey was sent (for LATE_INVITATIONS). Returns how many invitations were written.
    For the scheduler; the caller commits."""
    due = db.session.scalars(select(Survey).join(Event, Event.id == Survey.event_id).where(
        Event.status != EventStatus.CANCELLED, Event.ends_at <= now,
        (Survey.state == SurveyState.READY)
        | ((Survey.state == SurveyState.SENT) & (Survey.sent_at >= now - LATE_INVITATIONS)))
        .order_by(Survey.id)).all()
    written = 0
    for survey in due:
        if survey.state == SurveyState.READY:
            _mark_sent(survey, now)
        written += _invite(survey, now)
    return written


def send_now(survey: Survey, actor: User | None, now: datetime | None = None) -> int:
    """The organizer's "Send now": to everyone eligible who has not been asked yet. Once the event has
    begun (before, nobody has attended); returns how many were invited."""
    now = now or utcnow()
    event = db.session.get(Event, survey.event_id)
    if survey.state == SurveyState.CLOSED:
        raise SurveyRefused(_l("The survey is closed."))
    if event.status == EventStatus.CANCELLED:
        raise SurveyRefused(_l("The event is cancelled."))
    if event.starts_at > now:
        raise SurveyRefused(_l("The survey can be sent once the event has begun."))
    _check_has_something_to_ask(survey)
    before = survey.state
    _mark_sent(survey, now)
    written = _invite(survey, now)
    record(actor, "survey_sent", survey, {"state": before}, {"state": survey.state, "invited": written})
    return written


def send_survey_reminders(now: datetime) -> int:
    """One reminder to each person who has not answered a sent survey ``reminder_days`` after being
    asked. Returns how many reminders were written. For the scheduler; the caller commits."""
    written = 0
    for survey in db.session.scalars(select(Survey).where(Survey.state == SurveyState.SENT).order_by(Survey.id)):
        claimed = list(db.session.scalars(update(SurveyInvitation).where(
            SurveyInvitation.survey_id == survey.id, SurveyInvitation.answered.is_(False),
            SurveyInvitation.reminded_at.is_(None),
            SurveyInvitation.sent_at <= now - timedelta(days=survey.reminder_days))
            .values(reminded_at=now).returning(SurveyInvitation.id).execution_options(synchronize_session=False)))
        emails.queue_invitations(survey, claimed, emails.REMINDER)
        written += len(claimed)
    return written


# --- The personal link -------------------------------------------------------------------------------

def invitation_for_token(token: str) -> SurveyInvitation | None:
    """The invitation a personal link stands for; None for a link this app did not sign."""
    invitation_id = invitation_id_from(token)
    return db.session.get(SurveyInvitation, invitation_id) if invitation_id is not None else None


# --- Answering ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class NameableCandidate:
    """A candidate a booth may name in its outcomes: one of its leads or interviews who lets employers see
    their profile."""

    candidate_id: int
    name: str
    interview_id: int | None


@dataclass
class BoothPart:
    """A booth the answering employer reports outcomes for."""

    booth: Booth
    candidates: list[NameableCandidate]
    outcome: BoothOutcome | None
    named: dict[int, str] = field(default_factory=dict)  # candidate id → outcome level already reported


def questions_for(survey: Survey, respondent: Respondent) -> list[SurveyQuestion]:
    return [question for question in survey.questions if question.asked_of(respondent)]


def nameable_candidates(booth: Booth) -> list[NameableCandidate]:
    interviews = dict(db.session.execute(
        select(Interview.candidate_id, Interview.id).join(MatchRun, MatchRun.id == Interview.run_id).where(
            Interview.booth_id == booth.id, Interview.cancelled_at.is_(None),
            MatchRun.status == RunStatus.PUBLISHED)).all())
    leads = set(db.session.scalars(select(ShortlistEntry.candidate_id).join(
        BoothLead, BoothLead.shortlist_entry_id == ShortlistEntry.id).where(ShortlistEntry.booth_id == booth.id)))
    ids = set(interviews) | leads
    if not ids:
        return []
    rows = db.session.execute(
        select(User.id, User.display_name, CandidateProfile.name)
        .join(CandidateProfile, CandidateProfile.user_id == User.id)
        .where(User.id.in_(ids), User.erased_at.is_(None), CandidateProfile.show_to_employers.is_(True)))
    found = [NameableCandidate(user_id, name or display_name, interviews.get(user_id))
             for user_id, display_name, name in rows]
    return sorted(found, key=lambda candidate: (candidate.name.casefold(), candidate.candidate_id))


def _level(row: OutcomeCandidate) -> str:
    return "hired" if row.hired else "offered" if row.offered else "interviewed"


def booth_parts(invitation: SurveyInvitation) -> list[BoothPart]:
    """The active booths at the event of the invited employer's organization, with who they may name."""
    if invitation.respondent != Respondent.EMPLOYER or invitation.booth is None:
        return []
    booths = db.session.scalars(select(Booth).where(
        Booth.event_id == invitation.survey.event_id, Booth.organization_id == invitation.booth.organization_id,
        active_booth_condition()).order_by(Booth.id)).all()
    parts = []
    for booth in booths:
        named = {row.candidate_id: _level(row) for row in db.session.scalars(
            select(OutcomeCandidate).where(OutcomeCandidate.booth_id == booth.id))}
        parts.append(BoothPart(booth, nameable_candidates(booth), db.session.get(BoothOutcome, booth.id), named))
    return parts


@dataclass
class OutcomeData:
    booth_id: int
    interviewed: int | None
    offers: int | None
    hires: int | None
    named: dict[int, str] = field(default_factory=dict)  # candidate id → "interviewed" / "offered" / "hired"


def check_survey_answers(questions: Sequence[SurveyQuestion], answers: Mapping[int, object]) -> dict[int, str]:
    """The answers as stored text, keyed by question id; raises ValidationFailed (field ``question_<id>``).
    Questions of the registration kinds are checked as registrations check them."""
    scale_questions = [question for question in questions if question.kind in SCALES]
    errors: list[tuple[str | None, str]] = []
    stored: dict[int, str] = {}
    try:
        stored.update(check_answers([question for question in questions if question.kind not in SCALES],
                                    answers))  # type: ignore[arg-type]
    except ValidationFailed as failure:
        errors += failure.errors
    for question in scale_questions:
        raw = answers.get(question.id)
        raw = "" if raw is None else str(raw).strip()
        if not raw:
            if question.required:
                errors.append((f"question_{question.id}", _l("Please answer this question.")))
        elif not is_ascii_digits(raw) or int(raw) not in SCALES[question.kind]:
            errors.append((f"question_{question.id}", _l("Choose from the options given.")))
        else:
            stored[question.id] = str(int(raw))
    if errors:
        raise ValidationFailed(errors)
    return stored


def _check_outcomes(parts: Sequence[BoothPart], outcomes: Sequence[OutcomeData]) -> None:
    errors: list[tuple[str | None, str]] = []
    by_booth = {part.booth.id: part for part in parts}
    for outcome in outcomes:
        part = by_booth.get(outcome.booth_id)
        if part is None:
            errors.append((None, _l("That booth is not yours to report on.")))
            continue
        nameable = {candidate.candidate_id for candidate in part.candidates}
        if set(outcome.named) - nameable or set(outcome.named.values()) - {"interviewed", "offered", "hired"}:
            errors.append((None, _l("Name only candidates from the list.")))
            continue
        levels = list(outcome.named.values())
        named = {"interviewed": len(levels), "offers": levels.count("offered") + levels.count("hired"),
                 "hires": levels.count("hired")}
        prefix = f"booth_{outcome.booth_id}_"
        for name in ("interviewed", "offers", "hires"):
            if getattr(outcome, name) is None:  # left empty: the candidates named
                setattr(outcome, name, named[name])
            if getattr(outcome, name) < named[name]:
                errors.append((prefix + name, _l("At least %(count)d: the candidates you named below.",
                                                 count=named[name])))
        if (outcome.hires or 0) > (outcome.offers or 0):
            errors.append((prefix + "hires", _l("There cannot be more hires than offers.")))
    if errors:
        raise ValidationFailed(errors)


def _save_outcome(event_id: int, part: BoothPart, data: OutcomeData, user: User, now: datetime) -> None:
    outcome = db.session.get(BoothOutcome, data.booth_id) or BoothOutcome(booth_id=data.booth_id, event_id=event_id)
    outcome.interviewed, outcome.offers, outcome.hires = data.interviewed, data.offers, data.hires
    outcome.reported_by_id, outcome.reported_at = user.id, now
    db.session.add(outcome)
    db.session.execute(delete(OutcomeCandidate).where(OutcomeCandidate.booth_id == data.booth_id))
    interviews = {candidate.candidate_id: candidate.interview_id for candidate in part.candidates}
    for candidate_id, level in sorted(data.named.items()):
        db.session.add(OutcomeCandidate(
            booth_id=data.booth_id, candidate_id=candidate_id, event_id=event_id,
            interview_id=interviews.get(candidate_id), interviewed=True, offered=level in ("offered", "hired"),
            hired=level == "hired"))


class AlreadyAnswered(SurveyRefused):
    pass


def submit_answers(invitation: SurveyInvitation, answers: Mapping[int, object],
                   outcomes: Sequence[OutcomeData] = (), now: datetime | None = None) -> SurveyResponse:
    """Answer through the personal link, once. In an anonymous survey the response keeps neither the person
    nor the time of day, and the invitation only that it was answered. Outcomes are the booths' and are
    never anonymous. Raises ValidationFailed for bad answers, SurveyRefused when the survey is not open,
    AlreadyAnswered for a second answer."""
    now = now or utcnow()
    survey = invitation.survey
    if survey.state != SurveyState.SENT:
        raise SurveyRefused(_l("This survey is closed."))
    if invitation.answered:
        raise AlreadyAnswered(_l("You have answered this survey already. Thank you!"))
    stored = check_survey_answers(questions_for(survey, invitation.respondent), answers)
    parts = booth_parts(invitation)
    _check_outcomes(parts, outcomes)
    claimed = db.session.execute(update(SurveyInvitation).where(
        SurveyInvitation.id == invitation.id, SurveyInvitation.answered.is_(False))
        .values(answered=True, answered_at=None if survey.anonymous else now)
        .execution_options(synchronize_session=False)).rowcount
    if not claimed:
        raise AlreadyAnswered(_l("You have answered this survey already. Thank you!"))
    db.session.refresh(invitation)
    response = SurveyResponse(
        survey_id=survey.id, respondent=invitation.respondent,
        user_id=None if survey.anonymous else invitation.user_id,
        submitted_at=datetime(now.year, now.month, now.day, tzinfo=UTC) if survey.anonymous else now)
    kinds = {question.id: question.kind for question in survey.questions}
    response.answers = [SurveyAnswer(question_id=question_id, value=value,
                                     number=int(value) if kinds[question_id] in SCALES else None)
                        for question_id, value in sorted(stored.items())]
    db.session.add(response)
    by_booth = {part.booth.id: part for part in parts}
    for outcome in outcomes:
        _save_outcome(survey.event_id, by_booth[outcome.booth_id], outcome, invitation.user, now)
    db.session.flush()
    return response


# --- My surveys --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MySurvey:
    invitation: SurveyInvitation
    event: Event
    token: str

    @property
    def open(self) -> bool:
        return not self.invitation.answered and self.invitation.survey.state == SurveyState.SENT


def my_surveys(user: User) -> list[MySurvey]:
    """The surveys the person was asked to answer, the open ones first, newest event first."""
    rows = db.session.execute(
        select(SurveyInvitation, Event).join(Survey, Survey.id == SurveyInvitation.survey_id)
        .join(Event, Event.id == Survey.event_id).where(SurveyInvitation.user_id == user.id)
        .order_by(Event.ends_at.desc(), SurveyInvitation.id)).all()
    found = [MySurvey(invitation, event, invitation_token(invitation.id)) for invitation, event in rows]
    return sorted(found, key=lambda item: not item.open)


def open_surveys_for(user: User) -> list[MySurvey]:
    """The surveys the person has yet to answer (for their dashboard pages)."""
    if not user.is_authenticated or user.is_organizer:
        return []
    return [item for item in my_surveys(user) if item.open]


def survey_names(ids) -> dict[int, str]:
    """The activity page's names of surveys: the survey of <event title>, in the reader's language."""
    zh = current_language() == "zh"
    return {survey_id: gettext("Survey of %(event)s", event=title_zh if zh else title_en)
            for survey_id, title_zh, title_en in db.session.execute(
                select(Survey.id, Event.title_zh, Event.title_en).join(Event, Event.id == Survey.event_id)
                .where(Survey.id.in_(ids))).tuples()}


def question_names(ids) -> dict[int, str]:
    """The activity page's names of survey questions: the question, in the reader's language."""
    zh = current_language() == "zh"
    return {question_id: label_zh if zh else label_en for question_id, label_zh, label_en in db.session.execute(
        select(SurveyQuestion.id, SurveyQuestion.label_zh, SurveyQuestion.label_en)
        .where(SurveyQuestion.id.in_(ids))).tuples()}
