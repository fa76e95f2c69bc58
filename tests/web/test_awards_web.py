"""The awards' pages end to end: the organizer's Results tab (ranking, advancing with ties, the pitch
schedule, awards, publication, exports, certificates), the public results, the team's entry page, the
judges' running order, the personal calendar feed and the ``contest results`` command; who may see what."""
from __future__ import annotations

import csv
import io
import subprocess
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from eventsapp.calendars.services import create_feed_token
from eventsapp.contests.models import Contest, EntryRound, PitchSlot, Round, RoundState, ScoreSheet
from eventsapp.extensions import db
from tests.contest_factories import build_judged_contest

ZH = {"Accept-Language": "zh-CN"}


@pytest.fixture
def scored(factories):
    """A contest whose closed first round ranks, in the digital-economy track, 100 > 80 = 80 > 50; the best
    entry's team is a Chinese-named leader and a member."""
    contest = build_judged_contest(factories)
    leader = factories.make_candidate(name="张伟", name_latin="Zhang Wei", email="leader@example.org")
    member = factories.make_candidate(name="王芳", name_latin="Wang Fang", email="member@example.org", locale="en")
    judge = contest.judge(accepted=False)
    best = contest.entry(leader=leader, members=(member,), title_zh="量子传感芯片",
                         title_en="Quantum sensing chip").id
    contest.sheet(contest.rounds[0], judge, best, (10, 10), comment="技术领先")
    made = [best] + [contest.entry(title_zh=f"项目{n}", title_en=f"Project {n}").id for n in (2, 3, 4)]
    for entry, points in zip(made[1:], [(8, 8), (8, 8), (5, 5)], strict=True):
        contest.sheet(contest.rounds[0], judge, entry, points)
    return contest, made, leader, member


def results_url(contest, tail: str = "") -> str:
    return f"/manage/events/{contest.event.id}/results{tail}"


def test_the_organizer_sees_the_ranking_under_a_results_tab_of_the_contest(client, organizer, scored):
    contest, made, *_ = scored
    page = client.get(results_url(contest))
    assert page.status_code == 200 and "Results" in page.get_data(as_text=True)
    round_page = client.get(results_url(contest, f"/rounds/{contest.rounds[0].id}")).get_data(as_text=True)
    assert round_page.index("Quantum sensing chip") < round_page.index("Project 4")
    assert "100.00" in round_page and "50.00" in round_page


def test_advancing_in_the_browser_shows_the_ties_and_takes_the_organizers_choice(app, client, organizer, scored):
    contest, made, *_ = scored
    url = results_url(contest, f"/rounds/{contest.rounds[0].id}")
    preview = client.post(f"{url}/preview", data={"mode": "top", "top": "2"})
    assert preview.status_code == 200 and 'data-testid="ties"' in preview.get_data(as_text=True)
    ticked = client.post(f"{url}/preview", data={"mode": "top", "top": "2", "tie_winners": str(made[1])})
    assert f'value="{made[1]}" id="tie-{made[1]}" checked' in ticked.get_data(as_text=True)
    undecided = client.post(f"{url}/advance", data={"mode": "top", "top": "2"})
    assert undecided.status_code == 409 and "tied at the cut-off" in undecided.get_data(as_text=True)
    done = client.post(f"{url}/advance", data={"mode": "top", "top": "2", "ties_decided": "y",
                                                "tie_winners": str(made[2])})
    assert done.status_code == 302
    with app.app_context():
        advanced = set(db.session.scalars(select(EntryRound.entry_id)
                                          .where(EntryRound.round_id == contest.rounds[1].id)))
    assert advanced == {made[0], made[2]}
    again = client.post(f"{url}/advance", data={"mode": "top", "top": "2", "ties_decided": "y"})
    assert again.status_code == 409 and "already advanced" in again.get_data(as_text=True)


