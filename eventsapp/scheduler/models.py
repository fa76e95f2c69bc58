from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
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
    # Why its last round failed, as a code and its JSON parameters, put into words in the reader's language
    # where shown (services.error_text); ``last_error``: the server's own detail (the exception), for
    # administrators. "" when the last round went well.
    last_error_code: Mapped[str] = mapped_column(String(40), default="", server_default="")
    last_error_params: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    last_error: Mapped[str] = mapped_column(String(2000), default="", server_default="")
