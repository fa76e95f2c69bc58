"""The personal talent code: signed, non-guessable, revocable, naming nobody; accepted at the door and the
booth of events where its holder has a place or a role, with the badge's answers and one check-in per
person; and printed on badges when the organizer chooses."""
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from eventsapp.accounts.models import Role, User
from eventsapp.badges import batches
from eventsapp.badges import services as badges
from eventsapp.badges.models import BadgeRole, EventCrew
from eventsapp.badges.services import Verdict
from eventsapp.candidates.erasure import erase_account
from eventsapp.checkin import leads, services
from eventsapp.checkin.leads import LeadOutcome
from eventsapp.checkin.models import CheckIn
from eventsapp.checkin.services import Outcome
from eventsapp.events.models import Event
from eventsapp.events.services import duplicate_event
from eventsapp.extensions import db
from eventsapp.registrations.models import RegistrationStatus
from eventsapp.registrations.services import cancel_registration, register_for_event
from eventsapp.talentcode import codes
from eventsapp.talentcode.codes import State
from eventsapp.talentcode.models import PersonalCode


def personal_token(user) -> str:
    token = codes.token_of(codes.code_of(user.id))
    db.session.commit()
    return token


# --- The token ------------------------------------------------------------------------------------

def test_a_code_is_made_once_signed_and_names_nobody(ctx, make_candidate):
    person = make_candidate(name="李明", name_latin="Li Ming", email="li.ming@example.org")
    first = codes.code_of(person.id)
    assert codes.code_of(person.id).id == first.id  # the same code on every visit
    token = codes.token_of(first)
    assert token.startswith("TC.") and codes.is_personal_token(token)
    for personal in ("li.ming", "Li Ming", "李明"):
        assert personal not in token
    assert codes.read(token) == codes.Reading(State.ACTIVE, person.id)
    # Two people's secrets are unrelated random strings.
    other = codes.code_of(make_candidate().id)
    assert other.code != first.code and len(first.code) >= 20


def test_forged_tampered_and_badge_tokens_are_not_personal_codes(ctx, make_candidate, make_event):
    person = make_candidate()
    token = codes.token_of(codes.code_of(person.id))
    secret = codes.code_of(person.id).code
    for forged in ("", "TC.", "TC." + secret, "TC." + secret + ".abc", token[:-2] + "xx", token + "x",
                   "TC." + "A" * 300, "TC.\u00e9\u00e9.\u00e9"):
        assert codes.read(forged).state == State.INVALID
    # A badge's token signed with the badge salt does not pass for a personal code, nor the reverse.
    assert codes.read("TC." + badges.tokens.sign(secret)).state == State.INVALID
    event = make_event()
    assert badges.verify_token(token.removeprefix("TC."), event).verdict == Verdict.INVALID


def test_replacing_a_code_voids_the_old_one_at_once(ctx, make_candidate):
    person = make_candidate()
    old = personal_token(person)
    new_code = codes.replace(person.id)
    db.session.commit()
    assert codes.read(old).state == State.REPLACED and codes.read(old).user_id is None
    assert codes.read(codes.token_of(new_code)) == codes.Reading(State.ACTIVE, person.id)
    assert db.session.scalar(select(func.count()).select_from(PersonalCode).where(
        PersonalCode.user_id == person.id, PersonalCode.revoked_at.is_(None))) == 1


def test_codes_for_a_print_run_are_made_in_bulk_and_kept(ctx, make_candidate):
    people = [make_candidate() for _ in range(3)]
    existing = personal_token(people[0])
    tokens = codes.tokens_for([person.id for person in people])
    assert tokens[people[0].id] == existing and len(set(tokens.values())) == 3
    assert codes.tokens_for([]) == {}
    assert codes.tokens_for([person.id for person in people]) == tokens


def test_a_deleted_account_s_code_names_nobody(ctx, make_candidate):
    person = make_candidate()
    token = personal_token(person)
    erase_account(person)
    db.session.commit()
    assert codes.read(token).state == State.INVALID  # the code is gone with the account


# --- The door -------------------------------------------------------------------------------------

@pytest.fixture
def door(ctx, make_event, make_user):
    """A fair going on now and a volunteer at the door."""
    event = make_event(starts_at=datetime.now(UTC) - timedelta(hours=1))
    volunteer = make_user(Role.CANDIDATE, display_name="Volunteer")
    db.session.add(EventCrew(event_id=event.id, user_id=volunteer.id, role=BadgeRole.VOLUNTEER))
    db.session.commit()
    return event, volunteer


