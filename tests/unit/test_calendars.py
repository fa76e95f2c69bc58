"""Calendar feeds as calendar apps read them: every feed is parsed back with vobject (a parser that
shares no code with icalendar, which writes them) and dateutil for recurrence."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import vobject
from dateutil.rrule import rrulestr

from eventsapp.calendars import ical, services
from eventsapp.events import services as events
from eventsapp.events.models import AgendaItem, Event, EventKind, EventStatus, Series
from eventsapp.extensions import db
from tests.factories import local

BASE = "http://talent.test"
SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")


def parse(calendar) -> vobject.base.Component:
    return vobject.readOne(ical.feed_bytes(calendar).decode("utf-8"))


def vevents(parsed) -> list:
    return list(getattr(parsed, "vevent_list", []))


def by_uid(parsed) -> dict:
    return {item.uid.value: item for item in vevents(parsed)}


def public(language: str = "en", **filters):
    return parse(services.public_feed(services.PublicFilters(**filters), language, BASE))


# --- Rendering ---------------------------------------------------------------------------------------

def test_the_fast_writer_gives_what_icalendar_writes(ctx, make_event):
    make_event(description_zh="很长的中文描述，" * 40 + "逗号,分号;换行\n结束\\",
               venue_address="杭州市萧山区奔竞大道353号",
               agenda=[dict(starts_at=local(2027, 5, 1, 9), title_zh="开幕")])
    make_event(timezone="America/New_York")
    talent_day(make_event, 2027)
    feeds = [services.public_feed(services.PublicFilters(), "zh", BASE),
             services.event_feed(db.session.scalar(db.select(Event).order_by(Event.id)), "en", BASE),
             services.talent_day_feed("en", BASE, "Asia/Shanghai")]
    for feed in feeds:
        ours, theirs = ical.feed_bytes(feed), ical.feed_calendar(feed).to_ical(sorted=False)
        assert ours.replace(b"\r\n ", b"") == theirs.replace(b"\r\n ", b"")  # the same content lines


@pytest.mark.parametrize("text", ["中文，" * 60, "a" * 200, "é" * 100, "\\" * 80, "x" + "\\," * 70,
                                  "𝄞" * 50, "ab\\\\\\n" * 30])
def test_folding_keeps_characters_and_escapes_whole(text):
    line = ("DESCRIPTION:" + text).encode()
    folded = ical.fold(line)
    parts = folded.split(b"\r\n")
    assert all(len(part) <= 75 for part in parts) and all(part.startswith(b" ") for part in parts[1:])
    for part in parts:
        part.decode("utf-8")  # no character split
    assert folded.replace(b"\r\n ", b"") == line
    for part in parts[:-1]:  # no part ends inside an escape: its trailing backslashes pair up
        assert (len(part) - len(part.rstrip(b"\\"))) % 2 == 0


def test_times_carry_the_zone_and_the_local_hour(ctx, make_event):
    hangzhou = make_event(starts_at=local(2027, 3, 15, 9, 30), ends_at=local(2027, 3, 15, 17, 0))
    new_york = make_event(timezone="America/New_York", starts_at=datetime(2027, 7, 4, 14, 0, tzinfo=NEW_YORK),
                          ends_at=datetime(2027, 7, 4, 18, 0, tzinfo=NEW_YORK))
    raw = ical.feed_bytes(services.public_feed(services.PublicFilters(), "en", BASE)).decode()
    assert "DTSTART;TZID=Asia/Shanghai:20270315T093000" in raw
    assert "DTSTART;TZID=America/New_York:20270704T140000" in raw
    parsed = vobject.readOne(raw)
    assert {zone.tzid.value for zone in parsed.vtimezone_list} == {"Asia/Shanghai", "America/New_York"}
    items = by_uid(parsed)
    start = items[ical.event_uid(hangzhou.id)].dtstart.value
    assert (start.hour, start.minute) == (9, 30) and start.utcoffset() == timedelta(hours=8)
    assert start.astimezone(UTC) == hangzhou.starts_at
    summer = items[ical.event_uid(new_york.id)].dtstart.value
    assert summer.hour == 14 and summer.utcoffset() == timedelta(hours=-4)  # daylight time from the VTIMEZONE
    assert items[ical.event_uid(new_york.id)].dtend.value.astimezone(UTC) == new_york.ends_at


def test_every_entry_has_uid_stamp_sequence_url_and_language(ctx, make_event):
    event = make_event(title_zh="秋季招聘会", title_en="Autumn fair", description_zh="欢迎", description_en="Welcome",
                       calendar_sequence=4)
    english = by_uid(public("en"))[ical.event_uid(event.id)]
    chinese = by_uid(public("zh"))[ical.event_uid(event.id)]
    assert english.summary.value == "Autumn fair" and chinese.summary.value == "秋季招聘会"
    assert english.description.value.startswith("Welcome") and chinese.description.value.startswith("欢迎")
    assert chinese.location.value.startswith("杭州国际博览中心")
    assert english.url.value == f"{BASE}/events/{event.slug}"
    assert english.sequence.value == "4"
    assert english.dtstamp.value == event.updated_at.replace(microsecond=0)
    assert english.last_modified.value == english.dtstamp.value
    assert english.status.value == "CONFIRMED"


def test_a_missing_title_falls_back_to_the_other_language(ctx, make_event):
    event = make_event(title_en="")
    assert by_uid(public("en"))[ical.event_uid(event.id)].summary.value == event.title_zh


def test_chinese_text_is_escaped_and_folded_without_breaking_characters(ctx, make_event):
    text = "第一行：杭州，人才；欢迎\\来访\n第二行，" + "很长的中文句子，包括标点；" * 30
    event = make_event(title_zh="招聘会，春季；杭州", description_zh=text)
    raw = ical.feed_bytes(services.public_feed(services.PublicFilters(), "zh", BASE))
    physical = raw.split(b"\r\n")
    assert all(len(line) <= 75 for line in physical)
    for line in physical:
        line.decode("utf-8")  # a fold in the middle of a character would fail here
    assert "SUMMARY:招聘会，春季；杭州" in raw.decode()  # full-width punctuation needs no escaping
    entry = by_uid(vobject.readOne(raw.decode()))[ical.event_uid(event.id)]
    assert entry.description.value == f"{text}\n\n{BASE}/events/{event.slug}"


def test_ascii_commas_semicolons_and_newlines_are_escaped(ctx, make_event):
    event = make_event(title_en="Fair, spring; Hangzhou", description_en="a,b;c\nd")
    raw = ical.feed_bytes(services.public_feed(services.PublicFilters(), "en", BASE)).decode()
    assert "SUMMARY:Fair\\, spring\\; Hangzhou" in raw
    entry = by_uid(vobject.readOne(raw))[ical.event_uid(event.id)]
    assert entry.summary.value == "Fair, spring; Hangzhou" and entry.description.value.startswith("a,b;c\nd")


def test_an_entry_without_an_end_is_still_valid():
    start = datetime(2027, 5, 1, 2, 0, tzinfo=UTC)
    entry = ical.Entry(uid="x@test", starts_at=start, ends_at=None, zone="Asia/Shanghai", summary="Keynote",
                       stamp=start, sequence=0)
    parsed = vobject.readOne(ical.feed_bytes(ical.Feed("Test", [entry])).decode())
    item = parsed.vevent
    assert item.dtstart.value.hour == 10 and not hasattr(item, "dtend") and not hasattr(item, "duration")
    assert vevents(parsed)[0].getrruleset() is None


# --- Which events a public feed holds ------------------------------------------------------------------

def test_public_feed_has_published_and_cancelled_but_not_drafts(ctx, make_event):
    published = make_event()
    cancelled = make_event(status=EventStatus.CANCELLED, published_at=datetime.now(UTC))
    never_public = make_event(status=EventStatus.CANCELLED, published_at=None)
    draft = make_event(status=EventStatus.DRAFT)
    items = by_uid(public())
    assert items[ical.event_uid(published.id)].status.value == "CONFIRMED"
    assert items[ical.event_uid(cancelled.id)].status.value == "CANCELLED"
    assert ical.event_uid(draft.id) not in items and ical.event_uid(never_public.id) not in items


def test_filters_by_kind_and_series(ctx, make_event):
    series = Series(slug="autumn", title_zh="秋季招聘季", title_en="Autumn season")
    db.session.add(series)
    db.session.commit()
    fair = make_event(series_id=series.id)
    contest = make_event(kind=EventKind.COMPETITION)
    assert set(by_uid(public(kind=EventKind.COMPETITION))) == {ical.event_uid(contest.id)}
    seasonal = public("zh", series=series)
    assert set(by_uid(seasonal)) == {ical.event_uid(fair.id)}
    assert "秋季招聘季" in seasonal.x_wr_calname.value


def test_unknown_filters_are_refused(ctx):
    from werkzeug.datastructures import MultiDict
    for args in ({"kind": "party"}, {"series": "nope"}, {"colour": "red"}):
        with pytest.raises(services.FeedFilterError):
            services.parse_public_filters(MultiDict(args))
    with pytest.raises(services.FeedFilterError):
        services.parse_language("fr", "en")


def test_one_event_with_its_agenda(ctx, make_event):
    start = local(2027, 5, 20, 9)
    event = make_event(starts_at=start, ends_at=start + timedelta(hours=8), agenda=[
        dict(starts_at=start, ends_at=start + timedelta(hours=1), title_en="Opening", room="Hall 1"),
        dict(starts_at=start + timedelta(hours=2), title_en="Keynote", speaker="Chen Jing")])
    event = db.session.get(Event, event.id)
    opening, keynote = event.agenda_items
    items = by_uid(parse(services.event_feed(event, "en", BASE)))
    assert set(items) == {ical.event_uid(event.id), ical.agenda_uid(opening.id), ical.agenda_uid(keynote.id)}
    assert items[ical.agenda_uid(opening.id)].dtend.value.hour == 10
    assert items[ical.agenda_uid(opening.id)].location.value.startswith("Hall 1, ")
    assert not hasattr(items[ical.agenda_uid(keynote.id)], "dtend")
    assert "Chen Jing" in items[ical.agenda_uid(keynote.id)].description.value


# --- Talent Day ------------------------------------------------------------------------------------------

def talent_day(make_event, year: int, hour: int = 9, status=EventStatus.PUBLISHED, **overrides):
    values = dict(kind=EventKind.TALENT_DAY, talent_day_year=year, status=status, published_at=datetime.now(UTC),
                  starts_at=local(year, 9, 28, hour), ends_at=local(year, 9, 28, hour + 6),
                  title_en=f"Talent Day {year}", title_zh=f"{year} 人才日")
    return make_event(**{**values, **overrides})


def test_talent_day_recurs_every_28_september_with_the_years_as_overrides(ctx, make_event):
    talent_day(make_event, 2026)
    talent_day(make_event, 2028, hour=13)
    talent_day(make_event, 2029, status=EventStatus.CANCELLED)
    talent_day(make_event, 2030, status=EventStatus.DRAFT, published_at=None)  # not public: a plain occurrence
    parsed = parse(services.talent_day_feed("en", BASE, "Asia/Shanghai"))
    items = vevents(parsed)
    assert {item.uid.value for item in items} == {ical.TALENT_DAY_UID}
    series = next(item for item in items if not hasattr(item, "recurrence_id"))
    overrides = {item.recurrence_id.value.year: item for item in items if hasattr(item, "recurrence_id")}
    assert set(overrides) == {2026, 2028, 2029}

    # Expand the series over five years with dateutil, from the RRULE as the parser read it.
    start = series.dtstart.value
    assert (start.year, start.month, start.day, start.hour) == (2026, 9, 28, 9)
    rule = rrulestr(series.rrule.value, dtstart=start)
    occurrences = list(rule.between(start, start.replace(year=2031), inc=True))
    assert [(moment.year, moment.month, moment.day, moment.hour) for moment in occurrences] == [
        (year, 9, 28, 9) for year in range(2026, 2032)]
    assert all(moment.utcoffset() == timedelta(hours=8) for moment in occurrences)
    # Each override replaces exactly one occurrence, at its own times.
    assert all(overrides[year].recurrence_id.value in occurrences for year in overrides)
    assert overrides[2028].dtstart.value.hour == 13 and overrides[2028].summary.value == "Talent Day 2028"
    assert overrides[2029].status.value == "CANCELLED"
    assert overrides[2026].status.value == "CONFIRMED"
    # vobject's own expansion agrees on the series.
    assert [moment.year for moment in series.getrruleset().between(start, start.replace(year=2031), inc=True)] \
        == list(range(2026, 2032))


def test_talent_day_without_any_on_record_starts_this_year_at_nine(ctx):
    today = datetime(2027, 3, 1, tzinfo=UTC)
    series = parse(services.talent_day_feed("zh", BASE, "Asia/Shanghai", today=today)).vevent
    assert series.dtstart.value == datetime(2027, 9, 28, 9, 0, tzinfo=SHANGHAI)
    assert "BYMONTH=9" in series.rrule.value and "BYMONTHDAY=28" in series.rrule.value


def test_talent_day_sequence_rises_when_any_year_changes(ctx, make_event):
    day = talent_day(make_event, 2027)
    before = int(parse(services.talent_day_feed("en", BASE, "Asia/Shanghai")).vevent.sequence.value)
    event = db.session.get(Event, day.id)
    events.cancel_event(event, "The venue is closed")
    db.session.commit()
    items = vevents(parse(services.talent_day_feed("en", BASE, "Asia/Shanghai")))
    assert all(int(item.sequence.value) > before for item in items)


# --- SEQUENCE rises with what calendars show -------------------------------------------------------------

def test_saving_an_unchanged_event_keeps_the_sequence(ctx, make_event):
    event = db.session.get(Event, make_event().id)
    events.save_event(events.event_data_from(event), event)
    assert event.calendar_sequence == 0
    data = events.event_data_from(event)
    data.starts_at += timedelta(hours=1)
    data.ends_at += timedelta(hours=1)
    events.save_event(data, event)
    assert event.calendar_sequence == 1
    data = events.event_data_from(event)
    data.capacity += 10  # calendars do not show the capacity
    events.save_event(data, event)
    assert event.calendar_sequence == 1


def test_status_changes_and_agenda_changes_raise_the_sequence(ctx, make_event):
    event = db.session.get(Event, make_event(status=EventStatus.DRAFT).id)
    events.publish_event(event)
    assert event.calendar_sequence == 1
    item = events.save_agenda_item(event, events.AgendaItemData(starts_at=event.starts_at, title_en="Opening"))
    assert event.calendar_sequence == 2
    events.save_agenda_item(event, events.AgendaItemData(starts_at=event.starts_at, title_en="Opening"), item)
    assert event.calendar_sequence == 2  # nothing changed
    events.save_agenda_item(event, events.AgendaItemData(starts_at=event.starts_at, title_en="Welcome"), item)
    assert event.calendar_sequence == 3
    events.delete_agenda_item(db.session.get(AgendaItem, item.id))
    assert event.calendar_sequence == 4
    events.unpublish_event(event)
    events.publish_event(event)
    events.cancel_event(event, "The venue is closed")
    assert event.calendar_sequence == 7


def test_the_fingerprint_changes_when_an_event_leaves_the_feed(ctx, make_event):
    event = make_event()
    before = services.events_fingerprint()
    assert before == services.events_fingerprint()
    events.unpublish_event(db.session.get(Event, event.id))
    db.session.commit()
    assert services.events_fingerprint().etag("events") != before.etag("events")


def test_the_fingerprint_is_remembered_briefly_and_forgotten_on_a_commit(ctx, make_event):
    services.forget_fingerprints()
    event = make_event()
    first = services.current_fingerprint("db", max_age=5, now=100.0)
    # A change this process's ORM does not see (a bulk UPDATE) shows once the few seconds are over.
    db.session.execute(db.update(Event).where(Event.id == event.id).values(calendar_sequence=9))
    db.session.commit()
    assert services.current_fingerprint("db", max_age=5, now=104.0) == first
    assert services.current_fingerprint("db", max_age=5, now=105.5).sequences == 9
    # A change made through the ORM and committed here is seen at once.
    db.session.get(Event, event.id).title_en = "Renamed"
    db.session.commit()
    assert services.current_fingerprint("db", max_age=5, now=105.6).last_modified > first.last_modified
