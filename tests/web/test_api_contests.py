"""Contests and analytics through the API, against their pages: the access matrix extended to tokens (the
API allows exactly where the page allows, and hides what the page hides), the scopes contests:read and
analytics:read, blind rounds, published results, and the analytics' suppression of groups under five."""
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from eventsapp.accounts.models import Role
from eventsapp.awards import services as awards
from eventsapp.contests.models import ConflictOfInterest, ConflictSource, Contest, Round
from eventsapp.extensions import db
from tests.analytics_data import NOW, build_world
from tests.contest_factories import build_contest
from tests.factories import add_registrant, persist
from tests.web.api_helpers import auth, make_token
from tests.web.clients import client_for

ACTORS = ("anonymous", "candidate", "team_member", "judge_assigned", "judge_conflicted", "judge_other_contest",
          "employer", "organizer")

# resource -> (page status, API status) per actor, in the order of ACTORS.
MATRIX = {
    "my entries":       ((302, 200, 200, 200, 200, 200, 403, 403), (401, 200, 200, 200, 200, 200, 403, 403)),
    "my reviews":       ((302, 200, 200, 200, 200, 200, 200, 200), (401, 200, 200, 200, 200, 200, 200, 200)),
    "contest entries":  ((302, 403, 403, 403, 403, 403, 403, 200), (401, 403, 403, 403, 403, 403, 403, 200)),
    "results, unpublished": ((404,) * 8, (404,) * 8),
    "analytics":        ((302, 403, 403, 403, 403, 403, 403, 200), (401, 403, 403, 403, 403, 403, 403, 200)),
}
PAGES = {
    "my entries": lambda w: "/my/contest-entries",
    "my reviews": lambda w: "/judging",
    "contest entries": lambda w: f"/manage/events/{w.event_id}/contest/entries",
    "results, unpublished": lambda w: f"/events/{w.slug}/results",
    "analytics": lambda w: "/manage/analytics/?year=2026",
}
API = {
    "my entries": lambda w: "/api/v1/me/contest-entries",
    "my reviews": lambda w: "/api/v1/me/reviews",
    "contest entries": lambda w: f"/api/v1/events/{w.event_id}/contest/entries",
    "results, unpublished": lambda w: f"/api/v1/events/{w.event_id}/contest/results",
    "analytics": lambda w: "/api/v1/analytics?year=2026",
}
# What each actor reads in its own lists (entry ids by name).
SEES_ENTRIES = {"team_member"}
SEES_REVIEWS = {"judge_assigned": "entry", "judge_other_contest": "other_entry"}


@pytest.fixture
def world(app, factories):
    contest = build_contest(factories)
    other = build_contest(factories)
    round_ = contest.rounds[0]
    member = factories.make_candidate(email="member@team.example.net")
    entry = contest.entry(members=(member,), organization_name="星河科技")
    assigned, conflicted = contest.judge(), contest.judge()
    contest.assign(round_, assigned, entry)
    contest.assign(round_, conflicted, entry)
    persist(app, ConflictOfInterest(judge_id=conflicted.id, entry_id=entry.id, source=ConflictSource.DECLARED,
                                    reason="advisor"))
    elsewhere = other.judge()
    other_entry = other.entry()
    other.assign(other.rounds[0], elsewhere, other_entry)
    actors = {
        "anonymous": None, "candidate": factories.make_candidate(), "team_member": member,
        "judge_assigned": contest.user_of(assigned), "judge_conflicted": contest.user_of(conflicted),
        "judge_other_contest": other.user_of(elsewhere), "employer": factories.make_user(Role.EMPLOYER),
        "organizer": factories.make_organizer(),
    }
    with app.app_context():
        slug = db.session.get(Contest, contest.contest.id).event.slug
    return SimpleNamespace(contest=contest, other=other, round=round_, entry=entry, event_id=contest.event.id,
                           slug=slug, actors=actors, other_entry=other_entry)


