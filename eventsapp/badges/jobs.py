"""Large badge batches as background jobs of kind ``badge-print`` on eventsapp.jobs (one table, one queue,
one runner for every background job): the job's params are the batch options (filters, layout, language),
its ``event_id`` the event, and its result the PDF, kept in BADGE_FOLDER. Queued on RQ when JOB_QUEUE_URL is
set (`flask jobs worker` renders it), in a thread of the web process otherwise.

Idempotent: the job only reads the event's badges and writes its own PDF; a try that fails writes nothing,
and a finished job is never run twice (eventsapp.jobs claims it). A print run whose process died shows as
failed at once and is marked so by the scheduler, or by the next print run of the event.
"""
from __future__ import annotations

import json
from pathlib import Path

from flask import Flask, current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from eventsapp.badges import batches, rendering
from eventsapp.events.models import Event
from eventsapp.extensions import db
from eventsapp.i18n import format_local_datetime
from eventsapp.jobs import services as jobs
from eventsapp.jobs.models import BackgroundJob, BackgroundJobStatus

KIND = "badge-print"
STALLED = jobs.STALLED
STALLED_MESSAGE = _l("The print process stopped before it finished (no sign of life since %(time)s).")


def badge_folder() -> Path:
    configured = current_app.config.get("BADGE_FOLDER")
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads" / "badges"


def job_path(job: BackgroundJob) -> Path | None:
    return jobs.result_path(job)


def create_job(event: Event, options: batches.BatchOptions, requested_by_id: int | None, total: int,
               locale: str = "") -> BackgroundJob:
    # The job renders in the language of the organizer who asked, which the worker cannot see.
    params = {**json.loads(options.to_json(locale=locale)), "event_id": event.id}
    return jobs.create_job(KIND, params, requested_by_id, event_id=event.id, total=total)


def render_print_run(job: BackgroundJob, progress: jobs.Progress) -> jobs.JobResult:
    """Render the job's batch: the kind's function (eventsapp.jobs runs it, keeps progress and the result)."""
    options = batches.BatchOptions.from_json(job.params)  # batch_cards() checks it
    locale = json.loads(job.params or "{}").get("locale") or current_app.config["BABEL_DEFAULT_LOCALE"]
    event = db.session.get(Event, job.event_id)
    with force_locale(locale):
        if event is None:
            raise jobs.JobRefused(jobs.N_("The event no longer exists."))
        cards = batches.batch_cards(event, options)
        if not cards:
            raise jobs.JobRefused(jobs.N_("No badge matches these filters any more."))
        total = len(cards)
        progress(0, total, "")
        db.session.commit()  # personal codes made for the cards are kept
        pdf = rendering.render_pdf(cards, options.layout_spec,
                                   processes=current_app.config["BADGE_RENDER_PROCESSES"],
                                   progress=lambda done: progress(done, total, ""))
    return jobs.JobResult(pdf, f"badges-{event.slug}-{options.layout}.pdf", "application/pdf")


def title(params: dict) -> str:
    return _("Badge print run (%(layout)s)", layout=params.get("layout", ""))


def back(params: dict) -> str:
    return url_for("badges_manage.overview", event_id=params.get("event_id", 0))


def register(app: Flask) -> None:
    jobs.register_kind(app, KIND, render_print_run, title, back, timeout=app.config["BADGE_JOB_TIMEOUT_SECONDS"],
                       folder=badge_folder)


def event_jobs(event_id: int, limit: int = 10) -> list[BackgroundJob]:
    return list(db.session.scalars(db.select(BackgroundJob).where(
        BackgroundJob.kind == KIND, BackgroundJob.event_id == event_id).order_by(BackgroundJob.id.desc())
        .limit(limit)))


def event_job_or_none(event_id: int, job_id: int) -> BackgroundJob | None:
    job = db.session.get(BackgroundJob, job_id)
    return job if job is not None and job.kind == KIND and job.event_id == event_id else None


def stalled_jobs(event_id: int) -> list[BackgroundJob]:
    return jobs.stalled_jobs(KIND, event_id)


def fail_stalled_jobs(event_id: int) -> list[BackgroundJob]:
    return jobs.fail_stalled_jobs(KIND, event_id=event_id)


def error_text(job: BackgroundJob, zone: str, stalled: bool = False) -> str:
    """The job's error for the organizer, in their language; ``stalled``: found stalled, not yet marked."""
    if stalled or job.error_code == STALLED:
        return str(STALLED_MESSAGE) % {"time": format_local_datetime(
            job.heartbeat_at or job.started_at or job.created_at, zone)}
    return jobs.error_text(job) if job.status == BackgroundJobStatus.FAILED else ""


start_job = jobs.start_job
run_again = jobs.run_again
result_gone = jobs.result_gone
