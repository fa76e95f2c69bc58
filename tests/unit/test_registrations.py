from datetime import timedelta

import pytest
from sqlalchemy import select

from eventsapp.accounts.models import Role
from eventsapp.candidates.models import Degree, TalentClass
from eventsapp.dbtypes import utcnow
from eventsapp.events.models import Event, EventStatus
from eventsapp.extensions import db
from eventsapp.notifications.models import OutboxMessage
from eventsapp.registrations import services
from eventsapp.registrations.models import (
    QuestionKind,
    Registration,
    RegistrationLog,
    RegistrationQuestion,
    RegistrationStatus,
)
from eventsapp.registrations.services import RegistrationRefused
from eventsapp.validation import ValidationFailed

CONFIRMED, WAITLISTED = RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED


def register(event, user, **kwargs):
    result = services.register_for_event(event.id, user, **kwargs)
    db.session.commit()
    return result.registration


def test_places_are_confirmed_until_full_then_people_wait_in_order(ctx, make_event, make_candidate):
    event = make_event(capacity=2)
    people = [make_candidate() for _ in range(4)]
    registrations = [register(event, person) for person in people]
    assert [r.status for r in registrations] == [CONFIRMED, CONFIRMED, WAITLISTED, WAITLISTED]
    assert [services.waitlist_position(r) for r in registrations] == [None, None, 1, 2]
    assert services.places_left(event) == 0


def test_cancelling_a_confirmed_place_promotes_the_first_waiting_and_tells_them(ctx, make_event, make_candidate):
    event = make_event(capacity=1)
    first, second, third = (register(event, make_candidate()) for _ in range(3))
    promoted = services.cancel_registration(first, actor=first.user)
    db.session.commit()
    assert promoted == [second]
    assert (second.status, third.status) == (CONFIRMED, WAITLISTED)
    assert services.waitlist_position(third) == 1
    kinds = db.session.scalars(select(OutboxMessage.kind).where(OutboxMessage.to_email == second.user.email)).all()
    assert any("promot" in kind for kind in kinds)


def test_cancelling_a_waiting_place_promotes_nobody(ctx, make_event, make_candidate):
    event = make_event(capacity=1)
    register(event, make_candidate())
    waiting = register(event, make_candidate())
    assert services.cancel_registration(waiting) == []


def test_a_second_submit_returns_the_same_registration(ctx, make_event, make_candidate):
    event, person = make_event(capacity=5), make_candidate()
    first = services.register_for_event(event.id, person)
    again = services.register_for_event(event.id, person)
    assert (first.created, again.created) == (True, False)
    assert again.registration.id == first.registration.id
    assert db.session.scalar(select(db.func.count()).select_from(Registration)) == 1


def test_registering_again_after_cancelling_reuses_the_row_at_the_back_of_the_queue(ctx, make_event, make_candidate):
    event = make_event(capacity=1)
    mine = register(event, make_candidate())
    other = register(event, make_candidate())
    services.cancel_registration(mine)
    db.session.commit()
    again = register(event, mine.user)
    assert again.id == mine.id
    assert (other.status, again.status) == (CONFIRMED, WAITLISTED)


@pytest.mark.parametrize(("event_overrides", "message_part"), [
    ({"status": EventStatus.DRAFT}, "not open"),
    ({"status": EventStatus.CANCELLED}, "cancelled"),
    ({"registration_closes_at": utcnow() - timedelta(hours=1)}, "closed"),
    ({"registration_opens_at": utcnow() + timedelta(days=3)}, "not opened"),
])
def test_closed_events_refuse_registrations(app, make_event, make_candidate, event_overrides, message_part):
    event = make_event(**event_overrides)
    person = make_candidate()
    with app.test_request_context(headers={"Accept-Language": "en"}):
        with pytest.raises(RegistrationRefused) as refusal:
            services.register_for_event(event.id, person)
        assert message_part in str(refusal.value.reasons[0])


