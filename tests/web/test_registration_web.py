from datetime import timedelta

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import select

from eventsapp.accounts.models import Role
from eventsapp.candidates.models import Degree
from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.registrations.models import QuestionKind, Registration, RegistrationQuestion, RegistrationStatus

EN = {"Accept-Language": "en"}


def registrations(app, event_id):
    with app.app_context():
        return db.session.scalars(select(Registration).where(Registration.event_id == event_id)
                                  .order_by(Registration.id)).all()


def test_a_candidate_registers_from_the_event_page_and_sees_it_in_my_events(app, client, make_event, make_candidate,
                                                                             login):
    event = make_event(slug="fair", capacity=3, title_en="Autumn fair")
    login(make_candidate())
    page = client.get("/events/fair", headers=EN).get_data(as_text=True)
    assert 'data-testid="register-button"' in page and "3" in page
    response = client.post("/events/fair/register", headers=EN)
    assert response.status_code == 302 and response.headers["Location"] == "/my/events"
    mine = client.get("/my/events", headers=EN).get_data(as_text=True)
    assert "Autumn fair" in mine and "Confirmed" in mine
    assert client.get("/events/fair/places.json").json == {"capacity": 3, "places_left": 2, "waiting": 0}
    assert "You are registered" in client.get("/events/fair", headers=EN).get_data(as_text=True)
    assert len(registrations(app, event.id)) == 1


def test_a_double_submit_creates_one_registration(app, client, make_event, make_candidate, login):
    event = make_event(slug="fair")
    login(make_candidate())
    client.post("/events/fair/register")
    second = client.post("/events/fair/register", headers=EN, follow_redirects=True)
    assert "You are already registered for this event." in second.get_data(as_text=True)
    assert len(registrations(app, event.id)) == 1


def test_a_full_event_offers_the_waiting_list_and_shows_the_position(client, make_event, make_candidate, login):
    make_event(slug="full", capacity=1)
    login(make_candidate())
    client.post("/events/full/register")
    client.post("/logout")
    login(make_candidate())
    assert "Join the waiting list" in client.get("/events/full", headers=EN).get_data(as_text=True)
    page = client.post("/events/full/register", headers=EN, follow_redirects=True).get_data(as_text=True)
    assert "number 1 on the waiting list" in page
    assert "No. 1" in client.get("/my/events", headers=EN).get_data(as_text=True)


def test_people_who_do_not_qualify_are_told_why_before_they_try(client, make_event, make_candidate, login):
    make_event(slug="phd-only", eligible_degrees="phd,postdoc", max_age=35)
    login(make_candidate(degree=Degree.BACHELOR))
    page = client.get("/events/phd-only", headers=EN).get_data(as_text=True)
    assert "Degree: PhD / Postdoc" in page and "Under 35 years old" in page
    assert 'data-testid="registration-problems"' in page
    assert "This event is for: PhD / Postdoc." in page
    assert 'data-testid="register-button"' not in page
    response = client.post("/events/phd-only/register", headers=EN)
    assert response.status_code == 200 and "This event is for: PhD / Postdoc." in response.get_data(as_text=True)


def test_registering_for_a_draft_or_past_event_is_refused(client, make_event, make_candidate, login):
    from eventsapp.events.models import EventStatus
    make_event(slug="draft", status=EventStatus.DRAFT)
    start = utcnow() - timedelta(days=3)
    make_event(slug="past", starts_at=start, ends_at=start + timedelta(hours=2))
    login(make_candidate())
    assert client.post("/events/draft/register").status_code == 404
    page = client.post("/events/past/register", headers=EN).get_data(as_text=True)
    assert "This event is over." in page


def test_anonymous_visitors_are_sent_to_log_in_first(client, make_event):
    make_event(slug="fair")
    response = client.get("/events/fair/register")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_questions_are_asked_and_required_answers_enforced(app, client, make_event, make_candidate, login):
    event = make_event(slug="q")
    with app.app_context():
        db.session.add(RegistrationQuestion(event_id=event.id, kind=QuestionKind.SINGLE_CHOICE, label_en="Session",
                                            options_text="Morning\nAfternoon", required=True))
        db.session.commit()
        question_id = db.session.scalar(select(RegistrationQuestion.id))
    login(make_candidate())
    page = client.get("/events/q/register", headers=EN).get_data(as_text=True)
    assert "Session" in page and "Afternoon" in page
    missing = client.post("/events/q/register", headers=EN)
    assert "Please answer this question." in missing.get_data(as_text=True)
    assert client.post("/events/q/register", data={f"question_{question_id}": "Afternoon"}).status_code == 302
    with app.app_context():
        from eventsapp.registrations.models import RegistrationAnswer
        assert db.session.scalar(select(RegistrationAnswer.value)) == "Afternoon"