def count_check_ins(event_id=None) -> int:
    query = select(func.count()).select_from(CheckIn)
    if event_id is not None:
        query = query.where(CheckIn.event_id == event_id)
    return db.session.scalar(query)


def test_a_personal_code_checks_its_holder_in_once_like_the_badge(door, make_candidate):
    event, volunteer = door
    person = make_candidate(name="李明")
    registration = register_for_event(event.id, person).registration
    db.session.commit()
    token = personal_token(person)

    first = services.check_in(event, token=token, actor=volunteer, gate="North")
    db.session.commit()
    assert (first.outcome, first.verdict) == (Outcome.CHECKED_IN, Verdict.VALID)
    assert first.badge.holder_id == person.id and first.badge.role == BadgeRole.CANDIDATE  # issued at the scan
    assert first.check_in.method == "personal" and registration.attended_at is not None

    again = services.check_in(event, token=token, actor=volunteer, gate="South")
    badge_scan = services.check_in(event, token=badges.token_of(first.badge), actor=volunteer)
    assert again.outcome == badge_scan.outcome == Outcome.ALREADY
    assert again.check_in.id == badge_scan.check_in.id == first.check_in.id
    assert count_check_ins() == 1


def test_booth_staff_and_crew_come_in_with_their_personal_code(door, make_organization, make_staff, make_booth,
                                                               make_user):
    event, volunteer = door
    organization = make_organization()
    staff = make_staff(organization)
    make_booth(event, organization)
    judge = make_user(Role.CANDIDATE)
    db.session.add(EventCrew(event_id=event.id, user_id=judge.id, role=BadgeRole.JUDGE))
    db.session.commit()
    for person, role in ((staff, BadgeRole.EMPLOYER), (judge, BadgeRole.JUDGE), (volunteer, BadgeRole.VOLUNTEER)):
        result = services.check_in(event, token=personal_token(person), actor=volunteer)
        assert result.outcome == Outcome.CHECKED_IN and result.badge.role == role
    assert count_check_ins() == 3


def test_a_code_with_no_business_here_is_refused_and_tells_nothing(door, make_event, make_candidate, make_user):
    event, volunteer = door
    elsewhere, waiting, gone, nobody = make_candidate(), make_candidate(), make_candidate(), make_user(Role.EMPLOYER)
    register_for_event(make_event().id, elsewhere)
    cancel_registration(register_for_event(event.id, gone).registration)
    waiting_registration = register_for_event(event.id, waiting).registration
    waiting_registration.status = RegistrationStatus.WAITLISTED  # moved back by an organizer
    db.session.commit()
    for person in (elsewhere, waiting, gone, nobody):
        result = services.check_in(event, token=personal_token(person), actor=volunteer)
        assert (result.outcome, result.verdict, result.badge) == (Outcome.REFUSED, Verdict.NOT_HERE, None)
    assert count_check_ins() == 0


def test_a_replaced_code_is_refused_and_names_nobody(door, make_candidate):
    event, volunteer = door
    person = make_candidate()
    register_for_event(event.id, person)
    db.session.commit()
    old = personal_token(person)
    codes.replace(person.id)
    db.session.commit()
    result = services.check_in(event, token=old, actor=volunteer)
    assert (result.outcome, result.verdict, result.badge) == (Outcome.REFUSED, Verdict.CODE_REPLACED, None)
    tampered = services.check_in(event, token=old[:-3] + "abc", actor=volunteer)
    assert tampered.verdict == Verdict.INVALID and count_check_ins() == 0
    assert services.check_in(event, token=personal_token(person), actor=volunteer).outcome == Outcome.CHECKED_IN


def test_the_door_s_hours_apply_to_personal_codes(ctx, make_event, make_user, make_candidate):
    event = make_event(starts_at=datetime.now(UTC) + timedelta(days=3))
    organizer = make_user(Role.ORGANIZER)
    person = make_candidate()
    register_for_event(event.id, person)
    db.session.commit()
    result = services.check_in(event, token=personal_token(person), actor=organizer)
    assert result.outcome == Outcome.REFUSED and result.door == services.Door.NOT_OPEN_YET
    assert count_check_ins() == 0


