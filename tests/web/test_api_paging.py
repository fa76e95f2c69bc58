"""The lists a service reads whole (a person's contest entries, reviews and interviews, a booth's interviews)
page with limit and cursor as every other list: page after page gives each row once, in the same order as
one long page."""
import pytest

from tests.contest_factories import build_contest
from tests.factories import MatchingFair
from tests.web.api_helpers import auth, make_token, run_and_maybe_publish


def ids_of(rows: list[dict], field: str) -> list[str]:
    return [row[field] for row in rows]


def paged(client, path: str, secret: str, field: str, limit: int = 2) -> tuple[list[str], int]:
    """Every row's id, following next_cursor from page to page, and the number of pages."""
    seen, cursor, pages = [], None, 0
    while True:
        query = f"?limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        response = client.get(path + query, headers=auth(secret))
        assert response.status_code == 200, response.json
        assert len(response.json["data"]) <= limit
        seen += ids_of(response.json["data"], field)
        pages += 1
        cursor = response.json["next_cursor"]
        if cursor is None:
            return seen, pages


def assert_pages_cover(client, path: str, secret: str, field: str, count: int) -> None:
    whole = client.get(path + "?limit=100", headers=auth(secret)).json
    assert whole["next_cursor"] is None and len(whole["data"]) == count
    seen, pages = paged(client, path, secret, field)
    assert seen == ids_of(whole["data"], field) and len(set(seen)) == count
    assert pages == -(-count // 2)


@pytest.fixture
def contest_lists(app, factories):
    """A team member in five entries of a contest, and a judge assigned all five in its first round."""
    contest = build_contest(factories)
    member = factories.make_candidate(email="member@team.example.net")
    entries = [contest.entry(members=(member,)) for _ in range(5)]
    judge = contest.judge()
    contest.assign(contest.rounds[0], judge, *entries)
    return member, contest.user_of(judge)


def test_my_entries_and_reviews_page(app, contest_lists):
    member, judge = contest_lists
    client = app.test_client()
    assert_pages_cover(client, "/api/v1/me/contest-entries", make_token(app, member), "id", 5)
    assert_pages_cover(client, "/api/v1/me/reviews", make_token(app, judge), "entry_id", 5)


def test_interview_lists_page(app, make_event, make_organization, make_booth, make_candidate, make_staff):
    """Four 30-minute slots: one candidate interviews at three booths, one booth sees four candidates."""
    fair = MatchingFair(app, make_event, make_organization, make_booth, make_candidate, make_staff,
                        hours=2, quota=3)
    busy, second, third = fair.booth(), fair.booth(), fair.booth()
    everywhere = fair.candidate(busy, second, third, name="安安")
    for number in range(3):
        fair.candidate(busy, name=f"候选{number}")
    staff = fair.make_staff(busy.organization_ref)
    run_and_maybe_publish(app, fair)
    client = app.test_client()
    assert_pages_cover(client, "/api/v1/me/interviews", make_token(app, everywhere), "id", 3)
    assert_pages_cover(client, f"/api/v1/booths/{busy.id}/interviews", make_token(app, staff), "id", 4)


@pytest.mark.parametrize("path", ["/api/v1/me/contest-entries", "/api/v1/me/reviews", "/api/v1/me/interviews"])
def test_a_bad_cursor_is_a_400(app, contest_lists, path):
    member, _judge = contest_lists
    secret = make_token(app, member)
    answer = app.test_client().get(f"{path}?cursor=not-a-cursor", headers=auth(secret))
    assert answer.status_code == 400 and answer.json["error"]["code"] == "invalid_cursor"
