"""Post-event surveys, below HTTP: building, sending once, reminding once, answering once, anonymity, the
booths' outcomes, and the results' arithmetic against figures worked out by hand."""
from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, inspect, select

from eventsapp.browse.models import ShortlistEntry
from eventsapp.checkin.models import BoothLead
from eventsapp.extensions import db
from eventsapp.matchmaking.models import Interview, MatchRun, RunStatus
from eventsapp.notifications.models import OutboxMessage
from eventsapp.notifications.services import render_message
from eventsapp.registrations.models import Registration, RegistrationStatus
from eventsapp.surveys import services
from eventsapp.surveys.models import (
    BoothOutcome,
    OutcomeCandidate,
    QuestionAudience,
    Respondent,
    SurveyAnswer,
    SurveyAudience,
    SurveyInvitation,
    SurveyQuestionKind,
    SurveyResponse,
    SurveyState,
)
from eventsapp.surveys.results import (
    average,
    net_promoter_score,
    outcomes_csv,
    responses_csv,
    survey_results,
)
from eventsapp.surveys.services import OutcomeData, SurveyQuestionData, SurveySettings
from eventsapp.surveys.tokens import invitation_id_from, invitation_token
from eventsapp.validation import ValidationFailed

NOW = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def fair(ctx, make_fair):
    """A fair that ended two hours before NOW."""
    return make_fair(starts_at=NOW - timedelta(hours=9), ends_at=NOW - timedelta(hours=2))


def attend(factories, event, consent: bool = True, locale: str | None = None, **profile):
    """A candidate confirmed and checked in at the event."""
    person = factories.make_candidate(show_to_employers=consent, locale=locale, **profile)
    db.session.add(Registration(event_id=event.id, user_id=person.id, status=RegistrationStatus.CONFIRMED,
                                attended_at=event.starts_at + timedelta(hours=1)))
    db.session.commit()
    return person


def build(event, audience=SurveyAudience.BOTH, anonymous=False, kinds=(SurveyQuestionKind.RATING,), ready=True):
    survey = services.save_survey(event, SurveySettings(audience=audience, anonymous=anonymous), None)
    for position, kind in enumerate(kinds):
        options = "A\nB\nC" if kind in (SurveyQuestionKind.SINGLE_CHOICE, SurveyQuestionKind.MULTIPLE_CHOICE) else ""
        services.save_question(survey, SurveyQuestionData(kind=kind, label_en=f"Q{position} {kind}",
                                                          options_text=options, position=position), None)
    db.session.refresh(survey)
    if ready:
        services.set_ready(survey, True, None)
    db.session.commit()
    return survey


def invitation_of(survey, person) -> SurveyInvitation:
    return db.session.scalar(select(SurveyInvitation).where(SurveyInvitation.survey_id == survey.id,
                                                            SurveyInvitation.user_id == person.id))


def messages(kind: str) -> list[OutboxMessage]:
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)).all()


# --- Building -----------------------------------------------------------------------------------------

def test_a_survey_asks_the_registration_kinds_and_the_two_scales(fair):
    survey = build(fair, kinds=list(SurveyQuestionKind))
    assert [question.kind for question in survey.questions] == list(SurveyQuestionKind)
    scale = next(question for question in survey.questions if question.kind == SurveyQuestionKind.RECOMMEND)
    assert scale.options == []


def test_a_choice_question_without_choices_is_refused_next_to_its_field(fair):
    survey = build(fair, ready=False)
    with pytest.raises(ValidationFailed) as refused:
        services.save_question(survey, SurveyQuestionData(kind=SurveyQuestionKind.SINGLE_CHOICE, label_en="Pick",
                                                          options_text="only one"), None)
    assert [field for field, _message in refused.value.errors] == ["options_text"]


def test_an_empty_survey_cannot_be_marked_ready_for_candidates(fair):
    survey = build(fair, audience=SurveyAudience.CANDIDATES, kinds=(), ready=False)
    with pytest.raises(services.SurveyRefused):
        services.set_ready(survey, True, None)


