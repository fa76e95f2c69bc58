"""The organizer clicks from the dashboard to the analytics page and starts the year report; the job's page
shows its progress, then the download; the report page offers another year and language, and says so next
to the year when a year has no events."""
from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from eventsapp.demo.seed import DEMO_PASSWORD
from tests.browser.helpers import checked, log_in, menu

pytestmark = pytest.mark.usefixtures("demo")


def test_the_organizer_writes_and_downloads_the_year_report(app, visit, live_server, screenshot, tmp_path,
                                                          monkeypatch):
    monkeypatch.setitem(app.config, "JOB_FOLDER", str(tmp_path / "jobs"))
    page = visit("zh-CN")
    log_in(page, "organizer@example.com", DEMO_PASSWORD, base=live_server)
    menu(page, "管理")
    page.get_by_role("link", name="数据分析").first.click()
    page.get_by_test_id("year-report").click()
    expect(page.get_by_test_id("job-download")).to_be_visible(timeout=60_000)  # the page reloads by itself
    checked(page, screenshot, "year-report-job-done")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "year-report-job-done-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    with page.expect_download() as download:
        page.get_by_test_id("job-download").click()
    path = tmp_path / "report.pdf"
    download.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
    assert download.value.suggested_filename == f"year-report-{date.today().year}-zh_CN.pdf"

    page.get_by_role("link", name="返回").click()
    expect(page.get_by_test_id("recent-reports")).to_be_visible()
    checked(page, screenshot, "year-report-form")
    page.get_by_label("年份").fill("2031")
    page.get_by_role("button", name="生成 PDF").click()
    expect(page.get_by_text("2031年没有已发布的活动，无法生成年度报告。")).to_be_visible()
    checked(page, screenshot, "year-report-no-events")