def test_past_events_refuse_registrations(ctx, make_event, make_candidate):
    start = utcnow() - timedelta(days=2)
    event = make_event(starts_at=start, ends_at=start + timedelta(hours=3))
    with pytest.raises(RegistrationRefused):
        services.register_for_event(event.id, make_candidate())


def test_only_candidates_with_name_and_phone_register(ctx, make_event, make_user, make_candidate):
    event = make_event()
    with pytest.raises(RegistrationRefused):
        services.register_for_event(event.id, make_user(Role.EMPLOYER))
    with pytest.raises(RegistrationRefused):
        services.register_for_event(event.id, make_user(Role.CANDIDATE))  # no profile yet
    with pytest.raises(RegistrationRefused):
        services.register_for_event(event.id, make_candidate(phone=""))


@pytest.mark.parametrize(("rules", "profile", "qualifies"), [
    ({"eligible_degrees": "phd,postdoc"}, {"degree": Degree.PHD}, True),
    ({"eligible_degrees": "phd,postdoc"}, {"degree": Degree.MASTER}, False),
    ({"eligible_degrees": "phd"}, {"degree": None}, False),
    ({"max_age": 35}, {"birth_year": utcnow().year - 34}, True),
    ({"max_age": 35}, {"birth_year": utcnow().year - 35}, False),
    ({"graduation_year_min": 2026, "graduation_year_max": 2027}, {"graduation_year": 2027}, True),
    ({"graduation_year_min": 2026, "graduation_year_max": 2027}, {"graduation_year": 2025}, False),
    ({"eligible_talent_classes": "A,B,C"}, {"talent_class": TalentClass.B}, True),
    ({"eligible_talent_classes": "A,B,C"}, {"talent_class": TalentClass.E}, False),
    ({"eligible_talent_classes": "A,B,C"}, {"talent_class": None}, False),
])
def test_eligibility_rules(ctx, make_event, make_candidate, rules, profile, qualifies):
    event = make_event(**rules)
    person = make_candidate(**profile)
    assert (services.why_cannot_register(event, person) == []) is qualifies
    if not qualifies:
        with pytest.raises(RegistrationRefused):
            services.register_for_event(event.id, person)


def test_moderated_events_hold_registrations_until_approved(ctx, make_event, make_candidate, make_user):
    organizer = make_user(Role.ORGANIZER)
    event = make_event(capacity=1, requires_approval=True)
    first, second, third = (register(event, make_candidate()) for _ in range(3))
    assert {first.status, second.status} == {RegistrationStatus.PENDING}
    assert services.places_left(event) == 1  # pending holds no place
    services.approve_registrations(event.id, [second.id, first.id], organizer)
    services.reject_registrations(event.id, [third.id], organizer, "Full of PhDs already")
    db.session.commit()
    assert (first.status, second.status, third.status) == (CONFIRMED, WAITLISTED, RegistrationStatus.REJECTED)
    with pytest.raises(RegistrationRefused):
        services.register_for_event(event.id, third.user)  # declined stays declined


def test_declining_needs_a_reason(ctx, make_event, make_candidate, make_user):
    event = make_event(requires_approval=True)
    pending = register(event, make_candidate())
    with pytest.raises(ValidationFailed):
        services.reject_registrations(event.id, [pending.id], make_user(Role.ORGANIZER), "  ")


def test_raising_the_capacity_promotes_and_lowering_below_confirmed_is_refused(ctx, make_event, make_candidate,
                                                                              make_user):
    organizer = make_user(Role.ORGANIZER)
    event = make_event(capacity=1)
    registrations = [register(event, make_candidate()) for _ in range(4)]
    promoted = services.change_capacity(event.id, 3, organizer)
    db.session.commit()
    assert promoted == registrations[1:3]
    with pytest.raises(ValidationFailed):
        services.change_capacity(event.id, 2, organizer)


