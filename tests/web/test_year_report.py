"""The year-in-review report: its figures read back from the PDF equal the analytics figures and counts
taken straight from the rows; both languages; the command writes a PDF with the CJK face embedded; only
organizers download it; a year without events says so."""
from __future__ import annotations

import re
import subprocess
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import distinct, func, select

from eventsapp.analytics.services import Period, figures
from eventsapp.booths.models import Booth, BoothStatus
from eventsapp.candidates.models import CandidateProfile, Degree
from eventsapp.demo.seed import seed_demo
from eventsapp.events.models import Event, EventKind, EventStatus
from eventsapp.extensions import db
from eventsapp.matchmaking.models import Interview, MatchRun, RunStatus
from eventsapp.registrations.models import ACTIVE_STATUSES, Registration, RegistrationStatus
from eventsapp.reports.yearreport import headline_sentences, render_year_report, year_review

TODAY = date(2026, 12, 6)
ZONE = ZoneInfo("Asia/Shanghai")


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def year_scope(year: int):
    first = datetime(year, 1, 1, tzinfo=ZONE).astimezone(UTC)
    after = datetime(year + 1, 1, 1, tzinfo=ZONE).astimezone(UTC)
    return select(Event.id).where(Event.status == EventStatus.PUBLISHED, Event.starts_at >= first,
                                  Event.starts_at < after)


def counted_from_rows(year: int) -> dict[str, int]:
    """The headline figures counted straight from the rows, independently of the analytics service."""
    scope = year_scope(year)
    active = select(Registration.user_id).where(Registration.event_id.in_(scope),
                                                Registration.status.in_(ACTIVE_STATUSES))
    return {
        "events": db.session.scalar(select(func.count()).select_from(scope.subquery())),
        "registrations": db.session.scalar(select(func.count()).select_from(active.subquery())),
        "people": db.session.scalar(select(func.count(distinct(Registration.user_id))).where(
            Registration.event_id.in_(scope), Registration.status.in_(ACTIVE_STATUSES))),
        "phds": db.session.scalar(select(func.count()).select_from(CandidateProfile).where(
            CandidateProfile.user_id.in_(active), CandidateProfile.degree == Degree.PHD)),
        "employers": db.session.scalar(select(func.count(distinct(Booth.organization_id))).where(
            Booth.event_id.in_(scope), Booth.status == BoothStatus.APPROVED)),
        "interviews": db.session.scalar(select(func.count()).select_from(Interview).join(
            MatchRun, MatchRun.id == Interview.run_id).where(
            MatchRun.event_id.in_(scope), MatchRun.status == RunStatus.PUBLISHED, Interview.cancelled_at.is_(None))),
        "check_ins": db.session.scalar(select(func.count()).select_from(Registration).where(
            Registration.event_id.in_(scope), Registration.status == RegistrationStatus.CONFIRMED,
            Registration.attended_at.is_not(None))),
    }


def test_the_pdf_tells_the_figures_of_the_analytics_and_of_the_rows_in_both_languages(ctx, tmp_path):
    seed_demo(TODAY, "testing")
    counted = counted_from_rows(2026)
    analytics = figures(Period.year(2026), zone="Asia/Shanghai")
    assert (analytics.events_held, analytics.registrations.value, analytics.people.value, analytics.phds.value,
            analytics.employers, analytics.interviews.value, analytics.attended.value) == (
        counted["events"], counted["registrations"], counted["people"], counted["phds"], counted["employers"],
        counted["interviews"], counted["check_ins"])
    assert counted["events"] >= 10 and counted["people"] >= 100 and counted["interviews"] >= 50

    english = flat(pdf_text(render_year_report(year_review(2026, "en", today=TODAY),
                                               current_app.static_folder), tmp_path))
    assert (f"In 2026, {counted['people']:,} people registered at {counted['events']} events "
            f"({counted['registrations']:,} registrations)") in english
    assert f"{counted['phds']:,} PhDs" in english
    assert f"{counted['employers']:,} employers" in english
    assert f"{counted['interviews']:,} interviews were scheduled" in english
    assert f"There were {counted['check_ins']:,} check-ins" in english
    assert "The Talent Day on 28 September drew" in english
    last_year = counted_from_rows(2025)
    change = (counted["registrations"] - last_year["registrations"]) / last_year["registrations"]
    assert f"Registrations {counted['registrations']:,} {last_year['registrations']:,} {change * 100:+.1f}%" in english

    review = year_review(2026, "zh", today=TODAY)
    chinese = re.sub(r"\s+", "", pdf_text(render_year_report(review, current_app.static_folder), tmp_path))
    with force_locale("zh_CN"):
        sentences = headline_sentences(review)
    assert "2026年" in sentences[0] and f"{counted['people']:,}" in sentences[0]
    for sentence in sentences:
        assert re.sub(r"\s+", "", sentence) in chinese
    assert "人才日" in chinese and "同比" in chinese


