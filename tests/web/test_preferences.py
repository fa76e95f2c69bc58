"""The preference pages: the organizer's settings, a candidate's ranked booths (phone-friendly forms and the
script's JSON), the employer's ranking with exclusions, and who may open each page."""
from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from eventsapp.accounts.models import Role
from eventsapp.booths.models import Booth, BoothStatus
from eventsapp.browse.models import ShortlistEntry
from eventsapp.candidates.models import Degree, TalentClass
from eventsapp.events.models import EventKind, EventStatus
from eventsapp.extensions import db
from eventsapp.matchmaking.fitscore import DEFAULT_WEIGHTS
from eventsapp.matchmaking.models import BoothExclusion, CandidateChoice, MatchingRound
from eventsapp.openings.models import Opening
from eventsapp.registrations.models import Registration, RegistrationStatus
from tests.factories import local

EN = {"Accept-Language": "en"}


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def fair(app, make_event, make_organization, make_staff, make_booth):
    """A fair open for preferences with two approved booths; their staff; nobody logged in."""
    event = make_event(slug="autumn-fair", title_en="Autumn fair", starts_at=local(2031, 5, 10, 9),
                       ends_at=local(2031, 5, 10, 17))
    robots = make_organization(name_en="West Lake Robotics", name_zh="西湖机器人")
    bank = make_organization(name_en="Qiantang Bank", name_zh="钱塘银行")

    class Fair:
        pass

    fair = Fair()
    fair.event = event
    fair.booth = make_booth(event, robots, code=None)
    fair.other_booth = make_booth(event, bank)
    fair.staff = make_staff(robots)
    fair.other_staff = make_staff(bank)
    fair.my_booths = f"/events/{event.slug}/my-booths"
    fair.ranking = f"/employer/booths/{fair.booth.id}/ranking"
    fair.settings = f"/manage/events/{event.id}/matching/settings"
    with app.app_context():
        db.session.add(MatchingRound(event_id=event.id, deadline=now() + timedelta(days=5),
                                     interviews_start_at=event.starts_at, interviews_end_at=event.ends_at,
                                     weights_json=json.dumps(DEFAULT_WEIGHTS)))
        db.session.add(Opening(organization_id=robots.id, event_id=event.id, title="Robot engineer",
                               degree=Degree.MASTER, skills="Python,ROS"))
        db.session.commit()
    return fair


@pytest.fixture
def candidate(app, make_candidate, fair):
    """A candidate with a registration at the fair (confirmed unless told)."""
    def make(status=RegistrationStatus.CONFIRMED, **profile):
        user = make_candidate(**profile)
        with app.app_context():
            db.session.add(Registration(event_id=fair.event.id, user_id=user.id, status=status))
            db.session.commit()
        return user
    return make


def choices(app, user) -> list[tuple[int, int]]:
    with app.app_context():
        return [(choice.position, choice.booth_id) for choice in db.session.scalars(
            select(CandidateChoice).where(CandidateChoice.candidate_id == user.id)
            .order_by(CandidateChoice.position))]


def add(client, fair, booth, **data):
    return client.post(f"{fair.my_booths}/{booth.id}/add", data=data, headers=EN)


def set_deadline(app, fair, deadline):
    with app.app_context():
        db.session.get(MatchingRound, fair.event.id).deadline = deadline
        db.session.commit()


# --- Organizer settings ------------------------------------------------------------------------------

def settings_form(**overrides):
    data = dict(deadline="2031-05-08T18:00", max_ranked="10", interviews_per_candidate="3", slot_minutes="30",
                interviews_start_at="10:00", interviews_end_at="16:00",
                **{f"weight_{name}": str(weight) for name, weight in DEFAULT_WEIGHTS.items()})
    data.update(overrides)
    return data


