"""The organizer clicks from the dashboard to the analytics page and downloads the year report; the report
page offers another year and language, and says so when a year has no events."""
from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from eventsapp.demo.seed import DEMO_PASSWORD
from tests.browser.helpers import checked, log_in, menu

pytestmark = pytest.mark.usefixtures("demo")


def test_the_organizer_downloads_the_year_report_from_the_analytics_page(visit, live_server, screenshot, tmp_path):
    page = visit("zh-CN")
    log_in(page, "organizer@example.com", DEMO_PASSWORD, base=live_server)
    menu(page, "管理")
    page.get_by_role("link", name="数据分析").first.click()
    with page.expect_download() as download:
        page.get_by_test_id("year-report").click()
    path = tmp_path / "report.pdf"
    download.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
    assert download.value.suggested_filename == f"year-report-{date.today().year}-zh_CN.pdf"

    page.get_by_role("link", name="年度报告（PDF）").first.click()
    checked(page, screenshot, "year-report-form")
    page.get_by_label("年份").fill("2031")
    page.get_by_role("button", name="下载 PDF").click()
    expect(page.get_by_text("2031年没有已发布的活动，无法生成年度报告。")).to_be_visible()
    checked(page, screenshot, "year-report-no-events")
