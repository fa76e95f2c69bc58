"""Registration: places, the waiting list, approval, questions and the audit log.

Every change that touches an event's places first locks the event (a row lock on
PostgreSQL; SQLite transactions already hold the write lock), so concurrent requests
queue up: nobody is confirmed beyond capacity, nobody is registered twice, and each
waiting person is promoted once. Services flush; the caller commits, which also writes
the e-mails queued in the outbox.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, exists, func, insert, or_, select, tuple_
from sqlalchemy.orm import make_transient_to_detached, selectinload

from eventsapp import durability
from eventsapp.accounts.models import Role, User
from eventsapp.badges import tokens
from eventsapp.badges.services import issue_badges, void_badges_of_registration
from eventsapp.candidates.models import CandidateProfile
from eventsapp.candidates.services import find_profile, has_contact_details
from eventsapp.dbtypes import utcnow
from eventsapp.events.models import Event, EventStatus
from eventsapp.events.services import registration_state
from eventsapp.extensions import db
from eventsapp.matchmaking.interviews import cancel_interviews_of
from eventsapp.notifications import services as outbox
from eventsapp.registrations import emails, one_statement
from eventsapp.registrations.eligibility import EligibilityRules
from eventsapp.registrations.models import (
    ACTIVE_STATUSES,
    EventPlaceCount,
    QuestionKind,
    Registration,
    RegistrationAnswer,
    RegistrationLog,
    RegistrationQuestion,
    RegistrationStatus,
)
from eventsapp.textsearch import contains_pattern
from eventsapp.validation import ValidationFailed
from eventsapp.webhooks import emit as webhooks
from eventsapp.webhooks.events import REGISTRATION_CANCELLED, REGISTRATION_CREATED, REGISTRATION_PROMOTED

log = logging.getLogger(__name__)
MAX_ANSWER_LENGTH = 1000


class RegistrationRefused(Exception):
    """The person cannot register (or the change is not possible); ``reasons`` say why, for people."""

    def __init__(self, *reasons: str):
        self.reasons = list(reasons)
        super().__init__("; ".join(str(reason) for reason in reasons))


class RegistrationResult:
    """What registering did. ``status`` is the registration's status as it ended; ``registration`` is the
    row as a persistent object. After a registration made in one statement (PostgreSQL) that object is
    made when first read, so that it is not made under the event's lock (~0.15 ms there): read in the
    transaction that made it, it has the values inserted (no query); read later, it loads them again, as
    any object does after a commit; the session's own copy, when it has one, is returned untouched."""

    __slots__ = ("_registration", "_columns", "_made_in", "created", "waitlist_position", "status")

    def __init__(self, registration: Registration | None, created: bool, waitlist_position: int | None = None,
                 *, columns: dict | None = None):
        self._registration, self._columns = registration, columns
        self._made_in = db.session().get_transaction() if registration is None else None
        self.created = created  # False when the person was already registered (a second submit)
        self.waitlist_position = waitlist_position  # set when this call put the person on the waiting list
        self.status: RegistrationStatus = registration.status if registration is not None else columns["status"]

    @property
    def registration(self) -> Registration:
        if self._registration is None:
            key = db.session.identity_key(Registration, self._columns["id"])
            registration = db.session.identity_map.get(key)
            if registration is None:
                registration = _as_loaded(self._columns)
                if db.session().get_transaction() is not self._made_in:
                    db.session.expire(registration)  # committed or rolled back since: read it again
            self._registration = registration
        return self._registration


# --- Reading ------------------------------------------------------------------------------------

# The statements a registration runs, built once: building and hashing a statement for the SQL
# cache costs more CPU than running a short one (see benchmarks/registration_cpu.py).
_LOCK_EVENT = (select(Event).where(Event.id == bindparam("event_id")).with_for_update()
               .execution_options(populate_existing=True))
_REGISTRATION_OF = select(Registration).where(Registration.event_id == bindparam("event_id"),
                                              Registration.user_id == bindparam("user_id"))
_QUESTIONS_OF = (select(RegistrationQuestion).where(RegistrationQuestion.event_id == bindparam("event_id"))
                 .order_by(RegistrationQuestion.position, RegistrationQuestion.id))
# The registration form needs both: one row per question (one row with no question when there are none).
_EVENT_AND_QUESTIONS = (select(Event, RegistrationQuestion)
                        .outerjoin(RegistrationQuestion, RegistrationQuestion.event_id == Event.id)
                        .where(Event.slug == bindparam("slug"))
                        .order_by(RegistrationQuestion.position, RegistrationQuestion.id))
