"""`flask backup create` and `flask backup restore`: the database, the uploaded files and the background jobs'
results in one archive."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from eventsapp.extensions import db
from eventsapp.jobs.files import forget_missing_results
from eventsapp.ops import backup

backup_group = AppGroup("backup", help="Back up and restore the database, the uploaded files and the jobs' results.")


def _folders() -> dict[str, Path]:
    return backup.upload_folders(current_app.config, current_app.instance_path)


@backup_group.command("create")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The archive to write (default: BACKUP_FOLDER or instance/backups, "
                   "talent-<UTC time>.tar.gz).")
@click.option("--keep", type=click.IntRange(min=0), default=None,
              help="Then delete all but the newest KEEP archives named talent-<UTC time>.tar.gz in that folder "
                   "(default: BACKUP_KEEP in the default folder, none with -o; 0 keeps every one).")
def create_command(output: Path | None, keep: int | None) -> None:
    """Write one archive with the database (pg_dump, or SQLite's backup API), every uploaded file and every
    background job's result file, readable by its owner only (0600, in a 0700 folder), then prune the oldest
    archives: BACKUP_KEEP in the default folder; where -o points, only when --keep is given."""
    if output is None:
        folder = Path(current_app.config.get("BACKUP_FOLDER") or Path(current_app.instance_path) / "backups")
        output = backup.private_folder(folder) / backup.archive_name(datetime.now(UTC))
        keep = current_app.config["BACKUP_KEEP"] if keep is None else keep
    elif keep is None:
        keep = 0
    db.session.remove()
    try:
        manifest = backup.create_backup(current_app.config["SQLALCHEMY_DATABASE_URI"], _folders(), output)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    rows = sum(manifest.tables.values())
    click.echo(f"Wrote {output}: {manifest.engine} database at revision {manifest.revision or '(none)'}, "
               f"{len(manifest.tables)} tables, {rows} rows, {len(manifest.files)} file(s).")
    if manifest.left_out:
        click.echo(f"{len(manifest.left_out)} file(s) deleted while the backup ran were left out: "
                   f"{', '.join(manifest.left_out)}.")
    pruned = backup.prune_backups(output.parent, keep)
    if pruned:
        click.echo(f"Deleted {len(pruned)} older archive(s), keeping the newest {keep}: "
                   f"{', '.join(path.name for path in pruned)}.")


@backup_group.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True,
              help="Overwrite a database that has tables and upload folders that hold files.")
def restore_command(archive: Path, replace: bool) -> None:
    """Restore ARCHIVE into the database of DATABASE_URL (new and empty, unless --replace) and the upload
    folders, then check every table's rows and every file against the archive; the jobs whose result file it
    did not hold are marked so (their pages say the file is no longer available)."""
    db.session.remove()
    db.engine.dispose()  # the restore brings its own connections; none of ours may hold the old tables
    try:
        report = backup.restore_backup(archive, current_app.config["SQLALCHEMY_DATABASE_URI"], _folders(), replace)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    rows = sum(report.tables.values())
    click.echo(f"Restored {archive} (made {report.manifest.created_at}): {len(report.tables)} tables, {rows} rows "
               f"and {report.files} file(s), all as archived.")
    gone = forget_missing_results()
    if gone:
        click.echo(f"{gone} background job(s) whose result file the archive did not hold now show it as no "
                   "longer available.")
    click.echo("If this code is newer than the backup, run `flask db upgrade` next.")
