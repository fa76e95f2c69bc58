"""Booth applications over HTTP: employers apply and withdraw, organizers decide; who may open what."""
import pytest
from sqlalchemy import select

from eventsapp.accounts.models import Role
from eventsapp.booths.models import Booth, BoothStatus, BoothType, Hall
from eventsapp.events.models import EventKind, EventStatus
from eventsapp.extensions import db
from eventsapp.notifications.models import OutboxMessage
from eventsapp.openings.models import Opening
from eventsapp.organizations.models import Industry, OrganizationStatus

EN = {"Accept-Language": "en"}


def booths_of(app, event_id):
    with app.app_context():
        return db.session.scalars(select(Booth).where(Booth.event_id == event_id).order_by(Booth.id)).all()


def mail(app, kind):
    with app.app_context():
        return db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)).all()


def owner_of(app, organization):
    from eventsapp.accounts.models import User
    with app.app_context():
        return db.session.get(User, organization.owner_id)


def add(app, row):
    with app.app_context():
        db.session.add(row)
        db.session.commit()
        db.session.refresh(row)
        db.session.expunge(row)
        return row


# --- Employers ------------------------------------------------------------------------------------

def test_a_verified_employer_applies_sees_the_booth_and_withdraws_it(app, client, make_event, make_organization,
                                                                     login):
    event = make_event(title_en="Autumn fair")
    organization = make_organization()
    add(app, Opening(organization_id=organization.id, event_id=event.id, title="Backend engineer", headcount=3))
    login(owner_of(app, organization))
    page = client.get(f"/employer/events/{event.id}/booth", headers=EN).get_data(as_text=True)
    assert 'data-testid="apply-button"' in page and "Backend engineer" in page
    assert f'href="/employer/events/{event.id}/openings"' in page
    response = client.post(f"/employer/events/{event.id}/booth",
                           data={"booth_type": "double", "interviewers": "4", "note": "Near the entrance"})
    assert response.status_code == 302 and response.headers["Location"] == "/employer/booths"
    [booth] = booths_of(app, event.id)
    assert (booth.booth_type, booth.interviewers, booth.note, booth.status) == (
        BoothType.DOUBLE, 4, "Near the entrance", BoothStatus.PENDING)
    mine = client.get("/employer/booths", headers=EN).get_data(as_text=True)
    assert "Autumn fair" in mine and "Awaiting a decision" in mine and "Withdraw" in mine

    again = client.post(f"/employer/events/{event.id}/booth", data={"booth_type": "standard", "interviewers": "1"},
                        headers=EN)
    assert again.status_code == 422 and "as many as this event allows" in again.get_data(as_text=True)
    assert len(booths_of(app, event.id)) == 1

    withdrawn = client.post(f"/employer/booths/{booth.id}/withdraw", headers=EN, follow_redirects=True)
    assert "is withdrawn" in withdrawn.get_data(as_text=True)
    assert booths_of(app, event.id)[0].status == BoothStatus.WITHDRAWN
    assert 'data-testid="apply-button"' in client.get(f"/employer/events/{event.id}/booth").get_data(as_text=True)


@pytest.mark.parametrize("data, message", [
    ({"booth_type": "standard", "interviewers": "0"}, "Enter a whole number from 1 to 50."),
    ({"booth_type": "standard", "interviewers": "51"}, "Enter a whole number from 1 to 50."),
    ({"booth_type": "standard", "interviewers": ""}, "Enter how many people will interview at the booth."),
    ({"booth_type": "standard", "interviewers": "two"}, "Not a valid integer value."),
    ({"booth_type": "triple", "interviewers": "2"}, "Not a valid choice"),
    ({"booth_type": "standard", "interviewers": "2", "note": "x" * 1001}, "At most 1000 characters."),
])
def test_bad_applications_are_explained_beside_the_field(app, client, make_event, make_organization, login, data,
                                                         message):
    event = make_event()
    login(owner_of(app, make_organization()))
    response = client.post(f"/employer/events/{event.id}/booth", data=data, headers=EN)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and message in page and "invalid-feedback" in page
    assert booths_of(app, event.id) == []