def test_the_survey_is_editable_until_its_first_answer(fair, factories):
    person = attend(factories, fair)
    survey = build(fair)
    question = survey.questions[0]
    services.save_question(survey, SurveyQuestionData(kind=SurveyQuestionKind.RATING, label_en="Changed"), None,
                           question)
    services.send_due_surveys(NOW)
    services.submit_answers(invitation_of(survey, person), {question.id: "4"}, now=NOW)
    db.session.commit()
    with pytest.raises(services.SurveyRefused):
        services.save_question(survey, SurveyQuestionData(kind=SurveyQuestionKind.RATING, label_en="Late"), None,
                               question)
    with pytest.raises(services.SurveyRefused):
        services.delete_question(survey, question, None)
    with pytest.raises(services.SurveyRefused):
        services.save_survey(fair, SurveySettings(anonymous=True), None)


# --- Sending ------------------------------------------------------------------------------------------

def test_the_survey_goes_once_to_attendees_and_booth_staff_when_the_event_ends(fair, factories):
    attended = attend(factories, fair)
    factories.make_registration(fair, factories.make_candidate())  # confirmed but never came
    organization = factories.make_organization()
    staff = factories.make_staff(organization)
    factories.make_booth(fair, organization)
    pending = factories.make_organization()
    factories.make_booth(fair, pending, status="pending")
    survey = build(fair)

    assert services.send_due_surveys(NOW - timedelta(hours=3)) == 0  # before the end
    assert services.send_due_surveys(NOW) == 3  # the attendee, the owner and the staff member
    db.session.commit()
    assert services.send_due_surveys(NOW + timedelta(minutes=5)) == 0
    assert services.send_now(survey, None, NOW + timedelta(minutes=6)) == 0

    invited = {(row.user_id, row.respondent) for row in db.session.scalars(select(SurveyInvitation))}
    assert invited == {(attended.id, Respondent.CANDIDATE), (organization.owner_id, Respondent.EMPLOYER),
                       (staff.id, Respondent.EMPLOYER)}
    assert len(messages("survey_invitation")) == 3
    assert survey.state == SurveyState.SENT and survey.sent_at == NOW


def test_drafts_and_cancelled_events_are_not_sent(fair, factories, make_fair):
    attend(factories, fair)
    build(fair, ready=False)
    cancelled = make_fair(starts_at=NOW - timedelta(hours=9), ends_at=NOW - timedelta(hours=2), status="cancelled")
    attend(factories, cancelled)
    build(cancelled)
    assert services.send_due_surveys(NOW) == 0


def test_two_schedulers_sending_at_once_write_one_invitation_each(fair, factories):
    attend(factories, fair)
    survey = build(fair, audience=SurveyAudience.CANDIDATES)
    assert services.send_due_surveys(NOW) == 1
    # A second scheduler that read the survey as due before this one's commit invites the same people:
    # the unique (survey, person) row makes its insert a no-op, and it queues no e-mail.
    assert services._invite(survey, NOW) == 0
    assert len(messages("survey_invitation")) == 1
    assert db.session.scalar(select(func.count()).select_from(SurveyInvitation)) == 1


def test_the_invitation_is_written_in_the_persons_language_with_a_working_link(fair, factories, app):
    person = attend(factories, fair, locale="zh_CN")
    survey = build(fair, audience=SurveyAudience.CANDIDATES)
    services.send_due_surveys(NOW)
    message = messages("survey_invitation")[0]
    render_message(message)
    token = invitation_token(invitation_of(survey, person).id)
    assert message.locale == "zh_CN" and message.to_email == person.email
    assert f"/survey/{token}" in message.body_text
    assert fair.title_zh in message.subject


def test_one_reminder_goes_only_to_those_who_have_not_answered(fair, factories):
    answering, silent = attend(factories, fair), attend(factories, fair)
    survey = build(fair, audience=SurveyAudience.CANDIDATES)
    services.send_due_surveys(NOW)
    services.submit_answers(invitation_of(survey, answering), {survey.questions[0].id: "5"}, now=NOW)
    db.session.commit()

    assert services.send_survey_reminders(NOW + timedelta(days=2)) == 0
    assert services.send_survey_reminders(NOW + timedelta(days=3)) == 1
    assert services.send_survey_reminders(NOW + timedelta(days=10)) == 0
    assert [message.to_email for message in messages("survey_reminder")] == [silent.email]


