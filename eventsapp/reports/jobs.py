"""The year report as a background job (eventsapp.jobs): the organizer's button starts it, the job page
shows its progress and then offers the PDF. Kind ``year-report``, params ``{"year": 2026, "lang": "zh_CN"}``."""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from eventsapp.jobs.models import BackgroundJob
from eventsapp.jobs.services import N_, JobRefused, JobResult, Progress, register_kind
from eventsapp.reports.yearreport import LANGUAGES, NothingToReport, render_year_report, year_review

KIND = "year-report"
# Its steps, stored as codes and put into words in the reader's language where the job is shown.
READING, DRAWING, DONE = "reading", "drawing", "done"
STEPS = {
    READING: _l("Reading the figures of %(year)s and %(before)s…"),
    DRAWING: _l("Drawing the charts and writing the PDF…"),
    DONE: _l("Done."),
}


def run_year_report(job: BackgroundJob, progress: Progress) -> JobResult:
    params = json.loads(job.params)
    year, lang = int(params["year"]), params["lang"]
    if lang not in LANGUAGES:
        raise ValueError(f"no report language {lang!r}")
    zone = current_app.config["DEFAULT_EVENT_TIMEZONE"]
    with force_locale(lang):
        progress(0, 3, READING, year=year, before=year - 1)
        # The figures the analytics page shows, when the scheduler computed them recently enough.
        try:
            review = year_review(year, LANGUAGES[lang], today=datetime.now(ZoneInfo(zone)).date(),
                                 max_age=timedelta(seconds=current_app.config["ANALYTICS_REFRESH_SECONDS"]))
        except NothingToReport:  # the year's events were unpublished since the job was asked for
            raise JobRefused(N_("No published event started in %(year)s: there is no report to write."),
                             year=year) from None
        progress(1, 3, DRAWING)
        pdf = render_year_report(review, current_app.static_folder)
        progress(3, 3, DONE)
    return JobResult(pdf, f"year-report-{year}-{lang}.pdf", "application/pdf")


def title(params: dict) -> str:
    return _("Year report %(year)s (PDF)", year=params.get("year", ""))


def back(params: dict) -> str:
    return url_for("reports.year_report", year=params.get("year"), lang=params.get("lang"))


def register(app) -> None:
    register_kind(app, KIND, run_year_report, title, back, steps=STEPS)
