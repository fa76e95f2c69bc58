from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from eventsapp.events import services
from eventsapp.events.models import AgendaItem, Event, EventKind, EventStatus
from eventsapp.events.services import AgendaItemData, EventData, EventFilters, EventStateError
from eventsapp.extensions import db
from eventsapp.validation import ValidationFailed
from tests.factories import local


def event_data(**overrides) -> EventData:
    values = dict(kind=EventKind.FAIR, title_zh="秋季招聘会", title_en="Autumn Fair", capacity=500,
                  starts_at=local(2027, 10, 17, 9), ends_at=local(2027, 10, 17, 16))
    values.update(overrides)
    return EventData(**values)


def errors_of(failure: pytest.ExceptionInfo) -> dict:
    return {field: str(message) for field, message in failure.value.errors}


def test_a_new_event_is_a_draft_with_a_slug_made_from_its_english_title(ctx):
    event = services.save_event(event_data())
    assert event.status == EventStatus.DRAFT
    assert event.slug == "autumn-fair"
    assert services.save_event(event_data()).slug == "autumn-fair-2"


def test_times_come_back_as_aware_utc(ctx):
    event = services.save_event(event_data())
    db.session.commit()
    db.session.expire_all()
    reloaded = db.session.get(Event, event.id)
    assert reloaded.starts_at == datetime(2027, 10, 17, 1, 0, tzinfo=UTC)
    assert reloaded.starts_at.tzinfo is not None


@pytest.mark.parametrize(("overrides", "field"), [
    ({"ends_at": local(2027, 10, 17, 8)}, "ends_at"),
    ({"capacity": 0}, "capacity"),
    ({"title_zh": "", "title_en": "  "}, "title_zh"),
    ({"slug": "Not A Slug"}, "slug"),
    ({"registration_closes_at": local(2027, 10, 18, 9)}, "registration_closes_at"),
    ({"registration_opens_at": local(2027, 10, 10), "registration_closes_at": local(2027, 10, 9)},
     "registration_opens_at"),
])
def test_broken_rules_are_reported_against_their_field(ctx, overrides, field):
    with pytest.raises(ValidationFailed) as failure:
        services.save_event(event_data(**overrides))
    assert field in errors_of(failure)


def test_a_slug_is_used_once(ctx):
    services.save_event(event_data(slug="autumn-2027"))
    with pytest.raises(ValidationFailed) as failure:
        services.save_event(event_data(slug="autumn-2027"))
    assert "slug" in errors_of(failure)


def test_an_event_keeps_its_own_slug_when_edited(ctx):
    event = services.save_event(event_data(slug="autumn-2027"))
    services.save_event(event_data(slug="autumn-2027", capacity=600), event)
    assert event.capacity == 600


def test_talent_day_must_be_on_28_september_in_the_event_time_zone(ctx):
    with pytest.raises(ValidationFailed) as failure:
        services.save_event(event_data(kind=EventKind.TALENT_DAY, starts_at=local(2027, 9, 27, 9),
                                       ends_at=local(2027, 9, 27, 17)))
    assert set(errors_of(failure)) == {"starts_at", "ends_at"}
    # 28 September 01:00 in Shanghai is still 27 September in UTC: the local date counts.
    event = services.save_event(event_data(kind=EventKind.TALENT_DAY, starts_at=local(2027, 9, 28, 1),
                                           ends_at=local(2027, 9, 28, 17)))
    assert event.talent_day_year == 2027


def test_talent_day_times_can_change_but_not_the_date(ctx):
    event = services.save_event(event_data(kind=EventKind.TALENT_DAY, starts_at=local(2027, 9, 28, 9),
                                           ends_at=local(2027, 9, 28, 17)))
    services.save_event(event_data(kind=EventKind.TALENT_DAY, starts_at=local(2027, 9, 28, 13),
                                   ends_at=local(2027, 9, 28, 20)), event)
    with pytest.raises(ValidationFailed):
        services.save_event(event_data(kind=EventKind.TALENT_DAY, starts_at=local(2027, 9, 29, 9),
                                       ends_at=local(2027, 9, 29, 17)), event)


def test_only_one_talent_day_a_year(ctx):
    day = dict(kind=EventKind.TALENT_DAY, starts_at=local(2027, 9, 28, 9), ends_at=local(2027, 9, 28, 17))
    services.save_event(event_data(**day))
    with pytest.raises(ValidationFailed) as failure:
        services.save_event(event_data(**day))
    assert "2027" in errors_of(failure)["starts_at"]


def test_status_changes_follow_the_lifecycle(ctx):
    event = services.save_event(event_data())
    with pytest.raises(EventStateError):
        services.unpublish_event(event)
    services.publish_event(event)
    assert event.status == EventStatus.PUBLISHED and event.published_at is not None
    with pytest.raises(EventStateError):
        services.publish_event(event)
    services.unpublish_event(event)
    services.cancel_event(event, "The venue is closed")
    assert event.status == EventStatus.CANCELLED
    with pytest.raises(EventStateError):
        services.save_event(event_data(), event)


