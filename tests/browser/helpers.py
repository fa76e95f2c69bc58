"""What the browser tests share: where Chromium is and how it starts, window sizes, the site's menu and
logging in. The fixtures (``browser``, ``live_server``, ``visit``, ``screenshot``, ``demo``) are in
tests/browser/conftest.py."""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from tests.browser.accessibility import assert_accessible
from tests.factories import PASSWORD

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
SMALL_PHONE = {"viewport": {"width": 375, "height": 812}, "device_scale_factor": 2, "is_mobile": True,
               "has_touch": True}
FLASH_SUCCESS = ".alert-success.alert-dismissible"  # the message after a form, not a page's own notices
LOG_IN = re.compile("^(Log in|登录)$")


def require_chromium() -> None:
    """Skip the test when there is no Chromium, except in CI (CI set), where that is a failure."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI needs a browser for the browser tests, and there is none at {CHROMIUM}")
        pytest.skip("no Chromium installed (apt-get install chromium)")


def launch_chromium(browser_type, *extra_args: str):
    """Debian's Chromium, headless, started by Playwright's ``browser_type`` with ``extra_args`` added."""
    return browser_type.launch(executable_path=CHROMIUM, headless=True, args=[*LAUNCH_ARGS, *extra_args])


def open_menu(page) -> None:
    """Below Bootstrap's lg width (992 px) the menu is folded behind its button. Decided by the window's
    width, not by looking: while a page loads, its button shows for a moment before the styles apply."""
    toggler = page.locator(".navbar-toggler")
    if page.viewport_size["width"] < 992 and toggler.get_attribute("aria-expanded") != "true":
        toggler.click()


def menu(page, name) -> None:
    """Click a link of the site's menu (on a phone, once the folded menu has opened: on a loaded machine a
    click on its button can be dropped while the page still loads, so it is clicked again until the link
    shows)."""
    link = page.locator("#site-menu").get_by_role("link", name=name).first
    for _attempt in range(3):
        open_menu(page)
        try:
            link.wait_for(state="visible", timeout=5000)
            break
        except PlaywrightTimeout:
            continue
    link.click()


def menu_to_form(page, name, field: str) -> None:
    """Click the menu's link ``name`` until the page it opens shows ``field`` (a CSS selector): a click on
    the link during the folded menu's slide can be lost on a loaded machine, so it is clicked again."""
    for _attempt in range(3):
        menu(page, name)
        try:
            page.locator(field).wait_for(state="visible", timeout=10000)
            return
        except PlaywrightTimeout:
            continue
    expect(page.locator(field)).to_be_visible()


def log_in(page, email: str, password: str = PASSWORD, *, base: str | None = None) -> None:
    """Log in through the login form and wait for the welcome message. The form is opened at ``base`` (the
    live server's address) + /login, or without ``base`` by clicking "Log in" in the menu, as a person does."""
    if base is None:
        menu_to_form(page, LOG_IN, "#email")
    else:
        page.goto(base + "/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("main form button[type=submit]").click()
    expect(page.locator(FLASH_SUCCESS)).to_be_visible()


def checked(page, screenshot, name: str) -> None:
    """A main page on the way: accessible, and photographed."""
    screenshot(page, name)
    assert_accessible(page)


def open_account_menu(page, user_name: str, item) -> None:
    """Open the signed-in person's menu (their name in the navbar) until ``item``, a locator inside it, shows."""
    open_menu(page)
    toggle = page.locator("#site-menu .dropdown-toggle", has_text=user_name)
    # On a loaded machine a click can land while the folded menu still slides open and Bootstrap drops it:
    # open the dropdown until it says it is open, then pick the item.
    for _attempt in range(3):
        if toggle.get_attribute("aria-expanded") != "true":
            toggle.click()
        try:
            item.wait_for(state="visible", timeout=5000)
            return
        except PlaywrightTimeout:
            continue


def account_menu(page, user_name: str, item) -> None:
    """Click an item of the signed-in person's menu (their name in the navbar)."""
    link = page.locator("#site-menu .dropdown-menu").get_by_role("link", name=item, exact=True)
    open_account_menu(page, user_name, link)
    link.click()
