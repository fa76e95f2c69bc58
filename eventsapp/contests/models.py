"""A contest's tables: one ``Contest`` per competition event and everything hanging from it.

Entries and teams: ``Track``, ``ContestGroup``, ``Round``, ``ContestQuestion``, ``Entry`` (with its
``EntryAnswer`` rows, its ``TeamMember`` rows and its ``TeamInvitation`` rows) and ``EntryRound`` (an
entry's standing in one round). Judging: ``ContestJudge``, ``Panel`` and ``PanelMember``,
``ConflictOfInterest``, ``ReviewAssignment``, ``RubricCriterion``, ``ScoreSheet`` with its
``ScoreSheetHistory``, ``PitchSlot`` and ``Award``; the leaderboard's stored ranking, ``Ranking`` with its
``RankingPart`` rows (``eventsapp.reviews.standings``). docs/contests.md describes them and their rules.
"""
from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Double,
    ForeignKey,
    Index,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsapp.accounts.models import User
from eventsapp.dbtypes import UTCDateTime, enum_column_type, utcnow
from eventsapp.events.models import Event
from eventsapp.extensions import db
from eventsapp.registrations.models import QuestionColumns

# An entry's title and a track's name are required in at least one of the two languages.
HAS_NAME = "name_zh <> '' OR name_en <> ''"


class RoundKind(enum.StrEnum):
    ONLINE_REVIEW = "online_review"  # judges score decks and videos at home
    ROADSHOW = "roadshow"  # teams pitch to panels, room by room (semi-final)
    FINAL = "final"  # the live final


class RoundState(enum.StrEnum):
    PLANNED = "planned"  # not started: no judging yet
    OPEN = "open"  # judges score; sheets may change
    CLOSED = "closed"  # scores are final


class Aggregation(enum.StrEnum):
    """How a round's sheets become one score per entry (eventsapp.judging.aggregate's ``method``)."""
    MEAN = "mean"
    TRIMMED = "trimmed"
    ZSCORE = "zscore"


class EntryState(enum.StrEnum):
    DRAFT = "draft"  # the team is still writing it; judges never see it
    SUBMITTED = "submitted"  # in the contest; the team may still edit it until the entry deadline
    WITHDRAWN = "withdrawn"  # the team took it back; kept for the record


class EntryRoundStatus(enum.StrEnum):
    ENTERED = "entered"  # competing in the round
    ADVANCED = "advanced"  # promoted to the next round
    ELIMINATED = "eliminated"  # stopped here


class TeamRole(enum.StrEnum):
    LEADER = "leader"
    MEMBER = "member"


class ConflictSource(enum.StrEnum):
    DECLARED = "declared"  # by the judge
    DETECTED = "detected"  # same organization or school, or the same e-mail domain


