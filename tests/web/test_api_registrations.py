"""Registrations through the API: a candidate's own (register, again, with an Idempotency-Key, cancel,
list) and an event's for organizers (list, approve, decline, cancel), each with its scope."""
import threading

import pytest
from sqlalchemy import func, select

from eventsapp.accounts.models import Role
from eventsapp.extensions import db
from eventsapp.registrations.models import QuestionKind, Registration, RegistrationQuestion, RegistrationStatus
from tests.factories import persist
from tests.web.api_helpers import auth, make_token, patch_json, post_json


def registrations() -> int:
    return db.session.scalar(select(func.count()).select_from(Registration))


def test_register_then_again_then_cancel(app, make_event, make_candidate):
    event = make_event(capacity=1)
    secret = make_token(app, make_candidate())
    client = app.test_client()
    first = post_json(client, f"/api/v1/events/{event.id}/registrations", {}, secret)
    assert first.status_code == 201, first.json
    body = first.json
    assert body["created"] is True and body["registration"]["status"] == "confirmed"
    assert body["registration"]["event_id"] == str(event.id)
    again = post_json(client, f"/api/v1/events/{event.id}/registrations", {}, secret)
    assert again.status_code == 200 and again.json["created"] is False
    assert again.json["registration"]["id"] == body["registration"]["id"]
    mine = client.get("/api/v1/me/registrations", headers=auth(secret)).json["data"]
    assert [item["id"] for item in mine] == [body["registration"]["id"]]
    registration_id = body["registration"]["id"]
    cancelled = client.post(f"/api/v1/me/registrations/{registration_id}/cancel", headers=auth(secret))
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    twice = client.post(f"/api/v1/me/registrations/{registration_id}/cancel", headers=auth(secret))
    assert twice.status_code == 409 and twice.json["error"]["code"] == "registration_refused"


def test_the_waiting_list_and_refusals(app, make_event, make_candidate, make_user):
    event = make_event(capacity=1)
    client = app.test_client()
    post_json(client, f"/api/v1/events/{event.id}/registrations", {}, make_token(app, make_candidate()))
    second = post_json(client, f"/api/v1/events/{event.id}/registrations", {}, make_token(app, make_candidate()))
    assert second.json["registration"]["status"] == "waitlisted"
    assert second.json["registration"]["waitlist_position"] == 1
    employer = post_json(client, f"/api/v1/events/{event.id}/registrations", {},
                         make_token(app, make_user(Role.EMPLOYER)))
    assert employer.status_code == 409 and "candidate" in employer.json["error"]["message"]


def test_an_idempotency_key_replays_the_first_answer_and_registers_once(app, make_event, make_candidate):
    event = make_event()
    secret = make_token(app, make_candidate())
    client = app.test_client()
    path = f"/api/v1/events/{event.id}/registrations"
    first = post_json(client, path, {}, secret, **{"Idempotency-Key": "abc-1"})
    retry = post_json(client, path, {}, secret, **{"Idempotency-Key": "abc-1"})
    assert first.status_code == retry.status_code == 201
    assert first.json == retry.json and retry.headers["Idempotent-Replayed"] == "true"
    with app.app_context():
        assert registrations() == 1
    other = post_json(client, path, {"answers": {"1": "x"}}, secret, **{"Idempotency-Key": "abc-1"})
    assert other.status_code == 422 and other.json["error"]["code"] == "idempotency_key_reused"
    for bad in ("", "x" * 101, "caf\u00e9"):
        answer = client.post(path, data="{}", content_type="application/json",
                             headers={**auth(secret), "Idempotency-Key": bad.encode().decode("latin-1")})
        assert answer.status_code in (400, 422), bad


def test_concurrent_retries_with_one_key_register_once(app, make_event, make_candidate, real_commits):
    event = make_event()
    secret = make_token(app, make_candidate())
    path = f"/api/v1/events/{event.id}/registrations"
    answers = []

    def send():
        answers.append(post_json(app.test_client(), path, {}, secret, **{"Idempotency-Key": "same"}))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answer.status_code for answer in answers) == [201, 201, 201, 201]
    assert len({answer.json["registration"]["id"] for answer in answers}) == 1
    with app.app_context():
        assert registrations() == 1