# Under the lock, for a new registration: the confirmed places and the people waiting (all ahead of a
# new row), read from the event's counts (one row, however large the event: see EventPlaceCount), and
# whether this person has a row already.
_PLACES = select(EventPlaceCount).where(EventPlaceCount.event_id == bindparam("event_id"))
_MINE = exists().where(Registration.event_id == bindparam("event_id"), Registration.user_id == bindparam("user_id"))
# The event and its counts locked and read in one statement (every event has its counts' row: a trigger
# inserts it with the event). PostgreSQL reads the rows it locked again once it has waited for their
# locks, so the counts are the ones the previous holder left, not those of the statement's snapshot;
# ``mine`` is from that snapshot (only locked rows are read again): a row another request committed
# while this one waited shows up as a conflict on the insert's (event, person) key instead.
# A Core statement run on the session's connection, its row standing for the event: the ORM's entity
# loading and execution path cost ~0.15-0.25 ms more, all of it under the lock.
_EVENTS, _COUNTS = Event.__table__, EventPlaceCount.__table__
_LOCK_EVENT_AND_PLACES = (select(_EVENTS, _COUNTS.c.confirmed, _COUNTS.c.waitlisted, _MINE.label("mine"))
                          .join(_COUNTS, _COUNTS.c.event_id == _EVENTS.c.id)
                          .where(_EVENTS.c.id == bindparam("event_id"))
                          .with_for_update(of=[_EVENTS, _COUNTS]))
# An event without its counts' row (removed by hand): the event locked alone, then the counts read by a
# statement of their own, after the lock is granted.
_PLACES_QUEUE_AND_MINE = select(
    func.coalesce(_PLACES.with_only_columns(EventPlaceCount.confirmed).scalar_subquery(), 0),
    func.coalesce(_PLACES.with_only_columns(EventPlaceCount.waitlisted).scalar_subquery(), 0),
    _MINE,
)
_CONFIRMED_COUNT = _PLACES.with_only_columns(EventPlaceCount.confirmed)


def lock_event(event_id: int) -> Event:
    event = db.session.scalar(_LOCK_EVENT, {"event_id": event_id})
    if event is None:
        raise LookupError(event_id)
    return event


def count_by_status(event_id: int) -> dict[RegistrationStatus, int]:
    rows = db.session.execute(select(Registration.status, func.count()).where(Registration.event_id == event_id)
                              .group_by(Registration.status))
    counts = {status: 0 for status in RegistrationStatus}
    counts.update(dict(rows.all()))
    return counts


def confirmed_count(event_id: int) -> int:
    return db.session.scalar(_CONFIRMED_COUNT, {"event_id": event_id}) or 0


def places_left(event: Event) -> int:
    return max(event.capacity - confirmed_count(event.id), 0)


def waitlist_position(registration: Registration) -> int | None:
    """1 for the first person waiting, or None when not on the waiting list."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == registration.event_id, Registration.status == RegistrationStatus.WAITLISTED,
        tuple_(Registration.queued_at, Registration.id) < tuple_(registration.queued_at, registration.id)))
    return ahead + 1


def find_registration(event_id: int, user_id: int) -> Registration | None:
    return db.session.scalar(_REGISTRATION_OF, {"event_id": event_id, "user_id": user_id})


def registrations_of(user_id: int) -> list[Registration]:
    query = (select(Registration).join(Registration.event).where(Registration.user_id == user_id)
             .order_by(Event.starts_at.desc()))
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class ListingFacts:
    """What an event's card in a list says: where registration stands, the places left, and the
    signed-in candidate's own registration (None when they have none, or it is cancelled or declined)."""

    registration_state: str  # events.services.registration_state
    places_left: int
    is_over: bool
    my_status: RegistrationStatus | None = None


def listing_facts(events: Iterable[Event], visitor: User | None = None,
                  now: datetime | None = None) -> dict[int, ListingFacts]:
    """Facts for a page of event cards, by event id: one query for the places of all of them and, for
    a candidate, one for their registrations, however many cards there are."""
    events = list(events)
    if not events:
        return {}
    now = now or utcnow()
    ids = [event.id for event in events]
    confirmed = dict(db.session.execute(
        select(EventPlaceCount.event_id, EventPlaceCount.confirmed).where(EventPlaceCount.event_id.in_(ids))
    ).tuples().all())
    mine = {} if visitor is None or visitor.role != Role.CANDIDATE else dict(db.session.execute(
        select(Registration.event_id, Registration.status).where(
            Registration.user_id == visitor.id, Registration.event_id.in_(ids),
            Registration.status.in_(ACTIVE_STATUSES))).tuples().all())
    return {event.id: ListingFacts(registration_state(event, now), max(event.capacity - confirmed.get(event.id, 0), 0),
                                   is_over=event.ends_at <= now, my_status=mine.get(event.id)) for event in events}


def questions_of(event_id: int) -> list[RegistrationQuestion]:
    return list(db.session.scalars(_QUESTIONS_OF, {"event_id": event_id}))


