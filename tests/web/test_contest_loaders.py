"""The one contest loader (eventsapp.contests.loaders): another contest's rows, events that are not
contests and ids no row can have are all 404."""
from __future__ import annotations

import pytest
from werkzeug.exceptions import NotFound

from eventsapp.accounts.models import Role
from eventsapp.contests.loaders import (
    contest_child_or_404,
    contest_or_404,
    contest_round_child_or_404,
    round_child_or_404,
)
from eventsapp.contests.models import Panel, PitchSlot, Round
from eventsapp.events.models import EventKind
from eventsapp.extensions import db
from tests.contest_factories import build_contest


@pytest.fixture
def world(ctx, factories):
    return build_contest(factories, slug="loaded-contest")


def test_a_contest_is_found_by_its_event_id_or_its_public_slug(app, world):
    with app.test_request_context():
        assert contest_or_404(world.event.id).id == world.contest.id
        assert contest_or_404("loaded-contest").id == world.contest.id


@pytest.mark.parametrize("event", [10**12, "no-such-slug"])
def test_an_unknown_event_is_404(app, world, event):
    with app.test_request_context(), pytest.raises(NotFound):
        contest_or_404(event)


def test_an_event_that_is_not_a_contest_is_404(app, world, factories):
    fair = factories.make_event(kind=EventKind.FAIR)
    bare = factories.make_event(kind=EventKind.COMPETITION)  # a competition not set up as a contest
    with app.test_request_context():
        for event in (fair, bare):
            with pytest.raises(NotFound):
                contest_or_404(event.id)


@pytest.mark.parametrize("child_id", [0, -1, 2**31, 10**30])
def test_ids_no_row_can_have_are_404_without_asking_the_database(world, child_id):
    for load in (lambda: contest_child_or_404(Round, world.contest, child_id),
                 lambda: round_child_or_404(Panel, world.rounds[0], child_id),
                 lambda: contest_round_child_or_404(PitchSlot, world.contest, child_id)):
        with pytest.raises(NotFound):
            load()


def test_a_row_of_another_contest_is_404(world, factories):
    other = build_contest(factories)
    panel = world.panel(world.rounds[0], [])
    assert contest_child_or_404(Round, world.contest, world.rounds[0].id).id == world.rounds[0].id
    assert round_child_or_404(Panel, world.rounds[0], panel.id).id == panel.id
    with pytest.raises(NotFound):
        contest_child_or_404(Round, other.contest, world.rounds[0].id)
    with pytest.raises(NotFound):
        round_child_or_404(Panel, other.rounds[0], panel.id)
    assert db.session.get(Round, world.rounds[0].id) is not None


def test_huge_ids_and_other_contests_ids_in_contest_urls_are_404(client, world, factories, login, make_user):
    login(make_user(Role.ORGANIZER))
    event_id, round_id = world.event.id, world.rounds[0].id
    other = build_contest(factories)
    pages = ["/manage/events/{event}/contest/rounds/{round}", "/manage/events/{event}/judging/rounds/{round}",
             "/manage/events/{event}/results/rounds/{round}"]
    for page in pages:
        assert client.get(page.format(event=event_id, round=round_id)).status_code == 200
        for event, round_ in ((event_id, 2**31), (event_id, 10**20), (10**20, round_id), (other.event.id, round_id)):
            assert client.get(page.format(event=event, round=round_)).status_code == 404, (page, event, round_)
    assert client.post(f"/manage/events/{event_id}/results/awards/{10**15}/remove").status_code == 404
