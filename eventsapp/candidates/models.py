from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsapp.dbtypes import UTCDateTime, utcnow
from eventsapp.events.models import enum_column_type
from eventsapp.extensions import db


class Degree(enum.StrEnum):
    VOCATIONAL = "vocational"
    ASSOCIATE = "associate"
    BACHELOR = "bachelor"
    MASTER = "master"
    PHD = "phd"
    POSTDOC = "postdoc"
    OTHER = "other"


class TalentClass(enum.StrEnum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"
    F = "F"


class CandidateProfile(db.Model):
    """What a candidate tells about themself; one per candidate account."""

    __tablename__ = "candidate_profile"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    name_latin: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")  # E.164, e.g. +8613800138000
    birth_year: Mapped[int | None] = mapped_column()
    degree: Mapped[Degree | None] = mapped_column(enum_column_type(Degree, "degree"), index=True)
    school: Mapped[str] = mapped_column(String(200), default="")
    major: Mapped[str] = mapped_column(String(200), default="")
    graduation_year: Mapped[int | None] = mapped_column(index=True)
    talent_class: Mapped[TalentClass | None] = mapped_column(enum_column_type(TalentClass, "talent_class"), index=True)
    city: Mapped[str] = mapped_column(String(100), default="")

    resume_storage_name: Mapped[str | None] = mapped_column(String(64))
    resume_filename: Mapped[str | None] = mapped_column(String(200))
    resume_size: Mapped[int | None] = mapped_column()
    resume_uploaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # PIPL-style separate consent: off until the candidate turns it on.
    show_to_employers: Mapped[bool] = mapped_column(default=False, server_default=false())
    consent_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    skills: Mapped[list[CandidateSkill]] = relationship(
        back_populates="profile", cascade="all, delete-orphan", order_by="CandidateSkill.id")

    @property
    def skill_names(self) -> list[str]:
        return [skill.name for skill in self.skills]


class CandidateSkill(db.Model):
    __tablename__ = "candidate_skill"
    __table_args__ = (UniqueConstraint("user_id", "name", name="uq_candidate_skill_user_id_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("candidate_profile.user_id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(40), index=True)

    profile: Mapped[CandidateProfile] = relationship(back_populates="skills")