def event_and_questions(slug: str) -> tuple[Event | None, list[RegistrationQuestion]]:
    """The event with this slug and its registration questions in order, in one query."""
    rows = db.session.execute(_EVENT_AND_QUESTIONS, {"slug": slug}).all()
    if not rows:
        return None, []
    return rows[0][0], [question for _, question in rows if question is not None]


def _this_year(event: Event, now: datetime) -> int:
    return now.astimezone(ZoneInfo(event.timezone)).year


def why_cannot_register(event: Event, user: User | None, now: datetime | None = None) -> list[str]:
    """Everything that stops this person from registering now, as messages; empty when they can."""
    now = now or utcnow()
    if event.status == EventStatus.CANCELLED:
        return [_l("This event has been cancelled.")]
    if event.status != EventStatus.PUBLISHED:
        return [_l("This event is not open for registration.")]
    if now >= event.ends_at:
        return [_l("This event is over.")]
    if event.registration_opens_at is not None and now < event.registration_opens_at:
        return [_l("Registration has not opened yet.")]
    if now >= (event.registration_closes_at or event.ends_at):
        return [_l("Registration is closed.")]
    if user is None:
        return []
    if user.role != Role.CANDIDATE:
        return [_l("Only candidate accounts register for events.")]
    profile = find_profile(user)  # loaded with the account: usually no query
    problems = []
    if not has_contact_details(profile):
        problems.append(_l("Add your name and mobile number to your profile first."))
    problems.extend(EligibilityRules.of(event).problems(profile, _this_year(event, now)))
    return problems


# --- Changing -----------------------------------------------------------------------------------

_INSERT_LOG = insert(RegistrationLog.__table__)


def _log(registration: Registration, action: str, from_status: str, actor: User | None, reason: str = "") -> None:
    """Add a row to the log at once (the registration must have been flushed).

    A plain INSERT, not an ORM object: the unit of work costs more CPU than the statement itself."""
    db.session.execute(_INSERT_LOG, {
        "registration_id": registration.id, "event_id": registration.event_id,
        "actor_id": actor.id if actor else None, "action": action, "from_status": from_status,
        "to_status": registration.status.value, "reason": reason[:500]})
    log.info("registration %s %s: %s -> %s", registration.id, action, from_status, registration.status.value)


def _take_place_or_queue(event: Event, registration: Registration, now: datetime) -> None:
    if places_left(event) > 0:
        registration.status = RegistrationStatus.CONFIRMED
        registration.confirmed_at = now
    else:
        registration.status = RegistrationStatus.WAITLISTED


def _badge_if_confirmed(registration: Registration, now: datetime) -> None:
    """A confirmed place comes with a badge, issued with it (the registration must have been flushed)."""
    if registration.status == RegistrationStatus.CONFIRMED:
        issue_badges(registration.event_id, [registration.user_id], now)


def _tell_outcome(registration: Registration, later: bool = False) -> int | None:
    """Queue the e-mail for the registration's new status; returns the waiting-list position when waiting.

    ``later``: the outbox worker writes the e-mail (see eventsapp.registrations.emails)."""
    position = None
    if registration.status == RegistrationStatus.CONFIRMED:
        emails.tell_confirmed(registration, later=later)
    elif registration.status == RegistrationStatus.WAITLISTED:
        position = waitlist_position(registration)
        emails.tell_waitlisted(registration, position, later=later)
    elif registration.status == RegistrationStatus.PENDING:
        emails.tell_pending(registration, later=later)
    return position


def check_answers(questions: list[RegistrationQuestion], answers: Mapping[int, str | list[str]]) -> dict[int, str]:
    """Validate answers against the questions; return them as stored text, keyed by question id."""
    errors: list[tuple[str | None, str]] = []
    stored: dict[int, str] = {}
    for question in questions:
        field = f"question_{question.id}"
        raw = answers.get(question.id)
        values = [v.strip() for v in (raw if isinstance(raw, list) else [raw or ""]) if v and v.strip()]
        if not values:
            if question.required:
                errors.append((field, _l("Please answer this question.")))
            continue
        if question.kind == QuestionKind.SHORT_TEXT:
            if len(values[0]) > MAX_ANSWER_LENGTH:
                errors.append((field, _l("At most %(max)d characters.", max=MAX_ANSWER_LENGTH)))
                continue
        else:
            allowed = ["yes", "no"] if question.kind == QuestionKind.YES_NO else question.options
            if any(value not in allowed for value in values) or (
                    question.kind != QuestionKind.MULTIPLE_CHOICE and len(values) > 1):
                errors.append((field, _l("Choose from the options given.")))
                continue
        stored[question.id] = "\n".join(values)
    if errors:
        raise ValidationFailed(errors)
    return stored


