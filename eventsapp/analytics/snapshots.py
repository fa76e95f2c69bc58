"""The analytics summary: the figures of each period and filters someone looks at, computed by the scheduler
and kept in ``analytics_snapshot``, so that a page, an export or the year report reads one row instead of
aggregating a year of registrations (seconds for a city's year: benchmarks/README.md).

- A page view reads the snapshot of its period and filters and shows when it was computed. A period nobody
  has asked for yet gets a row asking for it; the page says the figures are being computed and reloads.
- "Refresh" (organizers) asks for a new computation: the scheduler's next round does it, never the request.
- The scheduler (job ``analytics``, every ANALYTICS_POLL_SECONDS) computes first the snapshots asked for,
  then those older than ANALYTICS_REFRESH_SECONDS that someone viewed in the last ANALYTICS_KEEP_DAYS days,
  and forgets the snapshots nobody viewed for that long.
- With ANALYTICS_REFRESH_IN_REQUEST (the tests' configuration) a view computes its snapshot first, then
  reads it back through the table like any other view.

The figures are stored as JSON (``encode``/``decode``): every value is a plain JSON value or a tagged one
(dates, datetimes, enums, the figures' dataclasses), and decoding builds only the types listed here. Their
charts are drawn in the same computation, once in each language (``draw_charts``), and stored beside them:
the page and the year report put the stored SVG in, and no request draws a chart.
"""
from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from markupsafe import Markup
from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from eventsapp.analytics import services
from eventsapp.analytics.charts import analytics_charts
from eventsapp.analytics.models import AnalyticsSnapshot
from eventsapp.candidates.models import Degree, TalentClass
from eventsapp.dbtypes import utcnow
from eventsapp.events.models import EventKind
from eventsapp.extensions import db
from eventsapp.i18n import current_language
from eventsapp.organizations.models import Industry
from eventsapp.registrations.models import RegistrationStatus
from eventsapp.surveys.models import Respondent

log = logging.getLogger(__name__)

DATACLASSES = {cls.__name__: cls for cls in (
    services.AnalyticsFigures, services.Period, services.Filters, services.EventRow, services.SeriesRow,
    services.IndustryRow, services.PeopleRow, services.PeopleCount, services.Share, services.Score,
    services.SurveyRow)}
ENUMS = {cls.__name__: cls for cls in (
    services.PeriodKind, EventKind, Degree, TalentClass, Industry, RegistrationStatus, Respondent)}
# At most this many snapshots are computed in one round of the scheduler, the asked-for ones first.
PER_ROUND = 20


def _tag(value):
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"$d": type(value).__name__,
                "f": {item.name: _tag(getattr(value, item.name)) for item in dataclasses.fields(value)}}
    if isinstance(value, enum.Enum):
        return {"$e": type(value).__name__, "v": value.value}
    if isinstance(value, datetime):
        return {"$t": value.isoformat()}
    if isinstance(value, date):
        return {"$day": value.isoformat()}
    if isinstance(value, (list, tuple)):
        return [_tag(item) for item in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"cannot store {type(value).__name__} in an analytics snapshot")


def _untag(value):
    if isinstance(value, list):
        return tuple(_untag(item) for item in value)
    if not isinstance(value, dict):
        return value
    if "$d" in value:
        return DATACLASSES[value["$d"]](**{name: _untag(item) for name, item in value["f"].items()})
    if "$e" in value:
        return ENUMS[value["$e"]](value["v"])
    if "$t" in value:
        return datetime.fromisoformat(value["$t"])
    if "$day" in value:
        return date.fromisoformat(value["$day"])
    raise ValueError("not an analytics snapshot value")


def encode(figures: services.AnalyticsFigures) -> str:
    return json.dumps(_tag(figures), ensure_ascii=False, separators=(",", ":"))


def decode(text: str) -> services.AnalyticsFigures:
    return _untag(json.loads(text))


# The languages charts are drawn in, with the locale that draws them.
CHART_LOCALES = {"zh": "zh_CN", "en": "en"}


def draw_charts(figures: services.AnalyticsFigures) -> str:
    """The figures' charts in every language, as stored beside them: ``{"zh": {name: svg}, "en": {…}}``."""
    drawn = {}
    for language, locale in CHART_LOCALES.items():
        with force_locale(locale):
            drawn[language] = {name: str(chart) for name, chart in analytics_charts(figures).items()}
    return json.dumps(drawn, ensure_ascii=False, separators=(",", ":"))


def decode_charts(text: str) -> dict[str, dict[str, Markup]]:
    """The stored charts by language and name; empty when the row has none (computed before they were kept)."""
    if not text:
        return {}
    return {language: {name: Markup(svg) for name, svg in charts.items()}
            for language, charts in json.loads(text).items() if language in CHART_LOCALES}


