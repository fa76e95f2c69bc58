"""Fixtures of the web tests that read the demo data's pages (tests/web/demo_pages.py)."""
from tests.web.demo_pages import csrf_on, demo  # noqa: F401 - fixtures
