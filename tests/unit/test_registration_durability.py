"""A registration's COMMIT lets the event's lock go before its WAL is on disk (PostgreSQL), and
``commit()`` returns only once it is there (eventsapp.durability): nobody hears "registered" of a
registration a crash could still lose. Under the lock, only what must be there: the event and its counts
locked and read in one statement (current after the wait), then the insert."""
import logging
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import Engine, delete, func, insert, select, text, update
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from eventsapp.accounts.models import User
from eventsapp.badges.models import Badge
from eventsapp.candidates.models import Degree
from eventsapp.dbtypes import utcnow
from eventsapp.events.models import Event, EventStatus
from eventsapp.extensions import db
from eventsapp.notifications.models import OutboxMessage
from eventsapp.registrations import services
from eventsapp.registrations.models import (
    EventPlaceCount,
    QuestionKind,
    Registration,
    RegistrationLog,
    RegistrationQuestion,
    RegistrationStatus,
)

BARRIER_LOG = "eventsapp.durability"


@pytest.fixture
def postgresql_only(app):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("asynchronous commit is PostgreSQL's")


@pytest.fixture
def barriers(caplog):
    """The barriers run, as their log lines."""
    caplog.set_level(logging.DEBUG, logger=BARRIER_LOG)
    return lambda: [record for record in caplog.records if record.name == BARRIER_LOG]


@pytest.fixture
def wal_written_at_commit(app):
    """The WAL insert position read as each COMMIT returns (before any wait for the disk): the commit
    record is at or before it."""
    positions = []

    def read_position(session) -> None:
        with db.engine.connect() as connection:
            positions.append(connection.scalar(text("SELECT pg_current_wal_insert_lsn()")))

    sa_event.listen(Session, "after_commit", read_position)
    yield positions
    sa_event.remove(Session, "after_commit", read_position)


def flushed_past(lsn: str) -> bool:
    with db.engine.connect() as connection:
        return connection.scalar(text("SELECT pg_current_wal_flush_lsn() >= CAST(:lsn AS pg_lsn)"), {"lsn": lsn})


def test_a_registration_commits_without_waiting_for_the_disk_but_commit_returns_after_it(
        app, real_commits, postgresql_only, make_event, make_candidate, barriers, wal_written_at_commit):
    event, people = make_event(capacity=5), [make_candidate() for _ in range(3)]
    with app.app_context():
        for number, person in enumerate(people, start=1):
            services.register_for_event(event.id, db.session.get(User, person.id))
            assert db.session.scalar(text("SHOW synchronous_commit")) == "off"
            db.session.commit()
            # The walwriter flushes asynchronous commits within wal_writer_delay (200 ms): without a
            # barrier that flushes, this finds the WAL not yet flushed nearly every time.
            assert flushed_past(wal_written_at_commit[-1])
            assert len(barriers()) == number
            assert db.session.scalar(text("SHOW synchronous_commit")) == "on"  # the next transaction: as before
            db.session.rollback()


def test_a_registration_rolled_back_waits_for_nothing_and_leaves_the_next_commit_synchronous(
        app, real_commits, postgresql_only, make_event, make_candidate, barriers):
    event, person = make_event(capacity=5), make_candidate()
    with app.app_context():
        services.register_for_event(event.id, db.session.get(User, person.id))
        db.session.rollback()
        db.session.execute(text("SELECT 1"))
        assert db.session.scalar(text("SHOW synchronous_commit")) == "on"
        db.session.commit()
    assert barriers() == []


def test_a_savepoint_released_is_not_the_commit_waited_for(app, real_commits, postgresql_only, make_event,
                                                           make_candidate, barriers, wal_written_at_commit):
    event, person = make_event(capacity=5), make_candidate()
    with app.app_context():
        with db.session.begin_nested():
            services.register_for_event(event.id, db.session.get(User, person.id))
        assert barriers() == []
        db.session.commit()
        assert len(barriers()) == 1 and flushed_past(wal_written_at_commit[-1])


def test_sqlite_and_sessions_inside_someone_elses_transaction_commit_as_before(ctx, make_event, make_candidate,
                                                                               barriers):
    """The tests' sessions join one outer transaction, which is never committed: nothing to wait for."""
    event, person = make_event(capacity=5), make_candidate()
    services.register_for_event(event.id, person)
    if db.session.get_bind().dialect.name == "postgresql":
        assert db.session.scalar(text("SHOW synchronous_commit")) == "on"
    db.session.commit()
    assert barriers() == []