def _check_existing(existing: Registration | None) -> bool:
    """True when the person is already registered (and then the transaction waits for the disk as it ends:
    another request may have committed the registration and still be waiting for it, ``eventsapp.durability``);
    refuses someone the organizer declined."""
    if existing is not None and existing.status in ACTIVE_STATUSES:
        durability.wait_at_transaction_end(db.session, existing.queued_at)
        return True
    if existing is not None and existing.status == RegistrationStatus.REJECTED:
        raise RegistrationRefused(_l("The organizer declined your registration for this event."))
    return False


_INSERT_REGISTRATION = insert(Registration.__table__).returning(Registration.__table__.c.id)
_INSERT_ANSWERS = insert(RegistrationAnswer.__table__)
_INSERT_REGISTRATION_UNLESS_THERE = one_statement.InsertSkippingConflicts(Registration.__table__).returning(
    Registration.__table__.c.id)


def _insert_registration(event_id: int, user: User, status: RegistrationStatus, now: datetime,
                         answers: Mapping[int, str], position: int | None,
                         webhook_endpoints: webhooks.Endpoints) -> Registration | None:
    """A new registration, its log row and the e-mail about it, returned as a persistent object; None
    (and nothing written) when the person's row turns out to be there already. On PostgreSQL,
    ``one_statement.REGISTER`` does this (and the badge) with the lock in one statement; this is for
    SQLite, and for PostgreSQL when that statement left the decision to Python.

    Plain INSERTs: the unit of work would cost more CPU than the statements, and this runs under
    the event's lock. The object gets every column, so reading it runs no query; its answers load
    when first read. The e-mail is written later by the outbox worker (rendering it here, ~2 ms,
    would hold the lock longer)."""
    values = _new_registration_columns(event_id, user.id, status, now)
    log_row = {"event_id": event_id, "actor_id": user.id, "action": "registered", "from_status": "",
               "to_status": status.value, "reason": "", "created_at": now}
    message = emails.message_written_later(user, one_statement.OUTCOME_MESSAGES[status], event_id,
                                           **({"position": position} if position else {}))
    on_postgresql = db.session.get_bind().dialect.name == "postgresql"
    # SQLite runs one writer at a time, so the row was looked for after the last commit (never a clash); on
    # PostgreSQL the (event, person) key skips a row committed while this request waited for the lock.
    values["id"] = db.session.connection().execute(
        _INSERT_REGISTRATION_UNLESS_THERE if on_postgresql else _INSERT_REGISTRATION, values).scalar()
    if values["id"] is None:
        return None
    db.session.execute(_INSERT_LOG, {"registration_id": values["id"], **log_row})
    if message is not None:
        db.session.execute(outbox.INSERT_MESSAGE, message)
    if answers:
        db.session.execute(_INSERT_ANSWERS, [{"registration_id": values["id"], "question_id": question_id,
                                              "value": value} for question_id, value in answers.items()])
    return _registration_inserted(values, webhook_endpoints)


def _new_registration_columns(event_id: int, user_id: int, status: RegistrationStatus, at: datetime) -> dict:
    """The columns of a registration made at ``at`` (all but its id)."""
    return {"event_id": event_id, "user_id": user_id, "status": status, "queued_at": at, "created_at": at,
            "updated_at": at, "confirmed_at": at if status == RegistrationStatus.CONFIRMED else None,
            "cancelled_at": None, "attended_at": None, "decision_reason": ""}


def _as_loaded(columns: dict) -> Registration:
    """The registration row with these columns, as a persistent object: as if just loaded, in the session
    without a second INSERT; every column set, so reading it runs no query (its answers load when read)."""
    registration = Registration(**columns)
    make_transient_to_detached(registration)
    db.session.add(registration)
    return registration


def _registration_inserted(values: dict, webhook_endpoints: webhooks.Endpoints) -> Registration:
    """The registration just inserted with these column values, as a persistent object, and the webhooks
    told of it."""
    log.info("registration %s registered: -> %s", values["id"], values["status"].value)
    registration = _as_loaded(values)
    if webhook_endpoints:
        webhooks.registration_changed(REGISTRATION_CREATED, registration, values["queued_at"],
                                      endpoints=webhook_endpoints)
    return registration


def _registered_in_one_statement(admission: Admission, answers: dict[int, str], now: datetime | None,
                                 webhook_endpoints: webhooks.Endpoints):
    """PostgreSQL: lock, decide and insert in one statement (``one_statement.REGISTER``). Returns the
    registration made, or what the statement returned when it left the decision to Python (the event then
    locked, unless it or its counts' row is missing)."""
    user = admission.user
    row = db.session.connection().execute(one_statement.REGISTER, one_statement.parameters(
        admission.event_id, user, admission.checked, now, answers, tokens.new_number(), tokens.new_secret())).first()
    if row is None or row.new_id is None:
        return row  # (a row: the decision it made, if any, for the tests)
    columns = {"id": row.new_id, **_new_registration_columns(admission.event_id, user.id, row.new_status, row.new_at)}
    if webhook_endpoints:  # rarely: they need the object now
        return RegistrationResult(_registration_inserted(columns, webhook_endpoints), created=True,
                                  waitlist_position=row.new_position)
    log.info("registration %s registered: -> %s", row.new_id, row.new_status.value)
    return RegistrationResult(None, created=True, waitlist_position=row.new_position, columns=columns)


