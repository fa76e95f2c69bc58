"""Writing to the audit log and reading it back, filtered, for the organizers' pages."""
from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from eventsapp.accounts.models import User
from eventsapp.audit.models import AuditEntry
from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db


def _plain(value: object) -> object:
    """A value as JSON keeps it: enums by value, times in ISO 8601."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def record(actor: User | None, action: str, obj: object, before: Mapping[str, object] | None = None,
           after: Mapping[str, object] | None = None, *, event_id: int | None = None, address: str = "",
           now: datetime | None = None) -> AuditEntry:
    """Add an entry for ``action`` done by ``actor`` to ``obj`` (any model with an ``id``; its event is
    its ``event_id`` unless given). Fields the same before and after are left out. Added to the
    session: it is written with the change it describes, in the caller's commit."""
    before, after = dict(before or {}), dict(after or {})
    for key in [key for key in before if key in after and before[key] == after[key]]:
        del before[key], after[key]
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None, action=action[:40],
        object_type=obj.__tablename__, object_id=obj.id,
        event_id=event_id if event_id is not None else getattr(obj, "event_id", None),
        before={key: _plain(value) for key, value in before.items()},
        after={key: _plain(value) for key, value in after.items()},
        address=(address or "")[:45], created_at=now or utcnow())
    db.session.add(entry)
    return entry


# What people call the objects of a type (a booth by its number, an organization by its name), by id: one
# query for all the ids asked. The feature that owns the type registers it (``name_objects``); an object
# without a name (deleted since) shows as its type and id.
ObjectNamer = Callable[[Collection[int]], Mapping[int, str]]
OBJECT_NAMERS: dict[str, ObjectNamer] = {}


def name_objects(object_type: str, namer: ObjectNamer) -> None:
    OBJECT_NAMERS[object_type] = namer


def object_names(entries: Iterable[AuditEntry]) -> dict[tuple[str, int], str]:
    """The names of the entries' objects, by (object type, id): one query per object type."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for entry in entries:
        wanted[entry.object_type].add(entry.object_id)
    names = {}
    for object_type, ids in wanted.items():
        namer = OBJECT_NAMERS.get(object_type)
        if namer is not None:
            names.update({(object_type, object_id): name for object_id, name in namer(ids).items()})
    return names


def activity_query(*, event_id: int | None = None, object_type: str | None = None, object_id: int | None = None,
                   action: str = "") -> Select:
    """Entries, newest first: of an event, of one object, or of a kind of object, with one action."""
    query = select(AuditEntry).options(selectinload(AuditEntry.actor))
    if event_id is not None:
        query = query.where(AuditEntry.event_id == event_id)
    if object_type:
        query = query.where(AuditEntry.object_type == object_type)
    if object_id is not None:
        query = query.where(AuditEntry.object_id == object_id)
    if action:
        query = query.where(AuditEntry.action == action)
    return query.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