def test_answers_statuses_and_history_are_in_words_on_the_page_and_in_the_csv(app, client, make_event, make_candidate,
                                                                              make_user, login):
    """No raw codes: yes/no answers, statuses, degrees, talent classes and history entries in the reader's words."""
    import csv
    import io

    from eventsapp.candidates.models import TalentClass
    event = make_event(slug="words")
    with app.app_context():
        db.session.add(RegistrationQuestion(event_id=event.id, kind=QuestionKind.YES_NO, label_zh="需要住宿",
                                            label_en="Hotel needed"))
        db.session.commit()
        question_id = db.session.scalar(select(RegistrationQuestion.id))
    login(make_candidate(talent_class=TalentClass.E))
    assert client.post("/events/words/register", data={f"question_{question_id}": "yes"}).status_code == 302
    client.post("/logout")
    login(make_user(Role.ORGANIZER))
    chinese = {"Accept-Language": "zh-CN"}
    page = client.get(f"/manage/events/{event.id}/registrations", headers=chinese).get_data(as_text=True)
    assert "需要住宿:</span> 是" in page and "报名: — → 已确认" in page
    rows = list(csv.reader(io.StringIO(client.get(f"/manage/events/{event.id}/registrations.csv",
                                                  headers=chinese).data.decode("utf-8-sig"))))
    head, row = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert head[:3] == ["报名编号", "状态", "姓名"] and head[-1] == "需要住宿"
    assert (row["状态"], row["学历"], row["人才类别"], row["需要住宿"]) == ("已确认", "硕士", "人才类别 E", "是")
    english = list(csv.reader(io.StringIO(client.get(f"/manage/events/{event.id}/registrations.csv",
                                                     headers=EN).data.decode("utf-8-sig"))))
    assert english[0][:2] == ["Registration no.", "Status"] and english[1][1] == "Confirmed"
    assert english[0][-1] == "Hotel needed" and english[1][-1] == "Yes"


def test_candidates_cancel_their_own_registration_and_nobody_elses(app, client, make_event, make_candidate, login):
    event = make_event(slug="fair", capacity=1)
    owner = make_candidate()
    login(owner)
    client.post("/events/fair/register")
    registration_id = registrations(app, event.id)[0].id
    client.post("/logout")
    login(make_candidate())
    assert client.post(f"/my/registrations/{registration_id}/cancel").status_code == 404
    assert client.post("/my/registrations/999999/cancel").status_code == 404
    client.post("/logout")
    login(owner)
    client.post(f"/my/registrations/{registration_id}/cancel")
    assert registrations(app, event.id)[0].status == RegistrationStatus.CANCELLED


def test_registrant_pages_are_for_organizers_only(client, make_event, make_candidate, make_user, login):
    event = make_event()
    for path in (f"/manage/events/{event.id}/registrations", f"/manage/events/{event.id}/registrations.csv",
                 f"/manage/events/{event.id}/questions"):
        assert client.get(path).status_code == 302
        login(make_candidate())
        assert client.get(path).status_code == 403
        client.post("/logout")


