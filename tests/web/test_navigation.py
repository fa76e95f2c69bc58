"""Finding one's way: an event's hub and tabs, the dashboard's decisions, confirmations before
destructive or public actions, onboarding after sign-up, event cards and "My events"."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from eventsapp.accounts.models import Role
from eventsapp.badges.models import BadgeRole, EventCrew
from eventsapp.booths.models import BoothStatus
from eventsapp.dbtypes import utcnow
from eventsapp.events.models import Event, EventKind, EventStatus
from eventsapp.extensions import db
from eventsapp.matchmaking import run_results, runs
from eventsapp.matchmaking.cli import match_group
from eventsapp.matchmaking.models import MatchingRound, MatchRun, RunStatus
from eventsapp.notifications.models import OutboxMessage, OutboxStatus
from eventsapp.organizations.models import OrganizationStatus
from eventsapp.registrations.models import Registration, RegistrationQuestion, RegistrationStatus
from tests.factories import PASSWORD, MatchingFair, local

EN = {"Accept-Language": "en"}


def text(response) -> str:
    return response.get_data(as_text=True)


def active_tab(page: str) -> list[str]:
    return re.findall(r'class="nav-link active" aria-current="page"\s+href="[^"]*" data-testid="tab-([a-z_]+)"', page)


def stored(app, model, row_id):
    with app.app_context():
        row = db.session.get(model, row_id)
        db.session.expunge(row)
        return row


def register(app, event, user, status=RegistrationStatus.CONFIRMED):
    with app.app_context():
        db.session.add(Registration(event_id=event.id, user_id=user.id, status=status, queued_at=utcnow()))
        db.session.commit()


@pytest.fixture
def fair(app, make_event, make_organization, make_booth, make_candidate, make_staff):
    """A fair with a hall, a placed booth, a candidate who ranked it, a question, a programme item and a
    draft matching run: every tool has something to show."""
    fair = MatchingFair(app, make_event, make_organization, make_booth, make_candidate, make_staff, quota=1,
                        agenda=[dict(starts_at=local(2030, 1, 1), title_en="Opening")])
    fair.candidate(fair.booth())
    with app.app_context():
        db.session.add(RegistrationQuestion(event_id=fair.event.id, kind="short_text", label_en="Why?"))
        fair.run_id = runs.run_matching(fair.event.id, None, seed=1).id
        fair.agenda_id = db.session.get(Event, fair.event.id).agenda_items[0].id
        fair.question_id = db.session.scalar(select(RegistrationQuestion.id))
        db.session.commit()
    return fair


# --- The event's hub ---------------------------------------------------------------------------------

def tool_pages(fair) -> dict[str, str]:
    """Each organizer page of the fair, and the tab it belongs to."""
    base = f"/manage/events/{fair.event.id}"
    return {
        base: "overview",
        f"{base}/agenda/{fair.agenda_id}": "overview",
        f"{base}/unpublish": "overview",
        f"{base}/cancel": "overview",
        f"{base}/registrations": "registrants",
        f"{base}/questions": "questions",
        f"{base}/questions/{fair.question_id}": "questions",
        f"{base}/booths": "booths",
        f"{base}/halls": "halls",
        f"{base}/halls/{fair.hall.id}": "halls",
        f"{base}/floor-plan": "floor_plan",
        f"{base}/matching/settings": "matching",
        f"{base}/matching": "matching",
        f"{base}/matching/runs/{fair.run_id}": "matching",
        f"{base}/matching/runs/{fair.run_id}/publish": "matching",
        f"{base}/badges": "badges",
        f"/checkin/{fair.event.id}/": "checkin",
        f"{base}/calendar": "calendar",
        f"{base}/activity": "activity",
        f"/webhooks/events/{fair.event.id}": "webhooks",
    }


def test_every_organizer_page_of_an_event_shows_its_tabs_with_its_own_highlighted(client, organizer, fair):
    for path, tab in tool_pages(fair).items():
        response = client.get(path, headers=EN)
        page = text(response)
        assert response.status_code == 200, path
        assert 'data-testid="event-tabs"' in page, path
        assert active_tab(page) == [tab], path
        assert f'href="/manage/events/{fair.event.id}" data-testid="event-hub-link"' in page, path
        assert 'href="/manage/"' in page  # the breadcrumb leads back to the dashboard


def test_the_hub_links_to_every_tool_of_a_fair(client, organizer, fair):
    page = text(client.get(f"/manage/events/{fair.event.id}", headers=EN))
    base = f"/manage/events/{fair.event.id}"
    for href in (f"{base}/registrations", f"{base}/questions", f"{base}#eligibility", f"{base}/booths",
                 f"{base}/halls", f"{base}/floor-plan", f"/events/{fair.event.slug}/openings",
                 f"{base}/matching/settings", f"{base}/badges", f"/checkin/{fair.event.id}/", f"{base}/calendar",
                 f"{base}/activity"):
        assert f'href="{href}"' in page, href
    assert 'id="eligibility"' in page  # the section the eligibility tab opens
    # The overview's figures lead into the tools, filtered where it helps.
    for figure, href in (("confirmed", f"{base}/registrations?status=confirmed"),
                         ("pending", f"{base}/registrations?status=pending"),
                         ("booths-pending", f"{base}/booths?status=pending"),
                         ("check-ins", f"/checkin/{fair.event.id}/"),
                         ("matching", f"{base}/matching")):
        assert re.search(rf'href="{re.escape(href)}" data-testid="figure-{figure}"', page), figure


def test_an_event_without_booths_has_no_booth_tabs(client, organizer, make_event):
    conference = make_event(kind=EventKind.CONFERENCE)
    page = text(client.get(f"/manage/events/{conference.id}", headers=EN))
    assert 'data-testid="tab-registrants"' in page and 'data-testid="tab-calendar"' in page
    for tab in ("booths", "halls", "floor_plan", "openings", "matching"):
        assert f'data-testid="tab-{tab}"' not in page
    assert 'data-testid="figure-booths-pending"' not in page


def test_door_volunteers_see_the_door_without_the_organizers_tabs(app, client, organizer, make_event, make_user):
    event = make_event()
    volunteer = make_user(Role.CANDIDATE)
    with app.app_context():
        db.session.add(EventCrew(event_id=event.id, user_id=volunteer.id, role=BadgeRole.VOLUNTEER))
        db.session.commit()
    assert 'data-testid="event-tabs"' in text(client.get(f"/checkin/{event.id}/"))
    client.post("/logout")
    client.post("/login", data={"email": volunteer.email, "password": PASSWORD})
    response = client.get(f"/checkin/{event.id}/")
    assert response.status_code == 200 and 'data-testid="event-tabs"' not in text(response)


def test_the_calendar_page_lists_the_feeds_that_hold_the_event(app, client, organizer, make_event):
    event = make_event(kind=EventKind.TALENT_DAY, slug="talent-day-2031", starts_at=local(2031, 9, 28))
    page = text(client.get(f"/manage/events/{event.id}/calendar", headers=EN))
    base = app.config["PUBLIC_BASE_URL"].rstrip("/")
    for url in ("/events/talent-day-2031.ics", "/events.ics", "/events.ics?kind=talent_day", "/talent-day.ics"):
        assert f'value="{base}{url}"' in page, url
    draft = make_event(status=EventStatus.DRAFT)
    assert 'data-testid="calendar-draft"' in text(client.get(f"/manage/events/{draft.id}/calendar"))


def test_the_dashboard_and_the_events_list_lead_to_each_events_hub(client, organizer, make_event):
    event = make_event(title_en="Golden Autumn Fair")
    for path in ("/manage/", "/manage/events"):
        assert f'href="/manage/events/{event.id}"' in text(client.get(path, headers=EN))


# --- Waiting for a decision ------------------------------------------------------------------------

def test_the_dashboard_counts_what_waits_for_a_decision_with_links(app, client, organizer, make_event,
                                                                   make_organization, make_booth, make_candidate):
    fair = make_event(title_en="Spring Fair")
    for _ in range(2):
        make_booth(fair, make_organization(), status=BoothStatus.PENDING)
    for _ in range(3):
        register(app, fair, make_candidate(), RegistrationStatus.PENDING)
    make_organization(status=OrganizationStatus.PENDING)
    renamed = make_organization(pending_name_zh="改名后的公司", pending_name_en="Renamed Co.",
                                pending_credit_code="91330100RENAME0001", change_requested_at=utcnow())
    with app.app_context():
        db.session.add(OutboxMessage(kind="verify_email", to_email="x@example.org", subject="s", body_text="b",
                                     locale="en", status=OutboxStatus.FAILED))
        db.session.commit()
    page = text(client.get("/manage/", headers=EN))
    assert re.search(r'data-testid="decisions-total">8<', page)
    changes = text(client.get("/manage/organizations?status=changes", headers=EN))
    assert renamed.name_en in changes
    for testid, href, count in (
            ("decide-organizations", "/manage/organizations?status=pending", 1),
            ("decide-organization-changes", "/manage/organizations?status=changes", 1),
            (f"decide-booths-{fair.id}", f"/manage/events/{fair.id}/booths?status=pending", 2),
            (f"decide-registrations-{fair.id}", f"/manage/events/{fair.id}/registrations?status=pending", 3),
            ("decide-emails", "/manage/outbox/?status=failed", 1)):
        match = re.search(rf'href="{re.escape(href)}" data-testid="{testid}">\s*<span[^>]*>(\d+)</span>', page)
        assert match and int(match.group(1)) == count, testid
    assert "Spring Fair" in page


def test_an_empty_dashboard_says_nothing_waits(client, organizer):
    page = text(client.get("/manage/", headers=EN))
    assert "Nothing is waiting for you" in page and 'data-testid="decide-' not in page


# --- Confirmations ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("action", ["unpublish", "cancel"])
def test_unpublishing_and_cancelling_wait_for_a_confirmation(app, client, organizer, make_event, make_candidate,
                                                             action):
    event = make_event(status=EventStatus.PUBLISHED)
    register(app, event, make_candidate())
    register(app, event, make_candidate(), RegistrationStatus.WAITLISTED)
    hub = text(client.get(f"/manage/events/{event.id}", headers=EN))
    assert f'href="/manage/events/{event.id}/{action}"' in hub  # a link to the confirmation, not a bare POST

    for response in (client.get(f"/manage/events/{event.id}/{action}", headers=EN),
                     client.post(f"/manage/events/{event.id}/{action}", headers=EN),  # a bare POST is not enough
                     client.post(f"/manage/events/{event.id}/{action}", data={"confirmed": "no"}, headers=EN)):
        page = text(response)
        assert response.status_code == 200 and 'data-testid="confirmation"' in page
        assert 'name="confirmed" value="yes"' in page
        told = "nobody is told by e-mail" if action == "unpublish" else "e-mailed the cancellation with your reason"
        assert "2 people" in page and told in page.lower()
        assert stored(app, Event, event.id).status == EventStatus.PUBLISHED

    response = client.post(f"/manage/events/{event.id}/{action}", data={"confirmed": "yes", "reason": "Flooded hall"})
    assert response.status_code == 302
    expected = EventStatus.DRAFT if action == "unpublish" else EventStatus.CANCELLED
    assert stored(app, Event, event.id).status == expected


def test_the_unpublish_page_says_what_happens_to_a_live_event(app, client, organizer, make_event):
    event = make_event(kind=EventKind.FAIR)
    page = text(client.get(f"/manage/events/{event.id}/unpublish", headers=EN))
    assert "leaves the home page, the list of events and the public calendar feeds" in page
    assert "Employers cannot apply for booths" in page
    assert "Publishing it again brings everything back" in page


def test_a_confirmation_without_its_csrf_token_changes_nothing(app, client, organizer, make_event, monkeypatch):
    event = make_event()
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post(f"/manage/events/{event.id}/cancel", data={"confirmed": "yes"}).status_code == 400
    assert stored(app, Event, event.id).status == EventStatus.PUBLISHED


def test_others_cannot_open_a_confirmation(client, make_user, login, make_event):
    event = make_event()
    login(make_user(Role.CANDIDATE))
    assert client.get(f"/manage/events/{event.id}/cancel").status_code == 403
    assert client.post(f"/manage/events/{event.id}/cancel", data={"confirmed": "yes"}).status_code == 403


def publish_url(fair) -> str:
    return f"/manage/events/{fair.event.id}/matching/runs/{fair.run_id}/publish"


def test_publishing_a_run_early_is_explained_and_needs_its_own_yes(app, client, organizer, fair):
    detail = text(client.get(f"/manage/events/{fair.event.id}/matching/runs/{fair.run_id}", headers=EN))
    assert f'href="{publish_url(fair)}"' in detail and 'data-testid="preferences-still-open"' in detail

    page = text(client.get(publish_url(fair), headers=EN))
    assert "they can no longer change them" in page and 'name="before_deadline" value="yes"' in page
    assert "e-mails cannot be taken back" in page.lower()

    bare = client.post(publish_url(fair), headers=EN)  # nothing confirmed: the page again
    assert bare.status_code == 200 and 'data-testid="confirmation"' in text(bare)
    early = client.post(publish_url(fair), data={"confirmed": "yes"}, headers=EN)  # not the early part
    assert early.status_code == 409 and "confirm that you want to publish before the deadline" in text(early)
    assert stored(app, MatchRun, fair.run_id).status == RunStatus.DRAFT

    done = client.post(publish_url(fair), data={"confirmed": "yes", "before_deadline": "yes"})
    assert done.status_code == 302 and stored(app, MatchRun, fair.run_id).status == RunStatus.PUBLISHED
    assert client.get(publish_url(fair)).status_code == 302  # nothing left to confirm


def test_after_the_deadline_the_confirmation_only_says_what_publishing_does(app, client, organizer, fair):
    with app.app_context():
        db.session.get(MatchingRound, fair.event.id).deadline = utcnow() - timedelta(minutes=1)
        db.session.commit()
    page = text(client.get(publish_url(fair), headers=EN))
    assert "Publish and send the e-mails" in page and "before_deadline" not in page
    assert client.post(publish_url(fair), data={"confirmed": "yes"}).status_code == 302
    assert stored(app, MatchRun, fair.run_id).status == RunStatus.PUBLISHED


def test_the_command_line_publishes_early_only_with_its_flag(app, runner, fair):
    refused = runner.invoke(cli=match_group, args=["publish", fair.event.slug, str(fair.run_id)])
    assert refused.exit_code == 1 and "--before-deadline" in refused.output
    also_refused = runner.invoke(cli=match_group, args=["run", fair.event.slug, "--publish"])
    assert also_refused.exit_code == 1 and "--before-deadline" in also_refused.output
    with app.app_context():
        assert run_results.published_run(fair.event.id) is None
    done = runner.invoke(cli=match_group, args=["publish", fair.event.slug, str(fair.run_id), "--before-deadline"])
    assert done.exit_code == 0, done.output


# --- Onboarding --------------------------------------------------------------------------------------

def sign_up(client, role: str, **query):
    """Sign up, then log in as the sign-up page asks (it answers the same whether or not the address
    had an account, so it logs nobody in); the login's answer says where the newcomer is led."""
    signed_up = client.post("/signup" + (f"?next={query['next']}" if query else ""), headers=EN, data=dict(
        role=role, display_name="张伟 Zhang Wei", email=f"zhang.{role}@example.com", password="west lake in spring",
        password_confirm="west lake in spring"))
    assert signed_up.status_code == 302 and signed_up.headers["Location"].startswith("/login")
    return client.post(signed_up.headers["Location"], headers=EN,
                       data={"email": f"zhang.{role}@example.com", "password": "west lake in spring"})


