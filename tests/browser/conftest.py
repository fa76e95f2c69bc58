"""A live server and Debian's Chromium driven by Playwright.

Without a browser the tests are skipped, except in CI (CI set), where that is a failure.
"""
import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI needs a browser for the browser tests, and there is none at {CHROMIUM}")
        pytest.skip("no Chromium installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_server(app, monkeypatch, real_commits):
    """The test app on a free port, with CSRF checks on as in production (and commits the server sees)."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


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
