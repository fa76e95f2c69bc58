"""The jobs page: who sees which job (administrators all; an organizer the jobs they asked for and the jobs
of events), the scheduled work for administrators, "Run again" for failed jobs only, and ids too large for
the database answered 404."""
from __future__ import annotations

from datetime import timedelta

import pytest

from eventsapp.accounts.models import Role
from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.jobs import services as jobs
from eventsapp.jobs.models import BackgroundJob, BackgroundJobStatus
from eventsapp.scheduler.models import ScheduledJob

DB_INT_MAX = 2**31 - 1
HUGE = 10**30


@pytest.fixture
def some_jobs(app, make_user, make_event):
    """A failed year report of organizer A, a running one of organizer B, a failed print run of an event,
    a done print run, and a scheduled round that failed."""
    first = make_user(Role.ORGANIZER, email="first@example.org")
    second = make_user(Role.ORGANIZER, email="second@example.org")
    event = make_event()
    with app.app_context():
        now = utcnow()
        rows = {
            "mine": BackgroundJob(kind="year-report", params='{"year": 2026, "lang": "en"}', requested_by_id=first.id,
                                  status=BackgroundJobStatus.FAILED, error="OSError: disk full", finished_at=now),
            "theirs": BackgroundJob(kind="year-report", params='{"year": 2025, "lang": "en"}',
                                    requested_by_id=second.id, status=BackgroundJobStatus.RUNNING, started_at=now,
                                    heartbeat_at=now, done=1, total=3, step="drawing"),
            "event": BackgroundJob(kind="badge-print", params='{"layout": "a4-a6"}', requested_by_id=second.id,
                                   event_id=event.id, status=BackgroundJobStatus.FAILED, error="boom"),
            "done": BackgroundJob(kind="badge-print", params='{"layout": "a4-a6"}', event_id=event.id,
                                  status=BackgroundJobStatus.DONE, finished_at=now),
        }
        db.session.add_all(rows.values())
        db.session.add(ScheduledJob(name="outbox", next_run_at=now + timedelta(minutes=1),
                                    last_error_code="failed", last_error="SMTPServerDisconnected: gone"))
        db.session.commit()
        return {"first": first, "second": second, "event": event, **{name: row.id for name, row in rows.items()}}


def test_only_organizers_open_the_jobs_page(client, login, make_user):
    assert client.get("/manage/jobs/").status_code == 302  # to the login page
    login(make_user(Role.CANDIDATE))
    assert client.get("/manage/jobs/").status_code == 403