@pytest.mark.parametrize("data, message", [
    ({"mode": "top", "top": ""}, "how many entries per track"),
    ({"mode": "min_score", "min_score": "abc"}, "Not a valid decimal"),
    ({"mode": "min_score", "min_score": "500"}, "between 0 and 100"),
    ({"mode": "sideways"}, "Not a valid choice"),
])
def test_a_bad_cut_is_a_clear_message(client, organizer, scored, data, message):
    contest, *_ = scored
    response = client.post(results_url(contest, f"/rounds/{contest.rounds[0].id}/advance"), data=data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_the_pitch_schedule_reaches_the_team_the_judges_the_public_page_and_the_calendar(
        app, client, login, organizer, scored, factories):
    contest, made, leader, member = scored
    judge_user = factories.make_user(email="judge@example.org")
    judge = contest.judge(judge_user)
    panel = contest.panel(contest.rounds[1], [judge], name="Panel A101", room="A101").id
    contest.in_round(made[0], contest.rounds[1])
    contest.in_round(made[1], contest.rounds[1])
    url = results_url(contest, f"/rounds/{contest.rounds[1].id}")
    bad = client.post(f"{url}/schedule", data={"room": "A101", "panel_id": str(panel), "starts_at": "2027-05-20T09:00",
                                               "minutes": "1", "entry_ids": [str(made[0])]})
    assert bad.status_code == 400 and "between 3 and 180" in bad.get_data(as_text=True)
    response = client.post(f"{url}/schedule", data={
        "room": "A101", "panel_id": str(panel), "starts_at": "2027-05-20T09:00", "minutes": "20",
        "entry_ids": [str(made[1]), str(made[0])]})
    assert response.status_code == 302
    with app.app_context():
        slot = db.session.scalar(select(PitchSlot).where(PitchSlot.entry_id == made[0]))
        assert slot.starts_at == datetime(2027, 5, 20, 1, 20, tzinfo=UTC)  # 09:20 in Hangzhou
        event_slug = db.session.get(Contest, contest.contest.id).event.slug
        token = create_feed_token(db.session.get(type(leader), leader.id))
        db.session.commit()

    public = client.get(f"/events/{event_slug}").get_data(as_text=True)
    assert 'data-testid="public-pitches"' in public and "Quantum sensing chip" in public

    client.post("/logout")
    login(judge_user)
    order = client.get(f"/judging/rounds/{contest.rounds[1].id}/running-order").get_data(as_text=True)
    assert order.index("Project 2") < order.index("Quantum sensing chip")
    assert client.get(f"/judging/rounds/{contest.rounds[0].id}/running-order").status_code == 404

    client.post("/logout")
    login(leader)
    mine = client.get(f"/my/contest-entries/{made[0]}/results").get_data(as_text=True)
    assert 'data-testid="pitch-slot"' in mine and "A101" in mine
    assert client.get(f"/judging/rounds/{contest.rounds[1].id}/running-order").status_code == 404
    body = client.get(f"/calendar/{token}.ics?lang=en").data
    text = body.decode()
    assert f"UID:pitch-{contest.rounds[1].id}-{made[0]}@" in text and "SEQUENCE:" in text
    assert "Pitch: Quantum sensing chip (Roadshow)" in text and "DTSTART;TZID=Asia/Shanghai:20270520T092000" in text


def test_results_are_public_only_once_published_with_certificates_for_the_team_alone(
        app, client, login, organizer, scored, factories):
    contest, made, leader, member = scored
    with app.app_context():
        slug = db.session.get(Contest, contest.contest.id).event.slug
    bad = client.post(results_url(contest, "/awards"), data={"entry_id": str(made[0]), "rank": "1",
                                                            "prize_amount": "100000"})
    assert bad.status_code == 400 and "Name the award" in bad.get_data(as_text=True)
    client.post(results_url(contest, "/awards"), data={"entry_id": str(made[0]), "name_zh": "一等奖",
                                                      "name_en": "First prize", "rank": "1", "prize_amount": "100000"})
    client.post("/logout")
    assert client.get(f"/events/{slug}/results").status_code == 404
    login(leader)
    assert client.get(f"/my/contest-entries/{made[0]}/certificates.pdf").status_code == 404  # not yet published
    client.post("/logout")

    login(organizer)
    assert client.post(results_url(contest, "/publish")).status_code == 302
    client.post("/logout")
    public = client.get(f"/events/{slug}/results")
    assert public.status_code == 200 and "First prize" in public.get_data(as_text=True)
    assert client.get(f"/events/{slug}/results?track={contest.tracks[0].id}").status_code == 200
    assert client.get(f"/events/{slug}/results?track={contest.tracks[1].id}").status_code == 404  # no award there
    assert 'data-testid="results-link"' in client.get(f"/events/{slug}").get_data(as_text=True)
    chinese = client.get(f"/events/{slug}/results", headers=ZH).get_data(as_text=True)
    assert "一等奖" in chinese and "量子传感芯片" in chinese

    outsider = factories.make_candidate()
    login(outsider)
    assert client.get(f"/my/contest-entries/{made[0]}/results").status_code == 404
    assert client.get(f"/my/contest-entries/{made[0]}/certificates.pdf").status_code == 404
    client.post("/logout")
    login(member)
    pdf = client.get(f"/my/contest-entries/{made[0]}/certificates.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert len(PdfReader(io.BytesIO(pdf.data)).pages) == 2  # one page per team member
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "张伟" in text and "王芳" in text and "量子传感芯片" in text


def test_a_certificate_embeds_the_cjk_face_of_the_badges(app, client, organizer, scored, tmp_path):
    contest, made, *_ = scored
    contest.award(made[0])
    response = client.get(results_url(contest, "/certificates.pdf"))
    assert response.status_code == 200
    path = tmp_path / "certificates.pdf"
    path.write_bytes(response.data)
    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in listing.splitlines() if "Noto-Sans-CJK-SC" in line]
    assert cjk and all(line.split()[-5] == "yes" for line in cjk), listing  # the "emb" column


def test_scores_and_comments_reach_the_team_only_when_the_organizer_shares_them(app, client, login, factories):
    for share in (False, True):
        contest = build_judged_contest(factories, share_scores=share)
        leader = factories.make_candidate()
        entry = contest.entry(leader=leader).id
        contest.sheet(contest.rounds[0], contest.judge(accepted=False), entry, (9, 9), comment="市场清晰 clear market")
        contest.award(entry)
        with app.app_context():
            row = db.session.get(Contest, contest.contest.id)
            row.results_published_at = datetime.now(UTC)
            db.session.commit()
        login(leader)
        page = client.get(f"/my/contest-entries/{entry}/results").get_data(as_text=True)
        assert ("clear market" in page) is share and ('data-testid="shared-scores"' in page) is share
        client.post("/logout")


def test_exports_are_csv_with_a_bom_that_the_csv_module_reads_back(app, client, organizer, scored):
    contest, made, leader, _member = scored
    judge = contest.judge(accepted=False, name="=HYPERLINK(1)")
    contest.sheet(contest.rounds[0], judge, made[1], (2, 3), comment="+danger")
    response = client.get(results_url(contest, f"/rounds/{contest.rounds[0].id}/entries.csv"))
    assert response.status_code == 200 and response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Entry", "Title (Chinese)", "Title (English)", "Track"]
    assert [row[0] for row in rows[1:]][0] == str(made[0]) and rows[1][5] == leader.display_name
    assert rows[1][9] == "100.00" and len(rows) == 5
    sheets = list(csv.reader(io.StringIO(client.get(
        results_url(contest, f"/rounds/{contest.rounds[0].id}/sheets.csv")).data.decode("utf-8-sig"))))
    assert sheets[0][5:7] == ["Innovation", "Market"]
    dangerous = next(row for row in sheets[1:] if row[0].startswith("'="))
    assert dangerous[5:8] == ["2", "3", "23.33"] and dangerous[8] == "'+danger"
    assert len(sheets) == 6


def test_the_results_command_prints_the_ranking_and_exports_it(app, runner, scored):
    contest, made, *_ = scored
    with app.app_context():
        slug = db.session.get(Contest, contest.contest.id).event.slug
    result = runner.invoke(args=["contest", "results", slug, "--round", "1", "--lang", "en"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "Quantum sensing chip" in lines[2] and lines[2].split()[:2] == ["1", "100.00"]
    assert [line.split()[0] for line in lines[2:]] == ["1", "2", "2", "4"]
    exported = runner.invoke(args=["contest", "results", slug, "--round", "1", "--csv", "-"])
    assert exported.exit_code == 0 and "量子传感芯片" in exported.output
    missing = runner.invoke(args=["contest", "results", slug, "--round", "9"])
    assert missing.exit_code != 0 and "no round 9" in missing.output
    assert "No event" in runner.invoke(args=["contest", "results", "nope", "--round", "1"]).output


@pytest.mark.parametrize("path", [
    "/manage/events/{event}/results/rounds/{foreign_round}", "/manage/events/{event}/results/rounds/99999999999999",
    "/manage/events/{event}/results/rounds/{round}/entries.csv?x=1".replace("{round}", "{foreign_round}"),
    "/my/contest-entries/99999999999999/results", "/judging/rounds/99999999999999/running-order",
    "/manage/events/{fair}/results",
])
def test_other_contests_rows_and_huge_ids_are_not_found(client, organizer, factories, make_event, path):
    mine, other = build_judged_contest(factories), build_judged_contest(factories)
    fair = make_event()
    url = path.format(event=mine.event.id, foreign_round=other.rounds[0].id, fair=fair.id)
    assert client.get(url).status_code == 404


def test_people_other_than_organizers_cannot_open_the_results_tab(client, login, scored, factories):
    contest, made, leader, _member = scored
    assert client.get(results_url(contest)).status_code == 302  # to the login page
    login(leader)
    assert client.get(results_url(contest)).status_code == 403
    assert client.post(results_url(contest, "/publish")).status_code == 403
    assert client.get(results_url(contest, f"/rounds/{contest.rounds[0].id}/sheets.csv")).status_code == 403


def test_a_round_whose_sheets_do_not_fit_its_rubric_shows_why_instead_of_failing(app, client, organizer, scored):
    contest, made, *_ = scored
    with app.app_context():
        sheet = db.session.scalar(select(ScoreSheet).where(ScoreSheet.entry_id == made[0]))
        sheet.points = {"12345": 1}
        db.session.get(Round, contest.rounds[0].id).state = RoundState.CLOSED
        db.session.commit()
    page = client.get(results_url(contest, f"/rounds/{contest.rounds[0].id}"))
    assert page.status_code == 200 and "cannot be added up" in page.get_data(as_text=True)
    csv_response = client.get(results_url(contest, f"/rounds/{contest.rounds[0].id}/entries.csv"))
    assert csv_response.status_code == 302


def test_with_a_queue_all_certificates_are_a_background_job(app, client, organizer, scored, tmp_path, monkeypatch):
    from eventsapp import rqueue
    from eventsapp.jobs import services as jobs
    from eventsapp.jobs.models import BackgroundJob

    contest, made, *_ = scored
    contest.award(made[0])
    started = []
    monkeypatch.setitem(app.config, "JOB_QUEUE_URL", "redis://queue.invalid:6379/0")
    monkeypatch.setitem(app.config, "JOB_FOLDER", str(tmp_path))
    monkeypatch.setattr(jobs, "start_job", started.append)
    assert rqueue.configured(app)
    overview = client.get(results_url(contest)).get_data(as_text=True)
    assert f'action="{results_url(contest, "/certificates")}"' in overview  # a button that queues, not a link
    assert client.get(results_url(contest, "/certificates.pdf")).status_code == 302  # never in the request
    response = client.post(results_url(contest, "/certificates"))
    with app.app_context():
        job = db.session.scalars(select(BackgroundJob)).one()
        assert response.location.endswith(f"/manage/jobs/{job.id}") and started == [job.id]
        assert (job.kind, job.event_id) == ("contest-certificates", contest.event.id)
        jobs.run_job(job.id)  # what the worker does
        job = db.session.get(BackgroundJob, job.id)
        assert job.status == "done", job.error
        assert len(PdfReader(jobs.result_path(job)).pages) == 2  # one page per team member
