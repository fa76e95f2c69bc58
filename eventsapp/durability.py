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
though the registration may stand (a second submit finds it). The barrier commits with the connection's
own ``synchronous_commit`` (on, or what the server sets: with a synchronous standby it also waits for it).

SQLite, and a session joined to a connection whose transaction someone else commits (the tests' rolled
back sessions), keep ordinary commits.
"""
from __future__ import annotations

import logging

from sqlalchemy import Engine, text
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session, SessionTransaction

log = logging.getLogger(__name__)

_ASYNC_COMMIT = text("SET LOCAL synchronous_commit TO OFF")
_FLUSH_WAL = text("SELECT pg_logical_emit_message(true, 'eventsapp.durability', '')")
_RELEASES_LOCKS_FIRST = "durability.releases_locks_first"  # session.info: the engine to wait on
_DISK_WAIT_DUE = "durability.disk_wait_due"


def commit_releases_locks_first(session: Session) -> None:
    """Let this transaction's COMMIT release its locks before its WAL is on disk (PostgreSQL); the session's
    ``commit()`` then waits for the disk before returning. Call it before taking the locks."""
    if _RELEASES_LOCKS_FIRST in session.info:
        return
    bind = session.get_bind()
    if not isinstance(bind, Engine) or bind.dialect.name != "postgresql":
        return
    session.execute(_ASYNC_COMMIT)
    session.info[_RELEASES_LOCKS_FIRST] = bind


def wait_for_disk(engine: Engine) -> str:
    """Return once the WAL is on disk up to now (every commit that returned before the call); the LSN."""
    # One statement that is its own transaction: committed, hence flushed, as it ends (one round trip).
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        lsn = connection.scalar(_FLUSH_WAL)
    log.debug("WAL flushed past %s", lsn)
    return lsn


@sa_event.listens_for(Session, "after_commit")
def _commit_returned(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the transaction goes on
    engine = session.info.pop(_RELEASES_LOCKS_FIRST, None)
    if engine is not None:
        session.info[_DISK_WAIT_DUE] = engine


@sa_event.listens_for(Session, "after_transaction_end")
def _wait_for_disk(session: Session, transaction: SessionTransaction) -> None:
    """After the session has given its connection back (the barrier may take the same one from the pool)."""
    if transaction.parent is not None:
        return
    session.info.pop(_RELEASES_LOCKS_FIRST, None)  # rolled back: nothing to wait for
    engine = session.info.pop(_DISK_WAIT_DUE, None)
    if engine is not None:
        wait_for_disk(engine)
