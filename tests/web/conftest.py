"""Fixtures of the web tests: the demo data's pages (tests/web/demo_pages.py), and a real server."""
import pytest

from tests.live_server import served
from tests.web.demo_pages import csrf_on, demo  # noqa: F401 - fixtures


@pytest.fixture
def server(app, real_commits):
    """The app behind a real WSGI server (CSRF checks off, as in the other web tests): its address."""
    with served(app) as address:
        yield address
