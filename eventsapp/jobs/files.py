"""A job's result file (a badge print run, certificates, a year report: names of people, often) lives no
longer than its row, and the row no longer than JOB_FILES_KEEP_DAYS after the job finished:

- deleting a job's row deletes its file once the deletion is committed, and deleting an event deletes the
  files of its jobs (whose rows the database deletes with it, ON DELETE CASCADE) — ``before_flush`` below;
- retention deletes the jobs (rows and files) of an event whose personal data it erases
  (``delete_event_jobs``, called by eventsapp.retention);
- after `flask backup restore`, the jobs whose file the archive did not hold name none any more
  (``forget_missing_results``): their pages say the file is no longer available;
- the hourly ``job-files`` round (``remove_old_jobs``) deletes the finished jobs older than
  JOB_FILES_KEEP_DAYS with their files, and the files no row names any more (a row deleted in SQL, a crash
  between writing a file and committing its row), once they are an hour old.

JOB_FOLDER and the kinds' own folders (BADGE_FOLDER) hold job results only. The round deletes only names of
the shape storage.write_file gives (``<32 hex digits><suffix>``, and ``.<that>.part`` while written), and
nothing while a result folder is, holds or lies inside a folder of uploads (résumés share that shape; the app
refuses to start so, eventsapp.config.result_folder_problems).
"""
from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import current_app, has_app_context
from sqlalchemy import event as sa_event
from sqlalchemy import func, inspect, select, update
from sqlalchemy.orm import Session

from eventsapp import storage
from eventsapp.config import result_folder_problems
from eventsapp.events.models import Event
from eventsapp.extensions import db
from eventsapp.jobs.models import BackgroundJob, BackgroundJobStatus
from eventsapp.jobs.services import folder_of, folder_of_kind, job_folder, kinds

FINISHED = (BackgroundJobStatus.DONE, BackgroundJobStatus.FAILED)
BATCH = 200
# A file no row names is left this long: a try writes its file, then commits the row that names it.
ORPHAN_AGE = timedelta(hours=1)
# What storage.write_file names a result, and its file while it is written.
RESULT_NAME = re.compile(r"[0-9a-f]{32}(\.[A-Za-z0-9]+)?", re.ASCII)
PARTIAL_NAME = re.compile(r"\.[0-9a-f]{32}(\.[A-Za-z0-9]+)?\.part", re.ASCII)

log = logging.getLogger(__name__)


def result_file(job: BackgroundJob) -> Path | None:
    return folder_of(job) / job.storage_name if job.storage_name else None


@sa_event.listens_for(Session, "before_flush")
def _delete_files_with_their_rows(session: Session, flush_context, instances) -> None:
    """The files of the jobs deleted in this flush, and of the jobs of the events deleted in it, go when it is
    committed (storage.delete_after_commit; a rollback keeps them, as the rows stay)."""
    if not session.deleted or not has_app_context():
        return
    doomed = [job for job in session.deleted if isinstance(job, BackgroundJob)]
    event_ids = [item.id for item in session.deleted if isinstance(item, Event)]
    if event_ids:
        with session.no_autoflush:
            doomed += session.scalars(select(BackgroundJob).where(BackgroundJob.event_id.in_(event_ids),
                                                                  BackgroundJob.storage_name != ""))
    for job in doomed:
        path = result_file(job)
        if path is not None:
            storage.delete_after_commit(path, session)


def event_jobs(event_id: int) -> list[BackgroundJob]:
    return list(db.session.scalars(select(BackgroundJob).where(BackgroundJob.event_id == event_id)))


def delete_event_jobs(event_id: int, dry_run: bool = False) -> int:
    """Delete the event's jobs and (after the commit) their files; how many. Flushes; the caller commits. A
    try still running finds its row gone and writes nothing (its file is deleted again)."""
    doomed = event_jobs(event_id)
    if not dry_run:
        for job in doomed:
            db.session.delete(job)
        db.session.flush()
    return len(doomed)


def remove_old_jobs(now: datetime) -> str:
    """The hourly ``job-files`` round: the finished jobs older than JOB_FILES_KEEP_DAYS go with their files,
    then the files no row names. Commits every batch."""
    cutoff = now - timedelta(days=current_app.config["JOB_FILES_KEEP_DAYS"])
    finished_at = func.coalesce(BackgroundJob.finished_at, BackgroundJob.created_at)
    deleted = 0
    while True:
        old = db.session.scalars(select(BackgroundJob).where(BackgroundJob.status.in_(FINISHED), finished_at < cutoff)
                                 .order_by(BackgroundJob.id).limit(BATCH)).all()
        for job in old:
            db.session.delete(job)
        db.session.commit()
        deleted += len(old)
        if len(old) < BATCH:
            break
    orphans = remove_orphan_files(now)
    return f"{deleted} old job(s) and {orphans} stray file(s) deleted" if deleted or orphans else ""


def result_folders() -> list[Path]:
    """Where jobs keep their results: JOB_FOLDER and the folders of the kinds that have their own."""
    folders = [job_folder(), *(kind.folder() for kind in kinds(current_app).values() if kind.folder is not None)]
    return list(dict.fromkeys(folder.resolve() for folder in folders))


def _written_by_jobs(name: str) -> bool:
    return bool(RESULT_NAME.fullmatch(name) or PARTIAL_NAME.fullmatch(name))


def remove_orphan_files(now: datetime) -> int:
    """Delete the files of the result folders, named as jobs name them, that no job row names and that are
    older than ORPHAN_AGE. Deletes nothing while a result folder overlaps a folder of uploads."""
    problems = result_folder_problems(current_app.config, current_app.instance_path)
    if problems:
        log.error("job-files round: no stray file deleted: %s", "; ".join(problems))
        return 0
    removed = 0
    for folder in result_folders():
        if not folder.is_dir():
            continue
        old_enough = {path.name: path for path in folder.iterdir() if _written_by_jobs(path.name)
                      and path.is_file() and datetime.fromtimestamp(path.stat().st_mtime, UTC) < now - ORPHAN_AGE}
        names, named = list(old_enough), set()
        for start in range(0, len(names), 500):
            named.update(db.session.scalars(select(BackgroundJob.storage_name)
                                            .where(BackgroundJob.storage_name.in_(names[start:start + 500]))))
        db.session.rollback()
        for name, path in old_enough.items():
            if name not in named:
                path.unlink(missing_ok=True)
                removed += 1
    return removed


def forget_missing_results() -> int:
    """After a restore: the jobs whose result file is not in its folder (the archive did not hold it: made
    before backups took the jobs' results, or the job-files round deleted the file between the dump and the
    copy of the files) name no file any more; ``filename`` stays, so their pages say which file is no longer
    available. Reads and writes only columns every revision of the table has (the restored schema may be
    older than this code). Commits; returns how many."""
    if "background_job" not in inspect(db.engine).get_table_names():
        return 0
    named = db.session.execute(select(BackgroundJob.id, BackgroundJob.kind, BackgroundJob.storage_name)
                               .where(BackgroundJob.storage_name != "")).all()
    gone = [row.id for row in named if not (folder_of_kind(row.kind) / row.storage_name).is_file()]
    for start in range(0, len(gone), 500):
        db.session.execute(update(BackgroundJob).where(BackgroundJob.id.in_(gone[start:start + 500]))
                           .values(storage_name="").execution_options(synchronize_session=False))
    db.session.commit()
    return len(gone)
