"""Who may open each judging page: the whole matrix.

302 is the way to the login page for anonymous visitors (and the redirect after a POST that worked).
Organizer pages say 403 to everyone who is not an organizer; organizers manage every event (docs/contests.md),
so an organizer of another event reaches them too, but a round of another contest addressed through this
event is 404. A score sheet is 404 to everyone but the judge assigned to the entry without a conflict of
interest: nobody learns which entries exist. The same goes for the entry's pitch deck, which the team and
the organizers also download from their own pages.
"""
from types import SimpleNamespace

import pytest

from eventsapp.accounts.models import Role
from eventsapp.contests.models import ConflictOfInterest, ConflictSource
from tests.contest_factories import build_contest
from tests.factories import make_pdf, persist

ACTORS = ("anonymous", "candidate", "team_member", "judge_assigned", "judge_conflicted", "judge_unassigned",
          "judge_other_contest", "employer", "organizer", "organizer_other_event")

MATRIX = {
    "my reviews":           (302, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "sheet":                (302, 404, 404, 200, 404, 404, 404, 404, 404, 404),
    "sheet save":           (302, 404, 404, 302, 404, 404, 404, 404, 404, 404),
    "declare conflict":     (302, 404, 404, 302, 404, 404, 404, 404, 404, 404),
    "judge's deck":         (302, 404, 404, 200, 404, 404, 404, 404, 404, 404),
    "team's deck":          (302, 404, 200, 404, 404, 404, 404, 403, 403, 403),
    "organizer's deck":     (302, 403, 403, 403, 403, 403, 403, 403, 200, 200),
    "judging overview":     (302, 403, 403, 403, 403, 403, 403, 403, 200, 200),
    "round page":           (302, 403, 403, 403, 403, 403, 403, 403, 200, 200),
    "close round, confirm": (302, 403, 403, 403, 403, 403, 403, 403, 200, 200),
    "assign page":          (302, 403, 403, 403, 403, 403, 403, 403, 200, 200),
    "assign run":           (302, 403, 403, 403, 403, 403, 403, 403, 302, 302),
    "leaderboard":          (302, 403, 403, 403, 403, 403, 403, 403, 200, 200),
    "judge edit":           (302, 403, 403, 403, 403, 403, 403, 403, 200, 200),
    "other contest's round": (302, 403, 403, 403, 403, 403, 403, 403, 404, 404),
    "other contest's judge": (302, 403, 403, 403, 403, 403, 403, 403, 404, 404),
}


@pytest.fixture
def world(app, factories, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "DECK_FOLDER", str(tmp_path))
    (tmp_path / "deck.pdf").write_bytes(make_pdf(2))
    contest = build_contest(factories)
    other = build_contest(factories)
    round_ = contest.rounds[0]
    (criterion,) = contest.rubric(round_, (1, 10))
    member = factories.make_candidate(email="member@team.example.net")
    entry = contest.entry(members=(member,), deck_storage_name="deck.pdf", deck_filename="deck.pdf", deck_pages=2)
    assigned, conflicted, unassigned = contest.judge(), contest.judge(), contest.judge()
    contest.panel(round_, [assigned, conflicted, unassigned])
    contest.assign(round_, assigned, entry)
    contest.assign(round_, conflicted, entry)
    persist(app, ConflictOfInterest(judge_id=conflicted.id, entry_id=entry.id, source=ConflictSource.DECLARED,
                                    reason="advisor"))
    elsewhere = other.judge()
    other.assign(other.rounds[0], elsewhere, other.entry())
    actors = {
        "anonymous": None,
        "candidate": factories.make_candidate(),
        "team_member": member,
        "judge_assigned": contest.user_of(assigned),
        "judge_conflicted": contest.user_of(conflicted),
        "judge_unassigned": contest.user_of(unassigned),
        "judge_other_contest": other.user_of(elsewhere),
        "employer": factories.make_user(Role.EMPLOYER),
        "organizer": factories.make_organizer(),
        "organizer_other_event": factories.make_organizer(),
    }
    return SimpleNamespace(contest=contest, other=other, round=round_, criterion=criterion, entry=entry,
                           judge=assigned, other_judge=elsewhere, actors=actors)


def request_for(world, resource: str) -> tuple[str, str, dict]:
    event, round_, entry = world.contest.event.id, world.round.id, world.entry.id
    manage = f"/manage/events/{event}/judging"
    sheet = f"/judging/rounds/{round_}/entries/{entry}"
    return {
        "my reviews": ("GET", "/judging", {}),
        "sheet": ("GET", sheet, {}),
        "sheet save": ("POST", sheet, {"action": "draft", f"points_{world.criterion.id}": "5"}),
        "declare conflict": ("POST", f"{sheet}/conflict", {"reason": "my student"}),
        "judge's deck": ("GET", f"{sheet}/deck", {}),
        "team's deck": ("GET", f"/my/contest-entries/{entry}/deck", {}),
        "organizer's deck": ("GET", f"/manage/events/{event}/contest/entries/{entry}/deck", {}),
        "judging overview": ("GET", manage, {}),
        "round page": ("GET", f"{manage}/rounds/{round_}", {}),
        "close round, confirm": ("GET", f"{manage}/rounds/{round_}/close?back=results", {}),
        "assign page": ("GET", f"{manage}/rounds/{round_}/assign", {}),
        "assign run": ("POST", f"{manage}/rounds/{round_}/assign", {"per_entry": "1"}),
        "leaderboard": ("GET", f"{manage}/rounds/{round_}/leaderboard", {}),
        "judge edit": ("GET", f"{manage}/judges/{world.judge.id}", {}),
        "other contest's round": ("GET", f"{manage}/rounds/{world.other.rounds[0].id}/leaderboard", {}),
        "other contest's judge": ("GET", f"{manage}/judges/{world.other_judge.id}", {}),
    }[resource]


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("resource", MATRIX)
def test_access(client, login, world, resource, actor):
    user = world.actors[actor]
    if user is not None:
        login(user)
    method, path, data = request_for(world, resource)
    response = client.open(path, method=method, data=data)
    expected = MATRIX[resource][ACTORS.index(actor)]
    assert response.status_code == expected, f"{actor} {method} {path}"
    if expected == 302 and user is None:
        assert response.headers["Location"].startswith("/login")