@pytest.mark.parametrize("status, message", [
    (OrganizationStatus.PENDING, "waiting to be verified"),
    (OrganizationStatus.REJECTED, "was not verified: Unknown credit code"),
])
def test_unverified_organizations_see_why_they_cannot_apply(app, client, make_event, make_organization, login,
                                                            status, message):
    event = make_event()
    organization = make_organization(status=status, status_reason="Unknown credit code")
    login(owner_of(app, organization))
    page = client.get(f"/employer/events/{event.id}/booth", headers=EN).get_data(as_text=True)
    assert message in page and 'data-testid="apply-button"' not in page
    assert message in client.get("/employer/booths", headers=EN).get_data(as_text=True)
    response = client.post(f"/employer/events/{event.id}/booth", data={"booth_type": "standard", "interviewers": "2"})
    assert response.status_code == 422 and booths_of(app, event.id) == []


def test_an_employer_without_an_organization_is_told_to_register_one(client, make_event, make_user, login):
    event = make_event()
    login(make_user(Role.EMPLOYER))
    page = client.get(f"/employer/events/{event.id}/booth", headers=EN).get_data(as_text=True)
    assert "does not belong to an organization yet" in page and 'data-testid="apply-button"' not in page
    assert 'href="/employer/organization/new"' in page
    assert 'data-testid="no-organization"' in client.get("/employer/booths", headers=EN).get_data(as_text=True)
    assert client.post(f"/employer/events/{event.id}/booth",
                       data={"booth_type": "standard", "interviewers": "2"}).status_code == 422


def test_only_published_fairs_that_have_not_ended_take_applications(app, client, make_event, make_organization,
                                                                    login):
    login(owner_of(app, make_organization()))
    assert client.get(f"/employer/events/{make_event(status=EventStatus.DRAFT).id}/booth").status_code == 404
    assert client.get(f"/employer/events/{make_event(kind=EventKind.CONFERENCE).id}/booth").status_code == 404
    assert client.get("/employer/events/99999/booth").status_code == 404
    cancelled = make_event(status=EventStatus.CANCELLED)
    page = client.get(f"/employer/events/{cancelled.id}/booth", headers=EN).get_data(as_text=True)
    assert "This event has been cancelled." in page
    talent_day = make_event(kind=EventKind.TALENT_DAY)
    assert 'data-testid="apply-button"' in client.get(f"/employer/events/{talent_day.id}/booth").get_data(as_text=True)
    listed = client.get("/employer/booths", headers=EN).get_data(as_text=True)
    assert f"/employer/events/{talent_day.id}/booth" in listed
    assert f"/employer/events/{cancelled.id}/booth" not in listed


def test_staff_of_the_organization_share_its_booths_and_others_cannot_touch_them(
        app, client, make_event, make_organization, make_staff, make_booth, login):
    event = make_event()
    organization = make_organization()
    booth = make_booth(event, organization, status=BoothStatus.PENDING)
    other = make_organization()
    login(make_staff(other))
    assert client.post(f"/employer/booths/{booth.id}/withdraw").status_code == 404
    assert client.post("/employer/booths/99999/withdraw").status_code == 404
    assert f"booth-{booth.id}" not in client.get("/employer/booths").get_data(as_text=True)
    client.post("/logout")
    login(make_staff(organization))
    assert f'data-testid="booth-{booth.id}"' in client.get("/employer/booths").get_data(as_text=True)
    assert client.post(f"/employer/booths/{booth.id}/withdraw").status_code == 302
    assert booths_of(app, event.id)[0].status == BoothStatus.WITHDRAWN


def test_withdrawing_an_approved_booth_frees_its_place(app, client, make_event, make_organization, make_booth, login):
    event = make_event(slug="fair")
    organization = make_organization()
    hall = add(app, Hall(event_id=event.id, name="A", rows=2, cols=2))
    booth = make_booth(event, organization, hall_id=hall.id, row=1, col=1, code="A-1")
    login(owner_of(app, organization))
    page = client.get("/employer/booths", headers=EN).get_data(as_text=True)
    assert "A-1" in page and "/events/fair/floor-plan" in page
    client.post(f"/employer/booths/{booth.id}/withdraw")
    withdrawn = booths_of(app, event.id)[0]
    assert (withdrawn.status, withdrawn.code, withdrawn.hall_id) == (BoothStatus.WITHDRAWN, None, None)


