"""Each event's confirmed and waiting counts (EventPlaceCount) follow every change to its registrations,
whichever way it is made: they are kept by triggers in the database."""
from sqlalchemy import delete, func, insert, select, update

from eventsapp.accounts.models import User
from eventsapp.dbtypes import utcnow
from eventsapp.events.models import Event
from eventsapp.extensions import db
from eventsapp.registrations import services
from eventsapp.registrations.models import EventPlaceCount, Registration, RegistrationStatus

CONFIRMED, WAITLISTED, PENDING = RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED, RegistrationStatus.PENDING


def kept(event_id: int) -> tuple[int, int]:
    row = db.session.get(EventPlaceCount, event_id, populate_existing=True)
    return (row.confirmed, row.waitlisted) if row is not None else (0, 0)


def counted(event_id: int) -> tuple[int, int]:
    rows = dict(db.session.execute(select(Registration.status, func.count()).where(
        Registration.event_id == event_id).group_by(Registration.status)).tuples().all())
    return rows.get(CONFIRMED, 0), rows.get(WAITLISTED, 0)


def register(event, user):
    registration = services.register_for_event(event.id, user).registration
    db.session.commit()
    return registration


def test_counts_follow_registering_cancelling_promoting_and_deleting(ctx, make_event, make_candidate):
    event = make_event(capacity=2)
    assert kept(event.id) == (0, 0)
    first, second, third, fourth = (register(event, make_candidate()) for _ in range(4))
    assert kept(event.id) == counted(event.id) == (2, 2)
    services.cancel_registration(first)  # the first waiting person is promoted
    db.session.commit()
    assert kept(event.id) == counted(event.id) == (2, 1)
    services.cancel_registration(fourth)
    db.session.commit()
    assert kept(event.id) == counted(event.id) == (2, 0)
    assert register(event, first.user).status == WAITLISTED  # registering again reuses the row
    assert kept(event.id) == counted(event.id) == (2, 1)
    db.session.execute(delete(Registration).where(Registration.id == second.id))
    db.session.execute(update(Registration).where(Registration.id == third.id).values(status=PENDING))
    db.session.commit()
    assert kept(event.id) == counted(event.id) == (0, 1)
    db.session.execute(delete(User).where(User.id == first.user_id))  # the account's rows go by cascade
    db.session.commit()
    assert kept(event.id) == counted(event.id) == (0, 0)


def test_counts_follow_moves_between_events_and_capacity_changes(ctx, make_event, make_candidate, make_organizer):
    organizer = make_organizer()
    small, other = make_event(slug="small", capacity=1), make_event(slug="other", capacity=5)
    register(small, make_candidate())
    second = register(small, make_candidate())
    services.move_registration(second, other.id, organizer, "a later session")
    db.session.commit()
    assert (kept(small.id), kept(other.id)) == ((1, 0), (1, 0))
    register(small, make_candidate())
    services.change_capacity(small.id, 3, organizer)
    db.session.commit()
    assert kept(small.id) == counted(small.id) == (2, 0)
    db.session.execute(delete(Event).where(Event.id == small.id))
    db.session.commit()
    assert db.session.get(EventPlaceCount, small.id) is None


def test_a_large_event_places_the_next_person_from_the_counts(ctx, make_event, make_candidate):
    """2,000 people already there (inserted in bulk, as an import would): the next is told the right
    waiting-list position, and the capacity holds."""
    event = make_event(capacity=1500)
    people = [make_candidate() for _ in range(2)]
    users = [{"email": f"crowd{number}@example.com", "password_hash": "x", "display_name": "Crowd", "role": "candidate"}
             for number in range(2000)]
    ids = db.session.scalars(insert(User).returning(User.id), users).all()
    now = utcnow()
    db.session.execute(insert(Registration), [
        {"event_id": event.id, "user_id": user_id, "status": CONFIRMED if number < 1500 else WAITLISTED,
         "queued_at": now, "created_at": now, "updated_at": now, "decision_reason": ""}
        for number, user_id in enumerate(ids)])
    db.session.commit()
    assert kept(event.id) == (1500, 500)
    result = services.register_for_event(event.id, people[0])
    db.session.commit()
    assert (result.registration.status, result.waitlist_position) == (WAITLISTED, 501)
    assert services.places_left(event) == 0 and kept(event.id) == counted(event.id) == (1500, 501)


def test_every_event_has_its_counts_row_from_the_start(ctx, make_event):
    """Registering locks the event and its counts in one statement: the row is there before anyone registers,
    however the event was made (the ORM, or a bulk statement as an import would)."""
    event = make_event()
    assert kept(event.id) == (0, 0) and db.session.get(EventPlaceCount, event.id) is not None
    values = {column: getattr(event, column) for column in (
        "kind", "status", "title_zh", "title_en", "timezone", "starts_at", "ends_at", "capacity", "venue_name_zh",
        "venue_name_en", "venue_halls", "published_at")}
    ids = db.session.scalars(insert(Event).returning(Event.id),
                             [{**values, "slug": f"bulk-{number}"} for number in range(3)]).all()
    assert db.session.scalar(select(func.count()).select_from(EventPlaceCount)
                             .where(EventPlaceCount.event_id.in_(ids))) == 3
