"""PostgreSQL: a whole registration in one statement, so an event's lock is held for that statement and
the COMMIT only (issue 17: one event's registrations run one at a time, so the time the lock is held sets
how many an event takes per second).

The statement locks the event and its counts' row, decides the place from the counts (pending when the
organizer approves each registration, confirmed while places last, otherwise the waiting list), and inserts
the registration, its answers, its log row, the e-mail for the outbox worker to write and, for a confirmed
place, the badge, as data-modifying CTEs. It takes the time of the registration after the lock, so the
queue's order is the order the places were given.

It inserts nothing when anything the checks made before the lock relied on is not as they saw it: the
person has a row at the event already, the event is not published and open for registration at that
moment, or its eligibility rules (or time zone, or the year they were checked in) changed. The caller then
goes on as it did before this statement existed, with the lock held (``registrations.services.
register_admitted``). The statement returns no row when the event, or its counts' row, is missing; a row
with ``decided_at`` set and no ``new_id`` when the insert met the person's row on its key (committed while
the statement waited for the lock).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ARRAY,
    Boolean,
    Integer,
    String,
    Text,
    bindparam,
    case,
    exists,
    func,
    insert,
    literal_column,
    null,
    or_,
    select,
    true,
)
from sqlalchemy.dialects import postgresql

from eventsapp.badges.models import Badge, BadgeRole
from eventsapp.dbtypes import UTCDateTime
from eventsapp.events.models import Event, EventStatus
from eventsapp.notifications.models import OutboxMessage, OutboxStatus
from eventsapp.notifications.services import recipient_locale
from eventsapp.registrations import emails
from eventsapp.registrations.models import (
    EventPlaceCount,
    Registration,
    RegistrationAnswer,
    RegistrationLog,
    RegistrationStatus,
)

# The event's columns that the checks before the lock read, besides its status and dates (checked again
# in the statement against the time after the lock): who may register, and the year an age or graduation
# rule is counted in.
RULE_COLUMNS = ("eligible_degrees", "eligible_talent_classes", "max_age", "graduation_year_min",
                "graduation_year_max", "timezone")
OUTCOME_MESSAGES = {RegistrationStatus.CONFIRMED: emails.CONFIRMED, RegistrationStatus.WAITLISTED: emails.WAITLISTED,
                    RegistrationStatus.PENDING: emails.PENDING}


@dataclass(frozen=True)
class EventAsChecked:
    """What the checks before the lock saw of the event: its rules, and the end of the year (in the event's
    time zone) they were checked in."""

    rules: tuple
    year_ends_at: datetime

    @classmethod
    def of(cls, event: Event, now: datetime) -> EventAsChecked:
        zone = ZoneInfo(event.timezone)
        return cls(tuple(getattr(event, name) for name in RULE_COLUMNS),
                   datetime(now.astimezone(zone).year + 1, 1, 1, tzinfo=zone))


class _SkipOnConflict(postgresql.dml.OnConflictDoNothing):
    """A bare ON CONFLICT DO NOTHING: it has no target or condition, so its class is its whole cache key."""
    _traverse_internals = ()


class InsertSkippingConflicts(postgresql.Insert):
    """PostgreSQL's INSERT, always ending in a bare ON CONFLICT DO NOTHING (any unique key of the table: for a
    badge, its holder's active badge, its number and its code). SQLAlchemy gives the dialect's INSERT no cache
    key, as its ON CONFLICT clause may vary; here it never does, so the statement is compiled once rather than
    at every registration (~1 ms under the event's lock)."""
    inherit_cache = True

    def __init__(self, table):
        super().__init__(table)
        self._post_values_clause = _SkipOnConflict()


def _text(value: str):
    """A constant of ours (no quote in it) written into the SQL: no parameter to bind at every registration."""
    assert "'" not in value
    return literal_column(f"'{value}'", String)


def _statement():
    events, counts, registrations = Event.__table__, EventPlaceCount.__table__, Registration.__table__
    logs, messages, badges, answers = (RegistrationLog.__table__, OutboxMessage.__table__, Badge.__table__,
                                       RegistrationAnswer.__table__)
    event_id, user_id = bindparam("event_id", type_=Integer), bindparam("user_id", type_=Integer)

    # The event and its counts, locked. PostgreSQL reads the locked rows again once their locks are granted
    # (after waiting for another registration's COMMIT), so the counts are those the previous holder left;
    # ``mine`` is from the statement's snapshot: a row committed during the wait shows up as a conflict on
    # the registration's (event, person) key instead, and nothing is inserted.
    mine = exists().where(registrations.c.event_id == event_id, registrations.c.user_id == user_id)
    locked = (select(events, counts.c.confirmed, counts.c.waitlisted, mine.label("mine"))
              .join(counts, counts.c.event_id == events.c.id).where(events.c.id == event_id)
              .with_for_update(of=[events, counts]).cte("locked"))

    # The moment, taken once the lock is granted (a CTE of its own over the locked row: PostgreSQL evaluates a
    # volatile function in it once, after the row it reads is there), so the queue's order is the order the
    # places were given. ``now``, when given, stands for it (tests).
    timed = select(locked.c.id, func.coalesce(bindparam("now", type_=UTCDateTime), func.clock_timestamp(),
                                              type_=UTCDateTime).label("at")).cte("timed")
    at = timed.c.at
    places_left = locked.c.capacity - locked.c.confirmed > literal_column("0", Integer)
    status = case((locked.c.requires_approval, _text(RegistrationStatus.PENDING)),
                  (places_left, _text(RegistrationStatus.CONFIRMED)), else_=_text(RegistrationStatus.WAITLISTED))
    position = case((or_(locked.c.requires_approval, places_left), null()),
                    else_=locked.c.waitlisted + literal_column("1", Integer))
    rules_as_checked = [locked.c[name].is_not_distinct_from(bindparam("seen_" + name, type_=events.c[name].type))
                        for name in RULE_COLUMNS]
    decided = select(locked.c.id.label("event_id"), status.label("status"), position.label("position"),
                     at.label("at")).select_from(locked.join(timed, timed.c.id == locked.c.id)).where(
        ~locked.c.mine,
        locked.c.status == _text(EventStatus.PUBLISHED),
        at < locked.c.ends_at,
        or_(locked.c.registration_opens_at.is_(None), at >= locked.c.registration_opens_at),
        at < func.coalesce(locked.c.registration_closes_at, locked.c.ends_at),
        at < bindparam("year_ends_at", type_=UTCDateTime),
        *rules_as_checked,
    ).cte("decided")

    registration_values = {
        "event_id": decided.c.event_id, "user_id": user_id, "status": decided.c.status, "queued_at": decided.c.at,
        "created_at": decided.c.at, "updated_at": decided.c.at,
        "confirmed_at": case((decided.c.status == _text(RegistrationStatus.CONFIRMED), decided.c.at)),
        "cancelled_at": null(), "attended_at": null(), "decision_reason": _text(""),
    }
    # Nothing inserted when the person's row is there already (committed while this waited for the lock):
    # then nothing else is either.
    new = (InsertSkippingConflicts(registrations)
           .from_select(list(registration_values), select(*registration_values.values()))
           .returning(registrations.c.id, registrations.c.event_id, registrations.c.user_id,
                      registrations.c.status, registrations.c.queued_at)
           .cte("new_registration"))

    log_values = {"registration_id": new.c.id, "event_id": new.c.event_id, "actor_id": new.c.user_id,
                  "action": _text("registered"), "from_status": _text(""), "to_status": new.c.status,
                  "reason": _text(""), "created_at": new.c.queued_at}
    logged = insert(logs).from_select(list(log_values), select(*log_values.values())).cte("logged")

    # The e-mail, for the outbox worker to write (as emails.message_written_later): none for an erased account.
    kind = case(*[(new.c.status == _text(status), _text(message)) for status, message in OUTCOME_MESSAGES.items()])
    context = [_text("event_id"), new.c.event_id, _text("user_id"), new.c.user_id]
    message_values = {
        "kind": kind, "to_email": bindparam("to_email", type_=String), "locale": bindparam("locale", type_=String),
        "subject": _text(""), "body_text": _text(""), "body_html": _text(""), "status": _text(OutboxStatus.PENDING),
        "attempts": literal_column("0", Integer), "next_attempt_at": new.c.queued_at, "last_error": _text(""),
        "created_at": new.c.queued_at, "sent_at": null(), "message_id": null(),
        "render_context": case((new.c.status == _text(RegistrationStatus.WAITLISTED),
                                func.json_build_object(*context, _text("position"), decided.c.position)),
                               else_=func.json_build_object(*context)),
    }
    told = insert(messages).from_select(
        list(message_values),
        select(*message_values.values()).select_from(new.join(decided, true())).where(bindparam("tell", type_=Boolean)),
    ).cte("told")

    # The badge of a confirmed place, unless the person holds one at the event already (crew, booth staff)
    # or its random number is taken: the checks read the snapshot, and one issued meanwhile by another
    # transaction shows as a conflict on a unique key, which skips the badge. The outbox worker, writing the
    # confirmation, issues any badge still missing (eventsapp.registrations.emails).
    number, code = bindparam("badge_number", type_=String), bindparam("badge_code", type_=String)
    holds_a_badge = exists().where(badges.c.event_id == new.c.event_id, badges.c.holder_id == new.c.user_id,
                                   badges.c.revoked_at.is_(None))
    number_taken = exists().where(badges.c.event_id == new.c.event_id, badges.c.number == number)
    badge_values = {"registration_id": new.c.id, "event_id": new.c.event_id, "holder_id": new.c.user_id,
                    "role": _text(BadgeRole.CANDIDATE), "number": number, "code": code, "issued_at": new.c.queued_at,
                    "revoked_reason": _text("")}
    badged = InsertSkippingConflicts(badges).from_select(
        list(badge_values),
        select(*badge_values.values()).where(new.c.status == _text(RegistrationStatus.CONFIRMED),
                                             ~holds_a_badge, ~number_taken),
    ).cte("badged")

    given = (func.unnest(bindparam("answer_question_ids", type_=ARRAY(Integer)),
                         bindparam("answer_values", type_=ARRAY(Text)))
             .table_valued("question_id", "value").render_derived("given"))
    answered = insert(answers).from_select(
        ["registration_id", "question_id", "value"],
        select(new.c.id, given.c.question_id, given.c.value).select_from(new.join(given, true())),
    ).cte("answered")

    return (select(new.c.id.label("new_id"), new.c.status.label("new_status"), new.c.queued_at.label("new_at"),
                   decided.c.position.label("new_position"), decided.c.at.label("decided_at"))
            .select_from(locked.outerjoin(new, true()).outerjoin(decided, true()))
            .add_cte(logged, told, badged, answered))


REGISTER = _statement()


def parameters(event_id: int, user, checked: EventAsChecked, now: datetime | None, answers: dict[int, str],
               badge_number: str, badge_code: str) -> dict:
    """The values ``REGISTER`` runs with, for ``user`` (an account) at the event."""
    tell = user.erased_at is None
    return {"event_id": event_id, "user_id": user.id, "now": now, "year_ends_at": checked.year_ends_at,
            **{"seen_" + name: value for name, value in zip(RULE_COLUMNS, checked.rules, strict=True)},
            "tell": tell, "to_email": user.email if tell else "", "locale": recipient_locale(user.locale),
            "badge_number": badge_number, "badge_code": badge_code,
            "answer_question_ids": list(answers), "answer_values": list(answers.values())}
