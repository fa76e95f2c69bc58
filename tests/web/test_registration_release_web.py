"""Cancelling a registration over HTTP: the candidate's and the booth's pages, the badge, the registrants list."""
from __future__ import annotations

import csv
import io

import pytest

from eventsapp.extensions import db
from eventsapp.matchmaking import runs
from eventsapp.registrations.services import find_registration
from tests.factories import MatchingFair

EN = {"Accept-Language": "en"}


@pytest.fixture
def fair(app, make_event, make_organization, make_booth, make_candidate, make_staff):
    fair = MatchingFair(app, make_event, make_organization, make_booth, make_candidate, make_staff, quota=1)
    fair.robotics = fair.booth(interviewers=2, name_en="Westlake Robotics")
    fair.ann = fair.candidate(fair.robotics, name="安安", name_latin="An Ann")
    fair.ben = fair.candidate(fair.robotics, name="贝贝", name_latin="Bei Ben")
    fair.staff = make_staff(fair.robotics.organization_ref)
    with app.app_context():
        run = runs.run_matching(fair.event.id, None, seed=1)
        runs.publish_run(fair.event.id, run.id, before_deadline_confirmed=True)
        db.session.commit()
        fair.ann_registration = find_registration(fair.event.id, fair.ann.id).id
    return fair


def test_a_candidate_who_cancels_loses_interviews_and_badge_everywhere(client, login, fair):
    login(fair.ann)
    assert "Westlake Robotics" in client.get("/my/interviews", headers=EN).get_data(as_text=True)
    assert client.get(f"/events/{fair.event.slug}/badge.pdf").status_code == 200

    response = client.post(f"/my/registrations/{fair.ann_registration}/cancel")
    assert response.status_code == 302

    html = client.get("/my/interviews", headers=EN).get_data(as_text=True)
    assert "your interview was cancelled too" in html and "09:00–09:30" not in html
    assert client.get(f"/events/{fair.event.slug}/badge.pdf").status_code == 404
    events = client.get("/my/events", headers=EN).get_data(as_text=True)
    assert f'data-testid="badge-{fair.ann_registration}"' not in events

    client.post("/logout")
    login(fair.staff)
    page = client.get(f"/employer/booths/{fair.robotics.id}/interviews", headers=EN).get_data(as_text=True)
    assert "贝贝" in page and "安安" not in page
    rows = list(csv.reader(io.StringIO(client.get(
        f"/employer/booths/{fair.robotics.id}/interviews.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert [row[3] for row in rows[1:]] == ["贝贝"]


def test_the_registrants_list_never_shows_a_cancelled_person_as_attended(app, client, organizer, fair):
    registration = fair.ann_registration
    client.post(f"/manage/events/{fair.event.id}/registrations/{registration}/attended")
    html = client.get(f"/manage/events/{fair.event.id}/registrations", headers=EN).get_data(as_text=True)
    assert html.count(">Attended<") == 1
    client.post(f"/manage/events/{fair.event.id}/registrations/{registration}/cancel", data={"reason": "left early"})
    html = client.get(f"/manage/events/{fair.event.id}/registrations", headers=EN).get_data(as_text=True)
    assert ">Attended<" not in html
    exported = client.get(f"/manage/events/{fair.event.id}/registrations.csv").get_data(as_text=True)
    [row] = [line for line in csv.reader(io.StringIO(exported.lstrip("\ufeff"))) if line[0] == str(registration)]
    assert row[1] == "Cancelled" and row[13] == ""
