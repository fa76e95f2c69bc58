from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import AppGroup

from eventsapp.reports.yearreport import LANGUAGES, NothingToReport, render_year_report, year_review

report_group = AppGroup("report", help="Reports as PDF.")


@report_group.command("year")
@click.argument("year", type=click.IntRange(2000, 2100))
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True,
              help="Where to write the PDF.")
@click.option("--lang", type=click.Choice(sorted(LANGUAGES)), default=None,
              help="The report's language (default: the site's default locale).")
def year_command(year: int, output: Path, lang: str | None) -> None:
    """Write the year-in-review report of YEAR as a PDF."""
    zone = current_app.config["DEFAULT_EVENT_TIMEZONE"]
    locale = lang or current_app.config["BABEL_DEFAULT_LOCALE"]
    try:
        review = year_review(year, LANGUAGES.get(locale, "zh"), today=datetime.now(ZoneInfo(zone)).date())
    except NothingToReport:
        raise click.ClickException(f"No published event started in {year}: there is nothing to report.") from None
    output.write_bytes(render_year_report(review, current_app.static_folder))
    click.echo(f"Wrote the {year} report ({review.figures.events_held} events) to {output}.")
