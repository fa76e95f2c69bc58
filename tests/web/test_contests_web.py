"""Contests through the browser's eyes: an organizer sets one up, a team enters, invites, submits; who may
open what (the whole matrix); bad input gets its message beside the field; forged forms are refused."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from io import BytesIO
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from eventsapp.accounts.models import Role
from eventsapp.contests.models import Contest, ContestQuestion, Entry, EntryState, Round, TeamMember, Track
from eventsapp.events.models import EventKind
from eventsapp.extensions import db
from eventsapp.notifications.models import OutboxMessage
from eventsapp.registrations.models import QuestionKind
from tests.factories import PASSWORD, credit_code, make_pdf

EN = {"Accept-Language": "en"}


def logged_in(app, user):
    client = app.test_client()
    if user is not None:
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302
    return client


def entry_form(track_id, **overrides) -> dict:
    values = {"title_zh": "工业质检大模型", "title_en": "Inspection models", "track_id": str(track_id),
              "summary_zh": "用多模态模型检测缺陷。", "organization_name": "杭州西子智能科技有限公司",
              "organization_credit_code": credit_code(5), "overseas_experience": "PhD, Cambridge, 2016–2020"}
    values.update(overrides)
    return values


def error_beside(page: str, field: str) -> str:
    """The HTML from the field's input to the end of its block, where its message shows."""
    start = page.index(f'name="{field}"')
    return page[start:page.index("</div>", start)]


@pytest.fixture
def decks(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "DECK_FOLDER", str(tmp_path))
    return tmp_path


# --- The whole story ------------------------------------------------------------------------------------

def test_an_organizer_sets_up_a_contest_and_a_team_enters_it(app, decks, make_event, make_organizer, make_candidate):
    event = make_event(kind=EventKind.COMPETITION, slug="makers-2027", title_en="Makers of the World 2027")
    organizer = logged_in(app, make_organizer())
    base = f"/manage/events/{event.id}/contest"
    hub = organizer.get(f"/manage/events/{event.id}", headers=EN).get_data(as_text=True)
    assert f'href="{base}"' in hub and "Contest" in hub
    response = organizer.post(base, data={"entries_open_at": "2020-01-01T09:00", "entries_close_at": "2099-05-01T18:00",
                                          "team_min": "1", "team_max": "3", "leader_max_age": "45",
                                          "requires_overseas_experience": "y"})
    assert response.status_code == 302
    track = {"name_zh": "数字经济", "name_en": "Digital economy"}
    assert organizer.post(f"{base}/tracks", data=track).status_code == 302
    assert organizer.post(f"{base}/rounds", data={"name_zh": "初赛", "kind": "online_review", "aggregation": "mean",
                                                  "reviews_per_entry": "3", "blind": "y"}).status_code == 302
    assert organizer.post(f"{base}/questions", data={"kind": "yes_no", "label_en": "Raised money?",
                                                     "required": "y"}).status_code == 302
    with app.app_context():
        contest = db.session.scalar(select(Contest).where(Contest.event_id == event.id))
        track_id = db.session.scalar(select(Track.id).where(Track.contest_id == contest.id))
        question_id = db.session.scalar(select(ContestQuestion.id).where(ContestQuestion.contest_id == contest.id))
        assert db.session.scalar(select(Round.blind).where(Round.contest_id == contest.id)) is True

    leader = make_candidate(email="leader@example.org")
    team = logged_in(app, leader)
    page = team.get("/events/makers-2027", headers=EN).get_data(as_text=True)
    assert "Enter the contest" in page and "The team leader is under 45" in page and "Digital economy" in page
    response = team.post("/events/makers-2027/contest/enter",
                         data=entry_form(track_id, **{f"question_{question_id}": "yes"}))
    assert response.status_code == 302
    entry_url = response.location
    assert team.post(f"{entry_url}/deck", data={"deck": (BytesIO(make_pdf(4)), "路演.pdf")},
                     content_type="multipart/form-data").status_code == 302
    assert team.post(f"{entry_url}/invitations", data={"email": "friend@example.org"}).status_code == 302

    with app.app_context():
        mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_email == "friend@example.org"))
    link = re.search(r"http://talent\.test(/contest-invitations/\S+)", mail.body_text)[1]
    friend = logged_in(app, make_candidate(email="friend@example.org"))
    assert "Join the team" in friend.get(link, headers=EN).get_data(as_text=True)
    assert friend.post(f"{link}/accept").status_code == 302
    assert "Inspection models" in friend.get("/my/contest-entries", headers=EN).get_data(as_text=True)

    assert team.post(f"{entry_url}/submit").status_code == 302
    mine = team.get("/my/contest-entries", headers=EN).get_data(as_text=True)
    assert "Submitted" in mine and "初赛: In this round" in mine
    listing = organizer.get(f"{base}/entries", headers=EN).get_data(as_text=True)
    assert "Inspection models" in listing
    export = organizer.get(f"{base}/entries.csv", headers=EN)
    assert export.mimetype == "text/csv" and export.data.startswith("\ufeff".encode())
    assert "工业质检大模型" in export.data.decode() and "Raised money?" in export.data.decode()
    with app.app_context():
        entry = db.session.scalar(select(Entry))
        assert entry.state == EntryState.SUBMITTED and entry.deck_pages == 4 and len(entry.members) == 2


