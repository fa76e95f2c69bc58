"""Matching in the product: the organizer's settings for a fair, candidates' ranked booths,
booths' exclusions, and every run of the engine with what it decided."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsapp.accounts.models import User
from eventsapp.booths.models import Booth
from eventsapp.dbtypes import UTCDateTime, enum_column_type, utcnow
from eventsapp.events.models import Event
from eventsapp.extensions import db


class MatchingRound(db.Model):
    """An event's matching settings: open for preferences until the deadline, then runs."""

    __tablename__ = "matching_round"
    __table_args__ = (
        CheckConstraint("max_ranked BETWEEN 1 AND 50", name="max_ranked_range"),
        CheckConstraint("interviews_per_candidate BETWEEN 1 AND 20", name="interviews_range"),
        CheckConstraint("slot_minutes BETWEEN 5 AND 240", name="slot_minutes_range"),
        CheckConstraint("interviews_end_at > interviews_start_at", name="interview_hours"),
    )

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), primary_key=True)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)  # candidates rank booths until then
    max_ranked: Mapped[int] = mapped_column(default=10)
    interviews_per_candidate: Mapped[int] = mapped_column(default=3)
    slot_minutes: Mapped[int] = mapped_column(default=30)
    interviews_start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    interviews_end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The fit score's weights, shown to employers: {"degree": 3, "major": 2, ...} as JSON.
    weights_json: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()


class CandidateChoice(db.Model):
    """A booth a candidate wants to meet, with its place in their list (1 = most wanted)."""

    __tablename__ = "candidate_choice"
    __table_args__ = (
        UniqueConstraint("event_id", "candidate_id", "booth_id", name="uq_candidate_choice_event_candidate_booth"),
        CheckConstraint("position >= 1", name="position_positive"),
        Index("ix_candidate_choice_event_candidate", "event_id", "candidate_id", "position"),
        Index("ix_candidate_choice_booth", "booth_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    candidate_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    booth_id: Mapped[int] = mapped_column(ForeignKey("booth.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    booth: Mapped[Booth] = relationship()


class BoothExclusion(db.Model):
    """A candidate the employer marked as not acceptable for its booth."""

    __tablename__ = "booth_exclusion"

    booth_id: Mapped[int] = mapped_column(ForeignKey("booth.id", ondelete="CASCADE"), primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RunStatus(enum.StrEnum):
    DRAFT = "draft"  # computed, seen by organizers only
    PUBLISHED = "published"  # candidates and employers see their interviews
    SUPERSEDED = "superseded"  # an earlier published run


class MatchRun(db.Model):
    """One run of the engine, kept for good: its seed and inputs make it reproducible and auditable."""

    __tablename__ = "match_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    seed: Mapped[int] = mapped_column(BigInteger)  # the lottery that breaks ties
    status: Mapped[RunStatus] = mapped_column(enum_column_type(RunStatus, "run_status"), default=RunStatus.DRAFT)
    slots: Mapped[int] = mapped_column(default=0)
    inputs_summary: Mapped[str] = mapped_column(Text, default="{}")  # JSON: counts, settings, weights
    results_summary: Mapped[str] = mapped_column(Text, default="{}")  # JSON: shares, fill per booth
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by: Mapped[User | None] = relationship()


class MatchRunBooth(db.Model):
    """A booth as the run saw it: its full ranking of candidates and its capacity (for explanations)."""

    __tablename__ = "match_run_booth"

    run_id: Mapped[int] = mapped_column(ForeignKey("match_run.id", ondelete="CASCADE"), primary_key=True)
    booth_id: Mapped[int] = mapped_column(ForeignKey("booth.id", ondelete="CASCADE"), primary_key=True)
    capacity: Mapped[int] = mapped_column()
    interviewers: Mapped[int] = mapped_column()
    ranking_json: Mapped[str] = mapped_column(Text)  # candidate ids, best first


class MatchRunCandidate(db.Model):
    """A candidate's ranked booths as the run saw them."""

    __tablename__ = "match_run_candidate"

    run_id: Mapped[int] = mapped_column(ForeignKey("match_run.id", ondelete="CASCADE"), primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    choices_json: Mapped[str] = mapped_column(Text)  # booth ids, most wanted first


class CancelReason(enum.StrEnum):
    """Why an interview of a published schedule will not take place."""

    REGISTRATION = "registration"  # the candidate's registration ended
    BOOTH = "booth"  # the booth was withdrawn or rejected


class Interview(db.Model):
    """A matched pair with its time: the schedule of a run. Whether it still takes place is
    matchmaking.interviews.is_live / live_interview_condition (not cancelled, its booth active)."""

    __tablename__ = "interview"
    __table_args__ = (
        CheckConstraint("(cancelled_at IS NULL) = (cancel_reason IS NULL)", name="cancelled_with_reason"),
        UniqueConstraint("run_id", "candidate_id", "booth_id", name="uq_interview_run_candidate_booth"),
        Index("ix_interview_run_booth_slot", "run_id", "booth_id", "slot"),
        Index("ix_interview_candidate", "candidate_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("match_run.id", ondelete="CASCADE"))
    candidate_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    booth_id: Mapped[int] = mapped_column(ForeignKey("booth.id", ondelete="CASCADE"))
    slot: Mapped[int] = mapped_column()
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    choice_position: Mapped[int] = mapped_column()  # where the candidate ranked the booth (1 = first)
    # Set when the candidate's registration ended after the run, or the booth was withdrawn or rejected
    # (cancel_reason says which): the interview is kept for the history and the calendars (which show it
    # cancelled), and leaves every list.
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[CancelReason | None] = mapped_column(enum_column_type(CancelReason, "cancel_reason"))

    booth: Mapped[Booth] = relationship()
    candidate: Mapped[User] = relationship()
