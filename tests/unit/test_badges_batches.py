"""Print runs: who is in them, in which order, the pre-print check, and background jobs."""
from __future__ import annotations

import io
import json
import multiprocessing
import os
import signal
import time
import uuid
from datetime import timedelta

import pytest
from flask_babel import force_locale
from pypdf import PdfReader
from sqlalchemy import select

from eventsapp.badges import batches, jobs
from eventsapp.badges.batches import BatchOptions, BatchRefused
from eventsapp.badges.models import BadgeRole, EventCrew
from eventsapp.badges.services import sync_badges
from eventsapp.booths.models import Hall
from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.jobs import services as background
from eventsapp.jobs.models import BackgroundJob as BadgeJob
from eventsapp.jobs.models import BackgroundJobStatus as JobStatus
from eventsapp.registrations.models import Registration, RegistrationStatus
from tests.local_services import needs_redis


@pytest.fixture
def fair(ctx, make_event, make_candidate, make_organization, make_staff, make_booth, make_user):
    """A fair with four candidates, two booths in two halls with staff, and a judge."""
    event = make_event()
    for name, latin in [("张伟", "Zhang Wei"), ("Anna Schmidt", ""), ("欧阳娜娜", "Ouyang Nana"), ("李明", "Li Ming")]:
        person = make_candidate(name=name, name_latin=latin)
        db.session.add(Registration(event_id=event.id, user_id=person.id, status=RegistrationStatus.CONFIRMED))
    waiting = make_candidate(name="王五")
    db.session.add(Registration(event_id=event.id, user_id=waiting.id, status=RegistrationStatus.WAITLISTED))
    halls = [Hall(event_id=event.id, name=name, rows=3, cols=3) for name in ("A", "B")]
    db.session.add_all(halls)
    db.session.commit()
    for code, hall in (("B-01", halls[1]), ("A-03", halls[0])):
        organization = make_organization()
        make_booth(event, organization, hall_id=hall.id, row=1, col=1, code=code)
        make_staff(organization)
    judge = make_user(display_name="评委 Judge")
    db.session.add(EventCrew(event_id=event.id, user_id=judge.id, role=BadgeRole.JUDGE))
    db.session.commit()
    sync_badges(event.id)  # the rows above were added directly: their badges, as the services issue them
    db.session.commit()
    return event


def test_family_name_sort_key_uses_pinyin_and_latin_surnames():
    assert batches.family_first("张伟") == "zhang wei"
    assert batches.family_first("欧阳娜娜").startswith("ou yang")
    assert batches.family_first("Anna Schmidt") == "schmidt anna"


def test_batch_sorted_by_family_name_mixing_scripts(fair):
    cards = batches.batch_cards(fair, BatchOptions(role="candidate"))
    assert [card.name for card in cards] == ["李明", "欧阳娜娜", "Anna Schmidt", "张伟"]  # li, ou, schmidt, zhang
    assert cards[0].name_latin == "Li Ming" and cards[0].event_title == fair.title_en
    assert all(card.role == BadgeRole.CANDIDATE for card in cards)


def test_filters_by_role_hall_and_booth_and_sort_by_booth(fair):
    everyone = batches.batch_cards(fair, BatchOptions(sort="booth"))
    assert len(everyone) == 4 + 2 * 2 + 1  # candidates, owner and staff of two booths, the judge
    assert [card.booth_code for card in everyone[:4]] == ["A-03", "A-03", "B-01", "B-01"]
    hall_b = batches.batch_cards(fair, BatchOptions(hall="b"))
    assert {card.booth_code for card in hall_b} == {"B-01"} and {card.hall for card in hall_b} == {"B"}
    assert len(batches.batch_cards(fair, BatchOptions(booth=" a-03 "))) == 2
    assert [c.role for c in batches.batch_cards(fair, BatchOptions(role="judge"))] == [BadgeRole.JUDGE]
    assert batches.batch_cards(fair, BatchOptions(booth="Z-99")) == []
    assert batches.role_counts(fair.id)[BadgeRole.EMPLOYER] == 4


@pytest.mark.parametrize("options, message", [
    (BatchOptions(layout="a3"), "unknown layout"), (BatchOptions(role="guest"), "unknown role"),
    (BatchOptions(sort="age"), "unknown sort")])
def test_bad_options_are_refused(fair, options, message):
    with pytest.raises(BatchRefused, match=message):
        batches.batch_cards(fair, options)


def test_event_without_registrants_has_no_cards(ctx, make_event):
    assert batches.batch_cards(make_event(), BatchOptions()) == []


def test_options_survive_json_and_ignore_unknown_keys():
    options = BatchOptions(layout="a4-a6", role="employer", hall="A", booth="A-01", sort="booth")
    assert BatchOptions.from_json(options.to_json()) == options
    assert BatchOptions.from_json('{"layout": "single", "locale": "zh_CN", "evil": 1}') == BatchOptions(layout="single")


