from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from eventsapp.dbtypes import UTCDateTime, utcnow
from eventsapp.extensions import db


class BackgroundJobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class BackgroundJob(db.Model):
    """One run of long work: what to do (``kind`` and its JSON ``params``), how far it got, and its result
    (a stored file) or error. The only state shared between the web process and the one running it."""

    __tablename__ = "background_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[str] = mapped_column(Text, default="{}")
    # The same as a string column on every engine: new kinds of job need no migration of an enum type.
    status: Mapped[str] = mapped_column(String(20), default=BackgroundJobStatus.QUEUED)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # The event the job works on (a badge print run), if any: its organizers see it on the jobs page.
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    # How many times a process took the job (RQ retries with back-off; a dead worker's job is taken again).
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    # Where the work is, as a code of the kind's steps (``JobKind.steps``) and its JSON parameters, put into
    # words in the reader's language where it is shown (services.step_text); "" or an unknown code (a row
    # written before the codes): no words, the page says the job is working.
    step: Mapped[str] = mapped_column(String(200), default="", server_default="")
    step_params: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    # Why the job failed (or its last try did), as a code and its JSON parameters, put into words in the
    # reader's language where it is shown (services.error_text); ``error``: the server's own detail (the
    # exception), for administrators only (a failure without a code, or with an unknown one, reads as 'failed').
    error: Mapped[str] = mapped_column(String(2000), default="", server_default="")
    error_code: Mapped[str] = mapped_column(String(40), default="", server_default="")
    error_params: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    storage_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    filename: Mapped[str] = mapped_column(String(200), default="", server_default="")
    mimetype: Mapped[str] = mapped_column(String(100), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Written every few seconds by the process running the job; silence means it died.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_background_job_kind_status", "kind", "status"),
                      Index("ix_background_job_requested_by_id", "requested_by_id"),
                      Index("ix_background_job_event_id", "event_id"),
                      Index("ix_background_job_status_id", "status", "id"))