def test_organizers_see_counts_filter_export_and_decide(app, client, make_event, make_candidate, organizer, login):
    event = make_event(slug="moderated", capacity=1, requires_approval=True)
    people = [make_candidate(name=f"候选人{n}", email=f"p{n}@example.com") for n in range(3)]
    for person in people:
        other = app.test_client()
        other.post("/login", data={"email": person.email, "password": "correct horse battery staple"})
        other.post("/events/moderated/register")
    page = client.get(f"/manage/events/{event.id}/registrations", headers=EN).get_data(as_text=True)
    assert 'data-testid="count-pending">3<' in page
    ids = [r.id for r in registrations(app, event.id)]
    client.post(f"/manage/events/{event.id}/registrations/decide",
                data={"registration_ids": ids[:2], "decision": "approve"})
    refused = client.post(f"/manage/events/{event.id}/registrations/decide", headers=EN,
                          data={"registration_ids": ids[2:], "decision": "reject", "reason": ""})
    assert "Give a reason" in refused.get_data(as_text=True)
    client.post(f"/manage/events/{event.id}/registrations/decide",
                data={"registration_ids": ids[2:], "decision": "reject", "reason": "Not this time"})
    assert [r.status for r in registrations(app, event.id)] == [
        RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED, RegistrationStatus.REJECTED]
    waiting = client.get(f"/manage/events/{event.id}/registrations?status=waitlisted",
                         headers=EN).get_data(as_text=True)
    assert "候选人1" in waiting and "候选人0" not in waiting
    csv = client.get(f"/manage/events/{event.id}/registrations.csv")
    assert csv.headers["Content-Type"].startswith("text/csv")
    assert csv.data.startswith(b"\xef\xbb\xbf") and "候选人2".encode() in csv.data
    client.post(f"/manage/events/{event.id}/capacity", data={"capacity": "2"})
    assert registrations(app, event.id)[1].status == RegistrationStatus.CONFIRMED
    lowered = client.post(f"/manage/events/{event.id}/capacity", data={"capacity": "1"}, headers=EN)
    assert lowered.status_code == 422 and "already confirmed" in lowered.get_data(as_text=True)


def test_organizers_cancel_add_and_move_with_a_reason(app, client, make_event, make_candidate, organizer):
    event = make_event(capacity=5)
    later = make_event(capacity=5, title_en="Later session")
    make_candidate(email="walk.in@example.com")
    no_reason = client.post(f"/manage/events/{event.id}/registrations/add", headers=EN,
                            data={"email": "walk.in@example.com", "reason": ""})
    assert no_reason.status_code == 422 and "Give a reason" in no_reason.get_data(as_text=True)
    unknown = client.post(f"/manage/events/{event.id}/registrations/add", headers=EN,
                          data={"email": "ghost@example.com", "reason": "walk-in"})
    assert "No account has this e-mail address." in unknown.get_data(as_text=True)
    client.post(f"/manage/events/{event.id}/registrations/add", data={"email": "walk.in@example.com",
                                                                      "reason": "walk-in"})
    registration = registrations(app, event.id)[0]
    client.post(f"/manage/events/{event.id}/registrations/{registration.id}/move",
                data={"target_event_id": later.id, "reason": "asked to come later"})
    assert registrations(app, event.id)[0].status == RegistrationStatus.CANCELLED
    moved = registrations(app, later.id)[0]
    assert moved.status == RegistrationStatus.CONFIRMED
    client.post(f"/manage/events/{later.id}/registrations/{moved.id}/cancel", data={"reason": "no-show"})
    assert registrations(app, later.id)[0].status == RegistrationStatus.CANCELLED
    assert client.post(f"/manage/events/{event.id}/registrations/{moved.id}/cancel",
                       data={"reason": "x"}).status_code == 404  # belongs to the other event


def test_organizers_edit_registration_questions(app, client, make_event, organizer):
    event = make_event()
    bad = client.post(f"/manage/events/{event.id}/questions", headers=EN,
                      data={"kind": "single_choice", "label_en": "Session", "options_text": "Only one"})
    assert "Give at least two choices" in bad.get_data(as_text=True)
    client.post(f"/manage/events/{event.id}/questions",
                data={"kind": "single_choice", "label_en": "Session", "options_text": "AM\nPM", "required": "y"})
    with app.app_context():
        question = db.session.scalar(select(RegistrationQuestion))
        assert (question.options, question.required) == (["AM", "PM"], True)
    client.post(f"/manage/events/{event.id}/questions/{question.id}",
                data={"kind": "short_text", "label_en": "Your field", "options_text": ""})
    client.post(f"/manage/events/{event.id}/questions/{question.id}/delete")
    with app.app_context():
        assert db.session.scalar(select(RegistrationQuestion)) is None


def test_employers_and_organizers_cannot_register(client, make_event, make_user, login):
    make_event(slug="fair")
    login(make_user(Role.EMPLOYER))
    page = client.post("/events/fair/register", headers=EN).get_data(as_text=True)
    assert "Only candidate accounts register for events." in page