def _scope(period: services.Period, filters: services.Filters, zone: str) -> str:
    return json.dumps({"period": _tag(period), "filters": _tag(filters), "zone": zone}, sort_keys=True,
                      ensure_ascii=False)


def snapshot_key(period: services.Period, filters: services.Filters, zone: str) -> str:
    return hashlib.sha256(_scope(period, filters, zone).encode()).hexdigest()


def _zone() -> str:
    return current_app.config["DEFAULT_EVENT_TIMEZONE"]


def _row(period: services.Period, filters: services.Filters, now: datetime) -> AnalyticsSnapshot:
    """The snapshot row of the period and filters, added (asking for its first computation) if missing."""
    zone = _zone()
    key = snapshot_key(period, filters, zone)
    row = db.session.get(AnalyticsSnapshot, key)
    if row is not None:
        return row
    try:
        with db.session.begin_nested():
            db.session.add(AnalyticsSnapshot(key=key, scope=_scope(period, filters, zone), viewed_at=now,
                                             refresh_requested_at=now, figures="", last_error=""))
    except IntegrityError:  # another request added it first
        pass
    return db.session.get(AnalyticsSnapshot, key)


def compute(row: AnalyticsSnapshot, now: datetime | None = None) -> services.AnalyticsFigures:
    """Compute the row's figures now and store them (flushes; the caller commits)."""
    scope = json.loads(row.scope)
    asked = row.refresh_requested_at
    started = time.perf_counter()
    result = services.figures(_untag(scope["period"]), _untag(scope["filters"]), zone=scope["zone"], now=now)
    row.figures, row.computed_at, row.charts = encode(result), result.computed_at, draw_charts(result)
    row.compute_seconds, row.failed_at, row.last_error = time.perf_counter() - started, None, ""
    db.session.flush()
    _answer_refresh(row.key, asked)
    db.session.expire(row, ["refresh_requested_at"])
    return result


def _answer_refresh(key: str, asked: datetime | None) -> None:
    """Clear the request this computation answered, and only that one: a "Refresh" asked for while it ran
    (request_refresh moves the time on) stays for the next round, as the figures may predate it."""
    if asked is None:
        return
    db.session.execute(update(AnalyticsSnapshot).where(
        AnalyticsSnapshot.key == key, AnalyticsSnapshot.refresh_requested_at <= asked)
        .values(refresh_requested_at=None).execution_options(synchronize_session=False))


@dataclasses.dataclass(frozen=True)
class Shown:
    """What a page shows: the stored figures (None while the first computation is waiting), their charts in
    the page's language (empty with no figures) and whether a new computation has been asked for."""

    figures: services.AnalyticsFigures | None
    refresh_requested: bool
    error: str = ""
    charts: dict[str, Markup] = dataclasses.field(default_factory=dict)
    # When the last computation failed (the error itself is for the log, not the page).
    failed_at: datetime | None = None


@dataclasses.dataclass(frozen=True)
class Stored:
    """A snapshot's figures and its charts in every language (``{"zh": {name: svg}, …}``)."""

    figures: services.AnalyticsFigures
    charts: dict[str, dict[str, Markup]]


# The snapshots this process decoded last, by a digest of their stored text: a page reads the row on every
# view and decodes its figures and charts again only when they differ from what it decoded before, so the
# memo never shows other figures than the table holds (decoding a city's year takes far longer than hashing it).
_DECODED: OrderedDict[bytes, Stored] = OrderedDict()
_DECODED_LOCK = threading.Lock()
DECODED_KEPT = 16


def _decoded(row: AnalyticsSnapshot) -> Stored | None:
    if not row.figures or row.computed_at is None:
        return None
    digest = hashlib.blake2b(row.figures.encode(), digest_size=20)
    digest.update(b"\0" + (row.charts or "").encode())
    memo = digest.digest()
    with _DECODED_LOCK:
        if memo in _DECODED:
            _DECODED.move_to_end(memo)
            return _DECODED[memo]
    result = Stored(decode(row.figures), decode_charts(row.charts or ""))
    with _DECODED_LOCK:
        _DECODED[memo] = result
        while len(_DECODED) > DECODED_KEPT:
            _DECODED.popitem(last=False)
    return result


def forget_decoded() -> None:
    """Empty this process's memo of decoded snapshots (the benchmark's cold regime)."""
    with _DECODED_LOCK:
        _DECODED.clear()


def _viewed(row: AnalyticsSnapshot, now: datetime) -> None:
    if row.viewed_at < now - timedelta(minutes=1):  # one write a minute at most, not one per view
        row.viewed_at = now


