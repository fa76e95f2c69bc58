"""The organizer's leaderboard in a real browser (issue 14): the ranking read back from the database, and
a judge's changed sheet showing at the next reload (no per-process cache in the live server)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from eventsapp.contests.models import ScoreSheet
from eventsapp.extensions import db
from tests.browser.helpers import log_in
from tests.contest_factories import build_judged_contest

pytestmark = pytest.mark.browser


def test_the_organizer_reads_the_leaderboard_and_sees_a_changed_sheet_at_once(
        app, browser, live_server, factories, screenshot):
    with app.app_context():
        factories.make_organizer(email="organizer@example.org")
        contest = build_judged_contest(factories)
        judges = [contest.judge(accepted=False, name=f"Judge {number}") for number in (1, 2)]
        entries = [contest.entry(title_zh=f"项目 {number}", title_en=f"Project {number}") for number in range(1, 5)]
        for number, entry in enumerate(entries):
            for judge in judges:
                contest.sheet(contest.rounds[0], judge, entry, (2 + 2 * number, 3 + number))
        event_id, round_id, first_id, best_id = contest.event.id, contest.rounds[0].id, entries[0].id, entries[-1].id

    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log_in(page, "organizer@example.org", base=live_server)
    page.goto(f"{live_server}/manage/events/{event_id}/judging/rounds/{round_id}/leaderboard")
    expect(page.get_by_test_id("summary")).to_contain_text("4 entries with submitted sheets")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.first).to_have_attribute("data-testid", f"row-{best_id}")
    screenshot(page, "leaderboard")
    page.reload()  # read back from the stored ranking: the same page
    expect(rows.first).to_have_attribute("data-testid", f"row-{best_id}")

    with app.app_context():  # both judges now give the first entry full marks
        for sheet in db.session.scalars(select(ScoreSheet).where(ScoreSheet.entry_id == first_id)):
            sheet.points = {key: 10.0 for key in sheet.points}
        db.session.commit()
    page.reload()
    expect(rows.first).to_have_attribute("data-testid", f"row-{first_id}")
    context.close()
