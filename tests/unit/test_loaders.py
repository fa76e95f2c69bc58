"""The shared loaders: an event's child is found only through its own event, drafts stay hidden, an event
is found only by the pages about what it hosts, a booth opens for its staff."""
from types import SimpleNamespace

import pytest
from werkzeug.exceptions import Forbidden, HTTPException, NotFound

from eventsapp import loaders
from eventsapp.accounts.models import Role, User
from eventsapp.booths.models import BoothStatus, Hall
from eventsapp.events.models import EventKind, EventStatus
from eventsapp.extensions import db
from eventsapp.loaders import (
    booth_or_404,
    event_child_or_404,
    event_or_404,
    public_event_or_404,
    staff_booth_or_403,
)
from eventsapp.matchmaking.preferences import hosts_matching


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


def test_an_event_without_what_the_page_is_about_does_not_exist_for_it(app, make_event):
    fair = make_event(slug="fair", kind=EventKind.FAIR)
    conference = make_event(slug="talks", kind=EventKind.CONFERENCE)
    with app.test_request_context():
        assert event_or_404(fair.id, hosts_matching).id == fair.id
        assert public_event_or_404("fair", hosts=hosts_matching).id == fair.id
        with pytest.raises(NotFound):
            event_or_404(conference.id, hosts_matching)
        with pytest.raises(NotFound):
            public_event_or_404("talks", hosts=hosts_matching)


def test_a_booth_opens_for_its_staff_while_active(app, make_event, make_organization, make_booth, make_staff,
                                                  make_user, monkeypatch):
    fair = make_event()
    organization = make_organization()
    booth = make_booth(fair, organization)
    withdrawn = make_booth(fair, organization, status=BoothStatus.WITHDRAWN)
    staff, stranger = make_staff(organization), make_user(Role.EMPLOYER)
    with app.test_request_context():
        with pytest.raises(NotFound):
            booth_or_404(booth.id + withdrawn.id + 1000)
        for user, booth_id, status in ((staff, booth.id, None), (staff, withdrawn.id, 403), (stranger, booth.id, 403)):
            signed_in = db.session.get(User, user.id)
            monkeypatch.setattr(loaders, "current_user", SimpleNamespace(_get_current_object=lambda who=signed_in: who))
            if status is None:
                assert staff_booth_or_403(booth_id).id == booth_id
                continue
            with pytest.raises(HTTPException) as refused:
                staff_booth_or_403(booth_id, "Only its staff.")
            assert refused.value.response.status_code == 403 and "Only its staff." in refused.value.response.get_data(
                as_text=True)
            with pytest.raises(Forbidden):
                staff_booth_or_403(booth_id)
