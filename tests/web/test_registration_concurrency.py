"""No overbooking, no duplicates, no lost promotion: many people at once through a real WSGI server."""
from sqlalchemy import func, select

from eventsapp.extensions import db
from eventsapp.registrations.models import EventPlaceCount, Registration, RegistrationLog, RegistrationStatus
from tests.web.crowds import fire_at_once, make_people, post

PEOPLE, PLACES = 200, 50


def test_200_people_registering_at_once_get_exactly_50_places_and_a_fair_queue(app, server, make_event):
    event = make_event(slug="crowded", capacity=PLACES)
    people = make_people(app, PEOPLE)
    # Everyone double-clicks: two submits per person, all at the same moment.
    calls = [lambda cookie=cookie: post(server, "/events/crowded/register", cookie) for _, cookie in people] * 2
    statuses = fire_at_once(calls)
    assert set(statuses) == {302}, statuses
    with app.app_context():
        rows = db.session.execute(select(Registration.user_id, Registration.status, Registration.queued_at)
                                  .where(Registration.event_id == event.id)).all()
        assert len(rows) == PEOPLE and len({row.user_id for row in rows}) == PEOPLE  # nobody twice, nobody lost
        by_status = {status: [row for row in rows if row.status == status] for status in RegistrationStatus}
        assert len(by_status[RegistrationStatus.CONFIRMED]) == PLACES
        assert len(by_status[RegistrationStatus.WAITLISTED]) == PEOPLE - PLACES
        # Everyone confirmed asked before everyone waiting.
        assert max(r.queued_at for r in by_status[RegistrationStatus.CONFIRMED]) <= \
            min(r.queued_at for r in by_status[RegistrationStatus.WAITLISTED])
        # The counts registering reads under the lock agree with the rows.
        counts = db.session.get(EventPlaceCount, event.id)
        assert (counts.confirmed, counts.waitlisted) == (PLACES, PEOPLE - PLACES)


def test_concurrent_cancellations_promote_each_waiting_person_once(app, server, make_event):
    event = make_event(slug="swap", capacity=PLACES)
    people = make_people(app, PLACES + 30)
    for _, cookie in people:
        assert post(server, "/events/swap/register", cookie) == 302
    with app.app_context():
        confirmed = db.session.scalars(select(Registration.id).where(
            Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)
            .order_by(Registration.id)).all()
    cookie_of = {user_id: cookie for user_id, cookie in people}
    with app.app_context():
        owners = dict(db.session.execute(select(Registration.id, Registration.user_id)
                                         .where(Registration.id.in_(confirmed[:30]))).all())
    calls = [lambda rid=rid: post(server, f"/my/registrations/{rid}/cancel", cookie_of[owners[rid]])
             for rid in confirmed[:30]]
    assert set(fire_at_once(calls)) == {302}
    with app.app_context():
        counts = dict(db.session.execute(select(Registration.status, func.count())
                                         .where(Registration.event_id == event.id).group_by(Registration.status)).all())
        assert counts == {RegistrationStatus.CONFIRMED: PLACES, RegistrationStatus.CANCELLED: 30}
        promotions = db.session.scalars(select(RegistrationLog.registration_id)
                                        .where(RegistrationLog.action == "promoted")).all()
        assert len(promotions) == 30 and len(set(promotions)) == 30
