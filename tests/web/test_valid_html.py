"""The main pages of each role are valid HTML, by the Nu HTML Checker (vnu.jar, as the W3C validator).

The pages are rendered with the test client on the demo data, as each role sees them, and checked in
one run of the checker; an error names the page, the line and the checker's message.
"""
from __future__ import annotations

import json
import re
import subprocess
from datetime import date

import pytest
from sqlalchemy import delete, select

from eventsapp.accounts.models import User
from eventsapp.demo.seed import DEMO_PASSWORD, seed_demo
from eventsapp.employers.models import Booth, Organization, OrganizationStatus
from eventsapp.events.models import Event
from eventsapp.extensions import db
from eventsapp.registrations.models import Registration
from tests.checkers import vnu_command

PUBLIC = ["/", "/events", "/events/{spring}", "/events/{talent_day}", "/events/{spring}/openings",
          "/events/{spring}/floor-plan", "/login", "/signup", "/password/forgot", "/no-such-page"]
CANDIDATE = ["/my/profile", "/my/privacy", "/my/events", "/events/{spring}/register", "/events/{spring}",
             "/my/bookmarks", "/events/{spring}/my-booths", "/my/interviews", "/my/profile-views", "/calendar/",
             "/account"]
EMPLOYER = ["/employer/organization", "/employer/organization/edit", "/employer/booths",
            "/employer/events/{spring_id}/booth", "/employer/events/{spring_id}/registrants",
            "/employer/booths/{booth_id}/shortlist", "/employer/booths/{booth_id}/leads",
            "/employer/booths/{booth_id}/ranking", "/employer/booths/{booth_id}/interviews", "/employer/openings",
            "/employer/events/{spring_id}/openings"]
ORGANIZER = ["/manage/", "/manage/events", "/manage/events/new", "/manage/events/{spring_id}",
             "/manage/events/{spring_id}/registrations", "/manage/events/{roundtable_id}/registrations",
             "/manage/events/{spring_id}/questions", "/manage/events/{spring_id}/booths",
             "/manage/events/{spring_id}/halls", "/manage/events/{spring_id}/floor-plan",
             "/manage/events/{spring_id}/badges", "/checkin/{spring_id}/", "/manage/events/{spring_id}/matching",
             "/manage/events/{spring_id}/matching/settings", "/manage/organizations",
             "/manage/organizations/{pending_organization_id}", "/manage/series", "/manage/outbox/"]
ADMIN = ["/admin/users"]


@pytest.fixture
def demo(app) -> dict[str, str]:
    """The demo data, and the slugs and ids the pages need."""
    today = date.today()
    with app.app_context():
        seed_demo(today, "testing")
        db.session.commit()
        spring = db.session.scalar(select(Event).where(Event.slug == f"spring-talent-fair-{today.year + 1}"))
        talent_day = db.session.scalar(select(Event).where(Event.slug.like("talent-day-%"))
                                       .order_by(Event.starts_at.desc()))
        roundtable = db.session.scalar(select(Event).where(Event.slug.like("postdoc-roundtable-%")))
        booth = db.session.scalar(select(Booth).join(Organization).where(
            Organization.name_zh == "杭州云栖智能科技有限公司", Booth.event_id == spring.id))
        pending = db.session.scalar(select(Organization.id).where(Organization.status == OrganizationStatus.PENDING))
        # The demo candidate is registered at the spring fair: free the place so its form shows.
        db.session.execute(delete(Registration).where(
            Registration.event_id == spring.id,
            Registration.user_id == select(User.id).where(User.email == "candidate@example.com").scalar_subquery()))
        db.session.commit()
        return {"spring": spring.slug, "spring_id": str(spring.id), "talent_day": talent_day.slug,
                "roundtable_id": str(roundtable.id), "booth_id": str(booth.id),
                "pending_organization_id": str(pending)}


@pytest.fixture
def csrf_on(app, monkeypatch):
    """Pages as a browser gets them: every form carries its CSRF field."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


def validate(pages: dict[str, str], tmp_path) -> dict[str, list[str]]:
    """Run the checker once over every page; its errors by page address."""
    files = {}
    for number, (address, html) in enumerate(pages.items()):
        path = tmp_path / f"page{number}.html"
        path.write_text(html, encoding="utf-8")
        files[str(path)] = address
    result = subprocess.run([*vnu_command(), "--errors-only", "--exit-zero-always",
                             "--format", "json", *[str(tmp_path / f"page{n}.html") for n in range(len(files))]],
                            capture_output=True, text=True, check=True, timeout=300)
    errors: dict[str, list[str]] = {}
    for message in json.loads(result.stderr)["messages"]:
        page = files.get(message.get("url", "").removeprefix("file:"), message.get("url"))
        errors.setdefault(page, []).append(f"line {message.get('lastLine')}: {message['message']}"
                                           f" — {message.get('extract', '').strip()[:120]!r}")
    return errors


def render(client, addresses: list[str], demo: dict[str, str], email: str | None = None) -> dict[str, str]:
    """The addresses' pages, after logging in as ``email`` through the login form."""
    if email:
        login_page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page)
        response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token[1]})
        assert response.status_code == 302, email
    pages = {}
    for address in addresses:
        address = address.format(**demo)
        response = client.get(address)
        assert response.status_code in (200, 404), f"{address}: {response.status_code}"
        assert response.mimetype == "text/html", address
        pages[address] = response.get_data(as_text=True)
    return pages


def test_the_main_pages_of_each_role_are_valid_html(app, demo, tmp_path, csrf_on, chinese_by_default):
    """One run of the checker over every page (it takes a few seconds to start)."""
    pages = {}
    for language in ("zh-CN", "en"):
        visitor = app.test_client()
        visitor.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
        pages |= {f"{address} ({language})": html for address, html in render(visitor, PUBLIC, demo).items()}
    for email, addresses in (("candidate@example.com", CANDIDATE), ("employer@example.com", EMPLOYER),
                             ("organizer@example.com", ORGANIZER), ("admin@example.com", ADMIN)):
        pages |= {f"{address} ({email})": html
                  for address, html in render(app.test_client(), addresses, demo, email).items()}
    errors = validate(pages, tmp_path)
    report = "\n".join(f"{page}\n  " + "\n  ".join(found) for page, found in errors.items())
    assert not errors, f"the Nu HTML Checker found errors:\n{report}"


def test_the_checker_reports_what_a_browser_would_guess_at(tmp_path):
    """The check above can fail: two fields with one id is an error, named with its page."""
    page = ('<!doctype html><html lang="en"><head><title>Two forms</title></head><body>'
            '<form><input id="email" name="email"></form><form><input id="email" name="email"></form></body></html>')
    errors = validate({"/two-forms": page}, tmp_path)
    assert list(errors) == ["/two-forms"] and "Duplicate ID" in errors["/two-forms"][0]