def test_a_new_candidate_is_led_to_the_profile_with_an_explanation(client):
    response = sign_up(client, "candidate")
    assert response.headers["Location"] == "/my/profile"
    page = text(client.get("/my/profile", headers=EN))
    assert 'data-testid="profile-welcome"' in page and "Every event needs your name and mobile number" in page
    home = text(client.get("/", headers=EN))
    assert 'data-testid="onboarding-hint"' in home and 'data-testid="onboarding-menu"' in home


def test_a_new_employer_is_led_to_create_the_organization(client):
    response = sign_up(client, "employer")
    assert response.headers["Location"] == "/employer/organization/new"
    home = text(client.get("/", headers=EN))
    assert 'href="/employer/organization/new" data-testid="onboarding-menu"' in home


def test_a_sign_up_on_the_way_somewhere_goes_there(client, make_event):
    event = make_event(slug="spring")
    response = sign_up(client, "candidate", next=f"/events/{event.slug}/register")
    assert response.headers["Location"] == "/events/spring/register"


def test_login_leads_to_what_is_missing_and_then_home(client, make_user, make_candidate, make_organization):
    owner = make_user(Role.EMPLOYER)
    make_organization(status=OrganizationStatus.PENDING, owner=owner)  # pending is enough: it exists
    for user, landing in ((make_user(Role.CANDIDATE), "/my/profile"), (make_candidate(), "/"),
                          (make_user(Role.EMPLOYER), "/employer/organization/new"), (owner, "/"),
                          (make_user(Role.ORGANIZER), "/manage/")):
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.headers["Location"] == landing, user.role
        client.post("/logout")


