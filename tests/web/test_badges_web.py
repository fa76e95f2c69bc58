"""The organizers' badge page and the holders' own badge downloads, the way people use them."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import delete, select

from eventsapp.accounts.models import Role
from eventsapp.badges.models import Badge, BadgeRole, EventCrew
from eventsapp.booths.models import Hall
from eventsapp.extensions import db
from eventsapp.jobs.models import BackgroundJob as BadgeJob
from eventsapp.jobs.models import BackgroundJobStatus as JobStatus
from eventsapp.registrations.models import Registration, RegistrationStatus


@pytest.fixture
def confirmed(make_candidate, make_registration):
    """Register a candidate as confirmed at the event (with the badge that comes with it); returns the candidate."""
    def make(event, **profile):
        candidate = make_candidate(**profile)
        make_registration(event, candidate)
        return candidate
    return make


def pdf_text(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)


def active_badges(app, event_id):
    with app.app_context():
        return db.session.scalars(select(Badge).where(Badge.event_id == event_id, Badge.revoked_at.is_(None))).all()


def test_candidate_downloads_own_badge_from_my_events(client, login, make_event, confirmed):
    event = make_event()
    candidate = confirmed(event, name="欧阳䶮", name_latin="Ouyang Yan")
    login(candidate)
    page = client.get("/my/events").get_data(as_text=True)
    assert f"/events/{event.slug}/badge.pdf" in page
    text = pdf_text(client.get(f"/events/{event.slug}/badge.pdf"))
    assert "Ouyang Yan" in text and "CANDIDATE" in text.upper()


def test_a_badge_not_issued_yet_is_being_prepared_not_missing(app, client, login, make_event, confirmed):
    # On SQLite the outbox worker issues a new registration's badge: until it has run, the person is told
    # to try again on the page they came from, and nothing is written by the GET.
    event = make_event()
    candidate = confirmed(event)
    with app.app_context():
        db.session.execute(delete(Badge).where(Badge.event_id == event.id))
        db.session.commit()
    login(candidate)
    response = client.get(f"/events/{event.slug}/badge.pdf", headers={"Referer": "http://localhost/my/events?x=1"})
    assert response.status_code == 302 and response.headers["Location"] == "/my/events?x=1"
    assert "being prepared" in client.get("/my/events").get_data(as_text=True)
    assert active_badges(app, event.id) == []
    elsewhere = client.get(f"/events/{event.slug}/badge.pdf", headers={"Referer": "https://evil.example/x"})
    assert elsewhere.headers["Location"] == "/my/events"


def test_no_badge_for_waitlisted_or_strangers(app, client, login, make_event, make_candidate, make_user):
    event = make_event()
    waiting = make_candidate()
    with app.app_context():
        db.session.add(Registration(event_id=event.id, user_id=waiting.id, status=RegistrationStatus.WAITLISTED))
        db.session.commit()
    login(waiting)
    assert client.get(f"/events/{event.slug}/badge.pdf").status_code == 404
    assert client.get("/events/no-such-event/badge.pdf").status_code == 404
    client.post("/logout")
    assert client.get(f"/events/{event.slug}/badge.pdf").status_code == 302  # to the login page


def test_booth_staff_get_badge_with_booth_code(app, client, login, make_event, make_organization, make_staff,
                                               make_booth):
    event = make_event()
    organization = make_organization(name_en="West Lake Robotics")
    with app.app_context():
        hall = Hall(event_id=event.id, name="B", rows=4, cols=4)
        db.session.add(hall)
        db.session.commit()
        hall_id = hall.id
    make_booth(event, organization, hall_id=hall_id, row=1, col=2, code="B-02")
    staff = make_staff(organization)
    login(staff)
    assert f"/events/{event.slug}/badge.pdf" in client.get("/employer/booths").get_data(as_text=True)
    text = pdf_text(client.get(f"/events/{event.slug}/badge.pdf"))
    assert "B-02" in text and "EXHIBITOR" in text.upper()


def test_badge_page_is_for_organizers_only(client, login, make_event, make_user, make_candidate):
    event = make_event()
    url = f"/manage/events/{event.id}/badges"
    assert client.get(url).status_code == 302
    login(make_user(Role.EMPLOYER))
    assert client.get(url).status_code == 403
    assert client.post(url + "/render", data={"layout": "a4-2x4"}).status_code == 403
    assert client.post(url + "/crew", data={"email": "x@example.org", "role": "judge"}).status_code == 403


def test_organizer_sees_counts_check_and_renders_a_sheet(client, organizer, make_event, confirmed):
    event = make_event()
    confirmed(event, name="张伟", name_latin="Zhang Wei")
    confirmed(event, name="Anna Schmidt", name_latin="")
    page = client.get(f"/manage/events/{event.id}/badges")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'data-testid="count-candidate">2<' in html
    assert "Every name can be printed" in html
    response = client.post(f"/manage/events/{event.id}/badges/render",
                           data={"layout": "a4-2x4", "role": "", "hall": "", "booth": "", "sort": "name"})
    text = pdf_text(response)
    assert "Anna Schmidt" in text and "Zhang Wei" in text
    assert text.index("Anna Schmidt") < text.index("Zhang Wei")  # Schmidt before Zhang


def test_unprintable_name_is_listed_instead_of_printed(client, organizer, make_event, confirmed):
    event = make_event()
    confirmed(event, name="王\ue000明", name_latin="Wang Ming")
    html = client.get(f"/manage/events/{event.id}/badges").get_data(as_text=True)
    assert "U+E000" in html
    data = {"layout": "a4-2x4", "role": "", "hall": "", "booth": "", "sort": "name"}
    refused = client.post(f"/manage/events/{event.id}/badges/render", data=data)
    assert refused.status_code == 422 and "U+E000" in refused.get_data(as_text=True)
    assert pdf_text(client.post(f"/manage/events/{event.id}/badges/render", data={**data, "print_anyway": "y"}))


def test_bad_input_gets_clear_messages(client, organizer, make_event, confirmed):
    event = make_event()
    empty = client.post(f"/manage/events/{event.id}/badges/render", data={"layout": "a4-2x4", "sort": "name"})
    assert empty.status_code == 422 and "No badges match" in empty.get_data(as_text=True)
    confirmed(event)
    bad_layout = client.post(f"/manage/events/{event.id}/badges/render", data={"layout": "a3-poster", "sort": "name"})
    assert bad_layout.status_code == 422 and "Not a valid choice" in bad_layout.get_data(as_text=True)
    assert client.get(f"/manage/events/{event.id}/badges?layout=a3-poster").status_code == 422
    nobody = client.get(f"/manage/events/{event.id}/badges?role=judge&layout=a4-2x4&sort=name")
    assert "Nobody to print" in nobody.get_data(as_text=True)
    assert client.get("/manage/events/999999/badges").status_code == 404


def test_reissue_voids_the_old_code(app, client, organizer, make_event, confirmed):
    event = make_event()
    confirmed(event)
    client.get(f"/manage/events/{event.id}/badges")  # issues the badge
    (old,) = active_badges(app, event.id)
    response = client.post(f"/manage/events/{event.id}/badges/{old.id}/reissue", follow_redirects=True)
    assert "is void" in response.get_data(as_text=True)
    (new,) = active_badges(app, event.id)
    assert new.id != old.id and new.code != old.code
    again = client.post(f"/manage/events/{event.id}/badges/{old.id}/reissue", follow_redirects=True)
    assert "already replaced" in again.get_data(as_text=True)
    assert len(active_badges(app, event.id)) == 1
    other = make_event()
    assert client.post(f"/manage/events/{other.id}/badges/{new.id}/reissue").status_code == 404
    assert client.get(f"/manage/events/{other.id}/badges/{new.id}.pdf").status_code == 404
    assert pdf_text(client.get(f"/manage/events/{event.id}/badges/{new.id}.pdf"))
    assert client.get(f"/manage/events/{event.id}/badges/{old.id}.pdf").status_code == 404


def test_crew_add_change_and_remove(app, client, organizer, make_event, make_user):
    event = make_event()
    volunteer = make_user(Role.CANDIDATE, email="Helper@Example.org", display_name="志愿者 Helper")
    url = f"/manage/events/{event.id}/badges/crew"
    unknown = client.post(url, data={"email": "nobody@example.org", "role": "volunteer"})
    assert unknown.status_code == 422 and "No account uses this e-mail" in unknown.get_data(as_text=True)
    assert client.post(url, data={"email": "not an address", "role": "volunteer"}).status_code == 422
    assert client.post(url, data={"email": "helper@example.org", "role": "candidate"}).status_code == 422
    assert client.post(url, data={"email": "helper@example.org", "role": "volunteer"}).status_code == 302
    assert client.post(url, data={"email": "helper@example.org", "role": "judge"}).status_code == 302  # twice
    with app.app_context():
        (member,) = db.session.scalars(select(EventCrew).where(EventCrew.event_id == event.id)).all()
        assert member.role == BadgeRole.JUDGE and member.user_id == volunteer.id
        member_id = member.id
    page = client.get(f"/manage/events/{event.id}/badges").get_data(as_text=True)
    assert "志愿者 Helper" in page and 'data-testid="count-judge">1<' in page
    other = make_event()
    assert client.post(f"/manage/events/{other.id}/badges/crew/{member_id}/remove").status_code == 404
    assert client.post(f"{url}/{member_id}/remove").status_code == 302
    assert client.post(f"{url}/{member_id}/remove").status_code == 404  # a second submit


def test_large_batch_becomes_a_job_that_finishes(app, client, organizer, make_event, confirmed, monkeypatch,
                                                 tmp_path, real_commits):
    monkeypatch.setitem(app.config, "BADGE_INLINE_LIMIT", 1)
    monkeypatch.setitem(app.config, "BADGE_FOLDER", str(tmp_path))
    event = make_event()
    confirmed(event, name="张伟")
    confirmed(event, name="李娜")
    response = client.post(f"/manage/events/{event.id}/badges/render",
                           data={"layout": "a4-a6", "role": "", "hall": "", "booth": "", "sort": "name"})
    assert response.status_code == 302 and "#job-" in response.location
    for thread in app.extensions.get("background_job_threads", []):
        thread.join(timeout=60)
    with app.app_context():
        job = db.session.scalars(select(BadgeJob).where(BadgeJob.event_id == event.id)).one()
        job_id = job.id
        assert job.status == JobStatus.DONE, job.error
    status = client.get(f"/manage/events/{event.id}/badges/jobs/{job_id}").get_json()
    assert status["status"] == "done" and status["done"] == status["total"] == 2
    download = client.get(status["download_url"])
    assert len(PdfReader(io.BytesIO(download.data)).pages) == 1
    other = make_event()
    assert client.get(f"/manage/events/{other.id}/badges/jobs/{job_id}").status_code == 404
    assert client.get(f"/manage/events/{other.id}/badges/jobs/{job_id}/download").status_code == 404
    assert client.get(f"/manage/events/{event.id}/badges/jobs/99999").get_json()["error"]


def test_search_issued_badges_by_name_or_number(app, client, organizer, make_event, confirmed):
    event = make_event()
    confirmed(event, name="欧阳娜娜", name_latin="Ouyang Nana")
    confirmed(event, name="张伟", name_latin="Zhang Wei")
    client.get(f"/manage/events/{event.id}/badges")
    badges = {b.holder_id: b for b in active_badges(app, event.id)}
    by_name = client.get(f"/manage/events/{event.id}/badges?q=ouyang").get_data(as_text=True)
    assert "欧阳娜娜" in by_name and "张伟" not in by_name
    number = next(iter(badges.values())).number
    typed = f"{number[:3]}-{number[3:]}".lower()
    assert f'data-testid="badge-{number}"' in client.get(f"/manage/events/{event.id}/badges?q={typed}").get_data(
        as_text=True)


def stalled_job(app, event, minutes_silent=30) -> int:
    """A print run left "running" by a process that died ``minutes_silent`` minutes ago."""
    from datetime import timedelta

    from eventsapp.badges.batches import BatchOptions
    from eventsapp.dbtypes import utcnow

    with app.app_context():
        silent = utcnow() - timedelta(minutes=minutes_silent)
        job = BadgeJob(kind="badge-print", event_id=event.id, total=2, done=1, status=JobStatus.RUNNING,
                       started_at=silent, heartbeat_at=silent, params=BatchOptions(layout="a4-a6").to_json(locale="en"))
        db.session.add(job)
        db.session.commit()
        return job.id


def test_a_print_run_whose_process_died_shows_failed_and_runs_again(app, client, organizer, make_event, confirmed,
                                                                    tmp_path, monkeypatch, real_commits):
    monkeypatch.setitem(app.config, "BADGE_FOLDER", str(tmp_path))
    event = make_event()
    confirmed(event, name="张伟")
    confirmed(event, name="李娜")
    job_id = stalled_job(app, event)
    status = client.get(f"/manage/events/{event.id}/badges/jobs/{job_id}", headers={"Accept-Language": "en"})
    body = status.get_json()
    assert body["status"] == "failed" and body["error"].startswith("The print process stopped before it finished")
    page = client.get(f"/manage/events/{event.id}/badges", headers={"Accept-Language": "en"}).get_data(as_text=True)
    item = page.split(f'id="job-{job_id}"')[1].split("</li>")[0]
    assert "The print process stopped before it finished" in item and f'data-testid="again-{job_id}"' in item
    assert "hidden" not in item.split("data-again")[1].split(">")[0]
    with app.app_context():  # shown failed by pages that only read: marked so by the next write
        assert db.session.get(BadgeJob, job_id).status == JobStatus.RUNNING

    response = client.post(f"/manage/events/{event.id}/badges/jobs/{job_id}/again")
    assert response.status_code == 302 and "#job-" in response.location
    for thread in app.extensions.get("background_job_threads", []):
        thread.join(timeout=60)
    with app.app_context():
        again = db.session.scalars(select(BadgeJob).where(BadgeJob.event_id == event.id, BadgeJob.id != job_id)).one()
        assert again.status == JobStatus.DONE and again.total == 2, again.error
        assert db.session.get(BadgeJob, job_id).status == JobStatus.FAILED
    assert client.post(f"/manage/events/{event.id}/badges/jobs/{again.id}/again").status_code == 302
    with app.app_context():  # a finished run is not run again
        assert db.session.scalar(select(db.func.count()).select_from(BadgeJob)) == 2


def test_a_print_run_that_is_still_alive_stays_running(app, client, organizer, make_event):
    event = make_event()
    job_id = stalled_job(app, event, minutes_silent=1)
    assert client.get(f"/manage/events/{event.id}/badges/jobs/{job_id}").get_json()["status"] == "running"
