"""Commits that release their locks before the disk has their WAL, and wait for it just after.

A transaction that holds a hot lock (one event's registrations: ``registrations.services``) would hold it
through the WAL flush of its COMMIT. ``commit_releases_locks_first`` makes that COMMIT asynchronous on
PostgreSQL (``SET LOCAL synchronous_commit TO OFF``: it returns, and the locks go, once the commit record
is in the WAL buffers), and marks the session so that ``Session.commit()`` itself then waits for the disk
before it returns (``_wait_for_disk``): no caller can tell anyone "done" before that, nor forget to wait.

The wait is a barrier: a tiny transaction that writes one WAL record (a transactional logical message,
which no decoder here reads) and commits synchronously, so PostgreSQL flushes the WAL up to its commit
record, hence up to ours, which came before it in the same stream. A transaction that only takes an xid
(``SELECT pg_current_xact_id()``) would not do: it writes no WAL before its commit record, and
PostgreSQL commits such a transaction asynchronously (xact.c, ``RecordTransactionCommit``: it flushes
only when ``wrote_xlog``). Barriers running at once share one flush (PostgreSQL's group commit).

Why this keeps registrations as durable as before: WAL is replayed as a prefix, so a crash before the
flush loses our commit only together with every later commit, including any that read ours (the next
registration that counted our place); and nobody was told of it, because ``commit()`` had not returned.
The outbox and webhook workers claim a row in a committed transaction before they send, and that commit
flushes the WAL up to ours too. Only other readers may see the registration, for the barrier's duration,
while a crash could still take it away. If the barrier fails, ``commit()`` raises: nobody is told "done",
though the registration may stand (a second submit finds it). A request that finds a registration
already there and answers "registered" (a second submit, an Idempotency-Key's replay) waits for the disk
too (``wait_at_transaction_end``, ``wait_for_disk_of``): the first request may still be in its barrier
(when it was written in the last 30 seconds: older commits are surely on disk, so a reload writes nothing).

The barrier commits with ``synchronous_commit`` on for its one statement (``set_config(..., true)``), even if
a role or database turns it off (with ``remote_apply`` etc. set by the server, a synchronous standby is not
waited for then: ``on`` waits for a standby's flush). It takes a connection from the engine's pool while the
session's own is back in it (size the pool for one extra per registering request at worst), and writes a
logical message (prefix ``eventsapp.durability``, empty) that a logical-decoding consumer (CDC) would see.

SQLite, and a session joined to a connection whose transaction someone else commits (the tests' rolled
back sessions), keep ordinary commits.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import Engine, text
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session, SessionTransaction, scoped_session

from eventsapp.dbtypes import utcnow

log = logging.getLogger(__name__)
_SURELY_ON_DISK = timedelta(seconds=30)

_ASYNC_COMMIT = text("SET LOCAL synchronous_commit TO OFF")
# set_config(..., true) is local to the statement's own transaction (autocommit): COMMIT reads it before it
# ends (xact.c: RecordTransactionCommit before AtEOXact_GUC), whatever the role's or database's setting.
_FLUSH_WAL = text("SELECT set_config('synchronous_commit', 'on', true), "
                  "pg_logical_emit_message(true, 'eventsapp.durability', '')")
_RELEASES_LOCKS_FIRST = "durability.releases_locks_first"  # session.info: (engine to wait on, transaction)
_DISK_WAIT_DUE = "durability.disk_wait_due"


def commit_releases_locks_first(session: Session) -> None:
    """Let this transaction's COMMIT release its locks before its WAL is on disk (PostgreSQL); the session's
    ``commit()`` then waits for the disk before returning. Call it before taking the locks."""
    marked = session.info.get(_RELEASES_LOCKS_FIRST)
    if marked is not None and marked[1].is_active:
        return  # set in this transaction, or in a savepoint still open: still in force
    # (A savepoint's rollback undoes its SET LOCAL; one released or rolled back is no longer active: set again.)
    bind = _postgresql_engine(session)
    if bind is None:
        return
    session.execute(_ASYNC_COMMIT)
    own = session() if isinstance(session, scoped_session) else session
    session.info[_RELEASES_LOCKS_FIRST] = (bind, own.get_nested_transaction() or own.get_transaction())


def wait_at_transaction_end(session: Session, written_at: datetime) -> None:
    """This session's transaction reports a registration it did not write (found there, perhaps committed
    by another request still in its barrier), written at ``written_at``: when the transaction ends,
    committed or rolled back, wait for the disk (one statement). Outside a transaction, wait now. Not for
    what was written long enough ago (``_SURELY_ON_DISK``)."""
    bind = _postgresql_engine(session)
    if bind is None or not _recent(written_at):
        return
    own = session() if isinstance(session, scoped_session) else session
    if own.in_transaction():
        session.info[_DISK_WAIT_DUE] = bind
    else:
        wait_for_disk(bind)


def wait_for_disk_of(session: Session, written_at: datetime) -> None:
    """Wait now for the disk, on PostgreSQL (see ``wait_at_transaction_end``), before replying."""
    bind = _postgresql_engine(session)
    if bind is not None and _recent(written_at):
        wait_for_disk(bind)


def _recent(written_at: datetime) -> bool:
    """Whether a commit made at ``written_at`` (the app's clock) may still be only in the WAL buffers. The
    WAL writer flushes an asynchronous commit within 3 × wal_writer_delay (200 ms by default); the margin
    covers slow disks and the web nodes' clocks differing, and spares an old registration's every reader
    (a reload of the form, a replayed key) a write."""
    return utcnow() - written_at < _SURELY_ON_DISK


def _postgresql_engine(session: Session) -> Engine | None:
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) and bind.dialect.name == "postgresql" else None


def wait_for_disk(engine: Engine) -> str:
    """Return once the WAL is on disk up to now (every commit that returned before the call); the LSN."""
    # One statement that is its own transaction: committed, hence flushed, as it ends (one round trip).
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        lsn = connection.execute(_FLUSH_WAL).one()[1]
    log.debug("WAL flushed past %s", lsn)
    return lsn


@sa_event.listens_for(Session, "after_commit")
def _commit_returned(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the transaction goes on
    marked = session.info.pop(_RELEASES_LOCKS_FIRST, None)
    if marked is not None:
        session.info[_DISK_WAIT_DUE] = marked[0]


@sa_event.listens_for(Session, "after_transaction_end")
def _wait_for_disk(session: Session, transaction: SessionTransaction) -> None:
    """After the session has given its connection back (the barrier may take the same one from the pool)."""
    if transaction.parent is not None:
        return
    session.info.pop(_RELEASES_LOCKS_FIRST, None)  # rolled back: nothing to wait for
    engine = session.info.pop(_DISK_WAIT_DUE, None)
    if engine is not None:
        wait_for_disk(engine)
