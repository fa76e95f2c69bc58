"""Demo surveys: last autumn's graduate fair (candidates and employers, named, with booth outcomes),
last year's Talent Day (candidates only, anonymous), both with answers; and a draft for the coming spring
fair. The demo candidate has last autumn's survey still to answer, so "My surveys" shows one."""
from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from eventsapp.accounts.models import User
from eventsapp.booths.models import Booth, BoothStatus, BoothType
from eventsapp.candidates.models import CandidateProfile
from eventsapp.events.models import Event
from eventsapp.events.services import find_event_by_slug
from eventsapp.extensions import db
from eventsapp.organizations.models import Organization, OrganizationMember
from eventsapp.registrations.models import Registration, RegistrationStatus
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
from eventsapp.surveys.services import find_survey

CHANNELS = "微信公众号 WeChat\n学校就业网 University careers site\n朋友推荐 A friend\n人社局通知 HR bureau notice"
COMMENTS = ["入场排队时间有点长。", "Booth map was very helpful.", "希望增加博士后专场。",
            "More seating near the forum, please.", "面试安排很高效。", "Would love an English-speaking HR desk.",
            "签到很快，体验很好。", "企业数量很多，收获很大。"]
EMPLOYER_COMMENTS = ["候选人质量高于预期。", "Great turnout of master's graduates.", "希望展位网络更稳定。"]


def _questions(survey: Survey, with_employers: bool) -> dict[str, SurveyQuestion]:
    rows = {
        "overall": SurveyQuestion(kind=SurveyQuestionKind.RATING, label_zh="总体满意度",
                                  label_en="Overall satisfaction", required=True, position=1),
        "recommend": SurveyQuestion(kind=SurveyQuestionKind.RECOMMEND, label_zh="您向朋友推荐本活动的可能性有多大？",
                                    label_en="How likely are you to recommend this event to a friend?", required=True,
                                    position=2),
        "channel": SurveyQuestion(kind=SurveyQuestionKind.SINGLE_CHOICE, label_zh="您从哪里得知本活动？",
                                  label_en="Where did you hear about the event?", options_text=CHANNELS, position=3,
                                  audience=QuestionAudience.CANDIDATES),
        "again": SurveyQuestion(kind=SurveyQuestionKind.YES_NO, label_zh="明年还会参加吗？",
                                label_en="Will you come again next year?", position=4),
        "better": SurveyQuestion(kind=SurveyQuestionKind.SHORT_TEXT, label_zh="有什么可以做得更好？",
                                 label_en="What could we do better?", position=5),
    }
    if with_employers:
        rows["quality"] = SurveyQuestion(kind=SurveyQuestionKind.RATING, label_zh="候选人与岗位的匹配程度",
                                         label_en="How well did candidates fit your openings?", position=6,
                                         audience=QuestionAudience.EMPLOYERS)
    for question in rows.values():
        question.audience = question.audience or QuestionAudience.EVERYONE
    survey.questions = list(rows.values())
    db.session.flush()
    return rows


def _answer(rng: random.Random, survey: Survey, questions: dict[str, SurveyQuestion], respondent: Respondent,
            user: User, sent: datetime) -> None:
    submitted = sent + timedelta(hours=rng.randint(2, 120))
    if survey.anonymous:
        submitted = datetime(submitted.year, submitted.month, submitted.day, tzinfo=UTC)
    response = SurveyResponse(survey_id=survey.id, respondent=respondent, submitted_at=submitted,
                              user_id=None if survey.anonymous else user.id)
    overall = rng.choices([2, 3, 4, 5], weights=[1, 2, 5, 4])[0]
    recommend = min(10, max(0, overall * 2 + rng.randint(-2, 1)))
    values = {"overall": str(overall), "recommend": str(recommend), "again": rng.choice(["yes", "yes", "no"])}
    if respondent == Respondent.CANDIDATE:
        values["channel"] = rng.choice(questions["channel"].options)
    else:
        values["quality"] = str(rng.randint(3, 5))
    if rng.random() < .6:
        values["better"] = rng.choice(COMMENTS if respondent == Respondent.CANDIDATE else EMPLOYER_COMMENTS)
    response.answers = [SurveyAnswer(question_id=questions[key].id, value=value,
                                     number=int(value) if questions[key].kind in (
                                         SurveyQuestionKind.RATING, SurveyQuestionKind.RECOMMEND) else None)
                        for key, value in values.items() if key in questions]
    db.session.add(response)


def _attendees(event: Event, emails: list[str]) -> list[User]:
    """The people with these e-mails, confirmed and checked in at the event (registered here when not yet)."""
    found = []
    for user in db.session.scalars(select(User).where(User.email.in_(emails)).order_by(User.email)):
        registration = db.session.scalar(select(Registration).where(Registration.event_id == event.id,
                                                                    Registration.user_id == user.id))
        if registration is None:
            registration = Registration(event_id=event.id, user_id=user.id, status=RegistrationStatus.CONFIRMED,
                                        queued_at=event.starts_at - timedelta(days=20),
                                        created_at=event.starts_at - timedelta(days=20),
                                        confirmed_at=event.starts_at - timedelta(days=20))
            db.session.add(registration)
        if registration.status != RegistrationStatus.CONFIRMED:
            continue
        registration.attended_at = registration.attended_at or event.starts_at + timedelta(minutes=30 + len(found))
        found.append(user)
    db.session.flush()
    return found