def test_answers_are_checked(app, make_event, make_candidate):
    event = make_event()
    with app.app_context():
        question = persist(app, RegistrationQuestion(event_id=event.id, kind=QuestionKind.SINGLE_CHOICE,
                                                     label_en="Track", options_text="AI\nChips", required=True))
        question_id = question.id
    secret = make_token(app, make_candidate())
    client = app.test_client()
    path = f"/api/v1/events/{event.id}/registrations"
    for answers, field in (({}, f"answers.{question_id}"), ({str(question_id): "Cooking"}, f"answers.{question_id}"),
                           ({str(question_id): 3}, f"answers.{question_id}"), ({"x": "AI"}, "answers.x")):
        answer = post_json(client, path, {"answers": answers}, secret)
        assert answer.status_code == 422, answers
        assert field in answer.json["error"]["fields"], answer.json
    assert post_json(client, path, {"answers": {str(question_id): "AI"}}, secret).status_code == 201
    assert post_json(client, path, {"unknown": 1}, secret).status_code == 422
    assert post_json(client, path, [1, 2], secret).status_code == 422
    garbage = client.post(path, data=b"\xff\xfe{", content_type="application/json", headers=auth(secret))
    assert garbage.status_code in (400, 422)


@pytest.mark.parametrize("scopes,status", [(["read"], 403), (["checkin:write"], 403),
                                           (["registrations:write"], 201)])
def test_registering_needs_the_registrations_scope(app, make_event, make_candidate, scopes, status):
    event = make_event()
    secret = make_token(app, make_candidate(), scopes=scopes)
    answer = post_json(app.test_client(), f"/api/v1/events/{event.id}/registrations", {}, secret)
    assert answer.status_code == status
    if status == 403:
        assert answer.json["error"]["code"] == "insufficient_scope"


def test_organizers_list_approve_decline_and_cancel(app, make_event, make_candidate, make_organizer):
    event = make_event(requires_approval=True, capacity=1)
    people = [make_candidate() for _ in range(3)]
    client = app.test_client()
    ids = [post_json(client, f"/api/v1/events/{event.id}/registrations", {}, make_token(app, person))
           .json["registration"]["id"] for person in people]
    organizer = make_token(app, make_organizer())
    listed = client.get(f"/api/v1/events/{event.id}/registrations?status=pending", headers=auth(organizer)).json
    assert [item["id"] for item in listed["data"]] == ids and listed["data"][0]["name"] == "李明"
    page = client.get(f"/api/v1/events/{event.id}/registrations?limit=2", headers=auth(organizer)).json
    rest = client.get(f"/api/v1/events/{event.id}/registrations", query_string={"cursor": page["next_cursor"]},
                      headers=auth(organizer)).json
    assert [item["id"] for item in page["data"] + rest["data"]] == ids and rest["next_cursor"] is None
    base = f"/api/v1/events/{event.id}/registrations"
    approved = patch_json(client, f"{base}/{ids[0]}", {"status": "confirmed"}, organizer)
    assert approved.status_code == 200 and approved.json["status"] == "confirmed"
    waiting = patch_json(client, f"{base}/{ids[1]}", {"status": "confirmed"}, organizer).json
    assert waiting["status"] == "waitlisted" and waiting["waitlist_position"] == 1
    no_reason = patch_json(client, f"{base}/{ids[2]}", {"status": "rejected"}, organizer)
    assert no_reason.status_code == 422 and "reason" in no_reason.json["error"]["fields"]
    declined = patch_json(client, f"{base}/{ids[2]}", {"status": "rejected", "reason": "Full"}, organizer)
    assert declined.json["status"] == "rejected" and declined.json["decision_reason"] == "Full"
    again = patch_json(client, f"{base}/{ids[2]}", {"status": "confirmed"}, organizer)
    assert again.status_code == 409 and again.json["error"]["code"] == "not_pending"
    cancelled = patch_json(client, f"{base}/{ids[0]}", {"status": "cancelled", "reason": "Asked"}, organizer)
    assert cancelled.json["status"] == "cancelled"
    with app.app_context():  # the waiting person was promoted, as on the page
        assert db.session.get(Registration, int(ids[1])).status == RegistrationStatus.CONFIRMED
    assert patch_json(client, f"{base}/{ids[0]}", {"status": "maybe"}, organizer).status_code == 422
    other = make_event()
    assert patch_json(client, f"/api/v1/events/{other.id}/registrations/{ids[1]}", {"status": "cancelled",
                      "reason": "x"}, organizer).status_code == 404
    assert patch_json(client, f"{base}/99999999999", {"status": "cancelled"}, organizer).status_code == 404


