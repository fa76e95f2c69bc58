"""The analytics page and its exports over HTTP: who may open them, the period form's messages, the files
parsed back; and the event's district on the event form and page."""
from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from eventsapp.accounts.models import Role
from eventsapp.analytics.services import Period, figures
from eventsapp.analytics.tables import TABLE_KEYS, analytics_tables
from eventsapp.extensions import db
from tests.analytics_data import build_world
from tests.web.event_forms import event_form, stored

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}
PAGE = "/manage/analytics/"


@pytest.fixture
def world(app):
    with app.app_context():
        built = build_world()
        db.session.commit()
        return built


@pytest.mark.parametrize("path", [PAGE, "/manage/analytics/events.csv", "/manage/analytics/all.xlsx"])
def test_analytics_are_for_organizers_only(client, make_user, login, path):
    assert client.get(path).status_code == 302  # anonymous: to the login page
    for role in (Role.CANDIDATE, Role.EMPLOYER):
        login(make_user(role))
        assert client.get(path).status_code == 403
        client.post("/logout")
    login(make_user(Role.ORGANIZER))
    assert client.get(path).status_code == 200


def test_the_dashboard_links_to_the_analytics(client, organizer):
    assert f'href="{PAGE}"' in client.get("/manage/", headers=EN).get_data(as_text=True)


def test_the_page_shows_the_years_figures(app, client, organizer, world):
    page = client.get(PAGE + "?period=year&year=2026", headers=EN).get_data(as_text=True)
    with app.test_request_context(headers=EN):
        result = figures(Period.year(2026))
    assert 'data-testid="people"' in page
    assert f'<div class="stat">{result.people.value:,}</div>' in page
    assert f'<div class="stat">{result.events_held}</div>' in page
    for table in TABLE_KEYS:
        assert f'data-testid="table-{table}"' in page
    assert page.count("<svg") >= 4  # registrations over time, degree, class, attendance, industry
    assert "&lt;5" in page  # the employers' survey answers are too few to show


@pytest.mark.parametrize(("query", "field", "message"), [
    ("period=custom&start=2026-05-01&end=2026-04-01", "end", "The period must not end before it starts."),
    ("period=custom&start=2026-05-01", "end", "Enter a date."),
    ("period=custom&start=yesterday&end=2026-04-01", "start", "Not a valid date value."),
    ("period=custom&start=2020-01-01&end=2026-04-01", "end", "Choose at most three years."),
    ("period=year&year=abc", "year", "Not a valid integer value."),
    ("period=year&year=99999999999999999999", "year", "Enter a year from 2000 to 2100."),
    ("period=year&year=1800", "year", "Enter a year from 2000 to 2100."),
    ("period=series", "series", "Choose a series."),
    ("period=series&series=999999999999", "series", "Not a valid choice."),
    ("period=decade", "period", "Not a valid choice."),
    ("period=half&half=3", "half", "Not a valid choice."),
    ("kind=party", "kind", "Not a valid choice."),
    ("district=Mars", "district", "Not a valid choice."),
])
def test_bad_period_input_is_answered_next_to_the_field(client, organizer, query, field, message):
    response = client.get(f"{PAGE}?{query}", headers=EN)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'id="{field}"' in page
    after_field = page[page.index(f'id="{field}"'):]
    assert message in after_field[:after_field.index("</div>") + 200]
    assert client.get(f"/manage/analytics/events.csv?{query}").status_code == 400


def test_the_series_period_and_filters_are_bookmarkable(client, organizer, world):
    query = f"period=series&series={world.series_id}&kind=fair&district=西湖区"
    page = client.get(f"{PAGE}?{query}", headers=EN).get_data(as_text=True)
    assert "Event spring-1" in page and "Event spring-2" not in page  # spring 2 is in Binjiang
    assert "/manage/analytics/events.csv?period=series" in page  # the exports keep the period and filters