def _booths(event: Event) -> list[Booth]:
    """Approved booths at the (past) fair for demo organizations 2 to 6 (the demo employer's keeps to the
    spring fair)."""
    organizations = db.session.scalars(select(Organization).where(
        Organization.credit_code.like("9133010%MA2%")).order_by(Organization.id)).all()[1:6]
    booths = []
    for organization in organizations:
        booth = db.session.scalar(select(Booth).where(Booth.event_id == event.id,
                                                      Booth.organization_id == organization.id))
        if booth is None:
            booth = Booth(event_id=event.id, organization_id=organization.id, booth_type=BoothType.STANDARD,
                          interviewers=2, status=BoothStatus.APPROVED, decided_at=event.starts_at - timedelta(days=30))
            db.session.add(booth)
        booths.append(booth)
    db.session.flush()
    return booths


def _autumn_fair(rng: random.Random, fair: Event, candidates: list[str]) -> int:
    survey = Survey(event_id=fair.id, audience=SurveyAudience.BOTH, anonymous=False, state=SurveyState.SENT,
                    intro_zh="感谢参加“金秋纳才”！三分钟的问卷帮助我们办好下一届。",
                    intro_en="Thank you for coming to the Golden Autumn fair! Three minutes help us plan the next one.",
                    sent_at=fair.ends_at + timedelta(minutes=5), created_at=fair.starts_at - timedelta(days=7))
    db.session.add(survey)
    db.session.flush()
    questions = _questions(survey, with_employers=True)
    people = _attendees(fair, candidates)
    answered = 0
    for user in people:
        invitation = SurveyInvitation(survey_id=survey.id, user_id=user.id, respondent=Respondent.CANDIDATE,
                                      sent_at=survey.sent_at)
        if user.email != "candidate@example.com" and rng.random() < .8:  # the demo candidate has it to answer
            _answer(rng, survey, questions, Respondent.CANDIDATE, user, survey.sent_at)
            invitation.answered, invitation.answered_at = True, survey.sent_at + timedelta(hours=3)
            answered += 1
        else:
            invitation.reminded_at = survey.sent_at + timedelta(days=survey.reminder_days)
        db.session.add(invitation)
    consenting = [user for user in people if db.session.scalar(select(CandidateProfile.show_to_employers).where(
        CandidateProfile.user_id == user.id))]
    for number, booth in enumerate(_booths(fair)):
        staff = db.session.scalars(select(User).join(OrganizationMember, OrganizationMember.user_id == User.id)
                                   .where(OrganizationMember.organization_id == booth.organization_id)).all()
        for member in staff:
            invitation = SurveyInvitation(survey_id=survey.id, user_id=member.id, respondent=Respondent.EMPLOYER,
                                          booth_id=booth.id, sent_at=survey.sent_at)
            if number < 4:
                _answer(rng, survey, questions, Respondent.EMPLOYER, member, survey.sent_at)
                invitation.answered, invitation.answered_at = True, survey.sent_at + timedelta(days=1)
                answered += 1
                named = consenting[number::4][:2]
                offers = rng.randint(max(len(named), 1), 8)
                db.session.add(BoothOutcome(booth_id=booth.id, event_id=fair.id, interviewed=rng.randint(12, 40),
                                            offers=offers, hires=rng.randint(1, offers),
                                            reported_by_id=member.id, reported_at=invitation.answered_at))
                for position, candidate in enumerate(named):
                    db.session.add(OutcomeCandidate(booth_id=booth.id, candidate_id=candidate.id, event_id=fair.id,
                                                    interviewed=True, offered=True, hired=position == 0))
            db.session.add(invitation)
    db.session.flush()
    return answered


def _talent_day(rng: random.Random, day: Event, candidates: list[str]) -> int:
    survey = Survey(event_id=day.id, audience=SurveyAudience.CANDIDATES, anonymous=True, state=SurveyState.CLOSED,
                    sent_at=day.ends_at + timedelta(minutes=5), closed_at=day.ends_at + timedelta(days=30),
                    created_at=day.starts_at - timedelta(days=10))
    db.session.add(survey)
    db.session.flush()
    questions = _questions(survey, with_employers=False)
    answered = 0
    for user in _attendees(day, candidates):
        invitation = SurveyInvitation(survey_id=survey.id, user_id=user.id, respondent=Respondent.CANDIDATE,
                                      sent_at=survey.sent_at)
        if rng.random() < .7:
            _answer(rng, survey, questions, Respondent.CANDIDATE, user, survey.sent_at)
            invitation.answered = True  # anonymous: no time kept on the invitation
            answered += 1
        db.session.add(invitation)
    db.session.flush()
    return answered


def _spring_draft(fair: Event) -> None:
    survey = Survey(event_id=fair.id, audience=SurveyAudience.BOTH, state=SurveyState.DRAFT)
    db.session.add(survey)
    db.session.flush()
    _questions(survey, with_employers=True)


def seed_demo_surveys(today: date) -> int:
    """The demo surveys (each once); returns how many answers were added."""
    candidates = ["candidate@example.com"] + [f"demo.phd{number:02d}@example.com" for number in range(1, 16)]
    rng = random.Random(2026)
    answered = 0
    autumn = find_event_by_slug(f"autumn-graduate-fair-{today.year - 1}")
    if autumn is not None and autumn.ends_at < datetime.now(UTC) and find_survey(autumn.id) is None:
        answered += _autumn_fair(rng, autumn, candidates)
    talent_day = db.session.scalar(select(Event).where(Event.slug.like("talent-day-%"), Event.ends_at < datetime.now(
        UTC)).order_by(Event.starts_at.desc()).limit(1))
    if talent_day is not None and find_survey(talent_day.id) is None:
        answered += _talent_day(rng, talent_day, candidates[1:])
    spring = find_event_by_slug(f"spring-talent-fair-{today.year + 1}")
    if spring is not None and find_survey(spring.id) is None:
        _spring_draft(spring)
    return answered