def test_pages_and_tokens_allow_the_same(app, world):
    clients = {actor: client_for(app, person) if person else app.test_client()
               for actor, person in world.actors.items()}
    secrets = {actor: make_token(app, person) if person else None for actor, person in world.actors.items()}
    for resource, (page_expected, api_expected) in MATRIX.items():
        page_seen = [clients[actor].get(PAGES[resource](world)).status_code for actor in ACTORS]
        api_seen = [app.test_client().get(API[resource](world), headers=auth(secrets[actor])).status_code
                    for actor in ACTORS]
        assert dict(zip(ACTORS, page_seen, strict=True)) == dict(zip(ACTORS, page_expected, strict=True)), resource
        assert dict(zip(ACTORS, api_seen, strict=True)) == dict(zip(ACTORS, api_expected, strict=True)), resource
    # The lists everyone may ask for show each account only its own rows, as the pages do.
    for actor, person in world.actors.items():
        if person is None:
            continue
        mine = app.test_client().get("/api/v1/me/contest-entries", headers=auth(secrets[actor])).json.get("data", [])
        reviews = app.test_client().get("/api/v1/me/reviews", headers=auth(secrets[actor])).json["data"]
        expected = [str(world.entry.id)] if actor in SEES_ENTRIES else []
        assert [row["id"] for row in mine] == expected, actor
        expected = [str(getattr(world, SEES_REVIEWS[actor]).id)] if actor in SEES_REVIEWS else []
        assert [row["entry_id"] for row in reviews] == expected, actor
        page = clients[actor].get("/judging").get_data(as_text=True)
        assert (f'data-testid="review-entry-{world.entry.id}"' in page) == (actor == "judge_assigned"), actor


def test_a_token_without_the_scope_gets_nothing_its_account_could(app, world):
    """read alone (or any other scope) does not read contests or analytics: they need their own scope."""
    others = ["read", "registrations:write", "checkin:write"]
    contests_less = {actor: make_token(app, person, scopes=[*others, "analytics:read"])
                     for actor, person in world.actors.items() if person is not None}
    analytics_less = {actor: make_token(app, person, scopes=[*others, "contests:read"])
                      for actor, person in world.actors.items() if person is not None}
    for resource, (_page, api_expected) in MATRIX.items():
        for actor, expected in zip(ACTORS, api_expected, strict=True):
            if actor == "anonymous" or expected != 200:
                continue
            if resource.startswith("results"):
                continue  # public: no scope needed
            secret = analytics_less[actor] if resource == "analytics" else contests_less[actor]
            answer = app.test_client().get(API[resource](world), headers=auth(secret))
            assert answer.status_code == 403, (actor, resource)
            assert answer.json["error"]["code"] == "insufficient_scope"


def test_a_team_reads_its_entry_with_its_team_and_standing(app, world):
    secret = make_token(app, world.actors["team_member"], scopes=["contests:read"])
    [entry] = app.test_client().get("/api/v1/me/contest-entries", headers=auth(secret)).json["data"]
    assert entry["event_id"] == str(world.event_id) and entry["state"] == "submitted"
    assert entry["organization_name"] == "星河科技"
    assert {member["role"] for member in entry["team"]} == {"leader", "member"}
    assert entry["standings"] == [{"round_id": str(world.round.id), "round": entry["standings"][0]["round"],
                                   "status": "entered"}]
    assert entry["submitted_at"].endswith("+08:00")


def test_a_blind_round_hides_the_team_from_its_judge(app, world):
    secret = make_token(app, world.actors["judge_assigned"], scopes=["contests:read"])
    [seen] = app.test_client().get("/api/v1/me/reviews", headers=auth(secret)).json["data"]
    assert seen["blind"] is False and seen["organization_name"] == "星河科技" and len(seen["team"]) == 2
    with app.app_context():
        db.session.get(Round, world.round.id).blind = True
        db.session.commit()
    [blind] = app.test_client().get("/api/v1/me/reviews", headers=auth(secret)).json["data"]
    assert blind["blind"] is True and blind["team"] is None and blind["organization_name"] is None
    assert "星河科技" not in app.test_client().get("/api/v1/me/reviews", headers=auth(secret)).get_data(as_text=True)
    assert blind["title_en"] == seen["title_en"]