class SheetState(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class AssignedBy(enum.StrEnum):
    ENGINE = "engine"  # eventsapp.judging.assign_reviews
    HAND = "hand"  # an organizer's change afterwards


class Contest(db.Model):
    """What makes a competition event a contest: the entry window, the team's size and the rules."""

    __tablename__ = "contest"
    __table_args__ = (
        CheckConstraint("entries_close_at > entries_open_at", name="entries_close_after_open"),
        CheckConstraint("team_min >= 1 AND team_max >= team_min AND team_max <= 50", name="team_size_range"),
        CheckConstraint("leader_max_age IS NULL OR leader_max_age BETWEEN 16 AND 100", name="leader_max_age_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), unique=True)
    entries_open_at: Mapped[datetime] = mapped_column(UTCDateTime)
    entries_close_at: Mapped[datetime] = mapped_column(UTCDateTime)
    team_min: Mapped[int] = mapped_column(default=1, server_default="1")  # the leader counts
    team_max: Mapped[int] = mapped_column(default=5, server_default="5")
    # Eligibility, explained before anyone enters: the leader's age (from the birth year on their profile)
    # and overseas study or work experience, which the leader declares on the entry.
    leader_max_age: Mapped[int | None] = mapped_column()
    requires_overseas_experience: Mapped[bool] = mapped_column(default=False, server_default=false())
    rules_zh: Mapped[str] = mapped_column(Text, default="", server_default="")
    rules_en: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Whether teams see their scores and the judges' comments once results are published.
    share_scores_with_teams: Mapped[bool] = mapped_column(default=False, server_default=false())
    results_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()
    tracks: Mapped[list[Track]] = relationship(back_populates="contest", order_by="(Track.position, Track.id)")
    groups: Mapped[list[ContestGroup]] = relationship(
        back_populates="contest", order_by="(ContestGroup.position, ContestGroup.id)")
    rounds: Mapped[list[Round]] = relationship(back_populates="contest", order_by="Round.position")
    questions: Mapped[list[ContestQuestion]] = relationship(
        order_by="(ContestQuestion.position, ContestQuestion.id)", viewonly=True)


class Track(db.Model):
    """A 赛道: entries compete, are judged and win within their track."""

    __tablename__ = "contest_track"
    __table_args__ = (CheckConstraint(HAS_NAME, name="has_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name_zh: Mapped[str] = mapped_column(String(100), default="")
    name_en: Mapped[str] = mapped_column(String(100), default="")

    contest: Mapped[Contest] = relationship(back_populates="tracks")


class ContestGroup(db.Model):
    """An optional group across tracks, e.g. 初创组 / 成长组 (start-ups, growth companies)."""

    __tablename__ = "contest_group"
    __table_args__ = (CheckConstraint(HAS_NAME, name="has_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name_zh: Mapped[str] = mapped_column(String(100), default="")
    name_en: Mapped[str] = mapped_column(String(100), default="")

    contest: Mapped[Contest] = relationship(back_populates="groups")


class Round(db.Model):
    """One stage of the contest, in order: online review, roadshow (semi-final), final."""

    __tablename__ = "contest_round"
    __table_args__ = (
        UniqueConstraint("contest_id", "position", name="uq_contest_round_contest_id_position"),
        CheckConstraint(HAS_NAME, name="has_name"),
        CheckConstraint("position >= 1", name="position_positive"),
        CheckConstraint("ends_at IS NULL OR starts_at IS NULL OR ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("reviews_per_entry >= 1", name="reviews_per_entry_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column()  # 1 for the first round
    name_zh: Mapped[str] = mapped_column(String(100), default="")
    name_en: Mapped[str] = mapped_column(String(100), default="")
    kind: Mapped[RoundKind] = mapped_column(enum_column_type(RoundKind, "contest_round_kind"))
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Blind: judges see no team names, schools or organizations.
    blind: Mapped[bool] = mapped_column(default=False, server_default=false())
    aggregation: Mapped[Aggregation] = mapped_column(enum_column_type(Aggregation, "contest_aggregation"),
                                                     default=Aggregation.MEAN, server_default=Aggregation.MEAN.value)
    state: Mapped[RoundState] = mapped_column(enum_column_type(RoundState, "contest_round_state"),
                                              default=RoundState.PLANNED, server_default=RoundState.PLANNED.value)
    reviews_per_entry: Mapped[int] = mapped_column(default=3, server_default="3")

    contest: Mapped[Contest] = relationship(back_populates="rounds")


class ContestQuestion(QuestionColumns, db.Model):
    """A question on the entry form, of the same kinds as the registration questions."""

    __tablename__ = "contest_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"), index=True)


class Entry(db.Model):
    """A team's project in the contest."""

    __tablename__ = "contest_entry"
    __table_args__ = (
        CheckConstraint("title_zh <> '' OR title_en <> ''", name="has_title"),
        CheckConstraint("(state = 'draft') = (submitted_at IS NULL)", name="submitted_at_iff_not_draft"),
        CheckConstraint("(state = 'withdrawn') = (withdrawn_at IS NOT NULL)", name="withdrawn_at_iff_withdrawn"),
        # The organizer's list filters by state and track.
        Index("ix_contest_entry_contest_state_track", "contest_id", "state", "track_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"))
    # A track or group that still has entries cannot be deleted.
    track_id: Mapped[int] = mapped_column(ForeignKey("contest_track.id", ondelete="RESTRICT"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("contest_group.id", ondelete="RESTRICT"), index=True)
    title_zh: Mapped[str] = mapped_column(String(200), default="")
    title_en: Mapped[str] = mapped_column(String(200), default="")
    summary_zh: Mapped[str] = mapped_column(Text, default="")
    summary_en: Mapped[str] = mapped_column(Text, default="")
    video_url: Mapped[str] = mapped_column(String(500), default="")
    organization_name: Mapped[str] = mapped_column(String(200), default="")
    # GB 32100 unified social credit code, normalized; empty when not given.
    organization_credit_code: Mapped[str] = mapped_column(String(18), default="")
    overseas_experience: Mapped[str] = mapped_column(String(500), default="")  # declared by the leader

    deck_storage_name: Mapped[str | None] = mapped_column(String(64))
    deck_filename: Mapped[str | None] = mapped_column(String(200))
    deck_size: Mapped[int | None] = mapped_column()
    deck_pages: Mapped[int | None] = mapped_column()
    deck_uploaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    state: Mapped[EntryState] = mapped_column(enum_column_type(EntryState, "contest_entry_state"),
                                              default=EntryState.DRAFT)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    contest: Mapped[Contest] = relationship()
    track: Mapped[Track] = relationship()
    group: Mapped[ContestGroup | None] = relationship()
    members: Mapped[list[TeamMember]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="(TeamMember.role, TeamMember.id)")
    invitations: Mapped[list[TeamInvitation]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="TeamInvitation.id")
    answers: Mapped[list[EntryAnswer]] = relationship(
        cascade="all, delete-orphan", order_by="EntryAnswer.question_id")
    round_statuses: Mapped[list[EntryRound]] = relationship(cascade="all, delete-orphan")

    @property
    def leader(self) -> TeamMember | None:
        return next((member for member in self.members if member.role == TeamRole.LEADER), None)


class EntryAnswer(db.Model):
    __tablename__ = "contest_entry_answer"
    __table_args__ = (UniqueConstraint("entry_id", "question_id", name="uq_contest_entry_answer_entry_question"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("contest_entry.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("contest_question.id", ondelete="CASCADE"), index=True)
    value: Mapped[str] = mapped_column(Text, default="")  # choices of a multiple-choice answer: one per line

    question: Mapped[ContestQuestion] = relationship()


class EntryRound(db.Model):
    """An entry's standing in one round. A submitted entry without a row for the first round is in it."""

    __tablename__ = "contest_entry_round"
    __table_args__ = (
        UniqueConstraint("entry_id", "round_id", name="uq_contest_entry_round_entry_round"),
        Index("ix_contest_entry_round_round_status", "round_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("contest_entry.id", ondelete="CASCADE"))
    round_id: Mapped[int] = mapped_column(ForeignKey("contest_round.id", ondelete="CASCADE"))
    status: Mapped[EntryRoundStatus] = mapped_column(enum_column_type(EntryRoundStatus, "contest_entry_round_status"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    round: Mapped[Round] = relationship()


class TeamMember(db.Model):
    """A person on an entry's team: its leader (who created it), or a member who accepted an invitation."""

    __tablename__ = "contest_team_member"
    __table_args__ = (
        UniqueConstraint("entry_id", "user_id", name="uq_contest_team_member_entry_user"),
        # One leader per entry.
        Index("uq_contest_team_member_one_leader", "entry_id", unique=True,
              sqlite_where=text("role = 'leader'"), postgresql_where=text("role = 'leader'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("contest_entry.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    role: Mapped[TeamRole] = mapped_column(enum_column_type(TeamRole, "contest_team_role"))
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entry: Mapped[Entry] = relationship(back_populates="members")
    user: Mapped[User] = relationship()


class TeamInvitation(db.Model):
    """The leader's invitation to join the team, sent by e-mail; only the token's digest is kept."""

    __tablename__ = "contest_team_invitation"
    __table_args__ = (
        # One open invitation per address and entry.
        Index("uq_contest_team_invitation_open", "entry_id", "email", unique=True,
              sqlite_where=text("accepted_at IS NULL AND revoked_at IS NULL"),
              postgresql_where=text("accepted_at IS NULL AND revoked_at IS NULL")),
        CheckConstraint("accepted_at IS NULL OR revoked_at IS NULL", name="accepted_or_revoked"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("contest_entry.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254), index=True)  # lower-cased
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # withdrawn by the leader or declined

    entry: Mapped[Entry] = relationship(back_populates="invitations")

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None


class ContestJudge(db.Model):
    """A judge of one contest: invited by e-mail, an account once they accept. Their organization and school
    are what conflicts of interest are detected from."""

    __tablename__ = "contest_judge"
    __table_args__ = (
        UniqueConstraint("contest_id", "email", name="uq_contest_judge_contest_email"),
        Index("uq_contest_judge_contest_user", "contest_id", "user_id", unique=True,
              sqlite_where=text("user_id IS NOT NULL"), postgresql_where=text("user_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))  # lower-cased
    name: Mapped[str] = mapped_column(String(100), default="")
    organization: Mapped[str] = mapped_column(String(200), default="")
    school: Mapped[str] = mapped_column(String(200), default="")
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    max_load: Mapped[int | None] = mapped_column()  # entries per round; None: no limit of their own

    user: Mapped[User | None] = relationship()


class Panel(db.Model):
    """Judges who judge one track (or every track) in one round; at a roadshow, a room's panel."""

    __tablename__ = "contest_panel"
    __table_args__ = (Index("ix_contest_panel_round_track", "round_id", "track_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("contest_round.id", ondelete="CASCADE"))
    track_id: Mapped[int | None] = mapped_column(ForeignKey("contest_track.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    room: Mapped[str] = mapped_column(String(100), default="")

    members: Mapped[list[PanelMember]] = relationship(cascade="all, delete-orphan")


class PanelMember(db.Model):
    __tablename__ = "contest_panel_member"
    __table_args__ = (UniqueConstraint("panel_id", "judge_id", name="uq_contest_panel_member_panel_judge"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("contest_panel.id", ondelete="CASCADE"))
    judge_id: Mapped[int] = mapped_column(ForeignKey("contest_judge.id", ondelete="CASCADE"), index=True)

    judge: Mapped[ContestJudge] = relationship()


class ConflictOfInterest(db.Model):
    """A judge who must never judge an entry, nor open it."""

    __tablename__ = "contest_conflict"
    __table_args__ = (UniqueConstraint("judge_id", "entry_id", name="uq_contest_conflict_judge_entry"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("contest_judge.id", ondelete="CASCADE"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("contest_entry.id", ondelete="CASCADE"), index=True)
    source: Mapped[ConflictSource] = mapped_column(enum_column_type(ConflictSource, "contest_conflict_source"))
    reason: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReviewAssignment(db.Model):
    """A judge assigned to review an entry in a round."""

    __tablename__ = "contest_review_assignment"
    __table_args__ = (
        UniqueConstraint("round_id", "judge_id", "entry_id", name="uq_contest_review_assignment_round_judge_entry"),
        Index("ix_contest_review_assignment_round_entry", "round_id", "entry_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("contest_round.id", ondelete="CASCADE"))
    judge_id: Mapped[int] = mapped_column(ForeignKey("contest_judge.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("contest_entry.id", ondelete="CASCADE"), index=True)
    assigned_by: Mapped[AssignedBy] = mapped_column(enum_column_type(AssignedBy, "contest_assigned_by"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RubricCriterion(db.Model):
    """One line of a round's rubric: a sheet's total is 100 * Σ weight·points/max_points / Σ weight."""

    __tablename__ = "contest_rubric_criterion"
    __table_args__ = (
        CheckConstraint("weight >= 0", name="weight_not_negative"),
        CheckConstraint("max_points > 0", name="max_points_positive"),
        CheckConstraint(HAS_NAME, name="has_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("contest_round.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name_zh: Mapped[str] = mapped_column(String(100), default="")
    name_en: Mapped[str] = mapped_column(String(100), default="")
    description_zh: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=Decimal(1))
    max_points: Mapped[int] = mapped_column(default=10)
    comment_required: Mapped[bool] = mapped_column(default=False, server_default=false())


class ScoreSheet(db.Model):
    """A judge's scores for one entry in one round: ``points`` and ``comments`` map a criterion's id (as
    text, JSON's keys) to the points given and the comment written. Every change adds a history row."""

    __tablename__ = "contest_score_sheet"
    __table_args__ = (
        UniqueConstraint("round_id", "judge_id", "entry_id", name="uq_contest_score_sheet_round_judge_entry"),
        Index("ix_contest_score_sheet_round_entry_state", "round_id", "entry_id", "state"),
        CheckConstraint("(state = 'submitted') = (submitted_at IS NOT NULL)", name="submitted_at_iff_submitted"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("contest_round.id", ondelete="CASCADE"))
    judge_id: Mapped[int] = mapped_column(ForeignKey("contest_judge.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("contest_entry.id", ondelete="CASCADE"), index=True)
    state: Mapped[SheetState] = mapped_column(enum_column_type(SheetState, "contest_sheet_state"),
                                              default=SheetState.DRAFT)
    points: Mapped[dict] = mapped_column(JSON, default=dict)
    comments: Mapped[dict] = mapped_column(JSON, default=dict)
    comment: Mapped[str] = mapped_column(Text, default="")  # about the entry as a whole
    version: Mapped[int] = mapped_column()  # raised on every save: two saves at once cannot both win
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A submitted sheet's total on the 0-100 scale (``judging.sheet_total`` on the round's rubric), written
    # with its points (``reviews.standings``); None for a draft, for points the rubric cannot score, and
    # after the rubric changed: the leaderboard then adds the points up itself.
    total: Mapped[float | None] = mapped_column(Double)

    __mapper_args__ = {"version_id_col": version}


class ScoreSheetHistory(db.Model):
    """A score sheet as it was saved, once per save."""

    __tablename__ = "contest_score_sheet_history"
    __table_args__ = (UniqueConstraint("sheet_id", "version", name="uq_contest_score_sheet_history_sheet_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("contest_score_sheet.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column()
    state: Mapped[SheetState] = mapped_column(enum_column_type(SheetState, "contest_sheet_state"))
    points: Mapped[dict] = mapped_column(JSON, default=dict)
    comments: Mapped[dict] = mapped_column(JSON, default=dict)
    comment: Mapped[str] = mapped_column(Text, default="")
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


SLOT_LIVE = "cancelled_at IS NULL"


class PitchSlot(db.Model):
    """A time in a room at a roadshow or final, for one entry (or still free), in running order. A removed
    slot is kept, cancelled, so the team's calendar is told (STATUS:CANCELLED); only live slots hold their
    room's time and their entry."""

    __tablename__ = "contest_pitch_slot"
    __table_args__ = (
        Index("uq_contest_pitch_slot_round_room_start", "round_id", "room", "starts_at", unique=True,
              sqlite_where=text(SLOT_LIVE), postgresql_where=text(SLOT_LIVE)),
        Index("uq_contest_pitch_slot_round_entry", "round_id", "entry_id", unique=True,
              sqlite_where=text(f"entry_id IS NOT NULL AND {SLOT_LIVE}"),
              postgresql_where=text(f"entry_id IS NOT NULL AND {SLOT_LIVE}")),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("contest_round.id", ondelete="CASCADE"))
    panel_id: Mapped[int | None] = mapped_column(ForeignKey("contest_panel.id", ondelete="SET NULL"), index=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("contest_entry.id", ondelete="SET NULL"), index=True)
    room: Mapped[str] = mapped_column(String(100), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Raised by every change of the slot (time, room, entry): the calendar entry's SEQUENCE.
    sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # removed by the organizer

    entry: Mapped[Entry | None] = relationship()
    panel: Mapped[Panel | None] = relationship()


class Award(db.Model):
    """A prize given to an entry: its name, rank and amount (yuan), in its track or the whole contest."""

    __tablename__ = "contest_award"
    __table_args__ = (
        UniqueConstraint("contest_id", "entry_id", "name_zh", "name_en", name="uq_contest_award_contest_entry_name"),
        CheckConstraint("prize_amount >= 0", name="prize_not_negative"),
        CheckConstraint(HAS_NAME, name="has_name"),
        Index("ix_contest_award_contest_track_rank", "contest_id", "track_id", "rank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"))
    track_id: Mapped[int | None] = mapped_column(ForeignKey("contest_track.id", ondelete="CASCADE"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("contest_entry.id", ondelete="CASCADE"), index=True)
    name_zh: Mapped[str] = mapped_column(String(100), default="")
    name_en: Mapped[str] = mapped_column(String(100), default="")
    rank: Mapped[int] = mapped_column(default=1)
    prize_amount: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal(0))

    entry: Mapped[Entry] = relationship()
    track: Mapped[Track | None] = relationship()


class Ranking(db.Model):
    """A round's ranking as last computed, shared by every web process: for the whole round (scope 0) or
    one track (scope = its id), by the round's method, with the key of what it was computed from (the
    rubric and a fingerprint of the counted sheets). Its entries are in ``RankingPart`` rows, in ranking
    order.
    Written in the transaction of whatever changes it (a saved sheet, a withdrawal, a conflict, the method:
    ``reviews.leaderboard``); a ranking whose key no longer matches is computed again when read. The
    whole round's row (scope 0) is also the lock that keeps two transactions from ranking it at once."""

    __tablename__ = "contest_ranking"

    round_id: Mapped[int] = mapped_column(ForeignKey("contest_round.id", ondelete="CASCADE"), primary_key=True)
    scope: Mapped[int] = mapped_column(primary_key=True)  # 0: the whole round; otherwise a track's id
    method: Mapped[str] = mapped_column(String(16), default="")  # "" until first computed
    key: Mapped[str] = mapped_column(String(200), default="")
    entries: Mapped[int] = mapped_column(default=0)
    flagged: Mapped[int] = mapped_column(default=0)  # entries with a large spread between judges
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RankingPart(db.Model):
    """A stored ranking's entries, 100 a row (a page of the leaderboard, ``reviews.standings.PART_SIZE``):
    part n holds positions 100 n to 100 n + 99 (0-based, ranking order, ties in the order the entries were
    first scored), packed by ``reviews.standings`` (entry id, rank, score, raw, trimmed, normalised, spread,
    sheets, flagged, and each counted judge's id and total in the order of the sheets; floats as the very
    doubles). A save rewrites the ranking whole: 20 rows for 2,000 entries, where a row per entry cost
    PostgreSQL 2,000 index entries and as many dead rows at every save, and writing 30,000 floats as text
    (JSON) cost more than ranking them. No foreign key to the entries: an entry deleted is a change its
    rounds are ranked again for (``reviews.leaderboard``), and a page shows a missing entry without a title."""

    __tablename__ = "contest_ranking_part"
    __table_args__ = (
        db.ForeignKeyConstraint(["round_id", "scope"], ["contest_ranking.round_id", "contest_ranking.scope"],
                                ondelete="CASCADE"),
    )

    round_id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[int] = mapped_column(primary_key=True)
    part: Mapped[int] = mapped_column(primary_key=True)
    entries: Mapped[bytes] = mapped_column(LargeBinary)
