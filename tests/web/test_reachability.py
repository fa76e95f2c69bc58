"""Every page a person needs is reached by clicking, starting from the home page.

Each role follows every link on every page it can open (on the demo data, with matching runs), the
way a curious person would. A new page that nothing links to fails here, unless it is listed below
with the reason nobody clicks their way to it.
"""
from __future__ import annotations

import html
import re
from collections import deque
from urllib.parse import urlsplit

import pytest
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from eventsapp.accounts.models import Role
from eventsapp.demo.seed import DEMO_PASSWORD
from tests.demo_data import seed_demo_with_matching
from tests.factories import PASSWORD

# GET endpoints that are not pages to click to: files, feeds and JSON that pages load or link as
# downloads (not followed: some take long to build), and links that arrive by e-mail with a token.
NOT_PAGES = {
    "static", "main.set_language", "main.healthz",
    "accounts.verify_email", "accounts.reset_password", "organizations.invitation",  # links in e-mails
    "contests.invitation",
    "calendars.events_feed", "calendars.event_feed", "calendars.talent_day_feed", "calendars.personal_feed",
    "registrations.places", "checkin.counts", "checkin.search", "badges_manage.job_status",
    "badges.my_badge", "badges_manage.badge_pdf", "badges_manage.job_download",
    "registrants.registrants_csv", "browse.shortlist_csv", "checkin.leads_csv", "match_runs.booth_interviews_csv",
    "candidates.data_export", "candidates.resume", "browse.candidate_resume", "organizations.logo",
    "contests_manage.entries_export", "contests.download_deck", "contests_manage.entry_deck", "reviews.deck",
    "awards.all_certificates", "awards.my_certificates", "awards.entries_csv", "awards.sheets_csv",
    "reviews.invitation",  # a judge's invitation link, in an e-mail
    "surveys_manage.responses_export", "surveys_manage.outcomes_export",  # CSV downloads
    "analytics.export_table", "main.chart_stylesheet",  # downloads, and the charts' stylesheet
    "ops.ready", "ops.prometheus_metrics",  # for the load balancer and Prometheus, not for people
    # A background job's page, reached by starting the job (a form's POST redirects there) and then from the
    # report form's list of recent reports; its JSON status and its download.
    "jobs.show", "jobs.status", "jobs.download",
    "analytics.status",  # the JSON a page waiting for its figures asks
    "talentcode.manifest", "talentcode.icon", "talentcode.service_worker",  # My code's app manifest, icons, worker
    "api-docs.openapi_json",  # the API's OpenAPI document (JSON), linked from the API's documentation page
}
HREF = re.compile(r'href="([^"]+)"')


@pytest.fixture
def demo_with_matching(app):
    return seed_demo_with_matching(app)


def _endpoint(app, path: str) -> str | None:
    try:
        endpoint, _args = app.url_map.bind("localhost").match(path, method="GET")
    except (HTTPException, RequestRedirect):
        return None
    return endpoint


def crawl(app, client, start: str = "/") -> set[str]:
    """The endpoints of every page reached by following links from ``start`` (each path once)."""
    reached: set[str] = set()
    seen, queue = {start}, deque([start])
    while queue:
        path = queue.popleft()
        endpoint = _endpoint(app, path)
        if endpoint is None or endpoint in NOT_PAGES:
            continue
        response = client.get(path)
        if response.status_code != 200 or not response.mimetype == "text/html":
            continue
        reached.add(endpoint)
        for link in HREF.findall(response.get_data(as_text=True)):
            parts = urlsplit(html.unescape(link))
            if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path in seen:
                continue
            seen.add(parts.path)
            queue.append(parts.path)
    return reached


def _logged_in(app, email: str, password: str = DEMO_PASSWORD):
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302
    return client


# The organizer's tools, reached through the dashboard and each event's hub.
ORGANIZER_TOOLS = {
    "manage.dashboard", "manage.event_list", "manage.new_event", "manage.series_list", "manage.edit_event",
    "manage.event_calendar", "manage.confirm_status", "manage.edit_agenda_item", "registrants.registrants",
    "registrants.question_list", "registrants.edit_question", "booths.manage.applications", "booths.manage.hall_list",
    "booths.manage.edit_hall", "booths.manage.placement", "openings.search", "preferences.settings",
    "match_runs.run_list", "match_runs.run_detail", "match_runs.confirm_publish", "badges_manage.overview",
    "checkin.door", "organizations.manage_list", "organizations.manage_detail", "outbox.message_list",
    "contests_manage.settings", "contests_manage.named_list", "contests_manage.edit_named",
    "contests_manage.round_list", "contests_manage.edit_round", "contests_manage.question_list",
    "contests_manage.edit_question", "contests_manage.entries", "contests_manage.entry_detail",
    "surveys_manage.survey", "surveys_manage.question_list", "surveys_manage.edit_question", "surveys_manage.results",
    "analytics.overview"}


def _organizer_has_a_webhook(app) -> None:
    """The demo has no webhook endpoint; one with a delivery makes its pages reachable from Manage → Webhooks."""
    from sqlalchemy import select

    from eventsapp.accounts.models import User
    from eventsapp.extensions import db
    from eventsapp.webhooks import services as webhooks
    from eventsapp.webhooks.emit import queue_ping

    with app.app_context():
        organizer = db.session.scalars(select(User).filter_by(email="organizer@example.com")).one()
        endpoint, _secret = webhooks.create_endpoint(organizer, webhooks.EndpointData(
            url="https://hooks.example.org/talent", description="HR", event_types=["registration.created"]))
        queue_ping(endpoint)
        db.session.commit()


def test_every_page_is_reached_by_clicking_from_the_home_page(app, demo_with_matching, make_user, make_candidate):
    _organizer_has_a_webhook(app)
    reached = {"visitor": crawl(app, app.test_client())}
    for email in ("candidate@example.com", "employer@example.com", "organizer@example.com", "admin@example.com",
                  "judge@example.com"):
        reached[email] = crawl(app, _logged_in(app, email))
    # Newcomers: a candidate registered for nothing yet, an employer without an organization.
    for user in (make_candidate(email="new.candidate@example.org"), make_user(Role.EMPLOYER)):
        reached[user.email] = crawl(app, _logged_in(app, user.email, PASSWORD))

    assert ORGANIZER_TOOLS - reached["organizer@example.com"] == set()
    # The JSON API (/api/v1) answers programs with a token, not people clicking.
    pages = {rule.endpoint for rule in app.url_map.iter_rules()
             if "GET" in rule.methods and not rule.rule.startswith("/api/v1/")} - NOT_PAGES
    assert pages - set().union(*reached.values()) == set(), "pages no link leads to"
