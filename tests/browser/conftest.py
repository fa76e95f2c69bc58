"""A live server and Debian's Chromium driven by Playwright (tests/browser/helpers.py: how it starts, the
window sizes, logging in).

Without a browser the tests are skipped, except in CI (CI set), where that is a failure.
"""
from pathlib import Path

import pytest

from tests.browser.helpers import DESKTOP, SCREENSHOTS, launch_chromium, require_chromium
from tests.demo_data import seed_demo_data
from tests.live_server import served


@pytest.fixture(scope="session")
def browser():
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright.chromium)
        yield browser
        browser.close()


@pytest.fixture
def live_server(app, monkeypatch, real_commits):
    """The test app on a free port, with CSRF checks on as in production (and commits the server sees)."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    with served(app) as address:
        yield address


@pytest.fixture
def visit(browser, live_server):
    """A new browser window at the home page: visit(locale, **context options) -> page."""
    contexts = []

    def open_home(locale: str = "en-US", **options):
        context = browser.new_context(locale=locale, **(options or DESKTOP))
        contexts.append(context)
        page = context.new_page()
        page.goto(live_server + "/")
        return page
    yield open_home
    for context in contexts:
        context.close()


@pytest.fixture
def demo(app):
    """The demo data (log in as its people with eventsapp.demo.seed.DEMO_PASSWORD)."""
    seed_demo_data(app)


@pytest.fixture
def screenshot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path
    return take


@pytest.fixture(autouse=True)
def no_csp_violations(request, monkeypatch):
    """Every page a browser test opens runs under the Content-Security-Policy: a script, style or
    handler it refuses (Chromium says so on the console), or an uncaught script error, fails the test."""
    if "browser" not in request.fixturenames:
        yield
        return
    from playwright.sync_api import Browser

    problems: list[str] = []
    new_context = Browser.new_context

    def watched_context(self, *args, **kwargs):
        context = new_context(self, *args, **kwargs)
        context.on("console", lambda message: problems.append(f"{message.page and message.page.url}: {message.text}")
                   if "Content Security Policy" in message.text else None)
        context.on("weberror", lambda error: problems.append(f"{error.page and error.page.url}: {error.error}"))
        return context

    monkeypatch.setattr(Browser, "new_context", watched_context)
    yield problems
    assert problems == [], "the browser refused or failed:\n" + "\n".join(problems)