def test_a_complete_profile_has_no_reminders(client, make_candidate, login):
    login(make_candidate())
    page = text(client.get("/", headers=EN))
    assert 'data-testid="onboarding-hint"' not in page and 'data-testid="onboarding-dot"' not in page
    assert 'data-testid="profile-welcome"' not in text(client.get("/my/profile"))


# --- Event cards ---------------------------------------------------------------------------------------

def test_event_cards_show_places_the_deadline_and_my_registration(app, client, make_event, make_candidate, login):
    roomy = make_event(title_en="Roomy", capacity=50, registration_closes_at=local(2099, 1, 2, 18),
                       starts_at=utcnow() + timedelta(days=5))
    full = make_event(title_en="Full", capacity=1, starts_at=utcnow() + timedelta(days=6))
    soon = make_event(title_en="Not yet", registration_opens_at=utcnow() + timedelta(days=2),
                      starts_at=utcnow() + timedelta(days=7))
    me = make_candidate()
    register(app, roomy, me)
    register(app, full, make_candidate())
    register(app, full, me, RegistrationStatus.WAITLISTED)

    for path in ("/", "/events"):
        page = text(client.get(path, headers=EN))  # a visitor: places and deadlines, nobody's registration
        assert "49 places left" in page and "Register by 2 Jan 2099, 18:00" in page
        assert "Full — waiting list" in page and "Registration opens on" in page
        assert "my-registration-" not in page
    login(me)
    for path in ("/", "/events"):
        page = text(client.get(path, headers=EN))
        assert re.search(rf'data-testid="my-registration-{roomy.id}">You are registered<', page)
        assert re.search(rf'data-testid="my-registration-{full.id}">You are on the waiting list<', page)
        assert f"my-registration-{soon.id}" not in page
        assert "49 places left" in page


# --- My events -------------------------------------------------------------------------------------

def test_my_events_links_a_confirmed_fair_to_its_booth_ranking_and_interviews(app, client, fair, make_event):
    conference = make_event(kind=EventKind.CONFERENCE)
    with app.app_context():
        candidate_id = db.session.scalar(select(Registration.user_id).where(Registration.event_id == fair.event.id))
        db.session.add(Registration(event_id=conference.id, user_id=candidate_id,
                                    status=RegistrationStatus.CONFIRMED, queued_at=utcnow()))
        db.session.commit()
        email = db.session.scalar(select(Registration).where(Registration.user_id == candidate_id)).user.email
    client.post("/login", data={"email": email, "password": PASSWORD})
    page = text(client.get("/my/events", headers=EN))
    assert f'href="/events/{fair.event.slug}/my-booths"' in page
    assert page.count('data-testid="rank-booths-') == 1  # the conference has no booths
    assert 'data-testid="interviews-' not in page  # no published run yet
    with app.app_context():
        runs.publish_run(fair.event.id, fair.run_id, before_deadline_confirmed=True)
        db.session.commit()
    page = text(client.get("/my/events", headers=EN))
    assert re.search(r'href="/my/interviews" data-testid="interviews-\d+"', page)
