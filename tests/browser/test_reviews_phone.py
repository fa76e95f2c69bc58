"""The judge's score sheet on a phone at the live final (390×844): big inputs, nothing scrolls sideways,
submit takes the judge to the next entry; in Chinese and in English."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import log_in
from tests.contest_factories import build_contest

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_a_judge_scores_two_entries_on_a_phone(browser, live_server, factories, screenshot, locale):
    world = build_contest(factories)
    round_ = world.rounds[0]
    innovation, market = world.rubric(round_, (3, 10), (2, 10), comment_required=True)
    first = world.entry(title_zh="城市大脑：面向杭州的交通信号协同优化平台", title_en="City Brain traffic signals",
                        summary_zh="基于强化学习的交通信号灯协同控制，已在西湖区 32 个路口试点。")
    second = world.entry()
    judge = world.judge()
    world.assign(round_, judge, first, second)

    page = browser.new_context(locale=locale, viewport={"width": 390, "height": 844}, device_scale_factor=2,
                               is_mobile=True, has_touch=True).new_page()
    log_in(page, world.user_of(judge).email, base=live_server)
    page.goto(f"{live_server}/judging")
    page.locator(f"[data-testid=review-entry-{first.id}]").click()
    points = page.locator(f"#points_{innovation.id}")
    expect(points).to_be_visible()
    assert points.bounding_box()["height"] >= 44  # a thumb hits it
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    points.fill("8.5")
    page.locator(f"#points_{market.id}").fill("7")
    page.locator(f"#comment_{innovation.id}").fill("团队扎实 / solid team")
    screenshot(page, f"score-sheet-phone-{locale}")
    page.locator("[data-testid=submit-sheet]").click()
    expect(page.locator("[data-testid=entry] h1")).to_contain_text(f"#{second.id}")
    expect(page.locator(".alert-success")).to_be_visible()