def test_employer_pages_are_for_employers(client, make_event, make_user, make_organization, make_booth, login):
    event = make_event()
    booth = make_booth(event, make_organization(), status=BoothStatus.PENDING)
    urls = ["/employer/booths", f"/employer/events/{event.id}/booth"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post(f"/employer/booths/{booth.id}/withdraw").status_code == 302
    for role in (Role.CANDIDATE, Role.ORGANIZER):
        login(make_user(role))
        assert [client.get(url).status_code for url in urls] == [403, 403]
        assert client.post(f"/employer/booths/{booth.id}/withdraw").status_code == 403
        client.post("/logout")


# --- Organizers -----------------------------------------------------------------------------------

def test_organizers_see_counts_filter_and_approve_and_the_owner_is_told(app, client, organizer, make_event,
                                                                        make_organization, make_booth):
    event = make_event()
    cloud = make_organization(name_en="Cloud Tech", industry=Industry.I)
    bank = make_organization(name_en="Bank of Hangzhou", industry=Industry.J)
    pending = make_booth(event, cloud, status=BoothStatus.PENDING, note="We need power")
    make_booth(event, bank, status=BoothStatus.PENDING)
    make_booth(event, make_organization(name_en="Gone Ltd"), status=BoothStatus.WITHDRAWN)
    page = client.get(f"/manage/events/{event.id}/booths", headers=EN).get_data(as_text=True)
    assert 'data-testid="count-pending">2<' in page and 'data-testid="count-withdrawn">1<' in page
    assert "We need power" in page and "Booths per organization" in page
    assert "Cloud Tech" in page and "Bank of Hangzhou" in page
    by_industry = client.get(f"/manage/events/{event.id}/booths?industry=J", headers=EN).get_data(as_text=True)
    assert "Bank of Hangzhou" in by_industry and "Cloud Tech" not in by_industry
    by_name = client.get(f"/manage/events/{event.id}/booths?q=cloud&status=pending", headers=EN).get_data(as_text=True)
    assert "Cloud Tech" in by_name and "Bank of Hangzhou" not in by_name
    assert "Gone Ltd" not in client.get(f"/manage/events/{event.id}/booths?status=pending").get_data(as_text=True)

    response = client.post(f"/manage/events/{event.id}/booths/{pending.id}/approve?status=pending", headers=EN)
    assert response.status_code == 302 and response.headers["Location"].endswith("booths?status=pending")
    assert booths_of(app, event.id)[0].status == BoothStatus.APPROVED
    [message] = mail(app, "booth_approved")
    assert message.to_email == owner_of(app, cloud).email


def test_rejecting_needs_a_reason_shown_beside_the_field_and_sent_to_the_owner(app, client, organizer, make_event,
                                                                               make_organization, make_booth):
    event = make_event()
    organization = make_organization()
    booth = make_booth(event, organization, status=BoothStatus.PENDING)
    response = client.post(f"/manage/events/{event.id}/booths/{booth.id}/reject", data={"reason": " "}, headers=EN)
    assert response.status_code == 422
    assert "Give a reason: the organization is told." in response.get_data(as_text=True)
    assert booths_of(app, event.id)[0].status == BoothStatus.PENDING
    client.post(f"/manage/events/{event.id}/booths/{booth.id}/reject", data={"reason": "No space left"})
    assert booths_of(app, event.id)[0].status_reason == "No space left"
    [message] = mail(app, "booth_rejected")
    assert "No space left" in message.body_text and message.to_email == owner_of(app, organization).email
    again = client.post(f"/manage/events/{event.id}/booths/{booth.id}/approve", headers=EN, follow_redirects=True)
    assert "Only applications awaiting a decision can be approved." in again.get_data(as_text=True)


def test_the_booth_limit_is_set_per_event(app, client, organizer, make_event):
    event = make_event()
    bad = client.post(f"/manage/events/{event.id}/booths/limit", data={"max_booths_per_organization": "0"},
                      headers=EN)
    assert bad.status_code == 422 and "Enter a whole number from 1 to 50." in bad.get_data(as_text=True)
    client.post(f"/manage/events/{event.id}/booths/limit", data={"max_booths_per_organization": "3"})
    with app.app_context():
        from eventsapp.events.models import Event
        assert db.session.get(Event, event.id).max_booths_per_organization == 3


def test_someone_elses_booth_ids_are_not_found(client, organizer, make_event, make_organization, make_booth):
    event, other_event = make_event(), make_event()
    booth = make_booth(other_event, make_organization(), status=BoothStatus.PENDING)
    assert client.post(f"/manage/events/{event.id}/booths/{booth.id}/approve").status_code == 404
    assert client.post(f"/manage/events/{event.id}/booths/{booth.id}/reject", data={"reason": "x"}).status_code == 404
    assert client.post(f"/manage/events/{event.id}/booths/{booth.id}/unplace").status_code == 404
    assert client.get(f"/manage/events/{make_event(kind=EventKind.COMPETITION).id}/booths").status_code == 404
    assert client.get("/manage/events/99999/booths").status_code == 404


def test_the_event_tabs_lead_to_booths_and_the_floor_plan_for_fairs_only(client, organizer, make_event):
    fair, contest = make_event(), make_event(kind=EventKind.COMPETITION)
    page = client.get(f"/manage/events/{fair.id}/registrations", headers=EN).get_data(as_text=True)
    assert f"/manage/events/{fair.id}/booths" in page and f"/manage/events/{fair.id}/floor-plan" in page
    page = client.get(f"/manage/events/{contest.id}/registrations", headers=EN).get_data(as_text=True)
    assert f"/manage/events/{contest.id}/booths" not in page


def test_manage_pages_are_for_organizers(client, make_event, make_user, make_organization, make_booth, login):
    event = make_event()
    booth = make_booth(event, make_organization(), status=BoothStatus.PENDING)
    pages = [f"/manage/events/{event.id}/{page}" for page in ("booths", "halls", "floor-plan")]
    actions = [f"/manage/events/{event.id}/booths/{booth.id}/approve", f"/manage/events/{event.id}/floor-plan/auto",
               f"/manage/events/{event.id}/booths/limit"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    for role in (Role.CANDIDATE, Role.EMPLOYER):
        login(make_user(role))
        assert [client.get(url).status_code for url in pages] == [403] * 3
        assert [client.post(url).status_code for url in actions] == [403] * 3
        client.post("/logout")
    staff = make_organization()
    login(owner_of(client.application, staff))
    assert client.get(pages[0]).status_code == 403
    with client.application.app_context():
        assert db.session.get(Booth, booth.id).status == BoothStatus.PENDING


def test_pagination_keeps_the_filters(client, organizer, make_event, make_organization, make_booth):
    event = make_event()
    for _ in range(51):
        make_booth(event, make_organization(), status=BoothStatus.PENDING)
    page = client.get(f"/manage/events/{event.id}/booths?status=pending", headers=EN).get_data(as_text=True)
    assert f"/manage/events/{event.id}/booths?status=pending&amp;page=2" in page
    assert client.get(f"/manage/events/{event.id}/booths?status=pending&page=2").status_code == 200


def test_forged_forms_without_their_csrf_token_change_nothing(app, client, organizer, make_event, make_organization,
                                                               make_booth, monkeypatch):
    event = make_event()
    booth = make_booth(event, make_organization(), status=BoothStatus.PENDING)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post(f"/manage/events/{event.id}/booths/{booth.id}/approve").status_code == 400
    assert client.post(f"/manage/events/{event.id}/floor-plan/auto").status_code == 400
    assert client.post(f"/manage/events/{event.id}/halls/0/delete").status_code == 400
    assert booths_of(app, event.id)[0].status == BoothStatus.PENDING
