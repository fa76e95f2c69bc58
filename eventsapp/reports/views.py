from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from eventsapp.accounts.access import organizer_required
from eventsapp.reports.forms import YearReportForm
from eventsapp.reports.yearreport import LANGUAGES, NothingToReport, render_year_report, year_review

blueprint = Blueprint("reports", __name__, url_prefix="/manage/reports")


@blueprint.before_request
@organizer_required
def require_organizer():
    """Reports are for organizers only."""


def _today():
    return datetime.now(ZoneInfo(current_app.config["DEFAULT_EVENT_TIMEZONE"])).date()


@blueprint.get("/year")
def year_report():
    form = YearReportForm(request.args if request.args else None, year=_today().year)
    if request.args:
        form.validate()
    return render_template("reports/year_form.html", form=form)


@blueprint.get("/year/report.pdf")
def year_report_pdf():
    # Rendered in the request, not in a job: the demo's year renders in one or two seconds and the download
    # only reads. A year of 200 events takes longer than the 10 s (benchmarks/README.md, year report):
    # moving this into a job like the badges' print runs is the next step.
    form = YearReportForm(request.args)
    if not form.validate():
        return render_template("reports/year_form.html", form=form), 400
    try:
        review = year_review(form.year.data, LANGUAGES[form.lang.data], today=_today(),
                             max_age=current_app.config["ANALYTICS_CACHE_SECONDS"])
    except NothingToReport:
        flash(_("No published event started in %(year)s: there is no report to write.", year=form.year.data),
              "warning")
        return redirect(url_for("reports.year_report", year=form.year.data, lang=form.lang.data))
    pdf = render_year_report(review, current_app.static_folder)
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="year-report-{review.year}-{form.lang.data}.pdf"',
        "X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"})
