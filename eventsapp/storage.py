"""Uploaded files kept in step with the database rows that name them.

A new file is written under a random name at once and removed again if the transaction rolls
back (nothing names it then); an old file is only deleted once the change that dropped it is
committed (until then a row still names it).
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

_WRITTEN = "storage.files_written"
_TO_DELETE = "storage.files_to_delete"


def write_file(folder: Path, data: bytes, suffix: str, session: Session) -> str:
    """Store the bytes in ``folder`` under a new random name ending in ``suffix``; return the name."""
    folder.mkdir(parents=True, exist_ok=True)
    storage_name = f"{secrets.token_hex(16)}{suffix}"
    path = folder / storage_name
    partial = folder / f".{storage_name}.part"
    with open(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640), "wb") as handle:
        handle.write(data)
    os.replace(partial, path)
    session.info.setdefault(_WRITTEN, []).append(path)
    return storage_name


def delete_after_commit(path: Path, session: Session) -> None:
    session.info.setdefault(_TO_DELETE, []).append(path)


@sa_event.listens_for(Session, "after_commit")
def _apply_file_changes(session: Session) -> None:
    session.info.pop(_WRITTEN, None)  # now named by committed rows: keep them
    for path in session.info.pop(_TO_DELETE, ()):
        path.unlink(missing_ok=True)


@sa_event.listens_for(Session, "after_transaction_end")
def _undo_file_changes(session: Session, transaction) -> None:
    if transaction.parent is not None:  # a savepoint: the outer transaction decides
        return
    session.info.pop(_TO_DELETE, None)  # the rows still name these files
    for path in session.info.pop(_WRITTEN, ()):  # not committed: nothing names them
        path.unlink(missing_ok=True)