def _statements_while(action) -> list[str]:
    statements = []

    def record(connection, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", record)
    return statements


def test_a_new_registration_is_one_statement_under_the_lock(ctx, postgresql_only, make_event, make_candidate):
    """One statement locks the event and its counts, decides and inserts everything (registration, log, e-mail,
    badge), and nothing else runs before the COMMIT; who hears of it by webhook is looked up before the
    event's lock is taken, not under it."""
    event, person = make_event(capacity=5), make_candidate()
    statements = _statements_while(lambda: services.register_for_event(event.id, person))
    locked = next(number for number, statement in enumerate(statements) if "FOR UPDATE" in statement)
    assert "event_place_count" in statements[locked]
    assert statements[locked + 1:] == [], statements[locked + 1:]
    for table in ("registration", "registration_log", "outbox_message", "badge", "registration_answer"):
        assert f"INSERT INTO {table} " in statements[locked]
    assert any("webhook_endpoint" in statement for statement in statements[:locked])
    db.session.commit()
    registration = services.find_registration(event.id, person.id)
    assert registration.status == RegistrationStatus.CONFIRMED
    badges = select(func.count()).select_from(Badge).where(Badge.registration_id == registration.id)
    assert db.session.scalar(badges) == 1


def _columns(registration: Registration) -> tuple:
    return (registration.id, registration.event_id, registration.user_id, registration.status,
            registration.queued_at, registration.confirmed_at, registration.cancelled_at)


def test_the_registration_made_in_one_statement_is_an_object_once_read(ctx, postgresql_only, make_event,
                                                                        make_candidate, monkeypatch):
    """The object is made after the lock, when first read: in the transaction that made it, from the values
    inserted (no query); after the commit, read again like any object; and the session's own copy, changes
    and all, when it has one."""
    event, first, second, third = make_event(capacity=5), make_candidate(), make_candidate(), make_candidate()
    outcomes = _one_statement_outcomes(monkeypatch)
    result = services.register_for_event(event.id, first)
    assert outcomes == [result] and (result.status, result.created) == (RegistrationStatus.CONFIRMED, True)
    seen = []
    assert _statements_while(lambda: seen.append(_columns(result.registration))) == []
    db.session.commit()
    assert seen == [_columns(services.find_registration(event.id, first.id))]

    later = services.register_for_event(event.id, second)
    db.session.commit()
    db.session.execute(update(Registration).where(Registration.user_id == second.id)
                       .values(decision_reason="changed since"))
    assert later.registration.decision_reason == "changed since"  # read again, not the values inserted

    last = services.register_for_event(event.id, third)
    db.session.commit()
    loaded = services.find_registration(event.id, third.id)
    loaded.status = RegistrationStatus.CANCELLED  # not flushed yet
    assert last.registration is loaded and loaded.status == RegistrationStatus.CANCELLED
    assert loaded in db.session.dirty


def _register_while_locked(app, event_id: int, person_id: int, hold,
                           released: list | None = None) -> tuple[dict, list[str]]:
    """A connection locks the event and does ``hold(connection)``; meanwhile ``person`` registers in a thread
    of its own, which waits for the lock; the holder commits once it does (the time just before, appended to
    ``released`` if given). Returns the registration's outcome (created, status) and the SQL the registering
    thread sent."""
    outcome, sent = {}, {}

    def record(connection, cursor, statement, parameters, context, executemany) -> None:
        sent.setdefault(threading.get_ident(), []).append(statement)

    def register() -> None:
        with app.app_context():
            result = services.register_for_event(event_id, db.session.get(User, person_id))
            outcome.update(created=result.created, status=result.registration.status)
            if released is not None:
                released.append(result.registration.queued_at)
            db.session.commit()
        outcome["thread"] = threading.get_ident()

    sa_event.listen(Engine, "before_cursor_execute", record)
    try:
        with app.app_context(), db.engine.connect() as holder:
            holder.execute(select(Event.id).where(Event.id == event_id).with_for_update())
            hold(holder)
            waiting = threading.Thread(target=register)
            waiting.start()
            deadline = time.monotonic() + 10
            while not _someone_waits_for_a_lock():
                assert time.monotonic() < deadline, "the registration never waited for the lock"
                time.sleep(0.01)
            if released is not None:
                released.append(utcnow())
            holder.commit()
        waiting.join(10)
    finally:
        sa_event.remove(Engine, "before_cursor_execute", record)
    return outcome, sent.get(outcome.pop("thread", None), [])


def _add_registration(user_id: int, status: RegistrationStatus, event_id: int):
    """What the holder does: a row for the person, inserted as another request would (not yet committed)."""
    def hold(holder) -> None:
        now = utcnow()
        holder.execute(insert(Registration.__table__).values(
            event_id=event_id, user_id=user_id, status=status, queued_at=now, created_at=now, updated_at=now,
            confirmed_at=now if status == RegistrationStatus.CONFIRMED else None,
            cancelled_at=now if status == RegistrationStatus.CANCELLED else None, decision_reason=""))
    return hold


def _one_statement_outcomes(monkeypatch) -> list:
    """What each run of the one statement returned (a RegistrationResult when it registered the person)."""
    outcomes = []
    one_statement = services._registered_in_one_statement

    def recorded(*args, **kwargs):
        outcomes.append(one_statement(*args, **kwargs))
        return outcomes[-1]

    monkeypatch.setattr(services, "_registered_in_one_statement", recorded)
    return outcomes


def _insert_met_the_key(outcomes: list, statements: list[str]) -> bool:
    """The one statement decided a place but its insert met the person's row on the (event, person) key, and
    nothing tried to insert the registration again after it."""
    [row] = outcomes
    return (row.decided_at is not None and row.new_id is None
            and not any("INSERT INTO registration " in statement for statement in _after_the_lock(statements)))


def test_the_places_are_counted_after_the_lock_is_granted_not_before(app, real_commits, postgresql_only, make_event,
                                                                     make_candidate):
    """Someone holds the event's lock and takes its last place; a registration waiting for the lock meanwhile
    must see that place taken once it gets the lock (the counts' row is locked with the event, so PostgreSQL
    reads it again after the wait: with the event's row alone locked, the counts would be the snapshot's)."""
    event, first, second = make_event(capacity=1), make_candidate(), make_candidate()
    outcome, _ = _register_while_locked(app, event.id, second.id,
                                        _add_registration(first.id, RegistrationStatus.CONFIRMED, event.id))
    assert outcome["status"] == RegistrationStatus.WAITLISTED


def test_a_second_submit_committed_while_waiting_for_the_lock_is_reported_not_inserted(
        app, real_commits, postgresql_only, make_event, make_candidate, monkeypatch):
    """The first submit holds the event's lock and has inserted the person's row; the second, waiting for the
    lock, read its snapshot before that row was committed. Once it has the lock it must report the row
    found: no second row, no second e-mail, no second log line (the (event, person) key skips the insert)."""
    event, person = make_event(capacity=5), make_candidate()
    outcomes = _one_statement_outcomes(monkeypatch)
    outcome, sent = _register_while_locked(app, event.id, person.id,
                                           _add_registration(person.id, RegistrationStatus.CONFIRMED, event.id))
    assert _insert_met_the_key(outcomes, sent)
    assert outcome == {"created": False, "status": RegistrationStatus.CONFIRMED}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Registration)) == 1
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
        assert db.session.scalar(select(func.count()).select_from(RegistrationLog)) == 0
        assert db.session.get(EventPlaceCount, event.id).confirmed == 1


