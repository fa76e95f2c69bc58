"""The audit log seen by organizers: decisions on organizations and booths, places on the floor plan,
matching runs and check-ins are recorded, and shown on the event's Activity tab and the organization's page,
each object named as people call it."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import event as sa_event
from sqlalchemy import select

from eventsapp.accounts.models import Role, User
from eventsapp.audit import views as activity_views
from eventsapp.audit.models import AuditEntry
from eventsapp.audit.services import record
from eventsapp.badges import services as badges
from eventsapp.badges.models import BadgeRole, EventCrew
from eventsapp.booths.models import Booth, BoothStatus, Hall
from eventsapp.checkin.services import check_in
from eventsapp.events.models import Event
from eventsapp.extensions import db
from eventsapp.matchmaking import runs
from eventsapp.organizations.models import OrganizationStatus
from eventsapp.registrations.services import register_for_event

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}


def entries(app) -> list[tuple]:
    with app.app_context():
        return [(e.actor_id, e.action, e.object_type, e.object_id, e.event_id, e.before, e.after)
                for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_organizer_decisions_on_an_organization_are_recorded_and_shown_on_its_page(app, client, organizer,
                                                                                    make_organization):
    organization = make_organization(status=OrganizationStatus.PENDING, name_en="Waiting Ltd")
    client.post(f"/manage/organizations/{organization.id}/verify")
    client.post(f"/manage/organizations/{organization.id}/suspend", data={"suspend-reason": "Fake licence"})
    client.post(f"/manage/organizations/{organization.id}/reinstate")
    recorded = [(actor, action, kind, oid, before, after)
                for actor, action, kind, oid, _, before, after in entries(app)]
    assert recorded == [
        (organizer.id, "verified", "organization", organization.id, {"status": "pending"}, {"status": "verified"}),
        (organizer.id, "suspended", "organization", organization.id, {"status": "verified"},
         {"status": "suspended", "reason": "Fake licence"}),
        (organizer.id, "reinstated", "organization", organization.id, {"status": "suspended"},
         {"status": "verified"}),
    ]
    page = client.get(f"/manage/organizations/{organization.id}", headers=EN).get_data(as_text=True)
    assert page.count('data-testid="activity-entry"') == 3
    assert "Suspended" in page and "Fake licence" in page and "主办方 Organizer" in page
    only = client.get(f"/manage/organizations/{organization.id}?action=suspended", headers=EN).get_data(as_text=True)
    assert only.count('data-testid="activity-entry"') == 1
    # A filter for another kind of object cannot widen the page beyond its organization.
    other = client.get(f"/manage/organizations/{organization.id}?object_type=booth", headers=EN)
    assert other.status_code == 200 and other.get_data(as_text=True).count('data-testid="activity-entry"') == 3


def test_booth_decisions_and_places_are_recorded_on_the_events_activity(app, client, organizer, make_event,
                                                                       make_organization, make_booth):
    event = make_event()
    booth = make_booth(event, make_organization(name_en="Acme"), status=BoothStatus.PENDING)
    with app.app_context():
        hall = Hall(event_id=event.id, name="A", rows=2, cols=4)
        db.session.add(hall)
        db.session.commit()
        hall_id = hall.id
    base = f"/manage/events/{event.id}"
    assert client.post(f"{base}/booths/{booth.id}/approve").status_code == 302
    assert client.post(f"{base}/floor-plan/place", data={"booth_id": booth.id, "hall_id": hall_id, "row": 1,
                                                         "col": 1}).status_code == 302
    assert client.post(f"{base}/booths/{booth.id}/unplace").status_code == 302
    with app.app_context():
        code = db.session.scalar(select(Booth.code).where(Booth.id == booth.id))
    recorded = entries(app)
    assert [(action, kind, oid, event_id) for _, action, kind, oid, event_id, _, _ in recorded] == [
        ("approved", "booth", booth.id, event.id), ("placed", "booth", booth.id, event.id),
        ("unplaced", "booth", booth.id, event.id)]
    assert recorded[0][5:] == ({"status": "pending"}, {"status": "approved"})
    assert recorded[1][6]["code"] == "A-1" and recorded[2][6]["code"] is None and code is None

    page = client.get(f"{base}/activity", headers=EN).get_data(as_text=True)
    assert page.count('data-testid="activity-entry"') == 3 and 'data-testid="tab-activity"' in page
    assert "Place removed" in page and "A-1" in page and "Awaiting a decision → Approved" in page
    placed = client.get(f"{base}/activity?action=placed&object_type=booth", headers=EN).get_data(as_text=True)
    assert placed.count('data-testid="activity-entry"') == 1
    chinese = client.get(f"{base}/activity", headers=ZH).get_data(as_text=True)
    assert "活动记录" in chinese and "已通过" in chinese


def test_a_check_in_is_recorded_with_the_volunteer_who_let_the_person_in(app, client, make_event, make_candidate,
                                                                         make_user, login):
    event = make_event(starts_at=datetime.now(UTC) - timedelta(hours=1))
    person, volunteer = make_candidate(), make_user(Role.CANDIDATE, display_name="Volunteer Vera")
    with app.app_context():
        register_for_event(event.id, db.session.get(User, person.id))
        db.session.add(EventCrew(event_id=event.id, user_id=volunteer.id, role=BadgeRole.VOLUNTEER))
        db.session.commit()
        badge = badges.badge_of(event.id, person.id)
        db.session.commit()
        token, number = badges.token_of(badge), badge.number
    login(volunteer)
    for _ in range(2):  # the second scan finds the person in already: nothing new to record
        client.post(f"/checkin/{event.id}/scan", data=json.dumps({"token": token, "gate": "North"}),
                    content_type="application/json", headers={"Accept": "application/json"})
    [(actor, action, kind, _, event_id, before, after)] = entries(app)
    assert (actor, action, kind, event_id, before) == (volunteer.id, "checked_in", "check_in", event.id, {})
    assert after == {"holder_id": person.id, "badge": number, "gate": "North", "method": "scan"}


def test_only_organizers_see_the_activity_and_it_comes_in_pages(app, client, make_event, make_user, make_candidate,
                                                                make_organization, login, monkeypatch):
    event = make_event()
    organization = make_organization()
    with app.app_context():
        for _ in range(3):
            record(None, "verified", db.session.get(type(organization), organization.id), event_id=event.id)
        db.session.commit()
    for outsider in (make_candidate(), make_user(Role.EMPLOYER)):
        login(outsider)
        assert client.get(f"/manage/events/{event.id}/activity").status_code == 403
        assert client.get(f"/manage/organizations/{organization.id}").status_code == 403
        client.post("/logout")
    assert client.get(f"/manage/events/{event.id}/activity").status_code == 302  # to the login page
    login(make_user(Role.ORGANIZER))
    monkeypatch.setattr(activity_views, "PER_PAGE", 2)
    first = client.get(f"/manage/events/{event.id}/activity", headers=EN).get_data(as_text=True)
    second = client.get(f"/manage/events/{event.id}/activity?page=2", headers=EN).get_data(as_text=True)
    assert first.count('data-testid="activity-entry"') == 2 and second.count('data-testid="activity-entry"') == 1
    assert f"/manage/events/{event.id}/activity?page=2" in first and "the system" in first
    assert client.get(f"/manage/events/{event.id + 1000}/activity").status_code == 404


def test_matching_runs_computed_published_and_replaced_show_in_words(app, client, organizer, matching_fair):
    fair = matching_fair()
    booth = fair.booth()
    fair.candidate(booth)
    with app.app_context():
        actor = db.session.get(User, organizer.id)
        first = runs.run_matching(fair.event.id, actor, seed=1)
        runs.publish_run(fair.event.id, first.id, before_deadline_confirmed=True, actor=actor)
        second = runs.run_matching(fair.event.id, None, seed=2)  # e.g. `flask match run`: the system
        runs.publish_run(fair.event.id, second.id, before_deadline_confirmed=True)
        db.session.commit()
        first_id, second_id = first.id, second.id
    recorded = [(actor_id, action, kind, oid, before, after) for actor_id, action, kind, oid, _, before, after
                in entries(app) if kind == "match_run"]
    assert recorded == [
        (organizer.id, "computed", "match_run", first_id, {}, {"status": "draft", "seed": 1}),
        (organizer.id, "published", "match_run", first_id, {"status": "draft"}, {"status": "published"}),
        (None, "computed", "match_run", second_id, {}, {"status": "draft", "seed": 2}),
        (None, "superseded", "match_run", first_id, {"status": "published"}, {"status": "superseded"}),
        (None, "published", "match_run", second_id, {"status": "draft"}, {"status": "published"}),
    ]
    page = client.get(f"/manage/events/{fair.event.id}/activity?object_type=match_run", headers=EN).get_data(
        as_text=True)
    assert page.count('data-testid="activity-entry"') == 5
    for words in ("Computed", "Replaced by a later run", "Draft → Published", "Published → Replaced",
                  "Lottery seed", f"Matching run #{first_id}"):
        assert words in page, words
    chinese = client.get(f"/manage/events/{fair.event.id}/activity?object_type=match_run", headers=ZH).get_data(
        as_text=True)
    for words in ("已计算", "已被后来的结果取代", "抽签种子"):
        assert words in chinese, words


def test_the_activity_names_booths_organizations_and_check_ins_with_one_query_per_kind(
        app, client, organizer, make_event, make_organization, make_booth, make_candidate, make_registration):
    event = make_event(starts_at=datetime.now(UTC) - timedelta(hours=1))
    with app.app_context():
        hall = Hall(event_id=event.id, name="A", rows=2, cols=20)
        db.session.add(hall)
        db.session.commit()
        hall_id = hall.id

    def add_one(number: int) -> None:
        organization = make_organization(name_en=f"Acme {number}", name_zh=f"甲{number}公司")
        booth = make_booth(event, organization, hall_id=hall_id, row=1, col=number, code=f"A-{number + 10}")
        person = make_candidate(name=f"李{number}")
        make_registration(event, person)
        with app.app_context():
            record(None, "placed", db.session.get(Booth, booth.id), after={"code": f"A-{number + 10}"})
            record(None, "verified", db.session.get(type(organization), organization.id), event_id=event.id)
            badge = badges.current_badge(event.id, person.id)
            check_in(event, number=badge.number, actor=db.session.get(User, organizer.id))
            db.session.commit()

    def statements_for_page() -> tuple[int, str]:
        statements = []

        def count(_connection, _cursor, statement, *_args):
            statements.append(statement)

        with app.app_context():
            engine = db.engine
        sa_event.listen(engine, "before_cursor_execute", count)
        try:
            page = client.get(f"/manage/events/{event.id}/activity", headers=EN).get_data(as_text=True)
        finally:
            sa_event.remove(engine, "before_cursor_execute", count)
        return len(statements), page

    add_one(1)
    with_one, page = statements_for_page()
    assert "Booth A-11 · Acme 1" in page and "Organization Acme 1" in page and "Check-in 李1" in page
    assert "Booth #" not in page and "Organization #" not in page and "Check-in #" not in page
    for number in (2, 3, 4):
        add_one(number)
    with_four, page = statements_for_page()
    assert with_four == with_one  # one query per kind of object, however many objects
    assert "Booth A-14 · Acme 4" in page and "Check-in 李4" in page
    assert "甲4公司" in client.get(f"/manage/events/{event.id}/activity", headers=ZH).get_data(as_text=True)


def test_survey_changes_are_named_and_worded_on_the_activity(app, client, organizer, make_event):
    from eventsapp.surveys import services as surveys
    from eventsapp.surveys.models import SurveyQuestionKind

    event = make_event(title_en="Autumn fair", title_zh="秋季招聘会")
    with app.app_context():
        actor = db.session.get(User, organizer.id)
        survey = surveys.save_survey(db.session.get(Event, event.id), surveys.SurveySettings(reminder_days=4), actor)
        surveys.save_question(survey, surveys.SurveyQuestionData(
            kind=SurveyQuestionKind.RATING, label_zh="满意度如何？", label_en="How satisfied were you?"), actor)
        db.session.commit()
    page = client.get(f"/manage/events/{event.id}/activity", headers=EN).get_data(as_text=True)
    for words in ("Survey made", "Survey of Autumn fair", "Survey question saved", "How satisfied were you?",
                  "Reminder after (days)"):
        assert words in page, words
    chinese = client.get(f"/manage/events/{event.id}/activity", headers=ZH).get_data(as_text=True)
    assert "秋季招聘会" in chinese and "满意度如何？" in chinese