def test_a_closed_round_is_no_longer_listed_for_its_judges(app, world):
    from eventsapp.contests.models import RoundState
    secret = make_token(app, world.actors["judge_assigned"], scopes=["contests:read"])
    with app.app_context():
        db.session.get(Round, world.round.id).state = RoundState.CLOSED
        db.session.commit()
    assert app.test_client().get("/api/v1/me/reviews", headers=auth(secret)).json["data"] == []


def test_an_organizer_pages_through_a_contests_entries_and_filters_them(app, world):
    more = [world.contest.entry(track=world.contest.tracks[1]).id for _ in range(3)]
    secret = make_token(app, world.actors["organizer"], scopes=["contests:read"])
    client, path = app.test_client(), f"/api/v1/events/{world.event_id}/contest/entries"
    first = client.get(f"{path}?limit=2", headers=auth(secret)).json
    second = client.get(f"{path}?limit=2&cursor={first['next_cursor']}", headers=auth(secret)).json
    assert second["next_cursor"] is None
    ids = [row["id"] for row in first["data"] + second["data"]]
    assert sorted(ids) == sorted([str(world.entry.id)] + [str(number) for number in more])
    track = client.get(f"{path}?track_id={world.contest.tracks[1].id}", headers=auth(secret)).json["data"]
    assert sorted(row["id"] for row in track) == sorted(str(number) for number in more)
    assert client.get(f"{path}?state=withdrawn", headers=auth(secret)).json["data"] == []
    assert client.get(f"{path}?state=nonsense", headers=auth(secret)).status_code == 422
    assert client.get(f"{path}?cursor=xyz", headers=auth(secret)).status_code == 400
    assert client.get(f"/api/v1/events/{2**31 - 1}/contest/entries", headers=auth(secret)).status_code == 404
    assert client.get(f"/api/v1/events/{2**40}/contest/entries", headers=auth(secret)).status_code == 404


def test_results_are_public_once_published_and_gone_when_taken_back(app, world):
    client = app.test_client()
    path = f"/api/v1/events/{world.event_id}/contest/results"
    world.contest.award(world.entry, name_zh="一等奖", name_en="First prize", prize=100000)
    assert client.get(path).status_code == 404
    with app.app_context():
        awards.publish_results(db.session.get(Contest, world.contest.contest.id), None, tell_teams=False)
        db.session.commit()
    answer = client.get(path, headers={"Accept-Language": "en"})
    assert answer.status_code == 200 and client.get(f"/events/{world.slug}/results").status_code == 200
    [track] = answer.json["tracks"]
    assert track["track_id"] == str(world.contest.tracks[0].id)
    [award] = track["awards"]
    assert award["name"] == "First prize" and award["prize_amount"] == "100000.00"
    assert award["entry_id"] == str(world.entry.id) and award["organization_name"] == "星河科技"
    assert "email" not in answer.get_data(as_text=True)
    assert client.get(path, headers={"Accept-Language": "zh-CN"}).json["tracks"][0]["awards"][0]["name"] == "一等奖"
    with app.app_context():
        awards.unpublish_results(db.session.get(Contest, world.contest.contest.id), None)
        db.session.commit()
    assert client.get(path).status_code == 404
    assert client.get(f"/api/v1/events/{world.other.event.id}/contest/results").status_code == 404


def test_an_event_without_a_contest_has_no_contest_resources(app, make_event, make_organizer):
    event = make_event()
    secret = make_token(app, make_organizer())
    client = app.test_client()
    assert client.get(f"/api/v1/events/{event.id}/contest/entries", headers=auth(secret)).status_code == 404
    assert client.get(f"/api/v1/events/{event.id}/contest/results").status_code == 404


# --- Analytics ------------------------------------------------------------------------------------------

