"""Double clicks and quick taps at once through a real WSGI server: no booth twice in a list, places stay 1..n."""
import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from eventsapp.extensions import db
from eventsapp.matchmaking.fitscore import DEFAULT_WEIGHTS
from eventsapp.matchmaking.models import CandidateChoice, MatchingRound
from eventsapp.registrations.models import Registration, RegistrationStatus
from tests.web.crowds import fire_at_once, make_people, post

BOOTHS = 6


def test_many_clicks_at_once_keep_one_row_per_booth_and_contiguous_places(app, server, make_event,
                                                                          make_organization, make_booth):
    event = make_event(slug="busy-fair")
    booths = [make_booth(event, make_organization()) for _ in range(BOOTHS)]
    [(user_id, cookie)] = make_people(app, 1)
    with app.app_context():
        db.session.add(Registration(event_id=event.id, user_id=user_id, status=RegistrationStatus.CONFIRMED))
        db.session.add(MatchingRound(event_id=event.id, deadline=datetime.now(UTC) + timedelta(days=3),
                                     interviews_start_at=event.starts_at, interviews_end_at=event.ends_at,
                                     weights_json=json.dumps(DEFAULT_WEIGHTS)))
        db.session.commit()
    # Every booth clicked three times, all at the same moment.
    calls = [lambda booth=booth: post(server, f"/events/busy-fair/my-booths/{booth.id}/add", cookie)
             for booth in booths] * 3
    assert set(fire_at_once(calls)) == {302}
    with app.app_context():
        rows = db.session.execute(select(CandidateChoice.booth_id, CandidateChoice.position)
                                  .where(CandidateChoice.candidate_id == user_id)).all()
    assert sorted(booth_id for booth_id, _ in rows) == sorted(booth.id for booth in booths)
    assert sorted(position for _, position in rows) == list(range(1, BOOTHS + 1))