# --- Jobs ---------------------------------------------------------------------------------------------

@pytest.fixture
def badge_folder(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "BADGE_FOLDER", str(tmp_path))
    return tmp_path


def _new_job(event, options=None, locale="zh_CN"):
    job_id = jobs.create_job(event, options or BatchOptions(), None, 0, locale=locale).id
    db.session.commit()  # and no new transaction: on SQLite it would hold the write lock the job needs
    return job_id


def test_job_in_a_thread_renders_and_keeps_the_file(app, fair, badge_folder, real_commits):
    job_id = _new_job(fair)
    assert jobs.start_job(job_id) == "thread"
    app.extensions["background_job_threads"][-1].join(timeout=120)
    db.session.expire_all()
    job = db.session.get(BadgeJob, job_id)
    assert job.status == JobStatus.DONE, job.error
    assert job.done == job.total == 9 and job.finished_at is not None
    path = jobs.job_path(job)
    assert path.parent == badge_folder
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    assert len(reader.pages) == 2
    assert "评委" in reader.pages[0].extract_text() + reader.pages[1].extract_text()


def test_failing_job_shows_its_error(fair, badge_folder, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(jobs.rendering, "render_pdf", broken)
    job_id = _new_job(fair)
    background.run_job(job_id)
    job = db.session.get(BadgeJob, job_id)
    assert job.status == JobStatus.FAILED and job.error == "OSError: disk full" and job.error_code == "failed"
    assert job.storage_name == "" and list(badge_folder.iterdir()) == []
    background.run_job(job_id)  # a finished job is not run again
    assert db.session.get(BadgeJob, job_id).status == JobStatus.FAILED


def test_job_whose_filters_match_nobody_fails_clearly(fair, badge_folder):
    job_id = _new_job(fair, BatchOptions(booth="Z-99"))
    background.run_job(job_id)
    job = db.session.get(BadgeJob, job_id)
    assert job.status == JobStatus.FAILED and job.error_code == "refused"
    with force_locale("zh_CN"):  # stored as a code, in the reader's language where it is shown
        assert background.error_text(job) == "已没有符合这些筛选条件的胸牌。"
    with force_locale("en"):
        assert background.error_text(job) == "No badge matches these filters any more."


REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@needs_redis
def test_job_through_the_redis_queue(app, fair, badge_folder, monkeypatch):
    from rq import SimpleWorker

    monkeypatch.setitem(app.config, "JOB_QUEUE_URL", REDIS_URL)
    monkeypatch.setitem(app.config, "JOB_QUEUE_NAME", f"badges-test-{uuid.uuid4().hex}")
    job_id = _new_job(fair, BatchOptions(layout="a4-a6", role="candidate"))
    assert jobs.start_job(job_id) == "queue"
    queue = background.queue(app)
    try:
        assert db.session.get(BadgeJob, job_id).status == JobStatus.QUEUED
        assert SimpleWorker([queue], connection=queue.connection).work(burst=True)
    finally:
        queue.delete(delete_jobs=True)
    db.session.expire_all()
    job = db.session.get(BadgeJob, job_id)
    assert job.status == JobStatus.DONE, job.error
    assert job.total == 4 and json.loads(job.params)["locale"] == "zh_CN"
    assert len(PdfReader(jobs.job_path(job)).pages) == 1  # four A6 badges on one sheet


# --- Print runs whose process died ---------------------------------------------------------------------

STALE = timedelta(minutes=5)


@pytest.fixture(autouse=True)
def stale_after(app, monkeypatch):
    monkeypatch.setitem(app.config, "JOB_STALLED_SECONDS", int(STALE.total_seconds()))


def stale(event_id, now):
    """The event's print runs whose process died, marked failed (eventsapp.jobs, by kind and event)."""
    return background.fail_stalled_jobs(jobs.KIND, now=now, event_id=event_id)


def test_a_running_job_whose_heartbeat_stopped_is_marked_failed(fair):
    job_id = _new_job(fair)
    now = utcnow()
    job = db.session.get(BadgeJob, job_id)
    job.status, job.started_at, job.heartbeat_at = JobStatus.RUNNING, now - timedelta(minutes=20), now - STALE
    db.session.commit()
    assert stale(fair.id, now=now - timedelta(seconds=1)) == []  # still alive then
    [stalled] = stale(fair.id, now=now + timedelta(seconds=1))
    db.session.commit()
    assert stalled.id == job_id and stalled.status == JobStatus.FAILED and stalled.error_code == jobs.STALLED
    with force_locale("en"):
        assert jobs.error_text(stalled, fair.timezone).startswith("The print process stopped before it finished")
    assert stale(fair.id, now=now + timedelta(hours=1)) == []  # once


def test_a_job_queued_in_a_web_process_that_stopped_is_marked_failed(fair, app, monkeypatch):
    monkeypatch.setitem(app.config, "JOB_QUEUE_URL", "")
    job_id = _new_job(fair)
    created = db.session.get(BadgeJob, job_id).created_at
    assert stale(fair.id, now=created + timedelta(minutes=1)) == []
    assert [job.id for job in stale(fair.id, now=created + timedelta(minutes=6))] == [job_id]


def test_the_heartbeat_beats_while_the_job_runs(app, fair, real_commits):
    job_id = _new_job(fair)
    job = db.session.get(BadgeJob, job_id)
    started = utcnow() - timedelta(minutes=10)
    job.status, job.heartbeat_at = JobStatus.RUNNING, started
    db.session.commit()
    with background._Heartbeat(app, job_id, 0, every=timedelta(milliseconds=50)):
        time.sleep(0.5)
    db.session.expire_all()
    assert db.session.get(BadgeJob, job_id).heartbeat_at > started + timedelta(minutes=9)


def _run_and_hang(app, job_id):
    """A print process that renders forever, until it is killed."""
    db.engine.dispose(close=False)  # the parent's connections are the parent's
    jobs.rendering.render_pdf = lambda *args, **kwargs: time.sleep(3600)
    with app.app_context():
        background.run_job(job_id)


def test_a_killed_print_process_leaves_a_job_that_is_found_and_run_again(app, fair, badge_folder, real_commits):
    job_id = _new_job(fair)
    process = multiprocessing.get_context("fork").Process(target=_run_and_hang, args=(app, job_id))
    process.start()
    try:
        deadline, status = time.monotonic() + 60, None
        while time.monotonic() < deadline and status != JobStatus.RUNNING:
            time.sleep(0.1)
            status = db.session.scalar(select(BadgeJob.status).where(BadgeJob.id == job_id))
            db.session.rollback()  # no transaction left open: on SQLite it would block the child's writes
        assert status == JobStatus.RUNNING
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.join(timeout=10)
    db.session.rollback()
    later = utcnow() + STALE + timedelta(seconds=1)
    [stalled] = stale(fair.id, now=later)
    db.session.commit()
    assert stalled.id == job_id and stalled.error_code == jobs.STALLED

    again = jobs.run_again(stalled, None)
    db.session.commit()
    assert again.id != job_id and again.params == stalled.params and again.status == JobStatus.QUEUED
    background.run_job(again.id)
    assert db.session.get(BadgeJob, again.id).status == JobStatus.DONE
    with pytest.raises(ValueError):
        jobs.run_again(db.session.get(BadgeJob, again.id), None)  # only a failed run


@needs_redis
def test_a_job_still_waiting_in_the_redis_queue_is_left_alone(app, fair, monkeypatch):
    monkeypatch.setitem(app.config, "JOB_QUEUE_URL", REDIS_URL)
    monkeypatch.setitem(app.config, "JOB_QUEUE_NAME", f"badges-test-{uuid.uuid4().hex}")
    job_id = _new_job(fair)
    jobs.start_job(job_id)
    queue = background.queue(app)
    later = utcnow() + STALE * 2
    try:
        assert stale(fair.id, now=later) == []  # no worker yet: it waits
        queue.delete(delete_jobs=True)  # the queue lost it: nothing will ever run it
        assert [job.id for job in stale(fair.id, now=later)] == [job_id]
    finally:
        queue.delete(delete_jobs=True)


def test_people_no_longer_entitled_leave_the_counts_the_print_run_and_the_door_search(fair):
    from eventsapp.booths.models import Booth
    from eventsapp.checkin.services import search_holders
    from eventsapp.organizations.models import Organization, OrganizationStatus

    before = batches.role_counts(fair.id)
    assert (before[BadgeRole.CANDIDATE], before[BadgeRole.EMPLOYER]) == (4, 4)  # owner and staff per booth
    assert search_holders(fair.id, "Zhang")

    zhang = db.session.scalar(select(Registration).join(Registration.profile).where(
        Registration.event_id == fair.id, Registration.profile.has(name_latin="Zhang Wei")))
    zhang.status = RegistrationStatus.CANCELLED  # a registration ended: its badge is void
    booth = db.session.scalar(select(Booth).where(Booth.event_id == fair.id, Booth.code == "B-01"))
    db.session.get(Organization, booth.organization_id).status = OrganizationStatus.SUSPENDED
    db.session.commit()

    after = batches.role_counts(fair.id)
    assert (after[BadgeRole.CANDIDATE], after[BadgeRole.EMPLOYER], after[BadgeRole.JUDGE]) == (3, 2, 1)
    cards = batches.batch_cards(fair, BatchOptions())
    assert "张伟" not in [card.name for card in cards] and len(cards) == 6
    assert search_holders(fair.id, "Zhang") == []
    assert search_holders(fair.id, "Ouyang")
