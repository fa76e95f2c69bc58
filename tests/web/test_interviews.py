"""After publishing: candidates' "My interviews" with explanations, and employers' interview lists."""
from __future__ import annotations

import csv
import io

import pytest

from eventsapp.accounts.models import Role
from eventsapp.extensions import db
from eventsapp.matchmaking import runs
from tests.factories import MatchingFair

EN = {"Accept-Language": "en"}


@pytest.fixture
def fair(app, make_event, make_organization, make_booth, make_candidate, make_staff):
    """One 30-minute slot, one interview each: the popular booth takes Ann, Ben is left to his second choice."""
    fair = MatchingFair(app, make_event, make_organization, make_booth, make_candidate, make_staff,
                        hours=0.5, quota=1)
    fair.popular = fair.booth(interviewers=1, name_en="Westlake Robotics")
    fair.picky = fair.booth(interviewers=1, name_en="Picky Partners")
    fair.spare = fair.booth(interviewers=1, name_en="Qiantang Finance")
    fair.ann = fair.candidate(fair.popular, name="安安", name_latin="An Ann", phone="+8613911112222")
    fair.ben = fair.candidate(fair.popular, fair.picky, fair.spare, name="贝贝", name_latin="Bei Ben")
    fair.shortlist(fair.popular, fair.ann, 1)
    fair.exclude(fair.picky, fair.ben)
    fair.staff = fair.make_staff(fair.spare.organization_ref)
    return fair


def run_and_maybe_publish(app, fair, publish: bool = True):
    with app.app_context():
        run = runs.run_matching(fair.event.id, None, seed=3)
        if publish:
            runs.publish_run(fair.event.id, run.id, before_deadline_confirmed=True)
        db.session.commit()
        return run.id


# --- Candidates -----------------------------------------------------------------------------------------

def test_my_interviews_needs_a_login(client):
    response = client.get("/my/interviews")
    assert response.status_code == 302 and "/login" in response.location


def test_nothing_shows_before_a_run_is_published(app, client, login, fair):
    run_and_maybe_publish(app, fair, publish=False)
    login(fair.ben)
    html = client.get("/my/interviews", headers=EN).get_data(as_text=True)
    assert "No interview schedule has been published for you yet" in html
    assert "Qiantang Finance" not in html


def test_a_candidate_sees_the_interviews_and_why_not_the_others(app, client, login, fair):
    run_and_maybe_publish(app, fair)
    login(fair.ben)
    response = client.get("/my/interviews", headers=EN)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Qiantang Finance" in html and "Booth A-3" in html and "Hall A" in html and "09:00–09:30" in html
    assert "Asia/Shanghai" in html and "Your choice no. 3" in html
    assert "Why not the others?" in html
    assert ("Booth A-1 · Westlake Robotics filled all its places with candidates it ranked higher "
            "(you were number 2 on its list; the last place went to number 1).") in html
    assert "Booth A-2 · Picky Partners did not list you" in html


def test_a_candidate_sees_only_their_own_interviews(app, client, login, fair):
    run_and_maybe_publish(app, fair)
    login(fair.ann)
    html = client.get("/my/interviews", headers=EN).get_data(as_text=True)
    assert "Westlake Robotics" in html and "Qiantang Finance" not in html and "Why not the others?" not in html


def test_a_candidate_without_an_interview_is_told_why(app, client, login, fair):
    loser = fair.candidate(fair.popular, name="落选")
    run_and_maybe_publish(app, fair)
    login(loser)
    html = client.get("/my/interviews", headers=EN).get_data(as_text=True)
    assert "The matching gave you no interview at this fair." in html
    assert "filled all its places with candidates it ranked higher" in html


def test_my_interviews_in_chinese(app, client, login, fair):
    run_and_maybe_publish(app, fair)
    login(fair.ben)
    response = client.get("/my/interviews", headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 200 and "09:00–09:30" in response.get_data(as_text=True)


# --- Employers ------------------------------------------------------------------------------------------

def booth_page(fair, booth=None) -> str:
    return f"/employer/booths/{(booth or fair.spare).id}/interviews"


@pytest.mark.parametrize("who", ["candidate", "other_staff", "organizer"])
def test_only_the_booths_own_staff_see_its_interviews(app, client, login, make_user, make_organization, fair, who):
    run_and_maybe_publish(app, fair)
    if who == "candidate":
        login(fair.ben)
    elif who == "other_staff":
        login(fair.make_staff(make_organization()))
    else:
        login(make_user(Role.ORGANIZER))
    assert client.get(booth_page(fair)).status_code == 404
    assert client.get(booth_page(fair) + ".csv").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, fair):
    for path in (booth_page(fair), booth_page(fair) + ".csv"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.location


def test_unknown_booths_are_not_found(client, login, fair):
    login(fair.staff)
    assert client.get("/employer/booths/999999/interviews").status_code == 404


def test_staff_see_their_interview_list_per_slot_once_published(app, client, login, fair):
    login(fair.staff)
    before = client.get(booth_page(fair), headers=EN).get_data(as_text=True)
    assert "have not published the interview schedule" in before
    assert client.get(booth_page(fair) + ".csv").status_code == 404
    run_and_maybe_publish(app, fair, publish=False)
    assert "have not published" in client.get(booth_page(fair), headers=EN).get_data(as_text=True)

    run_and_maybe_publish(app, fair)
    html = client.get(booth_page(fair), headers=EN).get_data(as_text=True)
    assert "1 interview" in html and "09:00–09:30" in html and "贝贝" in html and "Bei Ben" in html
    assert "+8613911112222" not in html and "@example" not in html  # no phone numbers or e-mail addresses
    assert 'data-testid="slot-0"' in html


def test_the_owner_sees_a_booth_with_no_interviews(app, client, login, fair):
    run_and_maybe_publish(app, fair)
    login(fair.make_staff(fair.picky.organization_ref))
    html = client.get(booth_page(fair, fair.picky), headers=EN).get_data(as_text=True)
    assert "The matching gave your booth no interview." in html


def test_the_interview_list_downloads_as_csv(app, client, login, fair):
    run_and_maybe_publish(app, fair)
    login(fair.staff)
    response = client.get(booth_page(fair) + ".csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["Slot", "Starts", "Ends", "Name", "Name in Latin letters"]
    assert rows[1][0] == "1" and rows[1][1].endswith("09:00+08:00") and rows[1][3:] == ["贝贝", "Bei Ben"]