@dataclass(frozen=True)
class Admission:
    """Leave to register: ``check_registration`` found no reason to refuse this person for the event.

    Registering with it (``register_admitted``) does not check the same things again before it takes
    the event's lock; inside the lock everything is checked again anyway."""

    event_id: int
    user: User
    questions: list[RegistrationQuestion]
    checked: one_statement.EventAsChecked  # what the checks saw of the event


@dataclass(frozen=True)
class RegistrationCheck:
    """What stops the person from registering now (``problems``), or their ``admission`` when nothing does."""

    problems: list[str]
    admission: Admission | None


def check_registration(event: Event, user: User, questions: list[RegistrationQuestion],
                       now: datetime | None = None) -> RegistrationCheck:
    """Whether this person may register now; ``questions`` are the event's, as their form asks them."""
    now = now or utcnow()
    problems = why_cannot_register(event, user, now)
    return RegistrationCheck(problems, None if problems else Admission(
        event.id, user, questions, one_statement.EventAsChecked.of(event, now)))


def register_for_event(event_id: int, user: User, answers: Mapping[int, str | list[str]] | None = None,
                       now: datetime | None = None, *,
                       questions: list[RegistrationQuestion] | None = None) -> RegistrationResult:
    """Register a candidate: confirmed while places last, then on the waiting list, or pending approval.

    Everything that needs no lock (eligibility, profile, answers) is checked first; ``questions`` may pass
    the event's questions when the caller has read them already. A second registration is reported, not
    refused (``created=False``).
    """
    event = db.session.get(Event, event_id)
    if event is None:
        raise LookupError(event_id)
    existing = find_registration(event_id, user.id)
    if _check_existing(existing):
        return RegistrationResult(existing, created=False)
    check = check_registration(event, user, questions if questions is not None else questions_of(event_id),
                               now or utcnow())
    if check.admission is None:
        raise RegistrationRefused(*check.problems)
    return register_admitted(check.admission, answers, now)