def test_organizers_add_and_move_people_with_a_logged_reason(ctx, make_event, make_candidate, make_user):
    organizer = make_user(Role.ORGANIZER)
    morning = make_event(capacity=1, registration_closes_at=utcnow() - timedelta(hours=1))
    afternoon = make_event(capacity=5)
    person = make_candidate(email="late@example.com")
    added = services.add_by_organizer(morning.id, "LATE@example.com", organizer, "VIP guest")
    assert added.status == CONFIRMED  # the closed window does not stop organizers
    moved = services.move_registration(added, afternoon.id, organizer, "Morning is full")
    db.session.commit()
    assert (added.status, moved.status, moved.event_id) == (RegistrationStatus.CANCELLED, CONFIRMED, afternoon.id)
    actions = db.session.scalars(select(RegistrationLog.action).order_by(RegistrationLog.id)).all()
    assert actions == ["added", "cancelled", "moved_in"]
    assert person.id == moved.user_id
    with pytest.raises(ValidationFailed):
        services.add_by_organizer(afternoon.id, "late@example.com", organizer, "again")
    with pytest.raises(ValidationFailed):
        services.add_by_organizer(afternoon.id, "nobody@example.com", organizer, "who?")


def test_answers_are_checked_against_the_questions(ctx, make_event, make_candidate):
    event = make_event()
    db.session.add_all([
        RegistrationQuestion(event_id=event.id, kind=QuestionKind.SHORT_TEXT, label_en="Field", required=True),
        RegistrationQuestion(event_id=event.id, kind=QuestionKind.MULTIPLE_CHOICE, label_en="Days",
                             options_text="Mon\nTue"),
        RegistrationQuestion(event_id=event.id, kind=QuestionKind.YES_NO, label_en="Lunch"),
    ])
    db.session.commit()
    text, days, lunch = services.questions_of(event.id)
    with pytest.raises(ValidationFailed) as failure:
        services.register_for_event(event.id, make_candidate(), {days.id: ["Sun"], lunch.id: "maybe"})
    assert {field for field, _ in failure.value.errors} == {f"question_{text.id}", f"question_{days.id}",
                                                            f"question_{lunch.id}"}
    registration = register(event, make_candidate(), answers={text.id: "AI", days.id: ["Mon", "Tue"],
                                                             lunch.id: "yes"})
    assert sorted(answer.value for answer in registration.answers) == ["AI", "Mon\nTue", "yes"]


def test_each_change_queues_an_email_in_the_same_transaction(ctx, make_event, make_candidate):
    event = make_event(capacity=1)
    register(event, make_candidate(email="a@example.com"))
    register(event, make_candidate(email="b@example.com"))
    kinds = dict(db.session.execute(select(OutboxMessage.to_email, OutboxMessage.kind)).all())
    assert "confirm" in kinds["a@example.com"] and "wait" in kinds["b@example.com"]


def test_csv_export_opens_in_excel_with_chinese_and_no_formulas(ctx, make_event, make_candidate):
    from eventsapp.registrations.export import registrants_csv
    event = make_event()
    register(event, make_candidate(name="=HYPERLINK(1)", school="浙江大学"))
    rows = db.session.scalars(services.registrants_query(event.id)).all()
    body = registrants_csv([(registration, None) for registration in rows], [])
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    assert "浙江大学" in text and "'=HYPERLINK" in text


def test_an_admission_is_checked_again_inside_the_lock(ctx, make_event, make_candidate):
    event, person = db.session.get(Event, make_event(capacity=5).id), make_candidate()
    check = services.check_registration(event, person, [])
    assert check.problems == [] and check.admission is not None
    event.status = EventStatus.CANCELLED  # between showing the form and the submit
    db.session.commit()
    with pytest.raises(RegistrationRefused):
        services.register_admitted(check.admission, {})
    assert db.session.scalar(select(Registration)) is None


def test_someone_who_may_not_register_gets_the_reasons_and_no_admission(ctx, make_event, make_candidate):
    event = make_event(capacity=5, status=EventStatus.CANCELLED)
    check = services.check_registration(event, make_candidate(), [])
    assert check.admission is None and check.problems
