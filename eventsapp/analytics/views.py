"""The organizers' analytics page and its exports: the same period and filters, read from the query string."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape

from eventsapp.accounts.access import organizer_required
from eventsapp.analytics import export
from eventsapp.analytics.charts import EVENTS_CHARTED
from eventsapp.analytics.forms import AnalyticsForm
from eventsapp.analytics.services import PeopleCount, PeriodKind, Score, Share
from eventsapp.analytics.snapshots import request_refresh, stored_figures
from eventsapp.analytics.tables import TABLE_KEYS, analytics_tables, paged_events
from eventsapp.events.services import list_series
from eventsapp.i18n import localized

blueprint = Blueprint("analytics", __name__, url_prefix="/manage/analytics")


@blueprint.app_template_filter()
def figure_cell(value) -> Markup:
    """A figure or table cell as the page shows it: counts with thousands separators, shares as percentages,
    suppressed figures as "<5" explained on hover."""
    if isinstance(value, (PeopleCount, Share, Score)) and value.suppressed:
        return Markup('<abbr class="suppressed" title="{}">&lt;5</abbr>').format(
            _("Fewer than 5 people: hidden so that nobody can be singled out."))
    if isinstance(value, PeopleCount):
        value = value.value
    if isinstance(value, Share):
        return Markup("—") if value.value is None else escape(f"{value.value:.1%}")
    if isinstance(value, Score):
        return escape(str(value))
    if isinstance(value, int):
        return escape(f"{value:,}")
    return escape(value)


@blueprint.before_request
@organizer_required
def require_organizer():
    """Every page here is for organizers only."""


def _form() -> AnalyticsForm:
    this_year = datetime.now(ZoneInfo(current_app.config["DEFAULT_EVENT_TIMEZONE"])).year
    form = AnalyticsForm(request.args, series_choices=[(series.id, localized(series, "title"))
                                                       for series in list_series()], default_year=this_year)
    if not form.year.raw_data or not form.year.raw_data[0]:
        form.year.data = this_year
    return form


@blueprint.get("/")
def overview():
    form = _form()
    if not form.validate():
        return render_template("analytics/overview.html", form=form, figures=None), 400
    period = form.to_period()
    # A year's page offers the year report, which compares with the year before: keep that one computed too.
    shown = stored_figures(period, form.to_filters(), with_previous=period.kind == PeriodKind.YEAR)
    result = shown.figures
    query = {key: value for key, value in request.args.items() if key != "events_page"}
    if result is None:  # the scheduler has not computed this period yet: the page says so and waits
        return render_template("analytics/overview.html", form=form, figures=None, shown=shown, query=query)
    tables = analytics_tables(result)
    events_page = paged_events(tables, request.args.get("events_page", default=1, type=int) or 1)
    return render_template("analytics/overview.html", form=form, figures=result, tables=tables,
                           charts=shown.charts, events_charted=EVENTS_CHARTED, shown=shown, query=query,
                           events_page=events_page)


@blueprint.get("/status.json")
def status():
    """Whether the figures of the period and filters are there (a waiting page asks until they are)."""
    form = _form()
    if not form.validate():
        abort(400)
    shown = stored_figures(form.to_period(), form.to_filters())
    return jsonify(finished=shown.figures is not None or bool(shown.error), refresh_requested=shown.refresh_requested)


@blueprint.post("/refresh")
def refresh():
    """Ask the scheduler to compute the figures of the period and filters again (the query string's)."""
    form = _form()
    if not form.validate():
        abort(400)
    request_refresh(form.to_period(), form.to_filters())
    flash(_("The figures will be computed again within a minute: reload the page to see them."), "success")
    return redirect(url_for("analytics.overview", **request.args.to_dict()), 303)


@blueprint.get(f"/<any({', '.join(('all',) + TABLE_KEYS)}):key>.<any(csv, xlsx):file_format>")
def export_table(key: str, file_format: str):
    """One table as CSV or XLSX, or ``all.xlsx``: every table, a sheet each."""
    form = _form()
    if not form.validate():
        abort(400)
    result = stored_figures(form.to_period(), form.to_filters()).figures
    if result is None:
        abort(409, description=_("The figures of this period are still being computed: try again in a minute."))
    tables = analytics_tables(result)
    chosen = tables if key == "all" and file_format == "xlsx" else [table for table in tables if table.key == key]
    if not chosen:
        abort(404)
    if file_format == "csv":
        body, mimetype = export.table_csv(chosen[0]), "text/csv"
    else:
        body, mimetype = export.tables_xlsx(chosen), export.XLSX_MIMETYPE
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="analytics-{key}.{file_format}"',
        "X-Content-Type-Options": "nosniff"})
