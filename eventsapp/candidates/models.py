from __future__ import annotations

import enum
from collections import defaultdict
from datetime import datetime
from itertools import chain

from sqlalchemy import (
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    bindparam,
    event,
    false,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.orm import Mapped, Session, attributes, mapped_column, relationship

from eventsapp.dbtypes import UTCDateTime, enum_column_type, utcnow
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
    __table_args__ = (
        # Employers browse only consenting candidates, nearly always by degree and graduation year:
        # this finds them without reading every profile of those years. The condition is written as
        # each database's SQL for `show_to_employers.is_(True)`, so the planners can match it.
        Index("ix_candidate_profile_visible_degree_year", "degree", "graduation_year",
              postgresql_where=text("show_to_employers IS true"), sqlite_where=text("show_to_employers IS 1")),
    )

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

    # What employers' registrant search reads, lower-cased once here rather than in every search (see
    # search_text_of and skill_keys_of); kept in step by _refresh_search_columns below. Deferred: only SQL
    # conditions read them, so loading profiles does not carry them along.
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="", deferred=True)
    skill_keys: Mapped[str] = mapped_column(Text, default="", server_default="", deferred=True)

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


# --- Precomputed search columns -------------------------------------------------------------------

def search_text_of(name: str, name_latin: str, school: str, skills: list[str]) -> str:
    """The name, Latin name, school and each skill on a line of their own, lower-cased: a search word (never
    containing a line break) is in one of them when it is in this text."""
    return "\n".join([name, name_latin, school, *skills]).lower()


def skill_keys_of(skills: list[str]) -> str:
    r"""The skills lower-cased, each between line breaks ("\npython\n英语\n"), so that one LIKE finds a whole tag."""
    return "".join(f"\n{skill}" for skill in skills).lower() + "\n" if skills else ""


_SEARCHED_ATTRIBUTES = ("name", "name_latin", "school", "skills")


def _changed_profile_ids(session: Session) -> set[int]:
    changed = set()
    for thing in chain(session.new, session.dirty, session.deleted):
        state = inspect(thing)
        if isinstance(thing, CandidateSkill):
            changed.add(state.dict.get("user_id"))  # from the dict: a deleted row cannot be loaded again
        elif isinstance(thing, CandidateProfile) and thing not in session.deleted and (
                thing in session.new or any(state.attrs[key].history.has_changes() for key in _SEARCHED_ATTRIBUTES)):
            changed.add(thing.user_id)
    changed.discard(None)
    return changed


@event.listens_for(Session, "after_flush")
def _refresh_search_columns(session: Session, flush_context) -> None:
    """Recompute the search columns of the profiles whose name, school or skills were just written, from the
    written rows: this catches every way of changing them through the ORM (the profile form, a skill added on
    its own, a cascade). Bulk Core inserts must fill the columns themselves (see the benchmarks)."""
    user_ids = _changed_profile_ids(session)
    if not user_ids:
        return
    connection = session.connection()
    skills = defaultdict(list)
    for user_id, name in connection.execute(select(CandidateSkill.user_id, CandidateSkill.name)
                                            .where(CandidateSkill.user_id.in_(user_ids)).order_by(CandidateSkill.id)):
        skills[user_id].append(name)
    rows = [{"key": user_id, "text": search_text_of(name, name_latin, school, skills[user_id]),
             "keys": skill_keys_of(skills[user_id])}
            for user_id, name, name_latin, school in connection.execute(
                select(CandidateProfile.user_id, CandidateProfile.name, CandidateProfile.name_latin,
                       CandidateProfile.school).where(CandidateProfile.user_id.in_(user_ids)))]
    if not rows:
        return
    table = CandidateProfile.__table__
    # Derived data, not an edit of the profile: updated_at stays as it is.
    connection.execute(update(table).where(table.c.user_id == bindparam("key")).values(
        search_text=bindparam("text"), skill_keys=bindparam("keys"), updated_at=table.c.updated_at), rows)
    for row in rows:  # the loaded objects show what the database now holds
        profile = session.identity_map.get(session.identity_key(CandidateProfile, row["key"]))
        if profile is not None:
            attributes.set_committed_value(profile, "search_text", row["text"])
            attributes.set_committed_value(profile, "skill_keys", row["keys"])
