"""Every page carries the security headers, and no page holds code or styles the Content-Security-Policy
would refuse: inline scripts, event handlers, <style> blocks or style="..." attributes."""
from __future__ import annotations

from html.parser import HTMLParser

import pytest
from flask import Flask, request

from eventsapp import security
from eventsapp.security import CONTENT_SECURITY_POLICY
from tests.web.routes import DEMO_LOGINS, log_in, paths, seed


class InlineCode(HTMLParser):
    """Collects what a strict Content-Security-Policy blocks in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and "src" not in values and values.get("type") != "application/json":
            self.problems.append("an inline <script>")
        if tag == "style":
            self.problems.append("a <style> block")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"an event handler {name}= on <{tag}>")
            if name == "style":
                self.problems.append(f"a style= attribute on <{tag}>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"a javascript: address on <{tag}>")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.problems


def test_the_checker_finds_what_the_policy_blocks():
    assert inline_code('<script src="/static/js/site.js"></script><script type="application/json">{}</script>'
                       '<svg><rect fill="#b3122b"/></svg>') == []
    assert len(inline_code('<script>alert(1)</script><style>p{}</style><p style="color:red">'
                           '<form onsubmit="return confirm()"><a href="javascript:go()">')) == 5


def test_the_policy_allows_only_the_sites_own_files():
    directives = dict(part.split(" ", 1) for part in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["default-src"] == directives["script-src"] == directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert directives["img-src"] == "'self' data:" and directives["form-action"] == "'self'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY


@pytest.mark.parametrize("who", list(DEMO_LOGINS))
def test_every_page_has_the_headers_and_no_inline_code(app, who):
    values = seed(app)
    client = app.test_client()
    log_in(client, who)
    checked, problems = [], []
    for _method, path in paths(app, {"GET"}, values):
        if path in ("/logout",):
            continue
        response = client.get(path)
        if path.startswith("/static/"):
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            continue
        assert response.status_code < 500, path
        headers = response.headers
        assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, path
        assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["Referrer-Policy"] in ("strict-origin-when-cross-origin", "no-referrer"), path
        assert "Strict-Transport-Security" not in headers, path  # development and tests: no HSTS
        if who != "anonymous" and not response.cache_control.public:
            assert response.cache_control.no_store, f"{path} may be kept by a cache"
        if response.status_code == 200 and response.mimetype == "text/html":
            checked.append(path)
            problems += [f"{path}: {problem}" for problem in inline_code(response.get_data(as_text=True))]
    assert problems == []
    least = {"anonymous": 8, "candidate": 12, "employer": 20, "organizer": 25, "admin": 25, "judge": 12}
    assert len(checked) >= least[who]


def test_a_page_a_view_marks_no_referrer_keeps_it(client):
    response = client.get("/password/reset/not-a-token")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_personal_downloads_are_not_stored_but_public_files_may_be(client, make_candidate, login):
    login(make_candidate(email="li@example.org"))
    export = client.get("/my/data.json")
    assert export.status_code == 200 and export.cache_control.no_store and export.cache_control.private
    assert client.get("/events.ics").cache_control.public  # the same feed for everyone
    css = client.get("/static/css/app.css")
    assert not css.cache_control.no_store
    client.post("/logout")
    assert not client.get("/events").cache_control.no_store  # nobody logged in: nothing personal


@pytest.mark.parametrize("path", ["/password/reset/not-a-token", "/verify-email/not-a-token",
                                  "/employer/invitations/not-a-token"])
def test_pages_opened_with_a_secret_link_are_not_stored(client, path):
    """Nobody is logged in yet, but an invitation shows the invited address: no cache keeps it."""
    response = client.get(path)
    assert response.status_code < 500
    assert response.cache_control.no_store and response.cache_control.private, path


def test_hsts_only_in_production_over_https(app, monkeypatch):
    client = app.test_client()
    assert "Strict-Transport-Security" not in client.get("/healthz", base_url="https://talent.test").headers
    monkeypatch.setitem(app.config, "APP_ENV", "production")
    assert "Strict-Transport-Security" not in client.get("/healthz").headers  # plain http: browsers ignore it
    secure = client.get("/healthz", base_url="https://talent.test")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"


@pytest.mark.parametrize(("trusted", "seen"), [(0, "127.0.0.1"), (1, "203.0.113.9"), (2, "198.51.100.7")])
def test_the_client_address_comes_from_the_trusted_proxies_only(trusted, seen):
    """Rate limits count per request.remote_addr: behind N proxies it is the address the outermost saw;
    with none trusted, a forged X-Forwarded-For changes nothing."""
    app = Flask(__name__)
    app.config.update(TRUSTED_PROXIES=trusted, APP_ENV="development", SECRET_KEY="x")
    security.init_app(app)
    app.add_url_rule("/address", view_func=lambda: request.remote_addr)
    forwarded = {"X-Forwarded-For": "198.51.100.7, 203.0.113.9", "X-Forwarded-Proto": "https"}
    response = app.test_client().get("/address", headers=forwarded, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert response.get_data(as_text=True) == seen