def test_the_entry_form_says_what_is_wrong_beside_each_field(app, make_contest, make_candidate):
    contest = make_contest()
    client = logged_in(app, make_candidate())
    response = client.post(f"/events/{contest.event.slug}/contest/enter", headers=EN, data=entry_form(
        contest.tracks[0].id, title_zh="", title_en="", organization_credit_code="91330106MA2000001X",
        video_url="ftp://x"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "at least one language" in error_beside(page, "title_zh")
    assert "check character" in error_beside(page, "organization_credit_code")
    assert "https://" in error_beside(page, "video_url")
    with app.app_context():
        assert db.session.scalar(select(Entry)) is None


def test_the_empty_entry_form_is_not_marked_wrong_before_it_is_sent(app, make_contest, make_candidate, monkeypatch):
    contest = make_contest()
    with app.app_context():
        db.session.add(ContestQuestion(contest_id=contest.id, position=1, kind=QuestionKind.YES_NO,
                                       label_zh="是否已融资", label_en="Raised money?"))
        db.session.commit()
    client = logged_in(app, make_candidate())
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)  # as in a browser: no token is checked on a GET
    page = client.get(f"/events/{contest.event.slug}/contest/enter", headers=EN)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Raised money?" in text
    assert "Please correct the fields" not in text and "invalid-feedback" not in text


def test_a_file_that_is_not_a_pdf_is_refused_as_a_deck(app, decks, make_contest, make_entry, make_candidate):
    contest, leader = make_contest(), make_candidate()
    entry = make_entry(contest, leader, state=EntryState.DRAFT)
    client = logged_in(app, leader)
    response = client.post(f"/my/contest-entries/{entry.id}/deck", headers=EN, content_type="multipart/form-data",
                           data={"deck": (BytesIO(b"\x89PNG\r\n"), "deck.pdf")})
    assert response.status_code == 422 and "not a PDF" in response.get_data(as_text=True)
    assert list(decks.iterdir()) == []


def test_the_rules_are_explained_to_a_candidate_who_may_not_enter(app, make_contest, make_candidate):
    contest = make_contest(leader_max_age=30)
    client = logged_in(app, make_candidate(birth_year=1960))
    page = client.get(f"/events/{contest.event.slug}", headers=EN).get_data(as_text=True)
    assert "The team leader must be under 30." in page and "Enter the contest</a>" not in page
    refused = client.post(f"/events/{contest.event.slug}/contest/enter", data=entry_form(contest.tracks[0].id),
                          headers=EN)
    assert refused.status_code == 422 and "must be under 30" in refused.get_data(as_text=True)


def test_a_locked_entry_shows_its_content_and_cannot_be_changed(app, make_contest, make_entry, make_candidate):
    now = datetime.now(UTC)
    contest = make_contest(entries_open_at=now - timedelta(days=5), entries_close_at=now - timedelta(days=1))
    leader = make_candidate()
    entry = make_entry(contest, leader, title_zh="锁定的项目")
    client = logged_in(app, leader)
    page = client.get(f"/my/contest-entries/{entry.id}", headers=EN).get_data(as_text=True)
    assert "锁定的项目" in page and "can no longer be changed" in page and 'data-testid="entry-form"' not in page
    response = client.post(f"/my/contest-entries/{entry.id}", data=entry_form(contest.tracks[0].id), headers=EN)
    assert response.status_code == 422
    with app.app_context():
        assert db.session.get(Entry, entry.id).title_zh == "锁定的项目"


def test_a_withdrawn_entry_stays_on_my_entries(app, make_contest, make_entry, make_candidate):
    contest, leader = make_contest(), make_candidate()
    entry = make_entry(contest, leader)
    client = logged_in(app, leader)
    assert client.post(f"/my/contest-entries/{entry.id}/withdraw").status_code == 302
    assert "Withdrawn" in client.get("/my/contest-entries", headers=EN).get_data(as_text=True)


def test_a_forged_form_without_its_csrf_token_is_refused(app, make_contest, make_entry, make_candidate, monkeypatch):
    contest, leader = make_contest(), make_candidate()
    entry = make_entry(contest, leader)
    client = logged_in(app, leader)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post(f"/my/contest-entries/{entry.id}/withdraw").status_code == 400
    assert client.post(f"/my/contest-entries/{entry.id}/invitations", data={"email": "x@example.org"}).status_code \
        in (400, 422)
    with app.app_context():
        assert db.session.get(Entry, entry.id).state == EntryState.SUBMITTED


def test_contest_pages_of_other_kinds_of_event_do_not_exist(app, make_event, make_organizer):
    fair = make_event(kind=EventKind.FAIR)
    client = logged_in(app, make_organizer())
    assert client.get(f"/manage/events/{fair.id}/contest").status_code == 404
    assert client.get(f"/events/{fair.slug}/contest/enter").status_code == 404


# --- Who may open what ------------------------------------------------------------------------------------

ACTORS = ("anonymous", "candidate", "member", "leader", "other_team", "employer", "organizer")
# resource -> expected status per actor, in the order of ACTORS. 302 for anonymous: to the login page; a
# team's pages say 404 to everyone not on the team, so nobody learns which entries exist; organizers' pages
# say 403 to everyone else.
MATRIX = {
    "entry page":          ("GET", "/my/contest-entries/{entry}", (302, 404, 200, 200, 404, 403, 403)),
    "entry deck":          ("GET", "/my/contest-entries/{entry}/deck", (302, 404, 200, 200, 404, 403, 403)),
    "entry save":          ("POST", "/my/contest-entries/{entry}", (302, 404, 302, 302, 404, 403, 403)),
    "invite":              ("POST", "/my/contest-entries/{entry}/invitations", (302, 404, 422, 302, 404, 403, 403)),
    "my entries":          ("GET", "/my/contest-entries", (302, 200, 200, 200, 200, 403, 403)),
    "enter":               ("GET", "/events/{slug}/contest/enter", (302, 200, 302, 302, 302, 403, 403)),
    "organizer entries":   ("GET", "/manage/events/{event}/contest/entries", (302, 403, 403, 403, 403, 403, 200)),
    "organizer entry":     ("GET", "/manage/events/{event}/contest/entries/{entry}", (302, 403, 403, 403, 403, 403,
                                                                                       200)),
    "organizer deck":      ("GET", "/manage/events/{event}/contest/entries/{entry}/deck", (302, 403, 403, 403, 403,
                                                                                           403, 200)),
    "through another contest": ("GET", "/manage/events/{other_event}/contest/entries/{entry}",
                                (302, 403, 403, 403, 403, 403, 404)),
    "organizer settings":  ("POST", "/manage/events/{event}/contest/tracks", (302, 403, 403, 403, 403, 403, 302)),
}


@pytest.fixture
def world(app, decks, make_contest, make_entry, make_candidate, make_user, make_organizer):
    """A contest with one entry (a leader, a member, a deck), another team's entry, and every actor."""
    contest, other = make_contest(), make_contest()
    leader, member, other_leader = make_candidate(), make_candidate(), make_candidate()
    entry = make_entry(contest, leader, member)
    make_entry(contest, other_leader)
    (decks / "deck.pdf").write_bytes(make_pdf(1))
    with app.app_context():
        stored = db.session.get(Entry, entry.id)
        stored.deck_storage_name, stored.deck_filename, stored.deck_pages = "deck.pdf", "deck.pdf", 1
        db.session.commit()
    people = {"anonymous": None, "candidate": make_candidate(), "member": member, "leader": leader,
              "other_team": other_leader, "employer": make_user(Role.EMPLOYER), "organizer": make_organizer()}
    return SimpleNamespace(values={"entry": entry.id, "slug": contest.event.slug, "event": contest.event_id,
                                   "other_event": other.event_id},
                           track=contest.tracks[0].id, people=people)


@pytest.mark.parametrize("resource", list(MATRIX))
def test_who_may_open_what(app, world, resource):
    method, address, expected = MATRIX[resource]
    path = address.format(**world.values)
    form = {"email": "new.member@example.org", "name_zh": "新赛道", **entry_form(world.track)}
    found = tuple(logged_in(app, world.people[actor]).open(path, method=method, data=form).status_code
                  for actor in ACTORS)
    assert dict(zip(ACTORS, found, strict=True)) == dict(zip(ACTORS, expected, strict=True))


def test_a_member_sees_the_team_but_only_the_leader_submits_and_withdraws(app, world):
    member = logged_in(app, world.people["member"])
    entry = world.values["entry"]
    page = member.get(f"/my/contest-entries/{entry}", headers=EN).get_data(as_text=True)
    assert "Withdraw the entry" not in page and "Leave" in page
    member.post(f"/my/contest-entries/{entry}/withdraw")
    with app.app_context():
        assert db.session.get(Entry, entry).state == EntryState.SUBMITTED


def test_a_member_can_leave_the_team(app, world):
    member = world.people["member"]
    with app.app_context():
        row = db.session.scalar(select(TeamMember).where(TeamMember.user_id == member.id))
    client = logged_in(app, member)
    response = client.post(f"/my/contest-entries/{world.values['entry']}/members/{row.id}/remove")
    assert response.status_code == 302 and response.location.endswith("/my/contest-entries")
    assert client.get(f"/my/contest-entries/{world.values['entry']}").status_code == 404


def test_a_member_cannot_leave_a_submitted_team_at_its_smallest_size(app, make_contest, make_entry, make_candidate):
    contest, leader, member = make_contest(team_min=2), make_candidate(), make_candidate()
    entry = make_entry(contest, leader, member)
    with app.app_context():
        row = db.session.scalar(select(TeamMember).where(TeamMember.user_id == member.id))
    client = logged_in(app, member)
    response = client.post(f"/my/contest-entries/{entry.id}/members/{row.id}/remove", headers=EN,
                           follow_redirects=True)
    assert response.status_code == 200 and "invite a replacement" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(TeamMember, row.id) is not None


def test_the_pages_speak_chinese_by_default(app, make_contest, make_entry, make_candidate, chinese_by_default):
    contest, leader = make_contest(leader_max_age=45), make_candidate()
    client = logged_in(app, make_candidate())
    page = client.get(f"/events/{contest.event.slug}").get_data(as_text=True)
    assert "报名参赛" in page and "团队负责人未满 45 周岁" in page and "数字经济" in page
    entry = make_entry(contest, leader)
    mine = logged_in(app, leader).get(f"/my/contest-entries/{entry.id}").get_data(as_text=True)
    assert "退赛" in mine and "团队负责人" in mine


def test_the_entries_tab_of_a_competition_not_yet_a_contest_leads_to_its_settings(app, make_event, make_organizer):
    event = make_event(kind=EventKind.COMPETITION)
    client = logged_in(app, make_organizer())
    response = client.get(f"/manage/events/{event.id}/contest/entries")
    assert response.status_code == 302 and response.location.endswith(f"/manage/events/{event.id}/contest")
    assert client.get(f"/manage/events/{event.id}/contest/tracks").status_code == 404


def test_the_events_activity_tells_the_teams_decisions_in_words(app, make_contest, make_entry, make_candidate,
                                                                make_organizer):
    contest, leader = make_contest(), make_candidate()
    entry = make_entry(contest, leader)
    logged_in(app, leader).post(f"/my/contest-entries/{entry.id}/withdraw")
    page = logged_in(app, make_organizer()).get(f"/manage/events/{contest.event_id}/activity",
                                                headers=EN).get_data(as_text=True)
    assert "Entry withdrawn" in page and "Contest entry #" in page and "Submitted → Withdrawn" in page


def test_a_missing_title_and_a_missing_required_answer_are_both_shown(app, make_contest, make_candidate):
    contest = make_contest()
    with app.app_context():
        question = ContestQuestion(contest_id=contest.id, kind="single_choice", label_en="Stage",
                                   options_text="Idea\nPrototype", required=True)
        db.session.add(question)
        db.session.commit()
        question_id = question.id
    client = logged_in(app, make_candidate())
    page = client.post(f"/events/{contest.event.slug}/contest/enter", headers=EN, data=entry_form(
        contest.tracks[0].id, title_zh="", title_en="", **{f"question_{question_id}": "Something else"})
    ).get_data(as_text=True)
    assert "at least one language" in error_beside(page, "title_zh")
    assert "Choose from the options given." in page[page.index(f'name="question_{question_id}"'):]
