from datetime import date

from sqlalchemy import func, select

from eventsapp.events.models import Event, EventKind, EventStatus
from eventsapp.extensions import db
from eventsapp.talentday.services import ensure_talent_days, next_talent_day
from tests.factories import local


def test_ensure_creates_default_drafts_when_there_is_no_previous_year(ctx):
    created = ensure_talent_days(2027, 2)
    assert [(e.talent_day_year, e.slug, e.status) for e in created] == [
        (2027, "talent-day-2027", EventStatus.DRAFT), (2028, "talent-day-2028", EventStatus.DRAFT)]
    assert created[0].starts_at == local(2027, 9, 28, 9)


def test_ensure_copies_the_previous_programme_to_each_28_september_and_is_idempotent(ctx, make_event):
    make_event(slug="talent-day-2026", kind=EventKind.TALENT_DAY, title_zh="2026 杭州人才日",
               title_en="Hangzhou Talent Day 2026", starts_at=local(2026, 9, 28, 8, 30),
               ends_at=local(2026, 9, 28, 18), agenda=[
                   dict(starts_at=local(2026, 9, 28, 9), ends_at=local(2026, 9, 28, 10), title_zh="开幕式",
                        room="主会场"),
                   dict(starts_at=local(2026, 9, 28, 14), title_en="Job fair")])
    created = ensure_talent_days(2026, 3)
    assert [event.talent_day_year for event in created] == [2027, 2028]
    latest = created[-1]
    assert (latest.title_zh, latest.title_en) == ("2028 杭州人才日", "Hangzhou Talent Day 2028")
    assert (latest.starts_at, latest.ends_at) == (local(2028, 9, 28, 8, 30), local(2028, 9, 28, 18))
    assert [(item.starts_at, item.room) for item in latest.agenda_items] == [
        (local(2028, 9, 28, 9), "主会场"), (local(2028, 9, 28, 14), "")]
    assert latest.status == EventStatus.DRAFT

    assert ensure_talent_days(2026, 3) == []
    assert db.session.scalar(select(func.count()).select_from(Event)) == 3


def test_the_next_talent_day_is_this_years_until_28_september(ctx, make_event):
    assert next_talent_day(date(2027, 9, 28)).year == 2027
    assert next_talent_day(date(2027, 9, 29)).year == 2028
    readiness = next_talent_day(date(2027, 5, 1))
    assert readiness.event is None and not readiness.is_published
    make_event(kind=EventKind.TALENT_DAY, starts_at=local(2027, 9, 28, 9), ends_at=local(2027, 9, 28, 17),
               status=EventStatus.DRAFT)
    assert not next_talent_day(date(2027, 5, 1)).is_published
    db.session.execute(db.update(Event).values(status=EventStatus.PUBLISHED))
    assert next_talent_day(date(2027, 5, 1)).is_published