def stored_figures(period: services.Period, filters: services.Filters | None = None,
                   now: datetime | None = None, *, with_previous: bool = False) -> Shown:
    """The snapshot of the period and filters, as a view shows it; marks it viewed (commits). With
    ``with_previous``, the period before (the year before a year) is marked viewed too, so that the scheduler
    keeps it computed for the comparison the year report prints."""
    filters = filters or services.Filters()
    now = now or utcnow()
    row = _row(period, filters, now)
    if current_app.config.get("ANALYTICS_REFRESH_IN_REQUEST"):
        compute(row, now)
    else:
        _viewed(row, now)
    previous = period.previous() if with_previous else None
    if previous is not None and not current_app.config.get("ANALYTICS_REFRESH_IN_REQUEST"):
        _viewed(_row(previous, filters, now), now)
    db.session.commit()
    stored = _decoded(row)
    if stored is None:
        return Shown(None, row.refresh_requested_at is not None, row.last_error, failed_at=row.failed_at)
    charts = stored.charts.get(current_language())
    return Shown(stored.figures, row.refresh_requested_at is not None, row.last_error,
                 charts if charts is not None else analytics_charts(stored.figures), failed_at=row.failed_at)


def request_refresh(period: services.Period, filters: services.Filters | None = None,
                    now: datetime | None = None) -> None:
    """Ask the scheduler to compute the figures again (commits)."""
    now = now or utcnow()
    row = _row(period, filters or services.Filters(), now)
    # The latest request's time: a computation running now clears only the requests made before it began.
    row.refresh_requested_at = max(row.refresh_requested_at or now, now)
    row.viewed_at = now
    db.session.commit()


def fresh(period: services.Period, filters: services.Filters | None = None, *,
          max_age: timedelta) -> Stored:
    """The snapshot's figures and charts when it is at most ``max_age`` old, else computed now and stored
    (for the year report's job and the CLI, which may take the time). Commits."""
    filters = filters or services.Filters()
    now = utcnow()
    row = _row(period, filters, now)
    if row.figures and row.charts and row.computed_at is not None and row.computed_at >= now - max_age \
            and row.refresh_requested_at is None:
        return _decoded(row)
    compute(row, now)
    db.session.commit()
    return _decoded(row)


def fresh_figures(period: services.Period, filters: services.Filters | None = None, *,
                  max_age: timedelta) -> services.AnalyticsFigures:
    """The figures of ``fresh``."""
    return fresh(period, filters, max_age=max_age).figures


def refresh_due(now: datetime) -> str:
    """The scheduler's round (job ``analytics``): compute the snapshots asked for, then the stale ones still
    viewed, at most PER_ROUND; forget those nobody viewed for ANALYTICS_KEEP_DAYS. Commits each."""
    config = current_app.config
    kept_after = now - timedelta(days=config["ANALYTICS_KEEP_DAYS"])
    forgotten = db.session.execute(delete(AnalyticsSnapshot).where(AnalyticsSnapshot.viewed_at < kept_after)
                                   .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    stale = now - timedelta(seconds=config["ANALYTICS_REFRESH_SECONDS"])
    asked = db.session.scalars(select(AnalyticsSnapshot.key).where(
        AnalyticsSnapshot.refresh_requested_at.is_not(None)).order_by(AnalyticsSnapshot.refresh_requested_at)
        .limit(PER_ROUND)).all()
    old = db.session.scalars(select(AnalyticsSnapshot.key).where(
        AnalyticsSnapshot.refresh_requested_at.is_(None), AnalyticsSnapshot.computed_at < stale,
        or_(AnalyticsSnapshot.failed_at.is_(None), AnalyticsSnapshot.failed_at < stale))
        .order_by(AnalyticsSnapshot.computed_at).limit(max(PER_ROUND - len(asked), 0))).all()
    done = failed = 0
    for key in [*asked, *old]:
        row = db.session.get(AnalyticsSnapshot, key)
        if row is None:
            continue
        asked_at = row.refresh_requested_at
        try:
            compute(row, now)
            db.session.commit()
            done += 1
        except Exception as error:  # one bad scope must not stop the others
            db.session.rollback()
            log.exception("analytics snapshot %s failed", key)
            # The figures keep their own time; the failure's time keeps the next rounds from trying again
            # before the figures are stale (a scope that always fails would otherwise run every round).
            db.session.execute(update(AnalyticsSnapshot).where(AnalyticsSnapshot.key == key).values(
                failed_at=now, last_error=f"{type(error).__name__}: {error}"[:2000])
                .execution_options(synchronize_session=False))
            _answer_refresh(key, asked_at)
            db.session.commit()
            failed += 1
    return f"{done} computed, {failed} failed, {forgotten} forgotten" if done or failed or forgotten else ""


def refresh(period: services.Period, filters: services.Filters | None = None,
            now: datetime | None = None) -> services.AnalyticsFigures:
    """Compute the snapshot of the period and filters now and return it as read back from the table, as
    every page sees it (commits). For the command line and the tests; pages ask the scheduler."""
    row = _row(period, filters or services.Filters(), now or utcnow())
    compute(row, now)
    db.session.commit()
    db.session.expire(row)
    return decode(db.session.get(AnalyticsSnapshot, row.key).figures)