def test_the_organizer_opens_preferences_with_settings_in_the_events_time(client, organizer, make_event, app):
    event = make_event(starts_at=local(2031, 6, 1, 9), ends_at=local(2031, 6, 1, 17))
    url = f"/manage/events/{event.id}/matching/settings"
    page = client.get(url, headers=EN).get_data(as_text=True)
    assert "Preferences are not open" in page and 'value="09:00"' in page and 'value="17:00"' in page
    response = client.post(url, data=settings_form(deadline="2031-05-30T20:00", weight_skills="6"), headers=EN)
    assert response.status_code == 302
    with app.app_context():
        round_ = db.session.get(MatchingRound, event.id)
        assert round_.deadline == local(2031, 5, 30, 20)
        assert (round_.interviews_start_at, round_.interviews_end_at) == (local(2031, 6, 1, 10), local(2031, 6, 1, 16))
        assert json.loads(round_.weights_json)["skills"] == 6
    page = client.get(url, headers=EN).get_data(as_text=True)
    assert re.search(r'data-testid="slots">12<', page)  # 6 hours of 30 minutes
    assert "Matching" in page and "Save settings" in page


def test_bad_settings_are_shown_beside_their_fields(client, organizer, fair):
    response = client.post(fair.settings, headers=EN, data=settings_form(
        deadline="2031-05-10T11:00", interviews_start_at="10:00", interviews_end_at="10:20", slot_minutes="30",
        weight_major="12", max_ranked="x"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter a whole number in digits." in page and "Enter a whole number from 1 to 50." not in page
    assert "Enter a whole number from 0 to 10." in page


def test_rules_across_fields_are_shown_beside_them(client, organizer, fair):
    response = client.post(fair.settings, headers=EN, data=settings_form(
        deadline="2031-05-10T11:00", interviews_start_at="10:00", interviews_end_at="10:20"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The deadline must be before the interviews start." in page
    assert "Not even one slot of 30 minutes fits" in page
    response = client.post(fair.settings, headers=EN, data=settings_form(interviews_start_at="08:00",
                                                                         interviews_end_at="07:00"))
    assert "The interviews must end after they start." in response.get_data(as_text=True)
    response = client.post(fair.settings, headers=EN, data=settings_form(interviews_start_at="08:00"))
    assert "while the fair is open" in response.get_data(as_text=True)


def test_events_without_booths_have_no_matching(client, organizer, make_event):
    conference = make_event(kind=EventKind.CONFERENCE)
    assert client.get(f"/manage/events/{conference.id}/matching/settings").status_code == 404


def test_the_event_tabs_link_to_matching(client, organizer, fair):
    page = client.get(f"/manage/events/{fair.event.id}/booths", headers=EN).get_data(as_text=True)
    assert fair.settings in page


# --- Candidates --------------------------------------------------------------------------------------

def test_a_candidate_builds_a_list_and_reorders_it_without_javascript(client, fair, candidate, login, app):
    user = candidate()
    login(user)
    page = client.get(fair.my_booths, headers=EN).get_data(as_text=True)
    assert "West Lake Robotics" in page and "Qiantang Bank" in page and "Robot engineer" in page
    assert "Booth place to be announced" in page
    assert add(client, fair, fair.booth).headers["Location"] == fair.my_booths
    add(client, fair, fair.other_booth, next=f"/events/{fair.event.slug}/floor-plan?q=B")
    assert choices(app, user) == [(1, fair.booth.id), (2, fair.other_booth.id)]
    response = client.post(f"{fair.my_booths}/{fair.other_booth.id}/move", data={"direction": "up"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#choice-{fair.other_booth.id}")
    assert choices(app, user) == [(1, fair.other_booth.id), (2, fair.booth.id)]
    client.post(f"{fair.my_booths}/{fair.other_booth.id}/move", data={"direction": "down"})
    assert choices(app, user) == [(1, fair.booth.id), (2, fair.other_booth.id)]
    page = client.get(fair.my_booths, headers=EN).get_data(as_text=True)
    assert "2 of 10" in page and f'data-testid="choice-{fair.booth.id}"' in page
    assert "No. 1 in my list" in page
    client.post(f"{fair.my_booths}/{fair.booth.id}/remove")
    assert choices(app, user) == [(1, fair.other_booth.id)]


def test_rank_this_booth_returns_to_the_page_it_came_from(client, fair, candidate, login):
    login(candidate())
    back = f"/events/{fair.event.slug}/openings?q=robot"
    response = add(client, fair, fair.booth, next=back)
    assert response.headers["Location"] == back
    assert add(client, fair, fair.booth, next="https://evil.example.com/").headers["Location"] == fair.my_booths


def test_the_script_moves_a_booth_and_gets_the_new_order(client, fair, candidate, login, app):
    user = candidate()
    login(user)
    add(client, fair, fair.booth)
    add(client, fair, fair.other_booth)
    response = client.post(f"{fair.my_booths}/{fair.booth.id}/move", data={"position": "2"},
                           headers={"Accept": "application/json"})
    assert response.get_json() == {"ok": True, "position": 2, "order": [fair.other_booth.id, fair.booth.id]}
    assert choices(app, user) == [(1, fair.other_booth.id), (2, fair.booth.id)]


def test_ranking_twice_says_it_is_already_in_the_list(client, fair, candidate, login, app):
    user = candidate()
    login(user)
    add(client, fair, fair.booth)
    response = add(client, fair, fair.booth)
    page = client.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert "This booth is already in your list." in page
    assert choices(app, user) == [(1, fair.booth.id)]


def test_after_the_deadline_the_list_is_read_only(client, fair, candidate, login, app):
    user = candidate()
    login(user)
    add(client, fair, fair.booth)
    set_deadline(app, fair, now() - timedelta(minutes=1))
    page = client.get(fair.my_booths, headers=EN).get_data(as_text=True)
    assert "Preferences closed on" in page and "West Lake Robotics" in page
    assert "Add to my list" not in page and "Rank this booth" not in page and "Remove" not in page
    add(client, fair, fair.other_booth)
    client.post(f"{fair.my_booths}/{fair.booth.id}/remove")
    assert choices(app, user) == [(1, fair.booth.id)]


def test_a_full_list_says_so(client, fair, candidate, login, app):
    with app.app_context():
        db.session.get(MatchingRound, fair.event.id).max_ranked = 1
        db.session.commit()
    login(candidate())
    add(client, fair, fair.booth)
    page = client.get(fair.my_booths, headers=EN).get_data(as_text=True)
    assert "Your list is full" in page
    response = add(client, fair, fair.other_booth)
    assert "at most 1 booths" in client.get(response.headers["Location"], headers=EN).get_data(as_text=True)


def test_a_booth_of_another_fair_or_not_approved_is_refused(client, fair, candidate, login, app, make_event,
                                                            make_organization, make_booth):
    user = candidate()
    login(user)
    elsewhere = make_booth(make_event(), make_organization())
    pending = make_booth(fair.event, make_organization(), status=BoothStatus.PENDING)
    page = client.get(add(client, fair, elsewhere).headers["Location"], headers=EN).get_data(as_text=True)
    assert "This booth is not at this fair." in page
    page = client.get(add(client, fair, pending).headers["Location"], headers=EN).get_data(as_text=True)
    assert "This booth is not taking part in the fair." in page
    assert choices(app, user) == []


def test_search_finds_booths_by_name_title_and_industry(client, fair, candidate, login):
    login(candidate())
    page = client.get(f"{fair.my_booths}?q=engineer", headers=EN).get_data(as_text=True)
    assert "West Lake Robotics" in page and "Qiantang Bank" not in page
    page = client.get(f"{fair.my_booths}?industry=C", headers=EN).get_data(as_text=True)
    assert "No booth matches your search." in page


# --- Employers ---------------------------------------------------------------------------------------

def rank(app, fair, *users):
    with app.app_context():
        for user in users:
            db.session.add(CandidateChoice(event_id=fair.event.id, candidate_id=user.id, booth_id=fair.booth.id,
                                           position=1))
        db.session.commit()


def row_ids(page: str) -> list[int]:
    return [int(number) for number in re.findall(r'data-testid="row-(\d+)"', page)]


def test_the_booth_sees_its_ranking_in_the_matchings_order(client, fair, candidate, login, app):
    phd = candidate(name="博士 PhD", degree=Degree.PHD, talent_class=TalentClass.E, show_to_employers=True)
    hidden = candidate(degree=Degree.BACHELOR)
    twin_a = candidate(name="Twin A", degree=Degree.MASTER, show_to_employers=True)
    twin_b = candidate(name="Twin B", degree=Degree.MASTER, show_to_employers=True)
    favourite = candidate(name="Favourite", degree=Degree.BACHELOR, show_to_employers=True)
    unconfirmed = candidate(status=RegistrationStatus.WAITLISTED, show_to_employers=True, name="Waiting")
    rank(app, fair, phd, hidden, twin_a, twin_b, favourite, unconfirmed)
    with app.app_context():
        db.session.add(ShortlistEntry(booth_id=fair.booth.id, candidate_id=favourite.id, rank=1))
        db.session.add(CandidateChoice(event_id=fair.event.id, candidate_id=phd.id, booth_id=fair.other_booth.id,
                                       position=2))
        db.session.commit()
    login(fair.staff)
    page = client.get(fair.ranking, headers=EN).get_data(as_text=True)
    order = row_ids(page)
    assert order == [favourite.id, phd.id, *order[2:4]] and set(order[2:4]) == {twin_a.id, twin_b.id}
    assert "Waiting" not in page and unconfirmed.id not in order
    assert "博士 PhD" in page
    assert page.count("tie — decided by lottery at run time") == 2
    assert "Shortlist rank 1" in page
    assert 'data-testid="weight-degree">3<' in page and "5 candidates ranked your booth" in page
    # The candidate who did not consent is counted, and nothing else: no row, place, score, part or id.
    assert "1 of them did not agree to show their profile to employers" in page
    for trace in (f'candidate-{hidden.id}"', f'row-{hidden.id}"', f'ranking/{hidden.id}"', f'candidates/{hidden.id}"'):
        assert trace not in page
    assert page.count('data-testid="score"') == 4 and page.count('data-testid="place"') == 4


def test_a_hidden_candidates_score_is_not_computed_for_the_page(app, fair, candidate, monkeypatch):
    """A score shown for someone who did not consent would tell their degree, major or class: the page
    does not even read their facts."""
    from eventsapp.matchmaking import inputs, preferences

    hidden = candidate(degree=Degree.PHD)
    shown = candidate(name="Shown", show_to_employers=True)
    rank(app, fair, hidden, shown)
    read = []
    real_read = inputs.read_candidate_facts
    monkeypatch.setattr(inputs, "read_candidate_facts", lambda *args: read.append(real_read(*args)) or read[-1])
    with app.app_context():
        ranking = preferences.booth_ranking(db.session.get(Booth, fair.booth.id))
    assert [row.candidate_id for row in ranking.rows] == [shown.id] and ranking.hidden == 1
    assert [set(facts) for facts in read] == [{shown.id}]  # the shown candidate's only
    # The matching itself still ranks both.
    with app.app_context():
        everyone = inputs.read_matching_inputs(fair.event.id, DEFAULT_WEIGHTS).booth_order(fair.booth.id)
    assert {row.candidate_id for row in everyone.ranked} == {hidden.id, shown.id}


def test_a_hidden_candidate_cannot_be_marked_nor_probed(client, fair, candidate, login):
    hidden = candidate()
    rank(client.application, fair, hidden)
    login(fair.staff)
    assert client.post(f"{fair.ranking}/{hidden.id}", data={"acceptable": "no"}).status_code == 404


def test_the_booth_marks_a_candidate_not_acceptable_and_back(client, fair, candidate, login, app):
    user = candidate(name="王芳", show_to_employers=True)
    rank(app, fair, user)
    login(fair.staff)
    url = f"{fair.ranking}/{user.id}"
    response = client.post(url, data={"acceptable": "no"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#candidate-{user.id}")
    page = client.get(fair.ranking, headers=EN).get_data(as_text=True)
    assert f'data-testid="excluded-{user.id}"' in page and row_ids(page) == []
    with app.app_context():
        exclusion = db.session.scalars(select(BoothExclusion)).one()
        assert (exclusion.booth_id, exclusion.candidate_id, exclusion.created_by_id) == (
            fair.booth.id, user.id, fair.staff.id)
    client.post(url, data={"acceptable": "yes"})
    assert row_ids(client.get(fair.ranking, headers=EN).get_data(as_text=True)) == [user.id]


def test_only_candidates_who_ranked_the_booth_can_be_marked(client, fair, candidate, login):
    user = candidate()
    login(fair.staff)
    assert client.post(f"{fair.ranking}/{user.id}", data={"acceptable": "no"}).status_code == 404
    assert client.post(f"{fair.ranking}/{user.id}", data={"acceptable": "maybe"}).status_code == 400


# --- Who may open what -------------------------------------------------------------------------------

def who(name, fair, candidate, make_user, make_candidate):
    return {
        "candidate": lambda: candidate(),
        "unregistered candidate": lambda: make_candidate(),
        "staff of the booth": lambda: fair.staff,
        "staff of another organization": lambda: fair.other_staff,
        "organizer": lambda: make_user(Role.ORGANIZER),
    }[name]()


@pytest.mark.parametrize(("person", "settings", "my_booths", "ranking"), [
    ("candidate", 403, 200, 403),
    ("unregistered candidate", 403, 200, 403),
    ("staff of the booth", 403, 403, 200),
    ("staff of another organization", 403, 403, 403),
    ("organizer", 200, 403, 403),
])
def test_who_may_open_each_page(client, fair, candidate, make_user, make_candidate, login, person, settings,
                                my_booths, ranking):
    login(who(person, fair, candidate, make_user, make_candidate))
    assert client.get(fair.settings).status_code == settings
    assert client.get(fair.my_booths).status_code == my_booths
    assert client.get(fair.ranking).status_code == ranking


def test_anonymous_visitors_are_sent_to_log_in(client, fair):
    for url in (fair.settings, fair.my_booths, fair.ranking):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    response = client.post(f"{fair.my_booths}/{fair.booth.id}/add", data={"next": "/events/autumn-fair/openings"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post(f"{fair.ranking}/1", data={"acceptable": "no"}).status_code == 302


def test_a_candidate_without_a_confirmed_registration_is_told_why(client, fair, candidate, login, app):
    user = candidate(status=RegistrationStatus.WAITLISTED)
    login(user)
    page = client.get(fair.my_booths, headers=EN).get_data(as_text=True)
    assert "Only candidates with a confirmed registration for this fair can rank its booths." in page
    assert "Qiantang Bank" not in page
    add(client, fair, fair.booth)
    assert choices(app, user) == []


def test_employers_and_organizers_cannot_change_lists(client, fair, login, make_user):
    login(fair.staff)
    assert add(client, fair, fair.booth).status_code == 403
    assert client.post(f"{fair.my_booths}/{fair.booth.id}/move", data={"direction": "up"}).status_code == 403


def test_a_candidate_cannot_move_a_booth_outside_their_list(client, fair, candidate, login):
    login(candidate())
    assert client.post(f"{fair.my_booths}/{fair.booth.id}/move", data={"direction": "up"}).status_code == 404
    assert client.post(f"{fair.my_booths}/{fair.booth.id}/remove").status_code == 404
    assert client.post(f"{fair.my_booths}/{fair.booth.id}/move", data={"direction": "sideways"}).status_code == 400


def test_unknown_or_draft_fairs_and_booths_are_not_found(client, fair, candidate, login, app, make_event):
    draft = make_event(status=EventStatus.DRAFT)
    login(fair.staff)
    assert client.get("/employer/booths/999999/ranking").status_code == 404
    login(candidate())
    assert client.get(f"/events/{draft.slug}/my-booths").status_code == 404
    assert client.get("/events/no-such-fair/my-booths").status_code == 404


def test_a_booth_that_is_no_longer_approved_has_no_ranking_page(client, fair, login, app):
    from eventsapp.booths.models import Booth
    with app.app_context():
        db.session.get(Booth, fair.booth.id).status = BoothStatus.WITHDRAWN
        db.session.commit()
    login(fair.staff)
    assert client.get(fair.ranking).status_code == 403


def test_the_openings_list_and_floor_plan_offer_rank_this_booth_to_candidates_who_can(app, client, fair, candidate,
                                                                                     login, make_user):
    from eventsapp.booths.models import Hall
    from eventsapp.booths.services import place_remaining
    with app.app_context():
        db.session.add(Hall(event_id=fair.event.id, name="A", rows=2, cols=4))
        db.session.flush()
        place_remaining(fair.event.id)
        db.session.commit()
    openings = f"/events/{fair.event.slug}/openings"
    plan = f"/events/{fair.event.slug}/floor-plan"
    assert f'data-testid="rank-{fair.booth.id}"' not in client.get(openings, headers=EN).get_data(as_text=True)
    login(candidate())
    assert f'data-testid="rank-{fair.booth.id}"' in client.get(openings, headers=EN).get_data(as_text=True)
    assert f'data-testid="rank-{fair.booth.id}"' in client.get(plan, headers=EN).get_data(as_text=True)
    client.post(f"{fair.my_booths}/{fair.booth.id}/add", data={"next": plan})
    assert f'data-testid="ranked-{fair.booth.id}"' in client.get(plan, headers=EN).get_data(as_text=True)
    client.post("/logout")
    login(make_user())  # a candidate not registered at the fair
    assert f'data-testid="rank-{fair.booth.id}"' not in client.get(plan, headers=EN).get_data(as_text=True)


# --- A published schedule closes the lists, whatever the deadline says -------------------------------------

def publish_schedule(app, fair):
    from eventsapp.matchmaking.models import MatchRun, RunStatus
    with app.app_context():
        db.session.add(MatchRun(event_id=fair.event.id, seed=1, status=RunStatus.PUBLISHED, published_at=now()))
        db.session.commit()


def test_a_published_schedule_closes_the_candidates_lists_on_every_page(app, client, fair, candidate, login):
    from eventsapp.booths.models import Hall
    from eventsapp.booths.services import place_remaining
    with app.app_context():
        db.session.add(Hall(event_id=fair.event.id, name="A", rows=2, cols=4))
        db.session.flush()
        place_remaining(fair.event.id)
        db.session.commit()
    user = candidate()
    login(user)
    add(client, fair, fair.booth)
    add(client, fair, fair.other_booth)
    publish_schedule(app, fair)  # before the deadline, five days away

    page = client.get(fair.my_booths, headers=EN).get_data(as_text=True)
    closed = "The interview schedule for this fair has been published, so the lists are closed."
    assert closed in page and "See my interviews" in page and "West Lake Robotics" in page
    assert "Add to my list" not in page and "Remove" not in page and 'name="direction"' not in page
    for path in (f"/events/{fair.event.slug}/openings", f"/events/{fair.event.slug}/floor-plan"):
        html = client.get(path, headers=EN).get_data(as_text=True)
        assert closed in html and f'data-testid="rank-{fair.other_booth.id}"' not in html, path
        assert f'data-testid="ranked-{fair.booth.id}"' not in html, path

    add(client, fair, fair.other_booth)
    client.post(f"{fair.my_booths}/{fair.booth.id}/remove")
    response = client.post(f"{fair.my_booths}/{fair.other_booth.id}/move", data={"position": "1"},
                           headers={**EN, "Accept": "application/json"})
    assert response.status_code == 409 and response.get_json() == {"error": "conflict", "message": closed}
    assert choices(app, user) == [(1, fair.booth.id), (2, fair.other_booth.id)]


def test_a_published_schedule_closes_the_booths_not_acceptable_marks(app, client, fair, candidate, login):
    user = candidate(name="王芳", show_to_employers=True)
    rank(app, fair, user)
    publish_schedule(app, fair)
    login(fair.staff)
    page = client.get(fair.ranking, headers=EN).get_data(as_text=True)
    assert 'data-testid="ranking-closed"' in page and f'data-testid="exclude-{user.id}"' not in page
    response = client.post(f"{fair.ranking}/{user.id}", data={"acceptable": "no"}, headers=EN)
    assert response.status_code == 302
    assert "the lists are closed" in client.get(fair.ranking, headers=EN).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(BoothExclusion)).all() == []