# --- Answering ----------------------------------------------------------------------------------------

def test_a_link_answers_once(fair, factories):
    person = attend(factories, fair)
    survey = build(fair, kinds=(SurveyQuestionKind.RATING, SurveyQuestionKind.SHORT_TEXT))
    services.send_due_surveys(NOW)
    invitation = invitation_of(survey, person)
    rating, text = survey.questions
    services.submit_answers(invitation, {rating.id: "4", text.id: "Good coffee"}, now=NOW)
    db.session.commit()
    with pytest.raises(services.AlreadyAnswered):
        services.submit_answers(invitation, {rating.id: "1"}, now=NOW)
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 1
    response = db.session.scalar(select(SurveyResponse))
    assert response.user_id == person.id and invitation.answered_at == NOW
    assert {(answer.value, answer.number) for answer in response.answers} == {("4", 4), ("Good coffee", None)}


@pytest.mark.parametrize("value", ["0", "6", "4.5", "x", "-1", "²", "٣"])
def test_a_rating_outside_1_to_5_is_refused(fair, factories, value):
    person = attend(factories, fair)
    survey = build(fair)
    services.send_due_surveys(NOW)
    with pytest.raises(ValidationFailed):
        services.submit_answers(invitation_of(survey, person), {survey.questions[0].id: value}, now=NOW)


def test_a_closed_survey_takes_no_answers(fair, factories):
    person = attend(factories, fair)
    survey = build(fair)
    services.send_due_surveys(NOW)
    services.close_survey(survey, None, NOW)
    with pytest.raises(services.SurveyRefused):
        services.submit_answers(invitation_of(survey, person), {survey.questions[0].id: "3"}, now=NOW)


def test_anonymous_answers_cannot_be_linked_to_the_person(fair, factories):
    person = attend(factories, fair)
    survey = build(fair, anonymous=True)
    services.send_due_surveys(NOW)
    invitation = invitation_of(survey, person)
    services.submit_answers(invitation, {survey.questions[0].id: "2"}, now=NOW + timedelta(hours=5, minutes=17))
    db.session.commit()

    response = db.session.scalar(select(SurveyResponse))
    assert response.user_id is None
    assert response.submitted_at == datetime(2026, 10, 20, tzinfo=UTC)  # the day only
    assert invitation.answered and invitation.answered_at is None
    # Nothing on the answer's side names the person or the invitation.
    for model in (SurveyResponse, SurveyAnswer):
        assert not {column.name for column in inspect(model).columns} & {"invitation_id", "email"}
    assert person.email.encode() not in responses_csv(survey, withhold_texts=False)


def test_a_token_stands_for_one_invitation_and_cannot_be_made_up(app, ctx):
    token = invitation_token(42)
    assert invitation_id_from(token) == 42
    assert invitation_id_from(token[:-2] + "xx") is None
    assert invitation_id_from("42") is None
    assert invitation_id_from("x" * 500) is None


# --- Employers' outcomes ------------------------------------------------------------------------------

@pytest.fixture
def booth_with_people(fair, factories):
    organization = factories.make_organization()
    booth = factories.make_booth(fair, organization)
    lead = attend(factories, fair, consent=True, name="李雷")
    hidden = attend(factories, fair, consent=False, name="韩梅梅")
    matched = attend(factories, fair, consent=True, name="王五")
    for person in (lead, hidden):
        entry = ShortlistEntry(booth_id=booth.id, candidate_id=person.id)
        db.session.add(entry)
        db.session.flush()
        db.session.add(BoothLead(shortlist_entry_id=entry.id))
    run = MatchRun(event_id=fair.id, seed=1, status=RunStatus.PUBLISHED)
    db.session.add(run)
    db.session.flush()
    interview = Interview(run_id=run.id, candidate_id=matched.id, booth_id=booth.id, slot=0, starts_at=fair.starts_at,
                          ends_at=fair.starts_at + timedelta(minutes=20), choice_position=1)
    db.session.add(interview)
    db.session.commit()
    return booth, organization, lead, hidden, matched, interview


