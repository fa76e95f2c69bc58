"""A survey per event, its questions, the invitations (who was asked, who has answered), the answers, and
the employers' outcomes per booth.

Anonymity is kept by the schema: an invitation records *that* its person answered, a response records
*what* was answered, and in an anonymous survey nothing joins the two (the response has no respondent and
its time is kept to the day only).

``BoothOutcome`` and ``OutcomeCandidate`` are the figures analytics sums: per event and booth the numbers
the employer reported, and per named candidate whether they were interviewed, offered a job or hired."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsapp.accounts.models import User
from eventsapp.booths.models import Booth
from eventsapp.dbtypes import UTCDateTime, enum_column_type, utcnow
from eventsapp.events.models import Event
from eventsapp.extensions import db
from eventsapp.registrations.models import QuestionColumns


class SurveyAudience(enum.StrEnum):
    CANDIDATES = "candidates"  # candidates who checked in
    EMPLOYERS = "employers"  # the staff of the event's approved booths
    BOTH = "both"


class SurveyState(enum.StrEnum):
    DRAFT = "draft"  # being built; never sent
    READY = "ready"  # sent by the scheduler when the event ends (or by the organizer's "Send now")
    SENT = "sent"  # invitations written; people answer
    CLOSED = "closed"  # no more answers


class Respondent(enum.StrEnum):
    CANDIDATE = "candidate"
    EMPLOYER = "employer"


class SurveyQuestionKind(enum.StrEnum):
    """The registration questions' kinds (same values) and two scales of the survey's own."""

    SHORT_TEXT = "short_text"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    YES_NO = "yes_no"
    RATING = "rating"  # 1 to 5
    RECOMMEND = "recommend"  # 0 to 10, "would you recommend": NPS


class QuestionAudience(enum.StrEnum):
    EVERYONE = "everyone"
    CANDIDATES = "candidates"
    EMPLOYERS = "employers"


class Survey(db.Model):
    """The survey of an event: one per event."""

    __tablename__ = "survey"
    __table_args__ = (
        CheckConstraint("reminder_days BETWEEN 1 AND 30", name="reminder_days_range"),
        CheckConstraint("(state IN ('draft', 'ready')) = (sent_at IS NULL)", name="sent_at_iff_sent"),
        Index("ix_survey_state", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), unique=True)
    audience: Mapped[SurveyAudience] = mapped_column(enum_column_type(SurveyAudience, "survey_audience"),
                                                     default=SurveyAudience.BOTH)
    anonymous: Mapped[bool] = mapped_column(default=False, server_default=false())
    state: Mapped[SurveyState] = mapped_column(enum_column_type(SurveyState, "survey_state"),
                                               default=SurveyState.DRAFT, server_default=SurveyState.DRAFT.value)
    intro_zh: Mapped[str] = mapped_column(Text, default="")
    intro_en: Mapped[str] = mapped_column(Text, default="")
    reminder_days: Mapped[int] = mapped_column(default=3, server_default="3")  # after the invitation
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()
    questions: Mapped[list[SurveyQuestion]] = relationship(
        back_populates="survey", cascade="all, delete-orphan",
        order_by="(SurveyQuestion.position, SurveyQuestion.id)")

    def asks(self, respondent: Respondent) -> bool:
        return self.audience == SurveyAudience.BOTH or self.audience.value == f"{respondent.value}s"


class SurveyQuestion(QuestionColumns, db.Model):
    """A question of the survey: the registration questions' columns, with the survey's own kinds."""

    __tablename__ = "survey_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    kind: Mapped[SurveyQuestionKind] = mapped_column(enum_column_type(SurveyQuestionKind, "survey_question_kind"))
    audience: Mapped[QuestionAudience] = mapped_column(
        enum_column_type(QuestionAudience, "survey_question_audience"), default=QuestionAudience.EVERYONE,
        server_default=QuestionAudience.EVERYONE.value)

    survey: Mapped[Survey] = relationship(back_populates="questions")

    def asked_of(self, respondent: Respondent) -> bool:
        return self.audience == QuestionAudience.EVERYONE or self.audience.value == f"{respondent.value}s"


class SurveyInvitation(db.Model):
    """One person asked to answer: sent once (the unique key keeps two schedulers from asking twice),
    reminded at most once, answered at most once. For employers, the booth they answer for."""

    __tablename__ = "survey_invitation"
    __table_args__ = (
        UniqueConstraint("survey_id", "user_id", name="uq_survey_invitation_survey_user"),
        CheckConstraint("answered OR answered_at IS NULL", name="answered_at_only_answered"),
        CheckConstraint("(respondent = 'employer') = (booth_id IS NOT NULL)", name="employer_has_booth"),
        # The reminder job looks for sent, unanswered, unreminded invitations.
        Index("ix_survey_invitation_survey_answered_reminded", "survey_id", "answered", "reminded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    respondent: Mapped[Respondent] = mapped_column(enum_column_type(Respondent, "survey_respondent"))
    booth_id: Mapped[int | None] = mapped_column(ForeignKey("booth.id", ondelete="CASCADE"), index=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered: Mapped[bool] = mapped_column(default=False, server_default=false())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # left empty in anonymous surveys

    survey: Mapped[Survey] = relationship()
    user: Mapped[User] = relationship()
    booth: Mapped[Booth | None] = relationship()


class SurveyResponse(db.Model):
    """One person's answers. In an anonymous survey ``user_id`` is empty and ``submitted_at`` is the day."""

    __tablename__ = "survey_response"
    __table_args__ = (
        UniqueConstraint("survey_id", "user_id", name="uq_survey_response_survey_user"),
        Index("ix_survey_response_survey_respondent", "survey_id", "respondent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    respondent: Mapped[Respondent] = mapped_column(enum_column_type(Respondent, "survey_respondent"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    answers: Mapped[list[SurveyAnswer]] = relationship(back_populates="response", cascade="all, delete-orphan")
    user: Mapped[User | None] = relationship()


class SurveyAnswer(db.Model):
    """An answer to one question: text (choices of a multiple-choice answer one per line) and, for the
    scales, the number, so that averages are sums in SQL."""

    __tablename__ = "survey_answer"
    __table_args__ = (
        UniqueConstraint("response_id", "question_id", name="uq_survey_answer_response_question"),
        CheckConstraint("number IS NULL OR number BETWEEN 0 AND 10", name="number_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("survey_response.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_question.id", ondelete="CASCADE"), index=True)
    value: Mapped[str] = mapped_column(Text, default="")
    number: Mapped[int | None] = mapped_column()

    response: Mapped[SurveyResponse] = relationship(back_populates="answers")
    question: Mapped[SurveyQuestion] = relationship()


class BoothOutcome(db.Model):
    """What came of a booth at an event, as its staff reported it in the survey: how many candidates were
    interviewed, how many were offered a job, how many were hired. Never anonymous (it names the booth).
    The named candidates (``OutcomeCandidate``) are among these numbers."""

    __tablename__ = "booth_outcome"
    __table_args__ = (
        CheckConstraint("interviewed >= 0 AND offers >= 0 AND hires >= 0", name="not_negative"),
        CheckConstraint("hires <= offers", name="hires_within_offers"),
        Index("ix_booth_outcome_event", "event_id"),
    )

    booth_id: Mapped[int] = mapped_column(ForeignKey("booth.id", ondelete="CASCADE"), primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    interviewed: Mapped[int] = mapped_column(default=0, server_default="0")
    offers: Mapped[int] = mapped_column(default=0, server_default="0")
    hires: Mapped[int] = mapped_column(default=0, server_default="0")
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    booth: Mapped[Booth] = relationship()
    candidates: Mapped[list[OutcomeCandidate]] = relationship(
        primaryjoin="BoothOutcome.booth_id == foreign(OutcomeCandidate.booth_id)", viewonly=True,
        order_by="OutcomeCandidate.candidate_id")


class OutcomeCandidate(db.Model):
    """A candidate the booth named in its outcomes (one of its leads or interviews, who consented to be
    seen by employers): interviewed, offered a job, hired. ``interview_id`` ties an offer to a match."""

    __tablename__ = "outcome_candidate"
    __table_args__ = (
        CheckConstraint("NOT hired OR offered", name="hired_was_offered"),
        CheckConstraint("interviewed OR offered OR hired", name="some_outcome"),
        Index("ix_outcome_candidate_event", "event_id"),
        Index("ix_outcome_candidate_candidate", "candidate_id"),
    )

    booth_id: Mapped[int] = mapped_column(ForeignKey("booth.id", ondelete="CASCADE"), primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    interview_id: Mapped[int | None] = mapped_column(ForeignKey("interview.id", ondelete="SET NULL"), index=True)
    interviewed: Mapped[bool] = mapped_column(default=False, server_default=false())
    offered: Mapped[bool] = mapped_column(default=False, server_default=false())
    hired: Mapped[bool] = mapped_column(default=False, server_default=false())

    candidate: Mapped[User] = relationship()