def _csv_rows(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.mark.parametrize("key", TABLE_KEYS)
def test_each_table_exports_as_csv_and_xlsx_as_on_the_page(app, client, organizer, world, key):
    with app.test_request_context(headers=EN):
        (table,) = [table for table in analytics_tables(figures(Period.year(2026))) if table.key == key]
        head = [str(column.title) for column in table.columns]
        expected = [[str(cell) for cell in row] for row in table.rows]
    response = client.get(f"/manage/analytics/{key}.csv?year=2026", headers=EN)
    assert response.mimetype == "text/csv"
    assert _csv_rows(response) == [head, *expected]
    workbook = load_workbook(io.BytesIO(client.get(f"/manage/analytics/{key}.xlsx?year=2026", headers=EN).data))
    sheet = workbook.worksheets[0]
    values = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert list(values[0]) == head
    assert len(values) == 1 + len(expected)
    for written, shown in zip(values[1:], expected, strict=True):
        for cell, text in zip(written, shown, strict=True):
            if isinstance(cell, float) and text.endswith("%"):
                assert f"{cell:.1%}" == text
            elif isinstance(cell, float):
                assert f"{cell:.{len(text.partition('.')[2])}f}" == text
            else:
                assert str(cell if cell is not None else "") == text


def test_the_workbook_has_every_table_with_headers_in_chinese(client, organizer, world):
    workbook = load_workbook(io.BytesIO(client.get("/manage/analytics/all.xlsx?year=2026", headers=ZH).data))
    assert len(workbook.worksheets) == len(TABLE_KEYS)
    assert workbook.worksheets[0].title == "活动"
    assert workbook.worksheets[0]["A1"].value == "活动"
    people = [sheet for sheet in workbook.worksheets if sheet["B1"].value == "人数"]
    assert people, [sheet["B1"].value for sheet in workbook.worksheets]


def test_a_csv_export_of_all_tables_does_not_exist(client, organizer):
    assert client.get("/manage/analytics/all.csv").status_code == 404
    assert client.get("/manage/analytics/nothing.xlsx").status_code == 404


def test_titles_that_look_like_formulas_are_neutralised(client, organizer, make_event, make_candidate,
                                                        make_registration):
    event = make_event(title_en="=HYPERLINK(\"http://evil\")", starts_at=datetime(2026, 4, 1, 2, tzinfo=UTC))
    make_registration(event, make_candidate())
    rows = _csv_rows(client.get("/manage/analytics/events.csv?year=2026", headers=EN))
    assert rows[1][0] == "'=HYPERLINK(\"http://evil\")"
    assert rows[1][4] == "<5"
    workbook = load_workbook(io.BytesIO(client.get("/manage/analytics/events.xlsx?year=2026", headers=EN).data))
    cell = workbook.worksheets[0]["A2"]
    assert cell.value == "'=HYPERLINK(\"http://evil\")" and cell.data_type == "s"


def test_the_event_form_takes_a_district_and_the_page_shows_it(app, client, organizer):
    response = client.post("/manage/events/new", data=event_form(slug="xihu-fair", district="西湖区"))
    assert response.status_code == 302
    event = stored(app, "xihu-fair")
    assert event.district == "西湖区"
    with app.app_context():
        from eventsapp.events.services import publish_event
        publish_event(db.session.merge(event))
        db.session.commit()
    page = client.get("/events/xihu-fair", headers=EN).get_data(as_text=True)
    assert "西湖区 Xihu" in page
    assert "西湖区" in client.get("/events/xihu-fair", headers=ZH).get_data(as_text=True)


def test_a_district_not_on_the_list_is_refused(app, client, organizer):
    response = client.post("/manage/events/new", data=event_form(slug="moon-fair", district="月球区"), headers=EN)
    assert response.status_code == 200
    assert "Not a valid choice." in response.get_data(as_text=True)
    assert stored(app, "moon-fair") is None


def test_without_the_scheduler_the_page_waits_for_it_and_refresh_only_asks(app, client, organizer, world,
                                                                          monkeypatch):
    from eventsapp.analytics.snapshots import refresh_due, stored_figures

    monkeypatch.setitem(app.config, "ANALYTICS_REFRESH_IN_REQUEST", False)
    query = "?period=year&year=2026"
    first = client.get(PAGE + query, headers=EN).get_data(as_text=True)
    assert 'data-testid="computing"' in first and 'data-wait-url="/manage/analytics/status.json?' in first
    assert client.get("/manage/analytics/status.json" + query).get_json()["finished"] is False
    assert client.get("/manage/analytics/events.csv" + query).status_code == 409  # nothing to export yet
    with app.app_context():
        # The year and the year before: the page offers the year report, which compares the two.
        assert "2 computed" in refresh_due(datetime.now(UTC))
        assert stored_figures(Period.year(2025)).figures is not None
    assert client.get("/manage/analytics/status.json" + query).get_json()["finished"] is True
    assert client.get("/manage/analytics/status.json?period=year&year=abc").status_code == 400
    page = client.get(PAGE + query, headers=EN).get_data(as_text=True)
    assert 'data-testid="computed-at"' in page and 'data-testid="refresh"' in page
    asked = client.post("/manage/analytics/refresh" + query)
    assert asked.status_code == 303 and asked.headers["Location"].endswith(query)
    after = client.get(PAGE + query, headers=EN).get_data(as_text=True)
    assert "New figures have been asked for" in after and 'data-testid="refresh"' not in after
    assert client.post("/manage/analytics/refresh?period=year&year=abc").status_code == 400
    with app.app_context():
        assert "1 computed" in refresh_due(datetime.now(UTC))
    assert 'data-testid="refresh"' in client.get(PAGE + query, headers=EN).get_data(as_text=True)


def test_a_failed_computation_is_told_in_the_pages_language_without_the_servers_error(app, client, organizer,
                                                                                     world, monkeypatch):
    from eventsapp.analytics import services
    from eventsapp.analytics.snapshots import refresh_due

    monkeypatch.setitem(app.config, "ANALYTICS_REFRESH_IN_REQUEST", False)
    query = "?period=year&year=2026"
    client.get(PAGE + query, headers=EN)

    def broken(*args, **kwargs):
        raise RuntimeError("psycopg: connection refused")

    monkeypatch.setattr(services, "figures", broken)
    with app.app_context():
        assert "failed" in refresh_due(datetime.now(UTC))
    page = client.get(PAGE + query, headers=EN).get_data(as_text=True)
    assert 'data-testid="compute-failed"' in page and "The details are in the server log" in page
    assert "psycopg" not in page and "RuntimeError" not in page
    assert 'data-testid="refresh"' in page


def test_refresh_is_for_organizers_only(client, make_user, login):
    assert client.post("/manage/analytics/refresh?period=year&year=2026").status_code == 302
    login(make_user(Role.CANDIDATE))
    assert client.post("/manage/analytics/refresh?period=year&year=2026").status_code == 403


def test_refresh_and_the_report_refuse_a_form_without_its_csrf_token(app, client, organizer, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post("/manage/analytics/refresh?period=year&year=2026").status_code == 400
    assert client.post("/manage/reports/year", data={"year": "2026", "lang": "en"}).status_code == 400


def test_the_page_lists_the_events_a_page_at_a_time_and_the_exports_have_them_all(client, organizer, world,
                                                                                  monkeypatch):
    monkeypatch.setattr("eventsapp.analytics.tables.EVENTS_PER_PAGE", 4)
    query = "period=year&year=2026"
    def events_table(page: str) -> str:
        return page[page.index('data-testid="table-events"'):][:page[page.index('data-testid="table-events"'):]
                                                                  .index("</table>")]

    first = client.get(f"{PAGE}?{query}", headers=EN).get_data(as_text=True)
    assert "Event talent-day" in events_table(first) and "Event conference" not in events_table(first)
    assert "Events 1–4 of 6; the CSV and XLSX have them all." in first
    assert "events_page=2" in first and 'rel="prev"' not in first
    second = client.get(f"{PAGE}?{query}&events_page=2", headers=EN).get_data(as_text=True)
    assert "Event conference" in events_table(second) and "Event upcoming" in events_table(second)
    assert "Event talent-day" not in events_table(second)
    assert "Events 5–6 of 6" in second and 'rel="next"' not in second
    assert "/manage/analytics/events.csv?period=year&amp;year=2026" in second  # the page number stays out
    for odd in ("99999999999999999999999", "-3", "abc", "0"):  # the nearest page, never an error
        response = client.get(f"{PAGE}?{query}&events_page={odd}", headers=EN)
        assert response.status_code == 200
    rows = _csv_rows(client.get(f"/manage/analytics/events.csv?{query}&events_page=2", headers=EN))
    assert len(rows) == 1 + 6


def test_the_page_shows_the_charts_stored_with_the_snapshot_and_draws_none(app, client, organizer, world,
                                                                           monkeypatch):
    from eventsapp.analytics.models import AnalyticsSnapshot
    from eventsapp.analytics.snapshots import decode_charts, refresh_due

    monkeypatch.setitem(app.config, "ANALYTICS_REFRESH_IN_REQUEST", False)
    query = "?period=year&year=2026"
    client.get(PAGE + query, headers=EN)
    with app.app_context():
        refresh_due(datetime.now(UTC))
        stored = [decode_charts(row.charts) for row in db.session.query(AnalyticsSnapshot)
                  if '"year"' in row.scope and "2026" in row.scope]
    assert len(stored) == 1 and set(stored[0]) == {"zh", "en"}
    assert set(stored[0]["zh"]) == set(stored[0]["en"]) == {"registrations", "degree", "talent_class", "attendance",
                                                           "industry"}
    assert "Registrations received per week" in stored[0]["en"]["registrations"]
    assert "每周收到的报名" in stored[0]["zh"]["registrations"]

    def no_drawing(*args, **kwargs):
        raise AssertionError("a page view drew a chart")

    for name in ("line_chart", "share_chart", "stacked_bar_chart", "bar_chart"):
        monkeypatch.setattr(f"eventsapp.analytics.charts.{name}", no_drawing)
    from eventsapp.analytics.charts import _draw
    _draw.cache_clear()
    for headers, language in ((EN, "en"), (ZH, "zh")):
        page = client.get(PAGE + query, headers=headers).get_data(as_text=True)
        for svg in stored[0][language].values():
            assert str(svg) in page
