"""Organizers run, review and publish the matching (HTTP), and the `flask match run` command."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from eventsapp.accounts.models import Role
from eventsapp.events.models import EventKind
from eventsapp.extensions import db
from eventsapp.matchmaking import run_results
from eventsapp.matchmaking.cli import match_group
from eventsapp.matchmaking.models import Interview, MatchRun, RunStatus
from eventsapp.notifications.models import OutboxMessage
from tests.factories import MatchingFair

EN = {"Accept-Language": "en"}
# What the confirmation page sends; the fixture's preferences are still open, so publishing is early.
CONFIRMED = {"confirmed": "yes", "before_deadline": "yes"}


@pytest.fixture
def fair(app, make_event, make_organization, make_booth, make_candidate, make_staff):
    """A fair (1 hour of 30-minute slots, 1 interview each) with two booths and three candidates."""
    fair = MatchingFair(app, make_event, make_organization, make_booth, make_candidate, make_staff, hours=1, quota=1)
    fair.big = fair.booth(interviewers=1, name_en="Westlake Robotics")
    fair.small = fair.booth(interviewers=1, name_en="Qiantang Finance")
    fair.ann = fair.candidate(fair.big, fair.small, name="安安", name_latin="An Ann")
    fair.ben = fair.candidate(fair.big, name="贝贝", name_latin="Bei Ben")
    fair.cat = fair.candidate(fair.big, name="猫猫", name_latin="Mao Cat")
    fair.shortlist(fair.big, fair.ann, 1)
    fair.shortlist(fair.big, fair.ben, 2)
    return fair


def base(fair) -> str:
    return f"/manage/events/{fair.event.id}/matching"


def run_now(client, fair, **data):
    return client.post(f"{base(fair)}/run", data=data, headers=EN)


def latest_run(app) -> MatchRun:
    with app.app_context():
        run = db.session.scalar(select(MatchRun).order_by(MatchRun.id.desc()).limit(1))
        db.session.expunge(run)
        return run


# --- Access -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["anonymous", "candidate", "employer"])
def test_only_organizers_open_the_runs(client, login, make_user, fair, who):
    if who != "anonymous":
        login(make_user(Role.CANDIDATE if who == "candidate" else Role.EMPLOYER))
    for response in (client.get(base(fair)), run_now(client, fair),
                     client.post(f"{base(fair)}/runs/1/publish")):
        assert response.status_code == (302 if who == "anonymous" else 403)
    assert client.get("/healthz").status_code == 200


def test_events_without_booths_and_unknown_events_have_no_matching(client, organizer, make_event):
    competition = make_event(kind=EventKind.COMPETITION)
    assert client.get(f"/manage/events/{competition.id}/matching").status_code == 404
    assert client.get("/manage/events/999999/matching").status_code == 404


# --- Running and reviewing -------------------------------------------------------------------------------

def test_an_organizer_runs_the_matching_and_reviews_it_before_publishing(app, client, organizer, fair):
    page = client.get(base(fair), headers=EN)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Run matching" in html and "No run yet." in html and "2 slots of 30 minutes" in html

    response = run_now(client, fair, seed="42")
    run = latest_run(app)
    assert response.status_code == 302 and response.location.endswith(f"{base(fair)}/runs/{run.id}")
    assert (run.seed, run.status, run.created_by_id) == (42, RunStatus.DRAFT, organizer.id)

    detail = client.get(response.location, headers=EN).get_data(as_text=True)
    assert "The matching is done." in detail
    assert 'data-testid="share-matched">66.7%' in detail  # Ann and Ben (Ann at the big booth, Ben too)
    assert "Only organizers see this run." in detail and "Publish" in detail
    assert "Westlake Robotics" in detail and "Qiantang Finance" in detail
    assert 'data-testid="unmatched-total">1<' in detail and "猫猫" in detail and "ranked 1 booth" in detail
    assert "2 / 2" in detail  # both slots of the day used

    listing = client.get(base(fair), headers=EN).get_data(as_text=True)
    assert f'data-testid="run-{run.id}"' in listing and "42" in listing and "主办方 Organizer" in listing


def test_the_fill_table_sorts_and_ignores_unknown_orders(app, client, organizer, fair):
    run_now(client, fair, seed="1")
    run = latest_run(app)
    for order in ("fill", "-fill", "booth", "nonsense"):
        response = client.get(f"{base(fair)}/runs/{run.id}?order={order}&page=x", headers=EN)
        assert response.status_code == 200
    least_first = client.get(f"{base(fair)}/runs/{run.id}?order=fill", headers=EN).get_data(as_text=True)
    fullest_first = client.get(f"{base(fair)}/runs/{run.id}?order=-fill", headers=EN).get_data(as_text=True)
    assert least_first.index(f"fill-{fair.small.id}") < least_first.index(f"fill-{fair.big.id}")  # 0 % before 100 %
    assert fullest_first.index(f"fill-{fair.big.id}") < fullest_first.index(f"fill-{fair.small.id}")


@pytest.mark.parametrize("seed", ["abc", "-1", str(2 ** 63), "1.5"])
def test_a_bad_seed_is_explained_beside_the_field(app, client, organizer, fair, seed):
    response = run_now(client, fair, seed=seed)
    assert response.status_code == 422
    assert "invalid-feedback" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MatchRun)) == 0


def test_running_without_settings_or_preferences_says_why(app, client, organizer, make_event, make_organization,
                                                          make_booth, make_candidate, make_staff):
    unset = MatchingFair(app, make_event, make_organization, make_booth, make_candidate, make_staff, settings=False)
    response = client.post(f"/manage/events/{unset.event.id}/matching/run", headers=EN, follow_redirects=True)
    assert response.status_code == 200
    assert "Matching is not set up for this event yet" in response.get_data(as_text=True)
    assert "Matching is not set up" in client.get(f"/manage/events/{unset.event.id}/matching", headers=EN).get_data(
        as_text=True)

    empty = MatchingFair(app, make_event, make_organization, make_booth, make_candidate, make_staff)
    empty.booth()
    response = client.post(f"/manage/events/{empty.event.id}/matching/run", headers=EN, follow_redirects=True)
    assert "No confirmed candidate has ranked an approved booth yet" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MatchRun)) == 0


# --- Publishing ---------------------------------------------------------------------------------------

def test_publishing_shows_the_run_and_emails_everyone_once(app, client, organizer, fair):
    run_now(client, fair, seed="5")
    run = latest_run(app)
    response = client.post(f"{base(fair)}/runs/{run.id}/publish", data=CONFIRMED, headers=EN, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Published. 2 candidates" in html
    assert 'data-testid="status">Published' in html and "candidates and employers see these interviews" in html
    with app.app_context():
        kinds = dict(db.session.execute(select(OutboxMessage.kind, func.count()).group_by(OutboxMessage.kind))
                     .tuples().all())
    assert kinds == {"interviews_candidate": 2, "interviews_employer": 1}  # the small booth got nobody

    again = client.post(f"{base(fair)}/runs/{run.id}/publish", data=CONFIRMED, headers=EN, follow_redirects=True)
    assert "This run is already published." in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 3


def test_a_new_run_replaces_the_published_one_when_it_is_published(app, client, organizer, fair):
    run_now(client, fair, seed="5")
    first = latest_run(app)
    client.post(f"{base(fair)}/runs/{first.id}/publish", data=CONFIRMED)
    run_now(client, fair, seed="6")
    second = latest_run(app)
    draft = client.get(f"{base(fair)}/runs/{second.id}", headers=EN).get_data(as_text=True)
    assert f"Publishing it replaces run #{first.id}" in draft
    client.post(f"{base(fair)}/runs/{second.id}/publish", data=CONFIRMED)
    with app.app_context():
        statuses = dict(db.session.execute(select(MatchRun.id, MatchRun.status)).tuples().all())
        new_times = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.kind == "interviews_candidate",
            OutboxMessage.render_context["replaces_earlier"].as_boolean()))
    assert statuses == {first.id: RunStatus.SUPERSEDED, second.id: RunStatus.PUBLISHED}
    assert new_times == 2
    old = client.post(f"{base(fair)}/runs/{first.id}/publish", data=CONFIRMED, headers=EN,
                      follow_redirects=True).get_data(as_text=True)
    assert "replaced by a later one" in old
    assert "Replaced" in client.get(base(fair), headers=EN).get_data(as_text=True)


def test_someone_elses_run_ids_are_not_found(app, client, organizer, fair, make_event, make_organization,
                                             make_booth, make_candidate, make_staff):
    other = MatchingFair(app, make_event, make_organization, make_booth, make_candidate, make_staff, quota=1)
    other.candidate(other.booth())
    run_now(client, fair, seed="1")
    run = latest_run(app)
    assert client.get(f"/manage/events/{other.event.id}/matching/runs/{run.id}").status_code == 404
    assert client.post(f"/manage/events/{other.event.id}/matching/runs/{run.id}/publish").status_code == 404
    assert client.get(f"{base(fair)}/runs/999999").status_code == 404
    assert client.post(f"{base(fair)}/runs/999999/publish").status_code == 404
    assert latest_run(app).status == RunStatus.DRAFT


def test_a_form_without_its_csrf_token_changes_nothing(app, client, organizer, fair, monkeypatch):
    run_now(client, fair, seed="1")
    run = latest_run(app)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    for path in (f"{base(fair)}/run", f"{base(fair)}/runs/{run.id}/publish"):
        response = client.post(path, data={"seed": "3"}, headers=EN)
        assert response.status_code == 400
        assert "The form had expired or was sent from somewhere else" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MatchRun)) == 1
        assert db.session.get(MatchRun, run.id).status == RunStatus.DRAFT


def test_pages_work_on_a_phone_and_in_chinese(app, client, organizer, fair):
    run_now(client, fair, seed="1")
    run = latest_run(app)
    page = client.get(f"{base(fair)}/runs/{run.id}", headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 200 and 'lang="zh' in page.get_data(as_text=True)
    assert "table-responsive" in page.get_data(as_text=True)


# --- The command line -----------------------------------------------------------------------------------

def test_the_command_runs_and_prints_the_summary(app, runner, fair):
    result = runner.invoke(cli=match_group, args=["run", fair.event.slug, "--seed", "77"])
    assert result.exit_code == 0, result.output
    assert "seed 77" in result.output and "draft" in result.output
    assert "Matched: 2 (66.7%)" in result.output and "without an interview: 1" in result.output
    assert "Interviews: 2 in 2 of 2 slots" in result.output
    with app.app_context():
        run = db.session.scalar(select(MatchRun))
        assert (run.seed, run.status, run.created_by_id) == (77, RunStatus.DRAFT, None)
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_the_command_publishes_and_repeats_a_run_from_its_seed(app, runner, fair):
    first = runner.invoke(cli=match_group,
                          args=["run", fair.event.slug, "--seed", "9", "--publish", "--before-deadline"])
    assert first.exit_code == 0, first.output
    assert "published" in first.output and "Published: candidates" in first.output
    second = runner.invoke(cli=match_group, args=["run", fair.event.slug, "--seed", "9"])
    assert second.exit_code == 0, second.output
    with app.app_context():
        first_run, second_run = db.session.scalars(select(MatchRun).order_by(MatchRun.id)).all()
        assert first_run.status == RunStatus.PUBLISHED and second_run.status == RunStatus.DRAFT

        def pairs(run):
            return set(db.session.execute(select(Interview.candidate_id, Interview.booth_id, Interview.slot)
                                          .where(Interview.run_id == run.id)).tuples())
        assert pairs(first_run) == pairs(second_run)
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 3


def test_the_command_explains_what_it_cannot_do(app, runner, fair, make_event):
    unknown = runner.invoke(cli=match_group, args=["run", "no-such-fair"])
    assert unknown.exit_code == 1 and "There is no event 'no-such-fair'" in unknown.output
    bad_seed = runner.invoke(cli=match_group, args=["run", fair.event.slug, "--seed", "-5"])
    assert bad_seed.exit_code == 2
    bare = make_event(slug="bare-fair")
    refused = runner.invoke(cli=match_group, args=["run", bare.slug])
    assert refused.exit_code == 1 and "Error:" in refused.output
    with app.app_context():
        assert run_results.published_run(fair.event.id) is None


def test_the_publish_command_publishes_a_reviewed_run(app, runner, fair):
    runner.invoke(cli=match_group, args=["run", fair.event.slug, "--seed", "3"])
    run = latest_run(app)
    result = runner.invoke(cli=match_group, args=["publish", fair.event.slug, str(run.id), "--before-deadline"])
    assert result.exit_code == 0, result.output
    assert f"Run #{run.id} of {fair.event.slug} is published: 2 candidates" in result.output
    assert latest_run(app).status == RunStatus.PUBLISHED
    again = runner.invoke(cli=match_group, args=["publish", fair.event.slug, str(run.id)])
    assert again.exit_code == 1 and "already published" in again.output
    missing = runner.invoke(cli=match_group, args=["publish", fair.event.slug, "99999"])
    assert missing.exit_code == 1 and "has no run #99999" in missing.output
    assert runner.invoke(cli=match_group, args=["publish", "nope", "1"]).exit_code == 1


def test_a_large_run_suggests_publishing_from_the_command_line(app, client, organizer, fair, monkeypatch):
    from eventsapp.matchmaking import run_views
    run_now(client, fair, seed="1")
    run = latest_run(app)
    assert "match publish" not in client.get(f"{base(fair)}/runs/{run.id}", headers=EN).get_data(as_text=True)
    monkeypatch.setattr(run_views, "LARGE_RUN", 1)
    html = client.get(f"{base(fair)}/runs/{run.id}", headers=EN).get_data(as_text=True)
    assert f"flask --app app match publish {fair.event.slug} {run.id}" in html


def test_the_unmatched_list_pages_and_clamps_the_page_number(app, client, organizer, fair, monkeypatch):
    from eventsapp.matchmaking import run_views
    monkeypatch.setattr(run_views, "UNMATCHED_PER_PAGE", 1)
    fair.candidate(fair.small, name="另一位")
    fair.shortlist(fair.small, fair.candidate(fair.small), 1)  # takes the small booth's places first
    fair.shortlist(fair.small, fair.candidate(fair.small), 2)
    run_now(client, fair, seed="1")
    run = latest_run(app)
    first = client.get(f"{base(fair)}/runs/{run.id}", headers=EN).get_data(as_text=True)
    assert 'data-testid="unmatched-total">2<' in first and "Page 1 of 2" in first
    beyond = client.get(f"{base(fair)}/runs/{run.id}?page=99", headers=EN).get_data(as_text=True)
    assert "Page 2 of 2" in beyond and "Every candidate with preferences has at least one interview" not in beyond
