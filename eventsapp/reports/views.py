from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eventsapp.accounts.access import organizer_required
from eventsapp.analytics.services import Period, events_held
from eventsapp.extensions import db
from eventsapp.jobs import services as jobs
from eventsapp.reports import jobs as report_jobs
from eventsapp.reports.forms import YearReportForm

blueprint = Blueprint("reports", __name__, url_prefix="/manage/reports")


@blueprint.before_request
@organizer_required
def require_organizer():
    """Reports are for organizers only."""


def _today():
    return datetime.now(ZoneInfo(current_app.config["DEFAULT_EVENT_TIMEZONE"])).date()


def _form_page(form: YearReportForm, status: int = 200):
    return render_template("reports/year_form.html", form=form,
                           recent=jobs.recent_jobs(report_jobs.KIND, current_user.id, limit=5),
                           params=jobs.job_params, stalled=jobs.is_stalled, gone=jobs.result_gone), status


@blueprint.get("/year")
def year_report():
    form = YearReportForm(formdata=None, year=request.args.get("year", type=int) or _today().year,
                          lang=request.args.get("lang") if request.args.get("lang") in ("zh_CN", "en") else "zh_CN")
    return _form_page(form)


@blueprint.post("/year")
def start_year_report():
    """Start the year report as a background job and go to its page (never rendered in the request)."""
    form = YearReportForm()
    if not form.validate_on_submit():
        return _form_page(form, 400)
    if not events_held(Period.year(form.year.data)):
        form.year.errors.append(_("No published event started in %(year)s: there is no report to write.",
                                  year=form.year.data))
        return _form_page(form, 400)
    jobs.fail_stalled_jobs(report_jobs.KIND)
    job = jobs.create_job(report_jobs.KIND, {"year": form.year.data, "lang": form.lang.data}, current_user.id)
    db.session.commit()
    jobs.start_job(job.id)
    flash(_("The report is being written; it takes a few seconds."), "info")
    return redirect(url_for("jobs.show", job_id=job.id), 303)
