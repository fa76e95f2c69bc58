"""A year of events with everything the analytics count (registrations in every status, check-ins, profiles of
every kind, booths, openings, matching runs, surveys), built in the test's own session, and recorded as plain
Python values so that a test computes each figure again without SQL and compares.

Call ``build_world(seed)`` inside an application context (the ``ctx`` fixture)."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from eventsapp.accounts.models import Role, User
from eventsapp.booths.models import Booth, BoothStatus, BoothType
from eventsapp.candidates.models import CandidateProfile, Degree, TalentClass
from eventsapp.events.models import Event, EventKind, EventStatus, Series
from eventsapp.extensions import db
from eventsapp.matchmaking.models import CancelReason, Interview, MatchRun, MatchRunBooth, RunStatus
from eventsapp.openings.models import Opening
from eventsapp.organizations.models import Industry, Organization, OrganizationSize, OrganizationStatus
from eventsapp.registrations.models import Registration, RegistrationStatus
from eventsapp.surveys.models import (
    BoothOutcome,
    OutcomeCandidate,
    Respondent,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyQuestionKind,
    SurveyResponse,
    SurveyState,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The figures are computed as of this moment: the December event is still to come.
NOW = datetime(2026, 12, 10, 4, 0, tzinfo=UTC)
CITIES = ("杭州市西湖区", "西湖区", "滨江区", "Hangzhou, Binjiang", "上海", "", "萧山区", "北京市海淀区", "Yuhang")


def local(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


@dataclass
class World:
    series: Series
    events: dict[str, Event]
    series_id: int = 0  # readable after the session that built the world has ended
    # user id -> profile values, or None for an account without a profile
    profiles: dict[int, dict | None] = field(default_factory=dict)
    # (event id, user id, status, attended, created at)
    registrations: list[tuple[int, int, RegistrationStatus, bool, datetime]] = field(default_factory=list)
    industries: dict[int, Industry] = field(default_factory=dict)  # organization id -> industry
    booths: list[tuple[int, int, int, BoothStatus]] = field(default_factory=list)  # booth, event, organization, status
    openings: list[tuple[int, int, int]] = field(default_factory=list)  # event, organization, headcount
    # (event id, run status, candidate, choice position, cancelled)
    interviews: list[tuple[int, RunStatus, int, int, bool]] = field(default_factory=list)
    capacities: list[tuple[int, RunStatus, int]] = field(default_factory=list)  # event, run status, capacity
    outcomes: list[tuple[int, int, int, int]] = field(default_factory=list)  # event, interviewed, offers, hires
    named: list[tuple[int, bool, bool]] = field(default_factory=list)  # event, offered, tied to an interview
    responses: list[tuple[int, Respondent]] = field(default_factory=list)  # event, who
    answers: list[tuple[int, Respondent, SurveyQuestionKind, int]] = field(default_factory=list)


def _add(*rows):
    db.session.add_all(rows)
    db.session.flush()
    return rows[0]


def _event(slug: str, kind: EventKind, starts_at: datetime, district: str = "", status=EventStatus.PUBLISHED,
           series: Series | None = None) -> Event:
    return _add(Event(
        slug=slug, kind=kind, status=status, title_zh=f"活动 {slug}", title_en=f"Event {slug}",
        timezone="Asia/Shanghai",
        starts_at=starts_at, ends_at=starts_at + timedelta(hours=7), capacity=500, district=district,
        series_id=series.id if series else None,
        published_at=None if status == EventStatus.DRAFT else starts_at - timedelta(days=60),
        talent_day_year=starts_at.astimezone(SHANGHAI).year if kind == EventKind.TALENT_DAY else None))


def build_world(seed: int = 1, people: int = 70) -> World:
    rng = random.Random(seed)
    series = _add(Series(slug="xinchun", title_zh="新春纳才", title_en="Spring hiring"))
    events = {
        # 00:30 on New Year's Day in Hangzhou is still 2025 in UTC: it belongs to 2026.
        "new_year": _event("new-year", EventKind.FAIR, local(2026, 1, 1, 0, 30), "上城区"),
        "spring1": _event("spring-1", EventKind.FAIR, local(2026, 3, 10), "西湖区", series=series),
        "spring2": _event("spring-2", EventKind.FAIR, local(2026, 3, 20), "滨江区", series=series),
        "talent_day": _event("talent-day", EventKind.TALENT_DAY, local(2026, 9, 28), "上城区"),
        "conference": _event("conference", EventKind.CONFERENCE, local(2026, 11, 5)),
        "upcoming": _event("upcoming", EventKind.FAIR, local(2026, 12, 20), "西湖区"),
        "cancelled": _event("cancelled", EventKind.FAIR, local(2026, 5, 1), "西湖区", status=EventStatus.CANCELLED),
        "draft": _event("draft", EventKind.FAIR, local(2026, 6, 1), "西湖区", status=EventStatus.DRAFT),
        "last_year": _event("last-year", EventKind.FAIR, local(2025, 10, 1), "西湖区", series=series),
        # 00:30 on New Year's Day 2027 in Hangzhou is still 2026 in UTC: it does not belong to 2026.
        "next_year": _event("next-year", EventKind.FAIR, local(2027, 1, 1, 0, 30), "上城区"),
    }
    world = World(series, events, series.id)
    users = []
    for number in range(people):
        user = User(email=f"person{number}@example.org", password_hash="x", display_name=f"P{number}",
                    role=Role.CANDIDATE)
        users.append(user)
    _add(*users)
    for number, user in enumerate(users):
        if number % 23 == 22:
            world.profiles[user.id] = None  # an account without a profile
            continue
        values = dict(
            degree=rng.choice([*Degree, None, Degree.MASTER, Degree.BACHELOR]),
            talent_class=rng.choice([*TalentClass, None, None, None]),
            graduation_year=rng.choice([2022, 2024, 2025, 2026, 2026, 2027, None]),
            birth_year=rng.choice([1985, 1990, 1991, 1992, 1995, 1998, 2001, None]),
            city=rng.choice(CITIES))
        world.profiles[user.id] = values
        _add(CandidateProfile(user_id=user.id, name=f"人{number}", **values))

    statuses = [RegistrationStatus.CONFIRMED] * 6 + [RegistrationStatus.WAITLISTED, RegistrationStatus.PENDING,
                                                     RegistrationStatus.CANCELLED, RegistrationStatus.REJECTED]
    for key, event in events.items():
        if key == "draft":
            continue
        for user in rng.sample(users, rng.randint(15, 40)):
            status = rng.choice(statuses)
            ended = event.ends_at <= NOW
            attended = status == RegistrationStatus.CONFIRMED and ended and rng.random() < .7
            created = event.starts_at - timedelta(days=rng.randint(1, 40), hours=rng.randint(0, 23))
            _add(Registration(event_id=event.id, user_id=user.id, status=status, queued_at=created, created_at=created,
                              attended_at=event.starts_at + timedelta(hours=1) if attended else None))
            world.registrations.append((event.id, user.id, status, attended, created))

    _employers(world, rng, users)
    _surveys(world, rng, users)
    return world


def _employers(world: World, rng: random.Random, users: list[User]) -> None:
    owners = [User(email=f"owner{number}@example.org", password_hash="x", display_name=f"O{number}",
                   role=Role.EMPLOYER) for number in range(7)]
    _add(*owners)
    industries = (Industry.I, Industry.I, Industry.C, Industry.M, Industry.F, Industry.C, Industry.I)
    organizations = [_add(Organization(name_zh=f"公司{number}", credit_code=f"91330100AN{number:08d}",
                                       industry=industry, size=OrganizationSize.FROM_100,
                                       status=OrganizationStatus.VERIFIED))
                     for number, industry in enumerate(industries)]
    for organization in organizations:
        world.industries[organization.id] = organization.industry
    for key in ("spring1", "spring2", "talent_day", "cancelled", "last_year"):
        event = world.events[key]
        for number, organization in enumerate(rng.sample(organizations, 5)):
            status = BoothStatus.APPROVED if number < 4 else rng.choice([BoothStatus.PENDING, BoothStatus.REJECTED])
            booth = _add(Booth(event_id=event.id, organization_id=organization.id, booth_type=BoothType.STANDARD,
                               interviewers=2, status=status))
            world.booths.append((booth.id, event.id, organization.id, status))
            for _opening in range(rng.randint(0, 3)):
                headcount = rng.randint(1, 12)
                _add(Opening(organization_id=organization.id, event_id=event.id, title="岗位", headcount=headcount))
                if status == BoothStatus.APPROVED:
                    world.openings.append((event.id, organization.id, headcount))

    for key, run_status in (("spring1", RunStatus.PUBLISHED), ("spring1", RunStatus.SUPERSEDED),
                            ("spring2", RunStatus.DRAFT), ("talent_day", RunStatus.PUBLISHED)):
        event = world.events[key]
        run = _add(MatchRun(event_id=event.id, seed=rng.randint(1, 10**9), status=run_status))
        booths = [(booth_id, status) for booth_id, event_id, _organization, status in world.booths
                  if event_id == event.id]
        for booth_id, status in booths:
            capacity = rng.randint(4, 8)
            _add(MatchRunBooth(run_id=run.id, booth_id=booth_id, capacity=capacity, interviewers=2, ranking_json="[]"))
            world.capacities.append((event.id, run_status, capacity))
            for slot, candidate in enumerate(rng.sample(users, rng.randint(1, capacity))):
                cancelled = rng.random() < .1
                position = rng.randint(1, 3)
                _add(Interview(run_id=run.id, candidate_id=candidate.id, booth_id=booth_id, slot=slot,
                               starts_at=event.starts_at, ends_at=event.starts_at + timedelta(minutes=30),
                               choice_position=position, cancelled_at=NOW if cancelled else None,
                               cancel_reason=CancelReason.REGISTRATION if cancelled else None))
                # Only interviews at approved booths take place.
                world.interviews.append((event.id, run_status, candidate.id, position,
                                         cancelled or status != BoothStatus.APPROVED))


def _surveys(world: World, rng: random.Random, users: list[User]) -> None:
    for key, responses in (("spring1", 14), ("talent_day", 3), ("cancelled", 6)):
        event = world.events[key]
        survey = _add(Survey(event_id=event.id, state=SurveyState.SENT, sent_at=event.ends_at))
        rating = _add(SurveyQuestion(survey_id=survey.id, kind=SurveyQuestionKind.RATING, label_en="How was it?"))
        recommend = _add(SurveyQuestion(survey_id=survey.id, kind=SurveyQuestionKind.RECOMMEND, label_en="Recommend?"))
        text = _add(SurveyQuestion(survey_id=survey.id, kind=SurveyQuestionKind.SHORT_TEXT, label_en="Anything?"))
        for number, user in enumerate(rng.sample(users, responses)):
            respondent = Respondent.EMPLOYER if number % 4 == 3 else Respondent.CANDIDATE
            response = _add(SurveyResponse(survey_id=survey.id, user_id=user.id, respondent=respondent))
            world.responses.append((event.id, respondent))
            _add(SurveyAnswer(response_id=response.id, question_id=text.id, value="好"))
            if rng.random() < .9:
                stars = rng.randint(1, 5)
                _add(SurveyAnswer(response_id=response.id, question_id=rating.id, value=str(stars), number=stars))
                world.answers.append((event.id, respondent, SurveyQuestionKind.RATING, stars))
            score = rng.randint(0, 10)
            _add(SurveyAnswer(response_id=response.id, question_id=recommend.id, value=str(score), number=score))
            world.answers.append((event.id, respondent, SurveyQuestionKind.RECOMMEND, score))
        for booth_id, event_id, _organization, status in world.booths:
            if event_id != event.id or status != BoothStatus.APPROVED:
                continue
            offers = rng.randint(0, 6)
            hires = rng.randint(0, offers)
            interviewed = offers + rng.randint(0, 5)
            _add(BoothOutcome(booth_id=booth_id, event_id=event.id, interviewed=interviewed, offers=offers,
                              hires=hires))
            world.outcomes.append((event.id, interviewed, offers, hires))
            interview_ids = list(db.session.scalars(db.select(Interview.id).where(Interview.booth_id == booth_id)))
            for candidate in rng.sample(users, 2):
                offered = rng.random() < .6
                interview_id = rng.choice(interview_ids + [None]) if interview_ids else None
                _add(OutcomeCandidate(booth_id=booth_id, candidate_id=candidate.id, event_id=event.id,
                                      interview_id=interview_id, interviewed=True, offered=offered))
                world.named.append((event.id, offered, interview_id is not None))