def register_admitted(admission: Admission, answers: Mapping[int, str | list[str]] | None = None,
                      now: datetime | None = None) -> RegistrationResult:
    """Register someone ``check_registration`` has just admitted (as ``register_for_event`` does).

    The event is locked only to re-check the event and the person's registration (a second submit is
    told apart there), decide the place and insert, so the lock is held as briefly as possible: on
    PostgreSQL one statement does all of it (``one_statement.REGISTER``) and leaves the decision to the
    Python below only when something the checks before the lock relied on has changed. The caller's COMMIT
    then releases the lock without waiting for the disk, and its ``commit()`` returns once the disk has the
    registration (``eventsapp.durability``).

    The counts are read with the lock, in the locking statement: PostgreSQL reads the locked rows (the event
    and its counts) again once it has the lock, so they are the counts the previous holder left. Only the
    person's own row can then be missed (another request's, committed during the wait): the insert skips
    it on the (event, person) key and the row found is reported instead. An event without its counts' row
    counts in a statement of its own after the lock (see ``_PLACES_QUEUE_AND_MINE``).
    """
    event_id, user = admission.event_id, admission.user
    stored_answers = check_answers(admission.questions, answers or {})
    # Before the lock: who hears of it (nearly always nobody; an endpoint, or a booth approved, while this
    # waits for the lock misses this one registration, as one made before the commit already did; one
    # deleted, or a booth withdrawn or rejected, meanwhile is skipped as the delivery is inserted), and a
    # COMMIT that lets the lock go before the disk has it; commit() returns only once it has
    # (eventsapp.durability).
    webhook_endpoints = webhooks.registration_endpoints(REGISTRATION_CREATED, event_id)
    durability.commit_releases_locks_first(db.session)

    if db.session.get_bind().dialect.name == "postgresql":
        # Nearly always all there is to it: locked, decided and inserted in one statement.
        made = _registered_in_one_statement(admission, stored_answers, now, webhook_endpoints)
        if isinstance(made, RegistrationResult):
            return made
        # Otherwise decided below, the event's lock held already (the statement below gets it at once, and
        # its snapshot, taken now, has any row of the person's committed while the first one waited).

    # With the lock: the event, its counts and whether this person has a row, in one statement.
    locked = db.session.connection().execute(_LOCK_EVENT_AND_PLACES, {"event_id": event_id, "user_id": user.id}).first()
    if locked is not None:
        # The row has the event's columns as attributes: what the checks below read of an Event.
        event, confirmed, waiting_ahead, mine = locked, locked.confirmed, locked.waitlisted, locked.mine
    else:
        event = lock_event(event_id)
        confirmed, waiting_ahead, mine = db.session.execute(
            _PLACES_QUEUE_AND_MINE, {"event_id": event.id, "user_id": user.id}).one()
    now = now or utcnow()  # read after the lock, so the queue order is the order places were given
    existing = _existing_registration(event_id, user.id) if mine else None
    if existing is not None and _check_existing(existing):
        return RegistrationResult(existing, created=False)
    problems = why_cannot_register(event, user, now)  # the profile is already loaded: no query
    if problems:
        raise RegistrationRefused(*problems)

    if existing is None:  # nearly always: a new row
        position = None
        if event.requires_approval:
            status = RegistrationStatus.PENDING
        elif event.capacity - confirmed > 0:
            status = RegistrationStatus.CONFIRMED
        else:
            status, position = RegistrationStatus.WAITLISTED, waiting_ahead + 1
        # Twice at most: the row that stopped the first insert may be gone when it is looked for (deleted
        # by hand); under the event's lock nothing of the app's can put it back before the second.
        for _ in range(2):
            registration = _insert_registration(event.id, user, status, now, stored_answers, position,
                                                webhook_endpoints)
            if registration is not None:
                return RegistrationResult(registration, created=True, waitlist_position=position)
            # The person's row was committed while this request waited for the lock (a second submit, or
            # an organizer's move): reported as found, or, if it has ended since, taken up again below.
            existing = _existing_registration(event_id, user.id)
            if existing is not None:
                break
        else:
            raise RuntimeError(f"registration of user {user.id} at event {event_id} clashed with a row twice gone")
        if _check_existing(existing):
            return RegistrationResult(existing, created=False)

    # Registering again after a cancellation: the same row, changed.
    registration, from_status = existing, existing.status.value
    if existing.answers:
        existing.answers.clear()  # the new answers replace them; delete first for the unique key
        db.session.flush()
    registration.queued_at, registration.cancelled_at, registration.decision_reason = now, None, ""
    if event.requires_approval:
        registration.status = RegistrationStatus.PENDING
    else:
        _take_place_or_queue(event, registration, now)
    registration.answers = [RegistrationAnswer(question_id=qid, value=value) for qid, value in stored_answers.items()]
    db.session.flush()
    _badge_if_confirmed(registration, now)
    _log(registration, "registered", from_status, user)
    webhooks.registration_changed(REGISTRATION_CREATED, registration, now, endpoints=webhook_endpoints)
    position = _tell_outcome(registration, later=True)  # written by the outbox worker, as above
    return RegistrationResult(registration, created=True, waitlist_position=position)


def _existing_registration(event_id: int, user_id: int) -> Registration | None:
    """The person's row, as it is now (read again if the session had it); None when there is none (any
    more: a row seen in an older snapshot may have been deleted since)."""
    return db.session.execute(_REGISTRATION_OF.execution_options(populate_existing=True),
                              {"event_id": event_id, "user_id": user_id}).scalar()


def promote_from_waitlist(event: Event, now: datetime | None = None, actor: User | None = None) -> list[Registration]:
    """Fill free places from the waiting list, first come first served. The event must be locked."""
    now = now or utcnow()
    free = places_left(event)
    if free <= 0:
        return []
    waiting = list(db.session.scalars(
        select(Registration).where(Registration.event_id == event.id,
                                   Registration.status == RegistrationStatus.WAITLISTED)
        .order_by(Registration.queued_at, Registration.id).limit(free)))
    for registration in waiting:
        registration.status = RegistrationStatus.CONFIRMED
        registration.confirmed_at = now
        _log(registration, "promoted", RegistrationStatus.WAITLISTED.value, actor)
        emails.tell_promoted(registration)
    db.session.flush()
    for registration in waiting:
        webhooks.registration_changed(REGISTRATION_PROMOTED, registration, now)
    if waiting:
        issue_badges(event.id, [registration.user_id for registration in waiting], now)
    return waiting


def release_registration(registration: Registration, now: datetime, name_hidden: bool = False) -> None:
    """Everything that hangs on a place at the event ends with the registration: its interviews in the
    published schedule (the booths are told), its badge and the check-in made with it, and "attended".
    Every way a registration ends (cancelled by the person or an organizer, moved, declined, the
    account deleted) comes through here."""
    registration.attended_at = None
    void_badges_of_registration(registration.id, now)
    cancel_interviews_of(registration.event_id, registration.user_id, now, name_hidden=name_hidden)


