"""`flask badges render|sync|fonts|worker|fail-stalled`, as a print shop or organizer runs them."""
from __future__ import annotations

from datetime import timedelta

from pypdf import PdfReader
from sqlalchemy import func, select

from eventsapp.badges.jobs import KIND
from eventsapp.badges.models import Badge
from eventsapp.badges.services import sync_badges
from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.jobs.models import BackgroundJob as BadgeJob
from eventsapp.jobs.models import BackgroundJobStatus as JobStatus
from eventsapp.registrations.models import Registration, RegistrationStatus


def _confirm(app, event, *people, badges: bool = True):
    """Confirmed registrations written directly, with their badges as the services issue them (unless not)."""
    with app.app_context():
        for person in people:
            db.session.add(Registration(event_id=event.id, user_id=person.id, status=RegistrationStatus.CONFIRMED))
        db.session.commit()
        if badges:
            sync_badges(event.id)
            db.session.commit()


def test_sync_issues_the_missing_badges_once(app, runner, make_event, make_candidate, tmp_path):
    event = make_event(slug="old-fair")
    _confirm(app, event, make_candidate(name="张伟"), make_candidate(name="Anna Schmidt"), badges=False)
    output = tmp_path / "badges.pdf"
    assert "No badges to print" in runner.invoke(args=["badges", "render", "old-fair", "-o", str(output)]).output
    first = runner.invoke(args=["badges", "sync", "old-fair"])
    assert first.exit_code == 0 and "2 badge(s) issued, 0 reissued in a new role, 2 in all" in first.output
    again = runner.invoke(args=["badges", "sync", "old-fair"])
    assert "0 badge(s) issued, 0 reissued in a new role, 2 in all" in again.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Badge).where(Badge.event_id == event.id)) == 2
    assert runner.invoke(args=["badges", "render", "old-fair", "-o", str(output)]).exit_code == 0
    unknown = runner.invoke(args=["badges", "sync", "no-such-fair"])
    assert unknown.exit_code == 1 and "No event with the slug 'no-such-fair'" in unknown.output


def test_render_writes_a_pdf_with_the_chosen_layout(app, runner, make_event, make_candidate, tmp_path):
    event = make_event(slug="spring-fair")
    _confirm(app, event, make_candidate(name="张伟", name_latin="Zhang Wei"), make_candidate(name="Anna Schmidt"))
    output = tmp_path / "badges.pdf"
    result = runner.invoke(args=["badges", "render", "spring-fair", "-o", str(output), "--layout", "letter-4x3",
                                 "--role", "candidate", "--sort", "name"])
    assert result.exit_code == 0, result.output
    assert "Wrote 2 badge(s)" in result.output
    reader = PdfReader(output)
    assert len(reader.pages) == 1 and round(float(reader.pages[0].mediabox.width)) == 612  # US Letter
    text = reader.pages[0].extract_text()
    assert text.index("Anna Schmidt") < text.index("Zhang Wei")


def test_render_explains_what_is_wrong(app, runner, make_event, make_candidate, tmp_path):
    output = tmp_path / "badges.pdf"
    unknown = runner.invoke(args=["badges", "render", "no-such-fair", "-o", str(output)])
    assert unknown.exit_code == 1 and "No event with the slug 'no-such-fair'" in unknown.output
    event = make_event(slug="empty-fair")
    empty = runner.invoke(args=["badges", "render", "empty-fair", "-o", str(output)])
    assert empty.exit_code == 1 and "No badges to print" in empty.output
    bad_layout = runner.invoke(args=["badges", "render", "empty-fair", "-o", str(output), "--layout", "a3"])
    assert bad_layout.exit_code == 2 and "a4-2x4" in bad_layout.output
    _confirm(app, event, make_candidate(name="Anna"))
    nobody = runner.invoke(args=["badges", "render", "empty-fair", "-o", str(output), "--booth", "Z-9"])
    assert nobody.exit_code == 1 and "No badges to print" in nobody.output
    assert not output.exists()


def test_unprintable_names_are_listed_and_need_print_anyway(app, runner, make_event, make_candidate, tmp_path):
    event = make_event(slug="rare-fair")
    _confirm(app, event, make_candidate(name="王\ue000明"), make_candidate(name="欧阳䶮"))
    output = tmp_path / "badges.pdf"
    refused = runner.invoke(args=["badges", "render", "rare-fair", "-o", str(output)])
    assert refused.exit_code == 1
    assert "U+E000" in refused.output and "1 name(s) cannot be printed" in refused.output
    assert "欧阳䶮" not in refused.output  # the rare but drawable name is fine
    anyway = runner.invoke(args=["badges", "render", "rare-fair", "-o", str(output), "--print-anyway"])
    assert anyway.exit_code == 0, anyway.output
    assert "欧阳䶮" in PdfReader(output).pages[0].extract_text()


def test_render_to_standard_output(app, runner, make_event, make_candidate):
    event = make_event(slug="pipe-fair")
    _confirm(app, event, make_candidate(name="李明"))
    result = runner.invoke(args=["badges", "render", "pipe-fair", "-o", "-", "--layout", "single"])
    assert result.exit_code == 0
    assert result.stdout_bytes.startswith(b"%PDF") and b"Wrote" not in result.stdout_bytes


def test_fonts_command_names_the_files(runner):
    result = runner.invoke(args=["badges", "fonts"])
    assert result.exit_code == 0
    assert "Noto Sans CJK SC bold: /usr/share/fonts" in result.output


def test_the_job_worker_needs_a_queue(runner):
    result = runner.invoke(args=["jobs", "worker", "--burst"])
    assert result.exit_code == 1 and "JOB_QUEUE_URL" in result.output


def test_fail_stalled_marks_the_runs_whose_process_died(app, runner, make_event):
    event = make_event()
    with app.app_context():
        silent, alive = utcnow() - timedelta(hours=1), utcnow()
        db.session.add_all([
            BadgeJob(kind=KIND, event_id=event.id, status=JobStatus.RUNNING, started_at=silent, heartbeat_at=silent),
            BadgeJob(kind=KIND, event_id=event.id, status=JobStatus.RUNNING, started_at=alive, heartbeat_at=alive),
            BadgeJob(kind=KIND, event_id=event.id, status=JobStatus.DONE, started_at=silent)])
        db.session.commit()
    result = runner.invoke(args=["jobs", "fail-stalled"])
    assert result.exit_code == 0 and "1 stalled job(s) marked failed" in result.output
    with app.app_context():
        statuses = db.session.scalars(select(BadgeJob.status).order_by(BadgeJob.id)).all()
    assert statuses == [JobStatus.FAILED, JobStatus.RUNNING, JobStatus.DONE]
    assert "0 stalled job(s) marked failed" in runner.invoke(args=["jobs", "fail-stalled"]).output
