"""An employer's view of a fair's registrants, for the tests of browsing them, shortlisting them and the
record of profile views: the ``fair`` and ``registrant`` fixtures (a test module takes them with
``fair, registrant = browsing.fair, browsing.registrant``) and the candidates a page lists."""
from __future__ import annotations

import re
from functools import partial

import pytest


@pytest.fixture
def fair(make_event, make_organization, make_staff, make_booth, login):
    """A fair, an organization with an approved booth there, and one of its staff logged in."""
    event = make_event(slug="autumn-fair", title_en="Autumn fair", title_zh="秋季招聘会")
    organization = make_organization(name_en="West Lake Robotics", name_zh="西湖机器人")
    booth = make_booth(event, organization)
    staff = make_staff(organization)
    login(staff)

    class Fair:
        pass

    fair = Fair()
    fair.event, fair.organization, fair.booth, fair.staff = event, organization, booth, staff
    fair.url = f"/employer/events/{event.id}/registrants"
    return fair


@pytest.fixture
def registrant(make_registrant, fair):
    """``registrant(**options)``: a candidate registered for the fair (see ``add_registrant``)."""
    return partial(make_registrant, fair.event)


def ids_on(page: str) -> list[int]:
    """The ids of the candidates a registrants page lists, in order."""
    return [int(number) for number in re.findall(r'data-testid="candidate-(\d+)"', page)]
