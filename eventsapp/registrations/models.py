from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsapp.accounts.models import User
from eventsapp.candidates.models import CandidateProfile
from eventsapp.dbtypes import UTCDateTime, enum_column_type, utcnow
from eventsapp.events.models import Event
from eventsapp.extensions import db


class RegistrationStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for an organizer's approval; holds no place
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    REJECTED = "rejected"


ACTIVE_STATUSES = (RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)


class Registration(db.Model):
    """One person at one event. Cancelling and registering again reuses the row, so nobody is there twice."""

    __tablename__ = "registration"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id", name="uq_registration_event_id_user_id"),
        Index("ix_registration_event_status_queued", "event_id", "status", "queued_at"),
        # Employers browse an event's confirmed registrants by person.
        Index("ix_registration_event_status_user", "event_id", "status", "user_id"),
        # Only a confirmed place can have been attended: ending a registration clears it.
        CheckConstraint("attended_at IS NULL OR status = 'confirmed'", name="attended_only_confirmed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    status: Mapped[RegistrationStatus] = mapped_column(enum_column_type(RegistrationStatus, "registration_status"))
    # Order on the waiting list: when the person (last) asked for a place.
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str] = mapped_column(String(500), default="")

    event: Mapped[Event] = relationship()
    user: Mapped[User] = relationship()
    # The person's profile, for organizers' lists (read only; absent for accounts without one).
    profile: Mapped[CandidateProfile | None] = relationship(
        primaryjoin="foreign(Registration.user_id) == CandidateProfile.user_id", viewonly=True, uselist=False)
    answers: Mapped[list[RegistrationAnswer]] = relationship(
        back_populates="registration", cascade="all, delete-orphan", order_by="RegistrationAnswer.question_id")

    @property
    def attended(self) -> bool:
        return self.status == RegistrationStatus.CONFIRMED and self.attended_at is not None


class QuestionKind(enum.StrEnum):
    SHORT_TEXT = "short_text"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    YES_NO = "yes_no"


class QuestionColumns:
    """What a question on a form is (its kind, its words in both languages, its choices, whether it must be
    answered, its place): the registration questions and a contest's entry-form questions alike."""

    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[QuestionKind] = mapped_column(enum_column_type(QuestionKind, "question_kind"))
    label_zh: Mapped[str] = mapped_column(String(300), default="")
    label_en: Mapped[str] = mapped_column(String(300), default="")
    options_text: Mapped[str] = mapped_column(Text, default="")  # one choice per line
    required: Mapped[bool] = mapped_column(default=False, server_default=false())

    @property
    def options(self) -> list[str]:
        return [line.strip() for line in self.options_text.splitlines() if line.strip()]


class RegistrationQuestion(QuestionColumns, db.Model):
    """A question the organizer asks everyone who registers for an event."""

    __tablename__ = "registration_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)


class RegistrationAnswer(db.Model):
    __tablename__ = "registration_answer"
    __table_args__ = (UniqueConstraint("registration_id", "question_id", name="uq_registration_answer_reg_question"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("registration_question.id", ondelete="CASCADE"), index=True)
    value: Mapped[str] = mapped_column(Text, default="")  # choices of a multiple-choice answer: one per line

    registration: Mapped[Registration] = relationship(back_populates="answers")
    question: Mapped[RegistrationQuestion] = relationship()


class RegistrationLog(db.Model):
    """Every change of a registration's status: who, when, why."""

    __tablename__ = "registration_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str] = mapped_column(String(20), default="")
    to_status: Mapped[str] = mapped_column(String(20), default="")
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship()


class EventPlaceCount(db.Model):
    """How many people hold a confirmed place at an event, and how many wait for one.

    Kept by triggers on ``registration`` (see the migration "one event's places counted in one row"), in the
    same transaction as the change, whatever makes it: a registration, a cancellation, a promotion, an
    organizer's decision, an account or event deleted, a bulk statement. Registering locks the event and this
    row in one statement and reads these two numbers instead of counting the event's registrations, so the
    lock is held for the same short time at the 100th registration and the 100,000th. Every event has its row
    from the start: a trigger on ``event`` inserts it (migration "every event gets its counts row")."""

    __tablename__ = "event_place_count"
    __table_args__ = (
        CheckConstraint("confirmed >= 0", name="confirmed_not_negative"),
        CheckConstraint("waitlisted >= 0", name="waitlisted_not_negative"),
    )

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), primary_key=True)
    confirmed: Mapped[int] = mapped_column(default=0, server_default="0")
    waitlisted: Mapped[int] = mapped_column(default=0, server_default="0")
