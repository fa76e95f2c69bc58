"""The shared loaders: an event's child is found only through its own event, drafts stay hidden."""
import pytest
from werkzeug.exceptions import NotFound

from eventsapp.booths.models import Hall
from eventsapp.events.models import EventStatus
from eventsapp.extensions import db
from eventsapp.loaders import event_child_or_404, event_or_404, public_event_or_404


def test_an_events_child_is_found_through_its_event_only(app, ctx, make_event):
    fair, other = make_event(), make_event()
    hall = Hall(event_id=fair.id, name="A", rows=2, cols=3)
    db.session.add(hall)
    db.session.commit()
    assert event_child_or_404(Hall, fair.id, hall.id) is hall
    with pytest.raises(NotFound):
        event_child_or_404(Hall, other.id, hall.id)  # the id exists, but under another event
    with pytest.raises(NotFound):
        event_child_or_404(Hall, fair.id, hall.id + 1000)
    assert event_or_404(fair.id) is db.session.get(type(fair), fair.id)
    with pytest.raises(NotFound):
        event_or_404(fair.id + other.id + 1000)


def test_drafts_do_not_exist_on_public_pages(app, make_event):
    make_event(slug="open")
    make_event(slug="draft", status=EventStatus.DRAFT)
    with app.test_request_context():
        assert public_event_or_404("open").slug == "open"
        for slug in ("draft", "missing"):
            with pytest.raises(NotFound):
                public_event_or_404(slug)
        with pytest.raises(NotFound):  # nobody is signed in: not an organizer
            public_event_or_404("draft", drafts_for_organizers=True)