def test_a_long_list_of_registrants_has_working_pages(app, client, make_event, organizer):
    from sqlalchemy import insert

    from eventsapp.accounts.models import User
    from tests.factories import PASSWORD_HASH
    event = make_event(capacity=100)
    with app.app_context():
        db.session.execute(insert(User), [dict(email=f"many{n}@example.com", password_hash=PASSWORD_HASH,
                                               display_name=f"Many {n}", role=Role.CANDIDATE) for n in range(55)])
        ids = db.session.scalars(select(User.id).where(User.email.like("many%"))).all()
        db.session.execute(insert(Registration), [dict(event_id=event.id, user_id=user_id,
                                                       status=RegistrationStatus.CONFIRMED) for user_id in ids])
        db.session.commit()
    first = client.get(f"/manage/events/{event.id}/registrations", headers=EN)
    assert first.status_code == 200
    assert f"/manage/events/{event.id}/registrations?page=2" in first.get_data(as_text=True)
    assert client.get(f"/manage/events/{event.id}/registrations?page=2").status_code == 200


def statements_run(app, request) -> list[str]:
    """The SQL statements that ``request()`` sends, without SQLite's own BEGIN (IMMEDIATE): that is
    how SQLite takes its write lock."""
    statements = []

    def record(_connection, _cursor, sql, *_args):
        if not sql.startswith("BEGIN"):
            statements.append(sql)

    with app.app_context():
        sa_event.listen(db.engine, "before_cursor_execute", record)
        try:
            request()
        finally:
            sa_event.remove(db.engine, "before_cursor_execute", record)
    return statements


def test_registering_runs_a_handful_of_statements_whatever_the_outcome(app, client, make_event, make_candidate,
                                                                       login, real_commits):
    """The account with its profile, the event with its questions, the webhook endpoints listening (one
    prebuilt query), the lock with the event's counts, and the inserts: on PostgreSQL the lock, the decision
    and the inserts (registration, log row, e-mail, badge) are one statement, and two more let the COMMIT
    release the lock before the disk has it (SET LOCAL synchronous_commit, before the lock) and wait for
    the disk after it (the barrier: eventsapp.durability); on SQLite the registration, its log row and
    its e-mail are inserted by three statements after the lock."""
    event = make_event(slug="fair", capacity=1)
    people = [make_candidate(), make_candidate()]
    with app.app_context():
        inserts = 2 if db.engine.dialect.name == "postgresql" else 3
    counts = []
    for person in people:
        login(person)
        counts.append(len(statements_run(app, lambda: client.post("/events/fair/register"))))
        client.post("/logout")
    assert counts == [4 + inserts, 4 + inserts]
    assert [r.status for r in registrations(app, event.id)] == [RegistrationStatus.CONFIRMED,
                                                              RegistrationStatus.WAITLISTED]


def test_titles_that_bring_their_own_quotes_get_no_second_pair(app, client, make_event, make_candidate, login,
                                                               chinese_by_default):
    quoted = make_event(slug="spring", title_zh="“新春纳才 杭向未来” 2027 长三角高层次人才招聘会")
    plain = make_event(slug="autumn", title_zh="金秋招聘会")
    login(make_candidate())
    pages = []
    for event in (quoted, plain):
        client.post(f"/events/{event.slug}/register")
        registration = registrations(app, event.id)[0]
        pages.append(client.post(f"/my/registrations/{registration.id}/cancel", follow_redirects=True)
                     .get_data(as_text=True))
    with app.app_context():
        from eventsapp.notifications.models import OutboxMessage
        from eventsapp.notifications.services import rendered
        mails = " ".join(" ".join(rendered(message)) for message in db.session.scalars(select(OutboxMessage)))
    text = mails + " ".join(pages)
    assert "““" not in text and "””" not in text
    assert "您报名的“新春纳才 杭向未来” 2027 长三角高层次人才招聘会已取消" in pages[0]
    assert "您报名的“金秋招聘会”已取消" in pages[1]
    assert "“新春纳才 杭向未来” 2027 长三角高层次人才招聘会" in mails and "“金秋招聘会”" in mails


def test_the_form_of_someone_registered_already_waits_for_the_disk_before_sending_them_on(
        app, client, make_event, make_candidate, login, real_commits, caplog):
    """Their registration's request may still be waiting for the disk (PostgreSQL: eventsapp.durability)."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("asynchronous commit is PostgreSQL's")
    caplog.set_level("DEBUG", logger="eventsapp.durability")
    make_event(slug="fair", capacity=5)
    login(make_candidate())
    client.post("/events/fair/register")
    before = len([record for record in caplog.records if record.name == "eventsapp.durability"])
    shown = client.get("/events/fair/register")
    assert shown.status_code == 302
    assert len([record for record in caplog.records if record.name == "eventsapp.durability"]) == before + 1