def cancel_registration(registration: Registration, actor: User | None = None, reason: str = "",
                        notify: bool = True, now: datetime | None = None,
                        name_hidden: bool = False) -> list[Registration]:
    """Cancel, release what hangs on the place, free it and promote from the waiting list; returns who
    was promoted. ``name_hidden``: the person is deleting their account, so booths are not told their name."""
    now = now or utcnow()
    event = lock_event(registration.event_id)
    db.session.refresh(registration)
    if registration.status not in ACTIVE_STATUSES:
        raise RegistrationRefused(_l("This registration is already cancelled."))
    from_status = registration.status
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    registration.decision_reason = reason[:500]
    release_registration(registration, now, name_hidden)
    db.session.flush()
    _log(registration, "cancelled", from_status.value, actor, reason)
    webhooks.registration_changed(REGISTRATION_CANCELLED, registration, now, name_hidden=name_hidden,
                                  previous_status=from_status)
    if notify:
        by_organizer = actor is not None and actor.id != registration.user_id
        emails.tell_cancelled(registration, reason, by_organizer)
    return promote_from_waitlist(event, now, actor) if from_status == RegistrationStatus.CONFIRMED else []


def cancel_own_registration(registration_id: int, user: User, now: datetime | None = None) -> Registration:
    """A candidate cancels their own registration (until the event starts)."""
    now = now or utcnow()
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.user_id != user.id:
        raise LookupError(registration_id)
    if now >= registration.event.starts_at:
        raise RegistrationRefused(_l("The event has started; registrations can no longer be cancelled."))
    cancel_registration(registration, actor=user, now=now)
    return registration


def approve_registrations(event_id: int, registration_ids: Iterable[int], actor: User,
                          now: datetime | None = None) -> list[Registration]:
    """Approve pending registrations in the order they came: confirmed while places last, then waiting.
    Each outcome is announced to the webhooks: registration.promoted for a place, registration.waitlisted
    for the waiting list."""
    now = now or utcnow()
    event = lock_event(event_id)
    pending = list(db.session.scalars(
        select(Registration).where(Registration.event_id == event.id, Registration.id.in_(list(registration_ids)),
                                   Registration.status == RegistrationStatus.PENDING)
        .order_by(Registration.queued_at, Registration.id)))
    for registration in pending:
        _take_place_or_queue(event, registration, now)
        db.session.flush()
        _badge_if_confirmed(registration, now)
        _log(registration, "approved", RegistrationStatus.PENDING.value, actor)
        if registration.status == RegistrationStatus.CONFIRMED:
            webhooks.registration_changed(REGISTRATION_PROMOTED, registration, now)
        else:
            webhooks.registration_waitlisted(registration, now)
        _tell_outcome(registration)
    return pending


def reject_registrations(event_id: int, registration_ids: Iterable[int], actor: User,
                         reason: str) -> list[Registration]:
    if not reason.strip():
        raise ValidationFailed([("reason", _l("Give a reason: it is sent to the people concerned."))])
    lock_event(event_id)
    pending = list(db.session.scalars(
        select(Registration).where(Registration.event_id == event_id, Registration.id.in_(list(registration_ids)),
                                   Registration.status == RegistrationStatus.PENDING)))
    now = utcnow()
    for registration in pending:
        registration.status = RegistrationStatus.REJECTED
        registration.decision_reason = reason.strip()[:500]
        release_registration(registration, now)  # a pending place holds nothing yet; this keeps it so
        db.session.flush()
        _log(registration, "rejected", RegistrationStatus.PENDING.value, actor, reason)
        webhooks.registration_rejected(registration, now)
        emails.tell_rejected(registration, reason.strip())
    return pending


def add_by_organizer(event_id: int, email: str, actor: User, reason: str,
                     now: datetime | None = None) -> Registration:
    """An organizer registers someone by hand: no window or eligibility check, but places still count."""
    now = now or utcnow()
    if not reason.strip():
        raise ValidationFailed([("reason", _l("Give a reason: it is kept in the log."))])
    event = lock_event(event_id)
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or user.erased_at is not None:
        raise ValidationFailed([("email", _l("No account has this e-mail address."))])
    registration = find_registration(event.id, user.id)
    if registration is not None and registration.status in ACTIVE_STATUSES:
        raise ValidationFailed([("email", _l("This person is already registered."))])
    from_status = registration.status.value if registration is not None else ""
    registration = registration or Registration(event_id=event.id, user_id=user.id, created_at=now)
    registration.queued_at, registration.cancelled_at = now, None
    registration.decision_reason = reason.strip()[:500]
    _take_place_or_queue(event, registration, now)
    db.session.add(registration)
    db.session.flush()
    _badge_if_confirmed(registration, now)
    _log(registration, "added", from_status, actor, reason)
    webhooks.registration_changed(REGISTRATION_CREATED, registration, now)
    _tell_outcome(registration)
    return registration