def test_someone_else_s_registration_is_not_found(app, make_event, make_candidate):
    event = make_event()
    client = app.test_client()
    mine = post_json(client, f"/api/v1/events/{event.id}/registrations", {},
                     make_token(app, make_candidate())).json["registration"]["id"]
    stranger = make_token(app, make_candidate())
    answer = client.post(f"/api/v1/me/registrations/{mine}/cancel", headers=auth(stranger))
    assert answer.status_code == 404
    assert client.get("/api/v1/me/registrations", headers=auth(stranger)).json["data"] == []


def test_old_idempotency_answers_are_forgotten_by_the_scheduler_job(app, make_event, make_candidate):
    from datetime import UTC, datetime, timedelta

    from eventsapp.api.models import IdempotentResponse
    from eventsapp.scheduler.services import registered_jobs
    event = make_event()
    secret = make_token(app, make_candidate())
    post_json(app.test_client(), f"/api/v1/events/{event.id}/registrations", {}, secret, **{"Idempotency-Key": "k"})
    job = next(job for job in registered_jobs(app) if job.name == "api-idempotency-keys")
    with app.app_context():
        assert job.func(datetime.now(UTC)) == 0
        assert job.func(datetime.now(UTC) + timedelta(hours=25)) == 1
        assert db.session.scalar(select(func.count()).select_from(IdempotentResponse)) == 0


@pytest.mark.parametrize("key", ["²", "٣", "１"])
def test_a_question_id_in_other_digits_is_a_422_naming_it_not_a_500(app, make_event, make_candidate, key):
    event = make_event()
    answer = post_json(app.test_client(), f"/api/v1/events/{event.id}/registrations", {"answers": {key: "AI"}},
                       make_token(app, make_candidate()))
    assert answer.status_code == 422, answer.get_data(as_text=True)
    assert answer.json["error"]["code"] == "invalid"
    assert "digits 0-9" in answer.json["error"]["fields"][f"answers.{key}"]
    with app.app_context():
        assert registrations() == 0


@pytest.mark.parametrize("query", ["limit=²", "limit=٣", "limit=１"])
def test_numbers_in_a_query_string_are_digits_0_to_9(app, make_candidate, query):
    answer = app.test_client().get(f"/api/v1/me/registrations?{query}", headers=auth(make_token(app, make_candidate())))
    assert answer.status_code == 422 and "limit" in answer.json["error"]["fields"]


def test_a_replayed_answer_waits_for_the_disk_as_its_first_request_did(app, make_event, make_candidate,
                                                                       real_commits, caplog):
    """The first request may still be waiting for the disk when the retry finds its answer (PostgreSQL)."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("asynchronous commit is PostgreSQL's")
    caplog.set_level("DEBUG", logger="eventsapp.durability")

    def barriers() -> int:
        return len([record for record in caplog.records if record.name == "eventsapp.durability"])
    secret = make_token(app, make_candidate())
    path = f"/api/v1/events/{make_event().id}/registrations"
    post_json(app.test_client(), path, {}, secret, **{"Idempotency-Key": "k"})
    before = barriers()
    retry = post_json(app.test_client(), path, {}, secret, **{"Idempotency-Key": "k"})
    assert retry.headers["Idempotent-Replayed"] == "true" and barriers() == before + 1
