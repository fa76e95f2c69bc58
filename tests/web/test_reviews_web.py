"""Judging through the pages: an organizer invites a judge, sets up panels and the rubric, opens the round
and assigns it; the judge accepts, scores on the sheet and the organizer reads the leaderboard. Then the
bad input: scores above the maximum, an entry not assigned, a round that closed, huge ids, and refused
hand changes — with clear messages and nothing half-saved; and blind rounds."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from eventsapp.accounts.models import Role
from eventsapp.contests.models import (
    ConflictOfInterest,
    ConflictSource,
    Contest,
    ContestJudge,
    Panel,
    ReviewAssignment,
    RoundState,
    RubricCriterion,
    ScoreSheet,
    ScoreSheetHistory,
    SheetState,
)
from eventsapp.extensions import db
from eventsapp.notifications.models import OutboxMessage
from eventsapp.reviews.judges import invite_judge
from tests.contest_factories import build_contest
from tests.factories import make_pdf


def _page(response) -> str:
    return response.get_data(as_text=True)


def test_an_organizer_and_a_judge_run_a_round_from_invitation_to_leaderboard(app, client, organizer, login,
                                                                             factories):
    world = build_contest(factories, round_state=RoundState.PLANNED)
    round_id, event_id = world.rounds[0].id, world.event.id
    entries = [world.entry(world.tracks[0]), world.entry(world.tracks[0])]
    base = f"/manage/events/{event_id}/judging"

    assert "Judging" in _page(client.get(base))
    response = client.post(f"{base}/judges", data={"email": "Expert@Westlake.example.edu", "name": "王教授",
                                                   "organization": "", "school": "", "max_load": ""})
    assert response.status_code == 302
    with app.app_context():
        message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "judge_invitation"))
        link = re.search(r"http://\S+/judging/invitations/\S+", message.body_text).group(0)
    path = "/" + link.split("/", 3)[3]
    client.post(f"{base}/rounds/{round_id}/panels", data={"track": str(world.tracks[0].id), "name": "A", "room": ""})
    client.post(f"{base}/rounds/{round_id}/criteria", data={
        "name_zh": "创新", "name_en": "Innovation", "weight": "2", "max_points": "10", "position": "0"})
    client.post(f"{base}/rounds/{round_id}/criteria", data={
        "name_en": "Team", "weight": "1", "max_points": "5", "position": "1", "comment_required": "y"})

    judge_user = factories.make_user(Role.CANDIDATE, email="expert@westlake.example.edu")
    judge_client = app.test_client()
    judge_client.post("/login", data={"email": judge_user.email, "password": "correct horse battery staple"})
    assert "Accept and join the jury" in _page(judge_client.get(path))
    response = judge_client.post(path, data={"organization": "Westlake University", "school": ""})
    assert response.status_code == 302 and response.headers["Location"].endswith("/judging")

    with app.app_context():
        judge = db.session.scalar(select(ContestJudge))
        panel = db.session.scalar(select(Panel))
        criteria = db.session.scalars(select(RubricCriterion).order_by(RubricCriterion.position)).all()
        judge_id, panel_id, (innovation, team) = judge.id, panel.id, [c.id for c in criteria]
    assert judge.organization == "Westlake University"
    client.post(f"{base}/rounds/{round_id}/panels/{panel_id}/members", data={"judge": str(judge_id)})
    client.post(f"{base}/rounds/{round_id}/state", data={"state": "open"})
    response = client.post(f"{base}/rounds/{round_id}/assign", data={"per_entry": "1", "max_load": ""})
    assert response.status_code == 302
    assert "2 entries have their judges" in _page(client.get(response.headers["Location"]))

    reviews = _page(judge_client.get("/judging"))
    assert all(f"/judging/rounds/{round_id}/entries/{entry.id}" in reviews for entry in entries)
    sheet = f"/judging/rounds/{round_id}/entries/{entries[0].id}"
    assert 'inputmode="decimal"' in _page(judge_client.get(sheet))
    response = judge_client.post(sheet, data={"version": "", "action": "draft", f"points_{innovation}": "8,5"})
    assert response.status_code == 302
    response = judge_client.post(sheet, data={"version": "1", "action": "submit", f"points_{innovation}": "8.5",
                                              f"points_{team}": "4"})
    assert response.status_code == 422 and "This criterion asks for a comment." in _page(response)
    response = judge_client.post(sheet, data={"version": "1", "action": "submit", f"points_{innovation}": "8.5",
                                              f"points_{team}": "4", f"comment_{team}": "Strong founders"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/entries/{entries[1].id}")  # on to the next entry

    board = _page(client.get(f"{base}/rounds/{round_id}/leaderboard"))
    assert f'data-testid="row-{entries[0].id}"' in board and "83.33" in board  # 100 * (2*.85 + 1*.8) / 3
    chinese = _page(client.get(f"{base}/rounds/{round_id}/leaderboard", headers={"Accept-Language": "zh-CN"}))
    assert "排行榜" in chinese and "名次" in chinese and "标准化得分" in chinese
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ScoreSheetHistory)) == 2


@pytest.fixture
def scored(factories):
    """An open round with a rubric of one criterion (max 10) and a judge assigned to one of two entries."""
    world = build_contest(factories)
    round_ = world.rounds[0]
    (criterion,) = world.rubric(round_, (1, 10))
    mine, other = world.entry(), world.entry()
    judge = world.judge()
    world.panel(round_, [judge])
    world.assign(round_, judge, mine)
    return world, round_, criterion, mine, other, judge


def test_bad_scores_unassigned_entries_closed_rounds_and_huge_ids(app, client, login, scored):
    world, round_, criterion, mine, other, judge = scored
    login(world.user_of(judge))
    sheet = f"/judging/rounds/{round_.id}/entries/{mine.id}"
    for typed in ("11", "-1", "NaN", "1e9999", "abc"):
        response = client.post(sheet, data={"action": "submit", f"points_{criterion.id}": typed})
        assert response.status_code == 422, typed
    assert "Between 0 and 10 points." in _page(client.post(sheet, data={"action": "submit",
                                                                         f"points_{criterion.id}": "11"}))
    assert client.get(f"/judging/rounds/{round_.id}/entries/{other.id}").status_code == 404
    assert client.post(f"/judging/rounds/{round_.id}/entries/{other.id}",
                       data={"action": "submit", f"points_{criterion.id}": "5"}).status_code == 404
    for huge in ("99999999999999999999", str(2**31)):
        assert client.get(f"/judging/rounds/{huge}/entries/{mine.id}").status_code == 404
        assert client.get(f"/manage/events/{huge}/judging").status_code in (403, 404)
    with app.app_context():
        db.session.get(type(round_), round_.id).state = RoundState.CLOSED
        db.session.commit()
    response = client.post(sheet, data={"action": "submit", f"points_{criterion.id}": "5"}, follow_redirects=True)
    assert "The round has closed: scores can no longer change. Nothing was saved." in _page(response)
    assert client.get(sheet).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ScoreSheet)) == 0


def test_a_blind_round_hides_the_team(app, client, login, factories):
    world = build_contest(factories, blind=True)
    round_ = world.rounds[0]
    world.rubric(round_, (1, 10))
    leader = factories.make_candidate(email="lead@blind.example.net", name="张三", school="清华大学")
    entry = world.entry(leader=leader, organization_name="秘密科技")
    judge = world.judge()
    world.assign(round_, judge, entry)
    login(world.user_of(judge))
    page = _page(client.get(f"/judging/rounds/{round_.id}/entries/{entry.id}"))
    assert entry.title_zh in page and 'data-testid="blind"' in page
    assert "秘密科技" not in page and "清华大学" not in page and leader.display_name not in page


def test_a_judge_opens_the_deck_from_the_sheet_even_blind_without_the_teams_file_name(app, client, login,
                                                                                      factories, tmp_path,
                                                                                      monkeypatch):
    monkeypatch.setitem(app.config, "DECK_FOLDER", str(tmp_path))
    (tmp_path / "stored.pdf").write_bytes(make_pdf(3))
    world = build_contest(factories, blind=True)
    round_ = world.rounds[0]
    world.rubric(round_, (1, 10))
    entry = world.entry(deck_storage_name="stored.pdf", deck_filename="秘密科技-张三团队.pdf", deck_pages=3)
    judge = world.judge()
    world.assign(round_, judge, entry)
    login(world.user_of(judge))
    sheet = f"/judging/rounds/{round_.id}/entries/{entry.id}"
    page = _page(client.get(sheet))
    assert f'href="{sheet}/deck"' in page and "秘密科技" not in page
    deck = client.get(f"{sheet}/deck")
    assert deck.status_code == 200 and deck.data.startswith(b"%PDF")
    assert f'filename=entry-{entry.id}.pdf' in deck.headers["Content-Disposition"]
    assert "秘密科技" not in deck.headers["Content-Disposition"] and "private" in deck.headers["Cache-Control"]
    with app.app_context():
        db.session.get(type(round_), round_.id).state = RoundState.CLOSED
        db.session.commit()
    assert client.get(f"{sheet}/deck").status_code == 404


def test_a_team_is_told_its_deck_must_not_name_it_when_a_round_is_blind(app, client, login, factories):
    for blind in (True, False):
        world = build_contest(factories, blind=blind)
        leader = factories.make_candidate()
        entry = world.entry(leader=leader)
        login(leader)
        page = _page(client.get(f"/my/contest-entries/{entry.id}", headers={"Accept-Language": "en"}))
        assert ('data-testid="blind-deck-hint"' in page) is blind
        client.post("/logout")


def test_a_judge_declares_a_conflict_and_can_no_longer_open_the_entry(app, client, login, scored):
    world, round_, criterion, mine, other, judge = scored
    login(world.user_of(judge))
    conflict = f"/judging/rounds/{round_.id}/entries/{mine.id}/conflict"
    assert client.post(conflict, data={"reason": ""}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ConflictOfInterest)) == 0
    client.post(conflict, data={"reason": "我指导过这个团队"})
    assert client.get(f"/judging/rounds/{round_.id}/entries/{mine.id}").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(ConflictOfInterest.source)) == ConflictSource.DECLARED
        assert db.session.scalar(select(func.count()).select_from(ReviewAssignment)) == 0


def test_assignment_failures_and_refused_hand_changes_say_why(app, client, organizer, factories):
    world = build_contest(factories)
    round_ = world.rounds[0]
    entry = world.entry(title_zh="无人评审的项目", organization_name="Acme")
    honest, conflicted = world.judge(), world.judge(organization="acme")
    world.panel(round_, [honest, conflicted])
    base = f"/manage/events/{world.event.id}/judging/rounds/{round_.id}"
    response = client.post(f"{base}/assign", data={"per_entry": "2"})
    assert response.status_code == 422 and "无人评审的项目" in _page(response)
    response = client.post(f"{base}/assign", data={"per_entry": "0"})
    assert response.status_code == 422
    assert client.post(f"{base}/assign", data={"per_entry": "1"}).status_code == 302
    response = client.post(f"{base}/entries/{entry.id}/judges", data={"judge": str(conflicted.id)},
                           follow_redirects=True)
    assert "has a conflict of interest with this entry" in _page(response)
    with app.app_context():
        assert db.session.scalars(select(ReviewAssignment.judge_id)).all() == [honest.id]
    assert client.post(f"{base}/entries/{entry.id}/judges", data={"judge": "99999999999"}).status_code == 400


def test_a_submitted_sheet_can_change_until_the_round_closes(app, client, login, scored):
    world, round_, criterion, mine, other, judge = scored
    world.sheet(round_, judge, mine, {criterion: 5})
    login(world.user_of(judge))
    sheet = f"/judging/rounds/{round_.id}/entries/{mine.id}"
    page = _page(client.get(sheet))
    assert 'data-testid="submitted"' in page and 'data-testid="save-draft"' not in page
    client.post(sheet, data={"version": "1", "action": "submit", f"points_{criterion.id}": "7"})
    stale = client.post(sheet, data={"version": "1", "action": "submit", f"points_{criterion.id}": "9"})
    assert stale.status_code == 422 and "another window" in _page(stale)
    with app.app_context():
        saved = db.session.scalar(select(ScoreSheet))
        assert saved.points == {str(criterion.id): 7.0} and saved.state == SheetState.SUBMITTED


def test_an_invitation_link_works_once_and_a_bad_one_says_so(app, client, login, factories):
    world = build_contest(factories)
    with app.app_context():
        _judge, token = invite_judge(db.session.get(Contest, world.contest.id), factories.make_organizer(),
                                     "guest@jury.example.net")
        db.session.commit()
    assert "Log in to accept" in _page(client.get(f"/judging/invitations/{token}"))
    user = factories.make_user(email="guest@jury.example.net")
    login(user)
    assert client.post(f"/judging/invitations/{token}", data={"organization": "x" * 201}).status_code == 422
    assert client.post(f"/judging/invitations/{token}", data={"organization": "Jury Lab"}).status_code == 302
    again = client.get(f"/judging/invitations/{token}")
    assert again.status_code == 302 and again.headers["Location"].endswith("/judging")
    bad = client.get("/judging/invitations/not-a-token")
    assert bad.status_code == 400 and "not valid" in _page(bad) and bad.headers["Referrer-Policy"] == "no-referrer"


def test_organizers_see_each_judges_progress_and_totals(client, organizer, scored):
    world, round_, criterion, mine, other, judge = scored
    world.sheet(round_, judge, mine, {criterion: 7})
    overview = _page(client.get(f"/manage/events/{world.event.id}/judging"))
    assert f'data-testid="progress-{judge.id}"' in overview and "1 of 1 scored" in overview
    board = _page(client.get(f"/manage/events/{world.event.id}/judging/rounds/{round_.id}/leaderboard"))
    assert "Judge 1: 70.0" in board


def test_the_stored_leaderboard_reads_its_page_in_a_few_statements_however_many_entries(app, client, organizer,
                                                                                        factories):
    """The stored part that holds the page's entries, their titles and tracks, their judges' names, the
    ranking's key with its stored summary: a statement each, however many entries; the event is read once."""
    world = build_contest(factories, tracks=2)
    round_ = world.rounds[0]
    (criterion,) = world.rubric(round_, (1, 10))
    judges = [world.judge(accepted=False, name=f"Judge {number}") for number in range(3)]
    path = f"/manage/events/{world.event.id}/judging/rounds/{round_.id}/leaderboard"

    def statements_of_page() -> tuple[list[str], str]:
        statements = []

        def record(_connection, _cursor, statement, *_args):
            if not statement.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):  # the test's own transaction
                statements.append(statement)

        client.get(path)  # stored by the commit of the sheets, or by this first reader
        with app.app_context():
            engine = db.engine
        sa_event.listen(engine, "before_cursor_execute", record)
        try:
            page = client.get(path).get_data(as_text=True)
        finally:
            sa_event.remove(engine, "before_cursor_execute", record)
        return statements, page

    def add_entries(count: int) -> None:
        for number in range(count):
            entry = world.entry(world.tracks[number % 2], title_en=f"Project {number}")
            for position, judge in enumerate(judges):
                world.sheet(round_, judge, entry, {criterion: (number + position) % 11})

    add_entries(2)
    few, page = statements_of_page()
    assert page.count('data-testid="row-') == 2 and "Judge 2: " in page
    add_entries(20)
    many, page = statements_of_page()
    assert page.count('data-testid="row-') == 22 and "Project 19" in page
    assert len(many) == len(few) <= 10
    assert sum(bool(re.search(r"\bFROM event\s", statement)) for statement in many) == 1