def test_the_moment_of_a_registration_is_taken_once_the_lock_is_granted(app, real_commits, postgresql_only,
                                                                        make_event, make_candidate):
    """The queue's order is the order places were given: a registration that waited for the lock is
    dated after the holder let it go, not when its statement was sent."""
    event, person = make_event(capacity=5), make_candidate()
    moments = []
    outcome, _ = _register_while_locked(app, event.id, person.id, lambda holder: None, released=moments)
    assert outcome == {"created": True, "status": RegistrationStatus.CONFIRMED}
    released, queued = moments
    assert queued > released


def _admitted_then_changed(event, person, **changes) -> services.Admission:
    """Admitted by the checks, then the event changed (by an organizer, committed) before the lock."""
    admission = services.check_registration(event, person, []).admission
    assert admission is not None
    db.session.execute(update(Event).where(Event.id == event.id).values(**changes))
    return admission


def _after_the_lock(statements: list[str]) -> list[str]:
    locked = next(number for number, statement in enumerate(statements) if "FOR UPDATE" in statement)
    return statements[locked + 1:]


@pytest.mark.parametrize("changes, refusal", [
    ({"registration_closes_at": utcnow() - timedelta(minutes=1)}, "Registration is closed."),
    ({"status": EventStatus.CANCELLED}, "This event has been cancelled."),
    ({"eligible_degrees": "phd"}, "This event is for: "),
])
def test_an_event_changed_after_the_checks_is_decided_again_under_the_lock(ctx, postgresql_only, make_event,
                                                                           make_candidate, changes, refusal):
    """The one statement inserts nothing when the event no longer is what the checks saw (closed, cancelled,
    other rules); the checks run again under the lock and refuse, and nothing is left behind."""
    event, person = make_event(capacity=5), make_candidate(degree=Degree.MASTER)
    admission = _admitted_then_changed(event, person, **changes)
    with pytest.raises(services.RegistrationRefused) as refused:
        services.register_admitted(admission)
    assert any(str(reason).startswith(refusal) for reason in refused.value.reasons), refused.value.reasons
    for table in (Registration, RegistrationLog, OutboxMessage, Badge):
        assert db.session.scalar(select(func.count()).select_from(table)) == 0


