from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from eventsapp.dbtypes import UTCDateTime
from eventsapp.extensions import db


class ScheduledJob(db.Model):
    """When a registered job is next due, and who holds it now: the row two schedulers agree on."""

    __tablename__ = "scheduled_job"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    next_run_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Set while a scheduler runs the job; a scheduler that died leaves it, and the job is free again after it.
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(String(2000), default="", server_default="")
