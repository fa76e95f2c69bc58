"""A contest's certificates as one PDF, as a background job (eventsapp.jobs, kind ``contest-certificates``):
with a queue configured (JOB_QUEUE_URL) the organizer's button queues it instead of rendering in the request.
Params ``{"event_id": 7, "lang": "zh_CN"}``. Idempotent: it only reads the awards and writes its own PDF."""
from __future__ import annotations

import json

from flask import Flask, current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from eventsapp.awards import certificates, services
from eventsapp.contests.services import find_contest
from eventsapp.jobs.models import BackgroundJob
from eventsapp.jobs.services import N_, JobRefused, JobResult, Progress, register_kind

KIND = "contest-certificates"
# Its steps, stored as codes and put into words in the reader's language where the job is shown.
WRITING, DONE = "writing", "done"
STEPS = {WRITING: _l("Writing %(num)d certificates…"), DONE: _l("Done.")}


def run_certificates(job: BackgroundJob, progress: Progress) -> JobResult:
    params = json.loads(job.params)
    contest = find_contest(int(params["event_id"]))
    with force_locale(params.get("lang") or current_app.config["BABEL_DEFAULT_LOCALE"]):
        if contest is None:
            raise JobRefused(N_("The contest no longer exists."))
        pages = certificates.certificate_pages(services.contest_awards(contest))
        if not pages:
            raise JobRefused(N_("No award has a team member: there is no certificate to print."))
        progress(0, len(pages), WRITING, num=len(pages))
        pdf = certificates.render_certificates(pages, current_app.static_folder)
        progress(len(pages), len(pages), DONE)
    return JobResult(pdf, f"certificates-{contest.event.slug}.pdf", "application/pdf")


def title(params: dict) -> str:
    return _("Contest certificates (PDF)")


def back(params: dict) -> str:
    return url_for("awards.overview", event_id=params.get("event_id") or 0)


def register(app: Flask) -> None:
    register_kind(app, KIND, run_certificates, title, back, timeout=1800, steps=STEPS)