def test_rules_changed_after_the_checks_still_admitting_the_person_register_them(ctx, postgresql_only, make_event,
                                                                                make_candidate):
    """New rules that still admit the person: decided under the lock in Python, registered as usual."""
    event, person = make_event(capacity=5), make_candidate(degree=Degree.MASTER)
    admission = _admitted_then_changed(event, person, eligible_degrees="master,phd")
    results = []
    statements = _statements_while(lambda: results.append(services.register_admitted(admission)))
    [result] = results
    assert (result.created, result.registration.status) == (True, RegistrationStatus.CONFIRMED)
    assert any(statement.startswith("INSERT INTO registration ") for statement in _after_the_lock(statements))
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
    assert db.session.get(EventPlaceCount, event.id, populate_existing=True).confirmed == 1


def test_the_waiting_list_position_and_answers_come_from_the_one_statement(ctx, postgresql_only, make_event,
                                                                           make_candidate, monkeypatch):
    event = make_event(capacity=1)
    outcomes = _one_statement_outcomes(monkeypatch)
    question = RegistrationQuestion(event_id=event.id, kind=QuestionKind.SHORT_TEXT, label_en="Field", required=True)
    db.session.add(question)
    db.session.commit()
    first, second = make_candidate(), make_candidate()
    services.register_for_event(event.id, first, {question.id: "AI"})
    result = services.register_for_event(event.id, second, {question.id: "Chips"})
    assert (result.created, result.registration.status, result.waitlist_position) == (
        True, RegistrationStatus.WAITLISTED, 1)
    assert all(isinstance(outcome, services.RegistrationResult) for outcome in outcomes) and len(outcomes) == 2
    db.session.commit()
    assert [answer.value for answer in services.find_registration(event.id, second.id).answers] == ["Chips"]
    told = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [message.render_context for message in told] == [
        {"event_id": event.id, "user_id": first.id}, {"event_id": event.id, "user_id": second.id, "position": 1}]
    assert [message.kind for message in told] == ["registration_confirmed", "registration_waitlisted"]
    assert db.session.scalar(select(func.count()).select_from(Badge)) == 1


def test_a_cancelled_row_committed_while_waiting_is_taken_up_again(app, real_commits, postgresql_only, make_event,
                                                                   make_candidate, monkeypatch):
    """The row that turns up on the insert's key has ended (cancelled meanwhile): the person registers again
    with it, as after any cancellation."""
    event, person = make_event(capacity=5), make_candidate()
    outcomes = _one_statement_outcomes(monkeypatch)
    outcome, sent = _register_while_locked(app, event.id, person.id,
                                           _add_registration(person.id, RegistrationStatus.CANCELLED, event.id))
    assert _insert_met_the_key(outcomes, sent)
    assert outcome == {"created": True, "status": RegistrationStatus.CONFIRMED}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Registration)) == 1
        assert db.session.get(EventPlaceCount, event.id).confirmed == 1


def test_a_row_deleted_while_waiting_for_the_lock_is_not_looked_for(app, real_commits, postgresql_only, make_event,
                                                                     make_candidate):
    """The person's cancelled row was there when the registration began and is deleted (by hand) while it
    waits for the lock: it registers anew instead of failing to find the row its snapshot promised."""
    event, person = make_event(capacity=5), make_candidate()
    with app.app_context():
        services.register_for_event(event.id, db.session.get(User, person.id))
        db.session.commit()
        services.cancel_registration(db.session.scalar(select(Registration)))
        db.session.commit()

    def delete_every_registration(holder) -> None:
        for table in (RegistrationLog, Badge, Registration):
            holder.execute(delete(table))

    outcome, _ = _register_while_locked(app, event.id, person.id, delete_every_registration)
    assert outcome == {"created": True, "status": RegistrationStatus.CONFIRMED}