def test_the_report_puts_in_the_charts_the_snapshot_stored_with_its_figures(ctx, make_event, make_candidate,
                                                                              make_registration, monkeypatch):
    from eventsapp.analytics import snapshots
    from eventsapp.reports.yearreport import year_report_html

    event = make_event(starts_at=datetime(2026, 5, 9, 1, tzinfo=UTC), ends_at=datetime(2026, 5, 9, 8, tzinfo=UTC),
                       district="西湖区")
    for _number in range(6):
        make_registration(event, make_candidate(degree=Degree.PHD, birth_year=1995))
    stored = snapshots.fresh(Period.year(2026), max_age=timedelta(0))
    assert set(stored.charts) == {"zh", "en"} and stored.charts["en"]

    def no_drawing(*args, **kwargs):
        raise AssertionError("the report drew a chart the snapshot has")

    for name in ("line_chart", "share_chart", "stacked_bar_chart", "bar_chart"):
        monkeypatch.setattr(f"eventsapp.analytics.charts.{name}", no_drawing)
    from eventsapp.analytics.charts import _draw
    _draw.cache_clear()
    for language in ("en", "zh"):
        review = year_review(2026, language, today=TODAY, max_age=timedelta(hours=1))
        assert review.figures == stored.figures and review.charts == stored.charts[language]
        html = year_report_html(review)
        for svg in stored.charts[language].values():  # the same drawing, without the per-point descriptions
            drawn = re.sub(r"<desc\b[^>]*>.*?</desc>", "", str(svg), flags=re.S)
            assert drawn[:drawn.index(">") + 1] in html and drawn[drawn.index(">") + 1:] in html


def test_a_figure_about_fewer_than_5_people_stays_suppressed(ctx, make_event, make_candidate, make_registration,
                                                              tmp_path):
    event = make_event(starts_at=datetime(2026, 5, 9, 1, tzinfo=UTC), ends_at=datetime(2026, 5, 9, 8, tzinfo=UTC),
                       district="西湖区")
    for _number in range(3):
        make_registration(event, make_candidate(degree=Degree.PHD, birth_year=1995))
    text = flat(pdf_text(render_year_report(year_review(2026, "en", today=TODAY),
                                            current_app.static_folder), tmp_path))
    assert "In 2026, <5 people registered at 1 events (<5 registrations)" in text
    assert "<5 PhDs" in text and " 3 " not in text


def test_the_command_writes_a_pdf_with_the_cjk_face_embedded(app, runner, make_event, make_candidate,
                                                              make_registration, tmp_path):
    event = make_event(kind=EventKind.TALENT_DAY, talent_day_year=2026, title_zh="2026 杭州人才日",
                       starts_at=datetime(2026, 9, 28, 1, tzinfo=UTC), ends_at=datetime(2026, 9, 28, 9, tzinfo=UTC))
    for _number in range(6):
        make_registration(event, make_candidate())
    output = tmp_path / "report.pdf"
    result = runner.invoke(args=["report", "year", "2026", "-o", str(output), "--lang", "zh_CN"])
    assert result.exit_code == 0, result.output
    assert output.read_bytes().startswith(b"%PDF")
    fonts = subprocess.run(["pdffonts", str(output)], capture_output=True, text=True, check=True).stdout
    assert "NotoSansCJK" in fonts.replace("-", "") and " yes yes " in fonts
    assert "2026 杭州人才日" in pdf_text(output.read_bytes(), tmp_path)