def test_digits_that_are_not_0_to_9_are_refused_not_a_server_error(app, client, login, organizer, scored):
    """'²'.isdigit() is true but int('²') fails: a judge's version and an organizer's judge id take 0-9 only."""
    world, round_, criterion, mine, other, judge = scored
    base = f"/manage/events/{world.event.id}/judging/rounds/{round_.id}"
    panel_id = world.panel(round_, []).id
    for typed in ("²", "٣", "１"):
        assert client.post(f"{base}/panels/{panel_id}/members", data={"judge": typed}).status_code == 400
        assert client.post(f"{base}/entries/{mine.id}/judges", data={"judge": typed}).status_code == 400
    client.post("/logout")
    login(world.user_of(judge))
    response = client.post(f"/judging/rounds/{round_.id}/entries/{mine.id}",
                           data={"version": "²", "action": "draft", f"points_{criterion.id}": "7"})
    assert response.status_code in (302, 409, 422)


@pytest.mark.parametrize(("page", "back", "returns_to"), [
    ("/manage/events/{event}/judging/rounds/{round}", "judging_round", "/manage/events/{event}/judging/rounds/{round}"),
    ("/manage/events/{event}/judging", "judging", "/manage/events/{event}/judging#rounds"),
    ("/manage/events/{event}/contest/rounds", "rounds", "/manage/events/{event}/contest/rounds"),
    ("/manage/events/{event}/results", "results", "/manage/events/{event}/results"),
    ("/manage/events/{event}/results/rounds/{round}", "results_round",
     "/manage/events/{event}/results/rounds/{round}#advance"),
])
def test_an_organizer_closes_a_round_from_every_page_that_acts_on_it(app, client, organizer, scored, page, back,
                                                                      returns_to):
    world, round_, criterion, mine, other, judge = scored
    world.sheet(round_, judge, mine, {criterion: 5}, state=SheetState.DRAFT)
    names = {"event": world.event.id, "round": round_.id}
    confirm = f"/manage/events/{names['event']}/judging/rounds/{round_.id}/close?back={back}"
    assert f'href="{confirm}"' in _page(client.get(page.format(**names), headers={"Accept-Language": "en"}))
    consequences = _page(client.get(confirm, headers={"Accept-Language": "en"}))
    assert "0 of 1 assigned sheets are submitted" in consequences and "will not count" in consequences
    state = f"/manage/events/{names['event']}/judging/rounds/{round_.id}/state"
    unconfirmed = client.post(state, data={"state": "closed", "back": back})
    assert unconfirmed.status_code == 200 and 'data-testid="consequences"' in _page(unconfirmed)
    with app.app_context():
        assert db.session.get(type(round_), round_.id).state == RoundState.OPEN
    closed = client.post(state, data={"state": "closed", "back": back, "confirmed": "yes"})
    assert closed.status_code == 302 and closed.location == returns_to.format(**names)
    with app.app_context():
        assert db.session.get(type(round_), round_.id).state == RoundState.CLOSED
    again = client.post(state, data={"state": "closed", "back": back, "confirmed": "yes"}, follow_redirects=True,
                        headers={"Accept-Language": "en"})
    assert "already closed" in _page(again) and f'href="{confirm}"' not in _page(again)


def test_closing_a_round_goes_back_only_to_the_pages_that_offer_it(client, organizer, scored):
    world, round_, *_ = scored
    state = f"/manage/events/{world.event.id}/judging/rounds/{round_.id}/state"
    response = client.post(state, data={"state": "closed", "back": "https://evil.example", "confirmed": "yes"})
    round_page = f"/manage/events/{world.event.id}/judging/rounds/{round_.id}"
    assert response.status_code == 302 and response.location == round_page
    assert client.post(state, data={"state": "deleted"}).status_code == 400