def test_duplicate_copies_the_programme_as_a_new_draft(ctx):
    event = services.save_event(event_data(slug="autumn-2027"))
    services.save_agenda_item(event, AgendaItemData(starts_at=local(2027, 10, 17, 10), title_en="Opening"))
    services.publish_event(event)
    copy = services.duplicate_event(event)
    assert (copy.status, copy.slug, copy.starts_at) == (EventStatus.DRAFT, "autumn-2027-copy", event.starts_at)
    assert [item.title_en for item in copy.agenda_items] == ["Opening"]
    assert copy.agenda_items[0].id != event.agenda_items[0].id


def test_duplicating_a_talent_day_moves_it_to_the_next_free_year(ctx):
    event = services.save_event(event_data(kind=EventKind.TALENT_DAY, title_zh="2027 杭州人才日",
                                           title_en="Talent Day 2027", starts_at=local(2027, 9, 28, 9),
                                           ends_at=local(2027, 9, 28, 17)))
    copy = services.duplicate_event(event)
    assert copy.talent_day_year == 2028
    assert copy.starts_at == local(2028, 9, 28, 9)
    assert (copy.title_zh, copy.title_en) == ("2028 杭州人才日", "Talent Day 2028")
    assert services.duplicate_event(event).talent_day_year == 2029


def test_agenda_items_must_fall_within_the_event(ctx):
    event = services.save_event(event_data())
    with pytest.raises(ValidationFailed) as failure:
        services.save_agenda_item(event, AgendaItemData(starts_at=local(2027, 11, 1, 10), title_zh="开幕"))
    assert "starts_at" in errors_of(failure)
    with pytest.raises(ValidationFailed) as failure:
        services.save_agenda_item(event, AgendaItemData(starts_at=local(2027, 10, 17, 10),
                                                        ends_at=local(2027, 10, 17, 9), title_zh="开幕"))
    assert "ends_at" in errors_of(failure)
    item = services.save_agenda_item(event, AgendaItemData(starts_at=local(2027, 10, 17, 10), title_zh="开幕"))
    services.delete_agenda_item(item)
    assert db.session.scalar(select(AgendaItem.id)) is None


def _public(ctx_events, **filters):
    result = services.list_public_events(EventFilters(**filters), per_page=50, zone_name="Asia/Shanghai",
                                         now=local(2027, 6, 1))
    return [event.slug for event in result.items]


def test_public_list_filters_by_kind_month_and_time(ctx, make_event):
    make_event(slug="past-fair", starts_at=local(2027, 3, 1))
    make_event(slug="june-contest", kind=EventKind.COMPETITION, starts_at=local(2027, 6, 20))
    make_event(slug="oct-fair", starts_at=local(2027, 10, 17))
    make_event(slug="draft-fair", status=EventStatus.DRAFT, starts_at=local(2027, 10, 18))
    make_event(slug="cancelled-fair", status=EventStatus.CANCELLED, starts_at=local(2027, 10, 19))
    assert _public(ctx) == ["june-contest", "oct-fair", "cancelled-fair"]
    assert _public(ctx, when="past") == ["past-fair"]
    assert _public(ctx, kind=EventKind.COMPETITION) == ["june-contest"]
    assert _public(ctx, month=date(2027, 10, 1), when="all") == ["cancelled-fair", "oct-fair"]


def test_month_boundaries_are_local(ctx, make_event):
    # 1 July 00:30 in Shanghai is 30 June in UTC, but it belongs to July.
    make_event(slug="midnight", starts_at=local(2027, 7, 1, 0, 30))
    assert _public(ctx, month=date(2027, 7, 1), when="all") == ["midnight"]
    assert _public(ctx, month=date(2027, 6, 1), when="all") == []


def test_registration_state(ctx, make_event):
    event = make_event(starts_at=local(2027, 10, 17), registration_opens_at=local(2027, 9, 1),
                       registration_closes_at=local(2027, 10, 16))
    assert services.registration_state(event, local(2027, 8, 1)) == "not_yet_open"
    assert services.registration_state(event, local(2027, 9, 2)) == "open"
    assert services.registration_state(event, local(2027, 10, 16, 12)) == "closed"


def test_the_database_refuses_bad_rows_from_any_path(ctx):
    from sqlalchemy.exc import IntegrityError
    db.session.add(Event(slug="bad", kind=EventKind.FAIR, title_en="Bad", starts_at=local(2027, 1, 2),
                         ends_at=local(2027, 1, 1), capacity=1))
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_naive_datetimes_are_refused(ctx):
    from sqlalchemy.exc import StatementError
    db.session.add(Event(slug="naive", kind=EventKind.FAIR, title_en="Naive", starts_at=datetime(2027, 1, 1),
                         ends_at=datetime(2027, 1, 2), capacity=1))
    with pytest.raises(StatementError):
        db.session.flush()
