"""A job's result file (badge PDFs, certificates, year reports) goes with its row: when the row is deleted,
when its event is deleted, when retention erases its event, and by the hourly `job-files` round once the job
finished more than JOB_FILES_KEEP_DAYS ago; files no row names go too, once old enough."""
from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.jobs import files
from eventsapp.jobs.models import BackgroundJob, BackgroundJobStatus
from eventsapp.retention import services as retention
from eventsapp.scheduler import services as scheduler


@pytest.fixture
def folders(app, tmp_path, monkeypatch) -> dict[str, Path]:
    """JOB_FOLDER (year reports, certificates) and BADGE_FOLDER (print runs), in the test's own place."""
    chosen = {"jobs": tmp_path / "jobs", "badges": tmp_path / "badges"}
    monkeypatch.setitem(app.config, "JOB_FOLDER", str(chosen["jobs"]))
    monkeypatch.setitem(app.config, "BADGE_FOLDER", str(chosen["badges"]))
    for folder in chosen.values():
        folder.mkdir()
    return chosen


def _finished_job(folders, kind="year-report", event=None, days_ago=0, name=None) -> tuple[BackgroundJob, Path]:
    """A done job whose result file is on disk."""
    finished = utcnow() - timedelta(days=days_ago)
    name = name or f"{kind}-{os.urandom(8).hex()}.pdf"
    path = folders["badges" if kind == "badge-print" else "jobs"] / name
    path.write_bytes(b"%PDF names of people")
    job = BackgroundJob(kind=kind, params="{}", status=BackgroundJobStatus.DONE, storage_name=name,
                        filename="result.pdf", mimetype="application/pdf", event_id=event.id if event else None,
                        created_at=finished, finished_at=finished)
    db.session.add(job)
    db.session.commit()
    return job, path


def _age(path: Path, hours: float) -> None:
    moment = (datetime.now(UTC) - timedelta(hours=hours)).timestamp()
    os.utime(path, (moment, moment))


def test_deleting_a_jobs_row_deletes_its_file_once_committed(ctx, folders):
    job, path = _finished_job(folders)
    db.session.delete(job)
    db.session.flush()
    db.session.rollback()  # the row stays: so does the file
    assert path.exists()
    db.session.delete(db.session.get(BackgroundJob, job.id))
    db.session.commit()
    assert not path.exists()


def test_deleting_an_event_deletes_its_jobs_files(ctx, folders, make_event):
    event, other = make_event(), make_event()
    _job, path = _finished_job(folders, kind="badge-print", event=event)
    _kept, kept_path = _finished_job(folders, kind="badge-print", event=other)
    db.session.delete(db.session.get(type(event), event.id))
    db.session.commit()
    assert db.session.scalars(select(BackgroundJob).where(BackgroundJob.event_id == event.id)).all() == []
    assert not path.exists() and kept_path.exists()


def test_retention_deletes_the_erased_events_jobs_and_their_files(ctx, folders, make_event):
    ended = datetime(2024, 3, 1, 9, tzinfo=UTC)
    event = make_event(starts_at=ended - timedelta(hours=8), ends_at=ended)
    later = make_event()
    job, path = _finished_job(folders, kind="badge-print", event=event)
    _kept, kept_path = _finished_job(folders, kind="badge-print", event=later)
    planned = retention.run_retention(datetime(2026, 12, 1, tzinfo=UTC), default_months=24, dry_run=True)
    assert [(erased.event_id, erased.jobs) for erased in planned] == [(event.id, 1)] and path.exists()
    [erased] = retention.run_retention(datetime(2026, 12, 1, tzinfo=UTC), default_months=24)
    assert erased.jobs == 1 and db.session.get(BackgroundJob, job.id) is None
    assert not path.exists() and kept_path.exists()


def test_the_hourly_round_deletes_old_jobs_with_their_files_and_stray_files(app, ctx, folders, monkeypatch):
    monkeypatch.setitem(app.config, "JOB_FILES_KEEP_DAYS", 30)
    old, old_path = _finished_job(folders, days_ago=31)
    old_print, old_print_path = _finished_job(folders, kind="badge-print", days_ago=40)
    recent, recent_path = _finished_job(folders, days_ago=29)
    failed = BackgroundJob(kind="year-report", params="{}", status=BackgroundJobStatus.FAILED,
                           created_at=utcnow() - timedelta(days=60), finished_at=utcnow() - timedelta(days=60))
    running = BackgroundJob(kind="year-report", params="{}", status=BackgroundJobStatus.RUNNING,
                            created_at=utcnow() - timedelta(days=60), started_at=utcnow() - timedelta(days=60))
    db.session.add_all([failed, running])
    db.session.commit()
    stray, young_stray, crashed_write = (folders["badges"] / f"{'a1' * 16}.pdf", folders["jobs"] / f"{'b2' * 16}.pdf",
                                         folders["jobs"] / f".{'c3' * 16}.pdf.part")
    for path in (stray, young_stray, crashed_write):
        path.write_bytes(b"%PDF")
    _age(stray, 2)
    _age(crashed_write, 2)
    _age(recent_path, 24 * 29)  # named by its row: kept whatever its age

    said = files.remove_old_jobs(utcnow())
    assert said == "3 old job(s) and 2 stray file(s) deleted"
    db.session.expire_all()
    assert {job.id for job in db.session.scalars(select(BackgroundJob))} == {recent.id, running.id}
    assert not old_path.exists() and not old_print_path.exists() and recent_path.exists()
    assert not stray.exists() and not crashed_write.exists() and young_stray.exists()
    assert files.remove_old_jobs(utcnow()) == ""  # nothing left to do


def test_the_round_deletes_only_files_named_as_jobs_name_them(app, ctx, folders):
    ours = folders["jobs"] / f"{'d4' * 16}.zip"
    others = [folders["jobs"] / name for name in ("notes.txt", "talent-20261201T000000Z.tar.gz", "app.db",
                                                  f"{'d4' * 16}", f"{'D4' * 16}.pdf", f".{'d4' * 16}.pdf.tmp")]
    for path in (ours, *others):
        path.write_bytes(b"data")
        _age(path, 2)
    assert files.remove_orphan_files(datetime.now(UTC)) == 2  # the .zip and the suffix-less one
    assert not ours.exists() and not others[3].exists()
    assert all(path.exists() for path in others[:3] + others[4:])


@pytest.mark.parametrize("place", ["same", "inside", "around"])
def test_the_round_deletes_nothing_while_a_result_folder_overlaps_the_resumes(app, ctx, folders, tmp_path,
                                                                               monkeypatch, place):
    resumes = {"same": folders["jobs"], "inside": folders["jobs"] / "resumes", "around": tmp_path}[place]
    resumes.mkdir(exist_ok=True)
    monkeypatch.setitem(app.config, "RESUME_FOLDER", str(resumes))
    resume = folders["jobs"] / f"{'e5' * 16}.pdf"  # a résumé's name has the shape of a job's result
    resume.write_bytes(b"%PDF a person's CV")
    _age(resume, 2)
    assert files.remove_orphan_files(datetime.now(UTC)) == 0
    assert resume.exists()


def test_the_round_runs_every_hour(app):
    [round_] = [job for job in scheduler.registered_jobs(app) if job.name == "job-files"]
    assert round_.every == timedelta(hours=1) and round_.func is files.remove_old_jobs and not round_.inline
    assert app.config["JOB_FILES_KEEP_DAYS"] == 30