def test_a_booth_may_name_only_its_consenting_leads_and_interviews(fair, booth_with_people):
    booth, _organization, lead, _hidden, matched, interview = booth_with_people
    nameable = services.nameable_candidates(booth)
    assert {(candidate.candidate_id, candidate.interview_id) for candidate in nameable} == {
        (lead.id, None), (matched.id, interview.id)}


def test_outcomes_are_stored_per_booth_and_candidate_and_tie_an_offer_to_the_match(fair, booth_with_people):
    booth, organization, lead, hidden, matched, interview = booth_with_people
    survey = build(fair, audience=SurveyAudience.EMPLOYERS, kinds=())
    services.send_due_surveys(NOW)
    invitation = db.session.scalar(select(SurveyInvitation).where(SurveyInvitation.user_id == organization.owner_id))

    with pytest.raises(ValidationFailed) as refused:
        services.submit_answers(invitation, {}, [OutcomeData(booth.id, 10, 1, 2)], now=NOW)
    assert (f"booth_{booth.id}_hires") in dict(refused.value.errors)
    with pytest.raises(ValidationFailed):  # not nameable: no consent
        services.submit_answers(invitation, {}, [OutcomeData(booth.id, 10, 3, 1, {hidden.id: "hired"})], now=NOW)
    with pytest.raises(ValidationFailed) as refused:  # fewer offers than candidates named with one
        services.submit_answers(invitation, {}, [OutcomeData(booth.id, 10, 1, 1, {
            lead.id: "offered", matched.id: "hired"})], now=NOW)
    assert f"booth_{booth.id}_offers" in dict(refused.value.errors)

    services.submit_answers(invitation, {}, [OutcomeData(booth.id, 12, None, None, {
        lead.id: "interviewed", matched.id: "hired"})], now=NOW)
    db.session.commit()
    outcome = db.session.get(BoothOutcome, booth.id)
    assert (outcome.event_id, outcome.interviewed, outcome.offers, outcome.hires) == (fair.id, 12, 1, 1)
    rows = {row.candidate_id: (row.interviewed, row.offered, row.hired, row.interview_id)
            for row in db.session.scalars(select(OutcomeCandidate))}
    assert rows == {lead.id: (True, False, False, None), matched.id: (True, True, True, interview.id)}
    assert survey.state == SurveyState.SENT


# --- Results ------------------------------------------------------------------------------------------

def test_nps_and_average_by_hand():
    # 4 promoters (10, 9, 9, 10), 2 passives (8, 7), 4 detractors (6, 0, 3, 5): (4 - 4) / 10 = 0
    assert net_promoter_score([10, 9, 9, 8, 7, 6, 0, 3, 10, 5]) == 0
    # 3 promoters, 1 passive, 1 detractor of 5: (3 - 1) / 5 = 40 %
    assert net_promoter_score([10, 10, 9, 8, 6]) == 40
    assert net_promoter_score([0, 1]) == -100
    assert net_promoter_score([]) is None
    assert average([5, 4, 4, 3]) == 4
    assert average([]) is None


def answer_all(fair, factories, survey, rows):
    """Each row: the values of one person's answers, by question position."""
    for values in rows:
        person = attend(factories, fair)
        services.send_now(survey, None, NOW)
        answers = {question.id: value for question, value in zip(survey.questions, values, strict=True)
                   if value is not None}
        services.submit_answers(invitation_of(survey, person), answers, now=NOW)
    db.session.commit()