def test_the_command_says_when_a_year_has_no_events(runner, tmp_path):
    result = runner.invoke(args=["report", "year", "2031", "-o", str(tmp_path / "report.pdf")])
    assert result.exit_code == 1
    assert "No published event started in 2031" in result.output
    assert not (tmp_path / "report.pdf").exists()


def finish_jobs(app) -> None:
    for thread in app.extensions.get("background_job_threads", []):
        thread.join(timeout=120)


def test_organizers_start_the_report_from_the_analytics_page_and_download_it(
        app, client, organizer, make_event, make_candidate, make_registration, real_commits, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "JOB_FOLDER", str(tmp_path))
    event = make_event(starts_at=datetime.now(UTC) - timedelta(days=1), ends_at=datetime.now(UTC) - timedelta(hours=20))
    make_registration(event, make_candidate())
    year = datetime.now(ZONE).year
    page = client.get(f"/manage/analytics/?period=year&year={year}").get_data(as_text=True)
    assert 'data-testid="year-report"' in page
    form = re.search(r'<form method="post" class="d-inline" action="([^"]+)">(.*?)</form>', page[page.index(
        'name="year"') - 400:], re.S)
    fields = dict(re.findall(r'name="(year|lang)" value="([^"]+)"', form.group(2)))
    assert fields == {"year": str(year), "lang": "en"}
    started = client.post(form.group(1), data=fields)
    assert started.status_code == 303 and "/manage/jobs/" in started.headers["Location"]
    finish_jobs(app)
    job_page = client.get(started.headers["Location"]).get_data(as_text=True)
    assert f"year-report-{year}-en.pdf" in job_page and "data-wait-url" not in job_page
    link = re.search(r'href="([^"]+)" data-testid="job-download"', job_page).group(1)
    response = client.get(link)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    assert "attachment" in response.headers["Content-Disposition"]
    assert client.get(started.headers["Location"] + ".json").get_json()["status"] == "done"
    listing = client.get("/manage/reports/year").get_data(as_text=True)
    assert started.headers["Location"] in listing  # the organizer's recent reports


def test_the_job_page_shows_progress_while_the_report_is_written(app, client, organizer, make_event, tmp_path,
                                                                  monkeypatch):
    monkeypatch.setitem(app.config, "JOB_FOLDER", str(tmp_path))
    from eventsapp.jobs import services as jobs

    make_event(starts_at=datetime(2026, 5, 9, 1, tzinfo=UTC), ends_at=datetime(2026, 5, 9, 8, tzinfo=UTC))
    with app.app_context():
        job = jobs.create_job("year-report", {"year": 2026, "lang": "en"}, organizer.id)
        db.session.commit()
        job_id = job.id
    page = client.get(f"/manage/jobs/{job_id}").get_data(as_text=True)
    assert f'data-wait-url="/manage/jobs/{job_id}.json"' in page and "Waiting to start" in page
    state = client.get(f"/manage/jobs/{job_id}.json").get_json()
    assert state["status"] == "queued" and state["finished"] is False
    with app.app_context():
        jobs.run_job(job_id)
    assert 'data-testid="job-download"' in client.get(f"/manage/jobs/{job_id}").get_data(as_text=True)