def test_two_gates_scanning_a_personal_code_and_the_badge_at_once_record_one_check_in(
        app, make_event, make_user, make_candidate, real_commits):
    with app.app_context():
        event = make_event(starts_at=datetime.now(UTC) - timedelta(hours=1))
        gates = [make_user(Role.ORGANIZER) for _ in range(3)]
        people = [make_candidate() for _ in range(4)]
        for person in people:
            register_for_event(event.id, person)
        db.session.commit()
        # Half the people have no badge yet: the first scan of their personal code issues it.
        badge_tokens = {badge.holder_id: badges.token_of(badge) for badge in badges.sync_badges(event.id)
                        if badge.holder_id in {people[0].id, people[1].id}}
        db.session.commit()
        tokens = {person.id: [codes.token_of(codes.code_of(person.id))] for person in people}
        db.session.commit()
        for holder_id, token in badge_tokens.items():
            tokens[holder_id].append(token)
        event_id, gate_ids = event.id, [gate.id for gate in gates]
    calls = [(holder_id, token, gate_id) for holder_id, held in tokens.items() for token in held
             for gate_id in gate_ids]
    barrier = threading.Barrier(len(calls))

    def scan(call):
        holder_id, token, gate_id = call
        barrier.wait(timeout=60)
        with app.app_context():
            event, actor = db.session.get(Event, event_id), db.session.get(User, gate_id)
            result = services.check_in(event, token=token, actor=actor, gate=f"gate {gate_id}")
            db.session.commit()
            return holder_id, result.outcome

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        outcomes = list(pool.map(scan, calls))
    for holder_id in tokens:
        mine = [outcome for holder, outcome in outcomes if holder == holder_id]
        assert mine.count(Outcome.CHECKED_IN) == 1 and set(mine) == {Outcome.CHECKED_IN, Outcome.ALREADY}
    with app.app_context():
        assert count_check_ins(event_id) == len(people)


# --- The booth ------------------------------------------------------------------------------------

def test_lead_capture_takes_a_personal_code_with_the_same_consent_rule(ctx, make_event, make_organization,
                                                                      make_booth, make_staff, make_candidate):
    event = make_event(starts_at=datetime.now(UTC) - timedelta(hours=1))
    organization = make_organization()
    booth = make_booth(event, organization)
    staff = make_staff(organization)
    willing, shy, stranger = (make_candidate(show_to_employers=True, name="王芳"),
                              make_candidate(show_to_employers=False), make_candidate(show_to_employers=True))
    for person in (willing, shy):
        register_for_event(event.id, person)
    db.session.commit()

    saved = leads.capture_lead(booth, actor=staff, token=personal_token(willing), rating=4)
    assert saved.outcome == LeadOutcome.SAVED and saved.profile.name == "王芳"
    assert saved.lead.entry.candidate_id == willing.id
    refused = leads.capture_lead(booth, actor=staff, token=personal_token(shy))
    assert (refused.outcome, refused.profile, refused.lead) == (LeadOutcome.NOT_CONSENTED, None, None)
    unrelated = leads.capture_lead(booth, actor=staff, token=personal_token(stranger))
    assert (unrelated.outcome, unrelated.verdict, unrelated.badge) == (LeadOutcome.REFUSED, Verdict.NOT_HERE, None)
    colleague = leads.capture_lead(booth, actor=staff, token=personal_token(staff))
    assert colleague.outcome == LeadOutcome.NOT_CANDIDATE


# --- Badges that carry the personal code ----------------------------------------------------------

def test_badges_print_the_personal_code_when_the_event_says_so(door, make_candidate):
    event, volunteer = door
    person = make_candidate()
    register_for_event(event.id, person)
    db.session.commit()
    badge = badges.badge_of(event.id, person.id)
    [card] = batches.cards_for(event, [badge])
    assert card.token == badges.token_of(badge)  # by default, the event's own code

    event.badge_personal_code = True
    [card] = batches.cards_for(event, [badge])
    db.session.commit()
    assert card.token == codes.token_of(codes.active_code(person.id))

    codes.replace(person.id)  # the printed card's code stops working too
    db.session.commit()
    assert services.check_in(event, token=card.token, actor=volunteer).verdict == Verdict.CODE_REPLACED
    assert duplicate_event(event).badge_personal_code is True  # a copy prints the same kind of badge