def test_results_count_average_and_score_the_answers(fair, factories):
    survey = build(fair, audience=SurveyAudience.CANDIDATES, kinds=(
        SurveyQuestionKind.RATING, SurveyQuestionKind.RECOMMEND, SurveyQuestionKind.MULTIPLE_CHOICE,
        SurveyQuestionKind.SHORT_TEXT))
    answer_all(fair, factories, survey, [
        ("5", "10", ["A", "B"], "Great"), ("4", "9", ["A"], None), ("4", "7", ["C"], "Queue too long"),
        ("2", "3", [], None), ("5", "10", ["A", "C"], "Nice")])

    results = survey_results(survey)
    rating, recommend, choice, text = results.questions
    assert results.answered == {Respondent.CANDIDATE: 5} and results.invited == {Respondent.CANDIDATE: 5}
    assert rating.average == pytest.approx(4.0)  # (5 + 4 + 4 + 2 + 5) / 5
    assert dict(rating.counts) == {"1": 0, "2": 1, "3": 0, "4": 2, "5": 2}
    assert recommend.average == pytest.approx(7.8)  # 39 / 5
    assert (recommend.promoters, recommend.passives, recommend.detractors) == (3, 1, 1)
    assert recommend.nps == pytest.approx(40.0)  # 3/5 - 1/5
    assert choice.answered == 4 and dict(choice.counts) == {"A": 3, "B": 1, "C": 2}
    assert [answer for _author, answer in text.texts] == ["Great", "Nice", "Queue too long"]
    assert all(author for author, _answer in text.texts)  # named survey: each answer with its author


def test_anonymous_texts_are_withheld_below_five_answers(fair, factories):
    survey = build(fair, audience=SurveyAudience.CANDIDATES, anonymous=True,
                   kinds=(SurveyQuestionKind.RATING, SurveyQuestionKind.SHORT_TEXT))
    answer_all(fair, factories, survey, [("3", "Secret"), ("4", "Other")])
    results = survey_results(survey)
    assert results.texts_withheld and results.questions[1].texts == [] and results.questions[1].texts_withheld
    assert results.questions[0].average == pytest.approx(3.5)
    assert b"Secret" not in responses_csv(survey, results.texts_withheld)

    answer_all(fair, factories, survey, [("5", "Third"), ("5", None), ("1", "Fifth")])
    results = survey_results(survey)
    assert not results.texts_withheld
    assert [answer for author, answer in results.questions[1].texts if author == ""] == [
        "Fifth", "Other", "Secret", "Third"]


def test_the_csv_reads_back_with_its_answers(fair, factories):
    survey = build(fair, audience=SurveyAudience.CANDIDATES, kinds=(
        SurveyQuestionKind.RATING, SurveyQuestionKind.YES_NO, SurveyQuestionKind.SHORT_TEXT))
    answer_all(fair, factories, survey, [("4", "yes", "=HYPERLINK(\"x\")"), ("2", "no", "很好")])
    data = responses_csv(survey, withhold_texts=False)
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:5] == ["Response no.", "Respondent", "Submitted (UTC)", "Name", "E-mail"]
    assert rows[0][5:] == [question.label_en for question in survey.questions]
    assert [row[5:] for row in rows[1:]] == [["4", "Yes", "'=HYPERLINK(\"x\")"], ["2", "No", "很好"]]


def test_the_outcomes_csv_reads_back(fair, booth_with_people):
    booth, organization, lead, _hidden, matched, _interview = booth_with_people
    build(fair, audience=SurveyAudience.EMPLOYERS, kinds=())
    services.send_due_surveys(NOW)
    invitation = db.session.scalar(select(SurveyInvitation).where(SurveyInvitation.user_id == organization.owner_id))
    services.submit_answers(invitation, {}, [OutcomeData(booth.id, 7, 2, 1, {matched.id: "hired"})], now=NOW)
    db.session.commit()
    results = survey_results(invitation.survey)
    assert results.totals() == (7, 2, 1)
    rows = list(csv.reader(io.StringIO(outcomes_csv(results.booths).decode("utf-8-sig"))))
    assert rows[1][1:5] == [organization.name_en, "7", "2", "1"]
    assert "Hired" in rows[1][5]


def test_a_question_for_employers_is_not_asked_of_candidates(fair, factories):
    person = attend(factories, fair)
    survey = build(fair)
    services.save_question(survey, SurveyQuestionData(kind=SurveyQuestionKind.YES_NO, label_en="Hire again?",
                                                      audience=QuestionAudience.EMPLOYERS, required=True), None)
    services.send_due_surveys(NOW)
    asked = services.questions_for(survey, Respondent.CANDIDATE)
    assert [question.label_en for question in asked] == [survey.questions[0].label_en]
    services.submit_answers(invitation_of(survey, person), {asked[0].id: "3"}, now=NOW)  # the employer one not needed