def move_registration(registration: Registration, target_event_id: int, actor: User, reason: str,
                      now: datetime | None = None) -> Registration:
    """Move someone to another event (e.g. a later session): a place there if one is free, else its waiting list."""
    now = now or utcnow()
    if not reason.strip():
        raise ValidationFailed([("reason", _l("Give a reason: it is kept in the log."))])
    if target_event_id == registration.event_id:
        raise ValidationFailed([("target_event_id", _l("Choose another event."))])
    target = db.session.get(Event, target_event_id)
    if target is None or target.status == EventStatus.CANCELLED:
        raise ValidationFailed([("target_event_id", _l("Choose an event that is not cancelled."))])
    user = registration.user
    # Lock in id order so two organizers moving people both ways cannot deadlock.
    for event_id in sorted((registration.event_id, target_event_id)):
        lock_event(event_id)
    existing = find_registration(target_event_id, user.id)
    if existing is not None and existing.status in ACTIVE_STATUSES:
        raise ValidationFailed([("target_event_id", _l("This person is already registered for that event."))])
    cancel_registration(registration, actor=actor, reason=reason, notify=False, now=now)
    moved = existing or Registration(event_id=target_event_id, user_id=user.id, created_at=now)
    moved.queued_at, moved.cancelled_at, moved.decision_reason = now, None, reason.strip()[:500]
    _take_place_or_queue(db.session.get(Event, target_event_id), moved, now)
    db.session.add(moved)
    db.session.flush()
    _badge_if_confirmed(moved, now)
    _log(moved, "moved_in", existing.status.value if existing else "", actor, reason)
    webhooks.registration_changed(REGISTRATION_CREATED, moved, now)
    _tell_outcome(moved)
    return moved


def mark_attended(registration: Registration, actor: User, now: datetime | None = None) -> None:
    if registration.status != RegistrationStatus.CONFIRMED:
        raise RegistrationRefused(_l("Only confirmed registrations can be marked as attended."))
    if registration.attended_at is None:
        registration.attended_at = now or utcnow()
        _log(registration, "attended", registration.status.value, actor)


def change_capacity(event_id: int, capacity: int, actor: User) -> list[Registration]:
    """Set an event's capacity; more places promote from the waiting list at once."""
    event = lock_event(event_id)
    confirmed = confirmed_count(event.id)
    if capacity < max(confirmed, 1):
        raise ValidationFailed([("capacity", _l("%(count)d people are already confirmed; the capacity cannot be "
                                                "lower.", count=confirmed))])
    event.capacity = capacity
    db.session.flush()
    return promote_from_waitlist(event, actor=actor)


def check_capacity(event_id: int, capacity: int) -> None:
    """For the event form: refuse a capacity below the people already confirmed."""
    confirmed = confirmed_count(event_id)
    if capacity < confirmed:
        raise ValidationFailed([("capacity", _l("%(count)d people are already confirmed; the capacity cannot be "
                                                "lower.", count=confirmed))])


# --- Organizers' lists ----------------------------------------------------------------------------

def registrants_query(event_id: int, status: RegistrationStatus | None = None, search: str = ""):
    """Registrations of an event with the person and profile loaded, in registration order."""
    query = (select(Registration).join(Registration.user)
             .outerjoin(CandidateProfile, CandidateProfile.user_id == Registration.user_id)
             .where(Registration.event_id == event_id)
             .options(selectinload(Registration.user), selectinload(Registration.profile),
                      selectinload(Registration.answers).selectinload(RegistrationAnswer.question))
             .order_by(Registration.queued_at, Registration.id))
    if status is not None:
        query = query.where(Registration.status == status)
    if search:
        pattern, phone = contains_pattern(search), contains_pattern(search.replace(" ", ""))
        query = query.where(or_(*(column.ilike(pattern, escape="\\") for column in (
            User.email, User.display_name, CandidateProfile.name, CandidateProfile.name_latin)),
            CandidateProfile.phone.ilike(phone, escape="\\")))
    return query


def waitlist_positions(event_id: int) -> dict[int, int]:
    """Registration id → place on the waiting list, for the whole list at once."""
    ids = db.session.scalars(select(Registration.id).where(
        Registration.event_id == event_id, Registration.status == RegistrationStatus.WAITLISTED)
        .order_by(Registration.queued_at, Registration.id))
    return {registration_id: position for position, registration_id in enumerate(ids, start=1)}


def history_of(event_id: int, limit: int = 50) -> list[RegistrationLog]:
    return list(db.session.scalars(select(RegistrationLog).where(RegistrationLog.event_id == event_id)
                                   .order_by(RegistrationLog.id.desc()).limit(limit)))