def test_a_job_whose_process_died_shows_failed_and_is_marked_so(app, client, organizer, make_event):
    from eventsapp.jobs import services as jobs
    from eventsapp.jobs.models import BackgroundJob, BackgroundJobStatus

    with app.app_context():
        job = jobs.create_job("year-report", {"year": 2026, "lang": "en"}, organizer.id)
        job.status, job.started_at = BackgroundJobStatus.RUNNING, datetime.now(UTC) - timedelta(hours=1)
        job.heartbeat_at = job.started_at
        db.session.commit()
        job_id = job.id
    page = client.get(f"/manage/jobs/{job_id}").get_data(as_text=True)
    assert "stopped before it finished" in page and "data-wait-url" not in page
    assert client.get(f"/manage/jobs/{job_id}.json").get_json()["finished"] is True
    assert runner_output(app, ["jobs", "fail-stalled"]).startswith("1 stalled job")
    with app.app_context():
        assert db.session.get(BackgroundJob, job_id).status == BackgroundJobStatus.FAILED


def test_a_job_for_a_year_emptied_since_it_was_asked_fails_with_a_sentence_in_its_language(app, client, organizer):
    """The form refuses a year without events; a job already queued when the year's events were unpublished
    says so in the reader's language (stored as a code), not as an exception's name, and is not tried again."""
    from flask_babel import force_locale

    from eventsapp.jobs import services as jobs
    from eventsapp.jobs.models import BackgroundJob, BackgroundJobStatus

    with app.app_context():
        job_ids = {lang: jobs.create_job("year-report", {"year": 2031, "lang": lang}, organizer.id).id
                   for lang in ("en", "zh_CN")}
        db.session.commit()
        for job_id in job_ids.values():
            jobs.run_job(job_id)
        failed = {lang: db.session.get(BackgroundJob, job_id) for lang, job_id in job_ids.items()}
        assert all(job.status == BackgroundJobStatus.FAILED and job.attempts == 1 for job in failed.values())
        with force_locale("en"):
            assert jobs.error_text(failed["zh_CN"]) == \
                "No published event started in 2031: there is no report to write."
        with force_locale("zh_CN"):
            said = jobs.error_text(failed["en"])
            assert said.startswith("2031") and "NothingToReport" not in said
    page = client.get(f"/manage/jobs/{job_ids['en']}").get_data(as_text=True)
    assert "there is no report to write" in page and "NothingToReport" not in page


def runner_output(app, args) -> str:
    return app.test_cli_runner().invoke(args=args).output


def test_a_year_without_events_gives_a_message_not_a_job(client, organizer):
    response = client.post("/manage/reports/year", data={"year": "2031", "lang": "en"})
    assert response.status_code == 400
    assert "No published event started in 2031" in response.get_data(as_text=True)
    assert client.post("/manage/reports/year", data={"year": "99999999999999999999", "lang": "en"}).status_code == 400
    assert client.post("/manage/reports/year", data={"year": "2026", "lang": "fr"}).status_code == 400
    assert client.get("/manage/reports/year?year=abc&lang=fr").status_code == 200  # a form, prefilled or not


def test_only_the_organizer_who_asked_sees_a_report_job(app, client, login, organizer, make_organizer, make_candidate,
                                                        make_event):
    from eventsapp.jobs import services as jobs

    with app.app_context():
        job_id = jobs.create_job("year-report", {"year": 2026, "lang": "en"}, organizer.id).id
        db.session.commit()
    assert client.get(f"/manage/jobs/{job_id}").status_code == 200
    client.post("/logout")
    login(make_organizer())
    assert client.get(f"/manage/jobs/{job_id}").status_code == 404
    assert client.get(f"/manage/jobs/{job_id}/download").status_code == 404
    assert client.get("/manage/jobs/99999999999999999999").status_code == 404
    client.post("/logout")
    login(make_candidate())
    assert client.post("/manage/reports/year", data={"year": "2026", "lang": "en"}).status_code == 403
    assert client.get("/manage/reports/year").status_code == 403
    assert client.get(f"/manage/jobs/{job_id}").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    assert client.post("/manage/reports/year", data={"year": "2026", "lang": "en"}).status_code in (302, 401)
    assert client.get("/manage/jobs/1").status_code in (302, 401)