@pytest.fixture
def analytics_world(app, monkeypatch):
    with app.app_context():
        built = build_world()
        db.session.commit()
    return built


def test_analytics_are_the_pages_figures(app, analytics_world, make_organizer):
    from eventsapp.analytics.services import Period, figures
    secret = make_token(app, make_organizer(), scopes=["analytics:read"])
    answer = app.test_client().get("/api/v1/analytics?year=2026", headers=auth(secret))
    assert answer.status_code == 200 and answer.json["ready"] is True
    body = answer.json
    with app.app_context():
        expected = figures(Period.year(2026), now=NOW)
    assert body["figures"]["events_held"] == {"value": expected.events_held, "suppressed": False}
    for name in ("registrations", "people", "attended", "phds", "interviews", "offers"):
        assert body["figures"][name] == {"value": getattr(expected, name).value,
                                         "suppressed": getattr(expected, name).suppressed}, name
    assert [row["event_id"] for row in body["per_event"]] == [str(row.event_id) for row in expected.per_event]
    assert body["computed_at"] and body["computed_at"][-6] in "+-"


def test_groups_of_fewer_than_five_people_are_suppressed(app, make_event, make_candidate, make_organizer):
    small = make_event(starts_at=datetime(2030, 5, 1, 2, 0, tzinfo=UTC))
    for _ in range(3):
        add_registrant(app, make_candidate, small)
    secret = make_token(app, make_organizer(), scopes=["analytics:read"])
    body = app.test_client().get("/api/v1/analytics?year=2030", headers=auth(secret)).json
    assert body["figures"]["events_held"] == {"value": 1, "suppressed": False}
    assert body["figures"]["registrations"] == {"value": None, "suppressed": True}
    assert body["figures"]["people"] == {"value": None, "suppressed": True}
    [row] = body["per_event"]
    assert row["event_id"] == str(small.id) and row["registrations"] == {"value": None, "suppressed": True}
    assert '"value": 3' not in app.test_client().get("/api/v1/analytics?year=2030", headers=auth(secret)).get_data(
        as_text=True)


@pytest.mark.parametrize("query, field", [
    ("period=custom&start=2026-01-01", "end"), ("period=custom&start=2026-02-01&end=2026-01-01", "end"),
    ("period=custom&start=2020-01-01&end=2026-01-01", "end"), ("period=series&series=2147483647", "series"),
    ("district=Atlantis", "district"), ("year=1999", "year"), ("period=decade", "period"),
])
def test_a_bad_period_is_a_message_next_to_its_field(app, make_organizer, query, field):
    secret = make_token(app, make_organizer(), scopes=["analytics:read"])
    answer = app.test_client().get(f"/api/v1/analytics?{query}", headers=auth(secret))
    assert answer.status_code in (400, 422)
    assert field in str(answer.json["error"].get("fields", {})), answer.json


def test_a_period_not_computed_yet_says_so_and_asks_for_it(app, make_organizer, monkeypatch):
    monkeypatch.setitem(app.config, "ANALYTICS_REFRESH_IN_REQUEST", False)
    secret = make_token(app, make_organizer(), scopes=["analytics:read"])
    body = app.test_client().get("/api/v1/analytics?period=quarter&quarter=3&year=2031", headers=auth(secret)).json
    assert body == {"ready": False, "refresh_requested": True, "computed_at": None, "figures": None, "per_event": []}


def test_results_published_now_is_read_before_the_organizer_reloads(app, world):
    """The results resource reads the contest fresh on each request (no stale cache)."""
    world.contest.award(world.entry)
    with app.app_context():
        awards.publish_results(db.session.get(Contest, world.contest.contest.id), None, tell_teams=False)
        db.session.commit()
        published = db.session.get(Contest, world.contest.contest.id).results_published_at
    answer = app.test_client().get(f"/api/v1/events/{world.event_id}/contest/results")
    assert datetime.fromisoformat(answer.json["published_at"]) == published.astimezone(UTC)
