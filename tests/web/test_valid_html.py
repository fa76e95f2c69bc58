"""The main pages of each role are valid HTML, by the Nu HTML Checker (vnu.jar, as the W3C validator).

The pages (tests/web/demo_pages.py: every tab of the event hub, onboarding, confirmations, the door,
badges, ...) are rendered with the test client on the demo data, as each role sees them, and checked in
one run of the checker; an error names the page, the line and the checker's message.
"""
from __future__ import annotations

from tests.checkers import validate
from tests.web.demo_pages import render_every_role


def test_the_main_pages_of_each_role_are_valid_html(app, demo, tmp_path, csrf_on, chinese_by_default):
    """One run of the checker over every page (it takes a few seconds to start)."""
    errors = validate(render_every_role(app, demo), tmp_path)
    report = "\n".join(f"{page}\n  " + "\n  ".join(found) for page, found in errors.items())
    assert not errors, f"the Nu HTML Checker found errors:\n{report}"


def test_the_checker_reports_what_a_browser_would_guess_at(tmp_path):
    """The check above can fail: two fields with one id is an error, named with its page."""
    page = ('<!doctype html><html lang="en"><head><title>Two forms</title></head><body>'
            '<form><input id="email" name="email"></form><form><input id="email" name="email"></form></body></html>')
    errors = validate({"/two-forms": page}, tmp_path)
    assert list(errors) == ["/two-forms"] and "Duplicate ID" in errors["/two-forms"][0]
