"""The organizers' analytics page and its exports: the same period and filters, read from the query string."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import gettext as _
from markupsafe import Markup, escape

from eventsapp.accounts.access import organizer_required
from eventsapp.analytics import export
from eventsapp.analytics.charts import EVENTS_CHARTED, analytics_charts
from eventsapp.analytics.forms import AnalyticsForm
from eventsapp.analytics.services import PeopleCount, Score, Share, recent_figures
from eventsapp.analytics.tables import TABLE_KEYS, analytics_tables
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


def _figures(form: AnalyticsForm):
    return recent_figures(form.to_period(), form.to_filters(), max_age=current_app.config["ANALYTICS_CACHE_SECONDS"])


@blueprint.get("/")
def overview():
    form = _form()
    if not form.validate():
        return render_template("analytics/overview.html", form=form, figures=None), 400
    result = _figures(form)
    return render_template("analytics/overview.html", form=form, figures=result, tables=analytics_tables(result),
                           charts=analytics_charts(result), events_charted=EVENTS_CHARTED,
                           query=request.args.to_dict())


@blueprint.get(f"/<any({', '.join(('all',) + TABLE_KEYS)}):key>.<any(csv, xlsx):file_format>")
def export_table(key: str, file_format: str):
    """One table as CSV or XLSX, or ``all.xlsx``: every table, a sheet each."""
    form = _form()
    if not form.validate():
        abort(400)
    tables = analytics_tables(_figures(form))
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
