from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from eventsapp.dbtypes import UTCDateTime
from eventsapp.extensions import db


class AnalyticsSnapshot(db.Model):
    """The figures of one period and filters (eventsapp.analytics.snapshots), computed by the scheduler and
    read by the page, its exports and the year report: the summary every web worker shares."""

    __tablename__ = "analytics_snapshot"

    # A digest of the period, filters and time zone (snapshots.snapshot_key).
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    # The period and filters as JSON, so the scheduler can compute them again without a request.
    scope: Mapped[str] = mapped_column(String(500))
    # The figures as JSON (snapshots.encode); empty until first computed.
    figures: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The charts of those figures as SVG, drawn once per computation in each language (snapshots.draw_charts):
    # JSON ``{"zh": {"registrations": "<svg …>", …}, "en": {…}}``; empty until first computed.
    charts: Mapped[str] = mapped_column(Text, default="", server_default="")
    computed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    compute_seconds: Mapped[float | None] = mapped_column()
    # Last shown: the scheduler keeps refreshing the snapshots people look at, and drops the others.
    viewed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Set by "Refresh" (or a first view): the scheduler's next round computes it again.
    refresh_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last failed computation: its time (the figures keep their own ``computed_at``, so they never look
    # fresher than they are) and the error for the log; the scheduler tries again once the figures are stale.
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(String(2000), default="", server_default="")

    __table_args__ = (Index("ix_analytics_snapshot_viewed_at", "viewed_at"),)