def test_an_event_without_its_counts_row_counts_after_the_lock(ctx, make_event, make_candidate):
    """No counts row (as before the trigger, for an event nobody had registered for): registering locks the
    event alone and counts in a statement of its own; the registration's trigger makes the row again."""
    event = make_event(capacity=1)
    first, second = make_candidate(), make_candidate()
    db.session.execute(delete(EventPlaceCount).where(EventPlaceCount.event_id == event.id))
    assert services.register_for_event(event.id, first).registration.status == RegistrationStatus.CONFIRMED
    counts = db.session.get(EventPlaceCount, event.id, populate_existing=True)
    assert (counts.confirmed, counts.waitlisted) == (1, 0)
    result = services.register_for_event(event.id, second)
    assert (result.registration.status, result.waitlist_position) == (RegistrationStatus.WAITLISTED, 1)
    assert services.register_for_event(event.id, first).created is False


def _someone_waits_for_a_lock() -> bool:
    """Asked in a transaction of its own: a transaction keeps the pg_stat_activity it read first, so the
    holder's own would never see a waiter that started waiting after its first look."""
    with db.engine.connect() as watcher:
        return bool(watcher.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                        "AND wait_event_type = 'Lock'")))


def test_a_registration_found_already_there_is_reported_only_once_on_disk(
        app, real_commits, postgresql_only, make_event, make_candidate, barriers):
    """A second submit may find the first's registration while the first is still in its barrier: it
    waits for the disk too, as its transaction ends (rolled back here: it wrote nothing)."""
    event, person = make_event(capacity=5), make_candidate()
    with app.app_context():
        services.register_for_event(event.id, db.session.get(User, person.id))
        db.session.commit()
        assert len(barriers()) == 1
        result = services.register_for_event(event.id, db.session.get(User, person.id))
        assert not result.created
        db.session.rollback()
        assert len(barriers()) == 2


def test_a_registration_found_long_after_it_was_made_is_reported_without_a_barrier(
        app, real_commits, postgresql_only, make_event, make_candidate, barriers):
    """What was committed long ago is on disk: reading it again (a reload, a second submit days later)
    writes nothing."""
    event, person = make_event(capacity=5), make_candidate()
    with app.app_context():
        services.register_for_event(event.id, db.session.get(User, person.id))
        db.session.commit()
        db.session.execute(text("UPDATE registration SET queued_at = queued_at - INTERVAL '1 hour'"))
        db.session.commit()
        assert len(barriers()) == 1
        result = services.register_for_event(event.id, db.session.get(User, person.id))
        assert not result.created
        db.session.rollback()
        assert len(barriers()) == 1


def test_the_barrier_flushes_even_where_a_role_turns_synchronous_commit_off(app, postgresql_only):
    from sqlalchemy import create_engine

    from eventsapp import durability
    with app.app_context():
        engine = create_engine(db.engine.url, connect_args={"options": "-c synchronous_commit=off"})
    try:
        with engine.connect() as connection:
            assert connection.scalar(text("SHOW synchronous_commit")) == "off"
            for _ in range(5):  # the walwriter flushes within 200 ms: asynchronous, some would not be yet
                lsn = durability.wait_for_disk(engine)
                assert connection.scalar(text("SELECT pg_current_wal_flush_lsn() > CAST(:lsn AS pg_lsn)"),
                                         {"lsn": lsn})
                connection.rollback()
    finally:
        engine.dispose()


def test_a_savepoint_rolled_back_takes_its_asynchronous_commit_along_and_it_is_set_again(
        app, real_commits, postgresql_only):
    from eventsapp import durability
    with app.app_context():
        savepoint = db.session.begin_nested()
        durability.commit_releases_locks_first(db.session)
        assert db.session.scalar(text("SHOW synchronous_commit")) == "off"
        savepoint.rollback()
        assert db.session.scalar(text("SHOW synchronous_commit")) == "on"
        durability.commit_releases_locks_first(db.session)
        assert db.session.scalar(text("SHOW synchronous_commit")) == "off"
        db.session.rollback()