def test_an_organizer_sees_their_jobs_and_the_events_jobs_but_not_another_organizers(client, login, some_jobs):
    login(some_jobs["first"])
    page = client.get("/manage/jobs/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f'data-testid="job-{some_jobs["mine"]}"' in page and "an administrator finds the reason in the log" in page
    assert "OSError: disk full" not in page  # a row without a code: its text is the server's detail
    assert f'data-testid="job-{some_jobs["event"]}"' in page and "Badge print run (a4-a6)" in page
    assert f'data-testid="job-{some_jobs["theirs"]}"' not in page
    assert f'data-testid="job-{some_jobs["done"]}"' not in page  # done jobs: on request
    assert f'data-testid="job-{some_jobs["done"]}"' in client.get("/manage/jobs/?status=done").get_data(as_text=True)
    assert 'data-testid="scheduled-table"' not in page  # the scheduled work is for administrators
    assert f'data-testid="again-{some_jobs["mine"]}"' in page
    assert client.get(f"/manage/jobs/{some_jobs['theirs']}").status_code == 404
    assert client.get(f"/manage/jobs/{some_jobs['theirs']}.json").status_code == 404
    assert client.get(f"/manage/jobs/{some_jobs['event']}").status_code == 200
    assert client.post(f"/manage/jobs/{some_jobs['theirs']}/again").status_code == 404


def test_an_administrator_sees_every_job_and_the_scheduled_work(client, login, make_user, some_jobs):
    login(make_user(Role.ADMIN, email="admin@example.org"))
    page = client.get("/manage/jobs/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    for name in ("mine", "theirs", "event"):
        assert f'data-testid="job-{some_jobs[name]}"' in page
    assert 'data-testid="scheduled-outbox"' in page and "SMTPServerDisconnected: gone" in page
    assert "No queue is configured" in page
    assert "1 / 3" in page  # the running one's progress


def test_steps_and_round_errors_are_shown_in_the_readers_language(client, login, make_user, some_jobs):
    """Stored as codes: the running report's step and the failed round's reason read in English and Chinese;
    the round's server detail is shown apart, as it is."""
    login(make_user(Role.ADMIN, email="admin@example.org"))
    english = client.get("/manage/jobs/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    chinese = client.get("/manage/jobs/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "Drawing the charts and writing the PDF…" in english
    assert "The round failed; the server" in english and 'data-testid="scheduled-detail-outbox"' in english
    assert "Drawing the charts" not in chinese and "The round failed" not in chinese
    assert "SMTPServerDisconnected: gone" in chinese  # the detail, as the server wrote it
    status = client.get(f"/manage/jobs/{some_jobs['theirs']}.json", headers={"Accept-Language": "zh-CN"}).json
    assert status["step"] and "Drawing" not in status["step"]
    page = client.get(f"/manage/jobs/{some_jobs['theirs']}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Drawing the charts and writing the PDF…" in page


def test_the_jobs_page_in_chinese(client, login, some_jobs):
    login(some_jobs["first"])
    page = client.get("/manage/jobs/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "后台任务" in page and "重新运行" in page


def test_a_failed_job_runs_again_and_a_finished_one_does_not(app, client, login, some_jobs, monkeypatch):
    started = []
    monkeypatch.setattr(jobs, "start_job", started.append)
    login(some_jobs["first"])
    response = client.post(f"/manage/jobs/{some_jobs['mine']}/again")
    assert response.status_code == 302
    with app.app_context():
        again = db.session.scalars(db.select(BackgroundJob).order_by(BackgroundJob.id.desc())).first()
        assert started == [again.id] and response.location.endswith(f"/manage/jobs/{again.id}")
        assert (again.kind, again.params, again.status) == ("year-report", '{"year": 2026, "lang": "en"}', "queued")
        assert again.requested_by_id == some_jobs["first"].id
    response = client.post(f"/manage/jobs/{some_jobs['done']}/again", headers={"Accept-Language": "en"},
                           follow_redirects=True)
    assert "Only a failed job can be run again." in response.get_data(as_text=True) and len(started) == 1


def test_a_stalled_job_shows_failed_on_the_page(app, client, login, make_user):
    user = make_user(Role.ORGANIZER)
    with app.app_context():
        silent = utcnow() - timedelta(hours=1)
        job = BackgroundJob(kind="year-report", params="{}", requested_by_id=user.id,
                            status=BackgroundJobStatus.RUNNING, started_at=silent, heartbeat_at=silent)
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    login(user)
    page = client.get("/manage/jobs/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    row = page.split(f'data-testid="job-{job_id}"')[1].split("</tr>")[0]
    assert 'data-status="failed"' in row and "stopped before it finished" in row and f"again-{job_id}" in row


@pytest.mark.parametrize("job_id", [DB_INT_MAX + 1, HUGE])
def test_ids_too_large_are_absent(client, organizer, job_id):
    assert client.get(f"/manage/jobs/{job_id}").status_code == 404
    assert client.get(f"/manage/jobs/{job_id}.json").status_code == 404
    assert client.post(f"/manage/jobs/{job_id}/again").status_code == 404


def test_a_bad_status_filter_shows_the_default_list(client, organizer):
    assert client.get("/manage/jobs/?status=%00nonsense").status_code == 200


def test_the_jobs_page_is_in_the_manage_menu(client, organizer):
    assert 'href="/manage/jobs/"' in client.get("/manage/").get_data(as_text=True)


@pytest.fixture
def coded_failures(app, make_user):
    """Failed jobs stored as codes (a stalled one, a refused one with a parameter, one that crashed) and one
    from before the codes, with only its English text."""
    owner = make_user(Role.ORGANIZER, email="owner@example.org")
    with app.app_context():
        now = utcnow()
        failed = {"status": BackgroundJobStatus.FAILED, "finished_at": now, "requested_by_id": owner.id,
                  "kind": "year-report", "params": '{"year": 2031, "lang": "en"}'}
        rows = {
            "stalled": BackgroundJob(**failed, error_code=jobs.STALLED),
            "refused": BackgroundJob(**failed, error_code=jobs.REFUSED, error_params=(
                '{"message": "No published event started in %(year)s: there is no report to write.", '
                '"values": {"year": 2031}}')),
            "crashed": BackgroundJob(**failed, error_code=jobs.FAILED, error="OSError: disk full"),
            "old": BackgroundJob(**failed, error="An old reason, in English."),
        }
        db.session.add_all(rows.values())
        db.session.commit()
        return {"owner": owner, **{name: row.id for name, row in rows.items()}}


def _error_of(page: str, job_id: int) -> str:
    return page.split(f'data-testid="job-error-{job_id}">')[1].split("</div>")[0]


def test_failures_are_stored_as_codes_and_shown_in_the_readers_language(client, login, coded_failures):
    login(coded_failures["owner"])
    english = client.get("/manage/jobs/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    chinese = client.get("/manage/jobs/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert _error_of(english, coded_failures["stalled"]) == "The process running the job stopped before it finished."
    assert _error_of(chinese, coded_failures["stalled"]) == "运行该任务的进程在完成前已停止。"
    assert _error_of(english, coded_failures["refused"]) == \
        "No published event started in 2031: there is no report to write."
    assert _error_of(chinese, coded_failures["refused"]).startswith("2031") and \
        "report" not in _error_of(chinese, coded_failures["refused"])
    assert "an administrator finds the reason in the log" in _error_of(english, coded_failures["crashed"])
    assert "disk full" not in english  # the server's detail is for administrators
    # a row from before the codes: its text is the server's detail, not for the organizer
    assert _error_of(chinese, coded_failures["old"]) == "任务在服务器上失败；管理员可在日志中查看原因。"
    assert "An old reason" not in chinese
    status = client.get(f"/manage/jobs/{coded_failures['stalled']}.json", headers={"Accept-Language": "zh-CN"})
    assert status.get_json()["error"] == "运行该任务的进程在完成前已停止。"
    page = client.get(f"/manage/jobs/{coded_failures['refused']}", headers={"Accept-Language": "en"})
    assert "there is no report to write" in page.get_data(as_text=True)


def test_an_administrator_also_sees_the_servers_detail(client, login, make_user, coded_failures):
    login(make_user(Role.ADMIN, email="admin@example.org"))
    page = client.get("/manage/jobs/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    detail = page.split(f'data-testid="job-detail-{coded_failures["crashed"]}">')[1].split("</div>")[0]
    assert detail == "Server detail: OSError: disk full"
    old = page.split(f'data-testid="job-detail-{coded_failures["old"]}">')[1].split("</div>")[0]
    assert old == "Server detail: An old reason, in English."
    shown = client.get(f"/manage/jobs/{coded_failures['crashed']}", headers={"Accept-Language": "en"})
    assert "Server detail: OSError: disk full" in shown.get_data(as_text=True)


def test_a_done_print_run_whose_file_is_gone_says_so_instead_of_linking_to_it(app, client, login, some_jobs):
    """The done print run names no file (a restore without it): the badge page and the job's page say the file
    is no longer available, and an old download link leads there rather than to an error."""
    login(some_jobs["second"])
    job_id = some_jobs["done"]
    with app.app_context():
        event_id = db.session.get(BackgroundJob, job_id).event_id
    english = {"Accept-Language": "en"}
    badges = client.get(f"/manage/events/{event_id}/badges", headers=english).get_data(as_text=True)
    assert 'data-testid="job-file-gone"' in badges and f"/badges/jobs/{job_id}/download" not in badges
    assert client.get(f"/manage/events/{event_id}/badges/jobs/{job_id}").json["download_url"] is None
    download = client.get(f"/manage/events/{event_id}/badges/jobs/{job_id}/download", headers=english)
    assert download.status_code == 302 and download.location.endswith(f"/badges#job-{job_id}")
    page = client.get(f"/manage/jobs/{job_id}", headers=english).get_data(as_text=True)
    assert "is no longer available" in page and 'data-testid="job-download"' not in page
