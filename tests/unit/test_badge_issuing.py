"""Badges are issued where people become entitled to one, and pages only read them."""
import threading
import time

import pytest
from sqlalchemy import func, insert, select, text

from eventsapp.accounts.models import Role, User
from eventsapp.badges import crew, tokens
from eventsapp.badges import services as badges
from eventsapp.badges.models import Badge, BadgeRole
from eventsapp.booths.models import BoothStatus
from eventsapp.booths.services import approve_booth, withdraw_booth
from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.notifications.services import deliver_due_messages
from eventsapp.organizations.services import accept_invitation, invite_colleague, remove_member
from eventsapp.registrations.models import Registration, RegistrationStatus
from eventsapp.registrations.services import (
    approve_registrations,
    cancel_registration,
    register_for_event,
)


def badge_count(event_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Badge).where(Badge.event_id == event_id))


def test_the_fast_path_issues_the_badge_in_its_one_statement_or_through_the_outbox_worker(ctx, make_event,
                                                                                         make_candidate):
    """PostgreSQL: in the registration's one statement; SQLite: when the outbox worker writes the
    confirmation. Either way registering sends no more statements (test_registration_web)."""
    event = make_event(capacity=1)
    person, late = make_candidate(), make_candidate()
    register_for_event(event.id, person)
    register_for_event(event.id, late)  # waiting list: no badge, even after the worker
    db.session.commit()
    assert badge_count(event.id) == (1 if db.engine.dialect.name == "postgresql" else 0)
    deliver_due_messages()
    assert badges.current_badge(event.id, person.id).role == BadgeRole.CANDIDATE
    assert badges.current_badge(event.id, late.id) is None and badge_count(event.id) == 1


def test_promotion_approval_and_registering_again_issue_the_badge_at_once(ctx, make_event, make_candidate,
                                                                         make_organizer):
    organizer = make_organizer()
    event = make_event(capacity=1)
    first, second = make_candidate(), make_candidate()
    registration = register_for_event(event.id, first).registration
    register_for_event(event.id, second)
    deliver_due_messages()
    old = badges.current_badge(event.id, first.id)
    cancel_registration(registration)
    db.session.commit()
    assert badges.current_badge(event.id, second.id) is not None  # promoted from the waiting list
    assert badges.current_badge(event.id, first.id) is None
    register_for_event(event.id, first)  # waiting again: nothing
    assert badges.current_badge(event.id, first.id) is None

    approval = make_event(requires_approval=True)
    pending = register_for_event(approval.id, first).registration
    assert badges.current_badge(approval.id, first.id) is None
    approve_registrations(approval.id, [pending.id], organizer)
    assert badges.current_badge(approval.id, first.id) is not None

    again = make_event()
    registration = register_for_event(again.id, second).registration
    cancel_registration(registration)
    register_for_event(again.id, second)  # the same row, confirmed again: not the fast path
    renewed = badges.current_badge(again.id, second.id)
    assert renewed is not None and renewed.id != old.id


def test_booth_approval_members_and_crew_issue_and_end_badges(ctx, make_event, make_organization, make_booth,
                                                              make_user, make_registration, make_candidate):
    event = make_event()
    organization = make_organization()
    booth = make_booth(event, organization, status=BoothStatus.PENDING)
    owner_id = organization.owner_id
    assert badges.current_badge(event.id, owner_id) is None
    approve_booth(event.id, booth.id)
    assert badges.current_badge(event.id, owner_id).role == BadgeRole.EMPLOYER

    colleague = make_user(Role.EMPLOYER, email="colleague@example.com")
    _invitation, token = invite_colleague(organization, db.session.get(User, owner_id), colleague.email)
    member = accept_invitation(token, colleague)
    make_registration(event, colleague)  # also registered as a candidate
    staff_badge = badges.current_badge(event.id, colleague.id)
    assert staff_badge.role == BadgeRole.EMPLOYER
    remove_member(organization, member)
    assert badges.current_badge(event.id, colleague.id).role == BadgeRole.CANDIDATE  # the place they still hold

    withdraw_booth(booth)
    assert badges.current_badge(event.id, owner_id) is None

    volunteer = make_candidate()
    crew_member = crew.add_to_crew(event.id, volunteer.email, BadgeRole.VOLUNTEER, None)
    assert badges.current_badge(event.id, volunteer.id).role == BadgeRole.VOLUNTEER
    crew.remove_from_crew(event.id, crew_member.id)
    assert badges.current_badge(event.id, volunteer.id) is None


def test_reading_a_badge_issues_nothing(ctx, make_event, make_candidate):
    event = make_event()
    person = make_candidate()
    db.session.add(Registration(event_id=event.id, user_id=person.id, status=RegistrationStatus.CONFIRMED))
    db.session.commit()  # written by hand: no badge yet
    assert badges.current_badge(event.id, person.id) is None
    assert badge_count(event.id) == 0
    assert badges.badge_of(event.id, person.id) is not None  # the writing twin issues it
    assert badge_count(event.id) == 1


def test_a_badge_given_in_the_same_instant_does_not_fail_the_fast_path(app, make_event, make_candidate,
                                                                       real_commits):
    """PostgreSQL: the registration's one statement checks for a badge in its snapshot, so a badge given by
    another transaction not yet committed is not seen; the badge's unique key makes the statement wait for
    that transaction, then skip its own badge (ON CONFLICT DO NOTHING) instead of failing with a 500.

    A new badge row cannot race it: inserting one locks the event's row (its foreign key) against the
    registration's lock. A badge given back does not: here the person's old, revoked crew badge is restored."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite runs one writer at a time and registers without the one-statement fast path")
        event, person = make_event(capacity=5), make_candidate()
        event_id, person_id = event.id, person.id
        db.session.execute(insert(Badge.__table__).values(
            event_id=event_id, holder_id=person_id, role=BadgeRole.VOLUNTEER.value, number=tokens.new_number(),
            code=tokens.new_secret(), issued_at=utcnow(), revoked_at=utcnow(), revoked_reason="left the crew"))
        db.session.commit()
        crew = db.engine.connect()
    outcome = {}

    def register():
        with app.app_context():
            try:
                outcome["status"] = register_for_event(event_id, db.session.get(User, person_id)).registration.status
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - the failure is what the test looks for
                outcome["error"] = error

    restoring = crew.begin()
    crew.execute(Badge.__table__.update().where(Badge.holder_id == person_id).values(revoked_at=None,
                                                                                      revoked_reason=""))
    registering = threading.Thread(target=register)
    registering.start()
    deadline = time.monotonic() + 20
    with app.app_context():  # until the registration waits for the restoring transaction
        while time.monotonic() < deadline and not db.session.scalar(text(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()")):
            db.session.rollback()
            time.sleep(0.02)
        db.session.rollback()
    restoring.commit()
    crew.close()
    registering.join(timeout=30)
    assert "error" not in outcome, outcome
    assert outcome["status"] == RegistrationStatus.CONFIRMED
    with app.app_context():
        held = db.session.scalars(select(Badge).where(Badge.event_id == event_id, Badge.holder_id == person_id,
                                                      Badge.revoked_at.is_(None))).all()
        assert [badge.role for badge in held] == [BadgeRole.VOLUNTEER]
