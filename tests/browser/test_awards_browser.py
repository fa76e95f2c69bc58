"""A contest's end in a real browser: the organizer previews who advances, decides a tie at the cut-off,
advances, gives an award and publishes; the public reads the results; the team downloads its certificates."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import log_in
from tests.contest_factories import build_judged_contest

pytestmark = pytest.mark.browser


def test_the_organizer_advances_with_a_tie_publishes_and_the_team_gets_its_certificates(
        app, browser, live_server, factories, screenshot):
    with app.app_context():
        factories.make_organizer(email="organizer@example.org")
        leader = factories.make_candidate(email="leader@example.org", name="张伟", name_latin="Zhang Wei")
        contest = build_judged_contest(factories)
        judge = contest.judge(accepted=False)
        best = contest.entry(leader=leader, title_zh="量子传感芯片", title_en="Quantum sensing chip").id
        contest.sheet(contest.rounds[0], judge, best, (10, 10))
        tied = [contest.entry(title_en=f"Tied project {n}") for n in (1, 2)]
        for entry in tied:
            contest.sheet(contest.rounds[0], judge, entry, (8, 8))
        contest.sheet(contest.rounds[0], judge, contest.entry(title_en="Last project"), (4, 4))
        event_id, slug = contest.event.id, contest.event.slug

    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, "organizer@example.org", base=live_server)
    page.goto(f"{live_server}/manage/events/{event_id}/results")
    expect(page.get_by_test_id("tab-results")).to_be_visible()
    page.get_by_test_id("rounds").get_by_role("link").first.click()
    expect(page.get_by_test_id("ranked-entry")).to_have_count(4)

    page.locator("#top").fill("2")
    page.get_by_test_id("preview").click()
    ties = page.get_by_test_id("ties")
    expect(ties.locator("input[type=checkbox]")).to_have_count(2)
    screenshot(page, "awards-ties")
    ties.get_by_label(re.compile("Tied project 2")).check()
    page.get_by_label("I have decided the ties").check()
    page.get_by_test_id("advance").click()
    expect(page.locator(".alert-success")).to_contain_text("2 entries advance")
    expect(page.get_by_test_id("advanced")).to_be_visible()

    page.goto(f"{live_server}/manage/events/{event_id}/results")
    page.locator("#entry_id").select_option(str(best))
    page.locator("#name_zh").fill("一等奖")
    page.locator("#name_en").fill("First prize")
    page.locator("#prize_amount").fill("100000")
    page.get_by_role("button", name="Add the award").click()
    expect(page.get_by_test_id("award")).to_have_count(1)
    page.get_by_role("button", name="Publish the results").click()
    expect(page.get_by_test_id("published")).to_be_visible()

    visitor = browser.new_context(locale="zh-CN").new_page()
    visitor.goto(f"{live_server}/events/{slug}")
    visitor.get_by_test_id("results-link").click()
    expect(visitor.get_by_test_id("result")).to_contain_text("量子传感芯片")
    screenshot(visitor, "awards-public-results")

    team = browser.new_context(locale="en-US").new_page()
    log_in(team, "leader@example.org", base=live_server)
    team.goto(f"{live_server}/events/{slug}")
    team.get_by_test_id("my-contest-entries").get_by_role("link").click()
    expect(team.get_by_test_id("standings")).to_contain_text("Advanced")
    with team.expect_download() as download:
        team.get_by_test_id("certificates").click()
    assert download.value.suggested_filename == f"certificates-entry-{best}.pdf"
