"""Backups: the database, the uploaded files (résumés, pitch decks, logos) and the background jobs' results
(badge print runs, year reports, certificates: files people still download from the jobs' pages) in one
archive.

An archive is a gzipped tar file holding the database (``database.pgdump``: a ``pg_dump`` custom-format
dump; or ``database.sqlite3``: a copy made with SQLite's backup API, consistent while the app writes),
``uploads/<kind>/<file>`` and, last, ``manifest.json`` (when, which engine, the schema's migration revision,
the rows of every table and the SHA-256 of every file). On PostgreSQL the rows are counted in the very snapshot
``pg_dump`` dumps (``pg_export_snapshot``), so a restore can prove it brought back every row. The files are
read after the dump, each once (hashed as it goes into the archive; the manifest comes last): a file deleted
while the backup runs (the hourly job-files round, retention, a deleted job or upload) is left out and named
in the manifest's ``left_out``, and a job row whose file is missing is restored without it: `flask backup
restore` marks it so (eventsapp.jobs.files). A folder set twice (JOB_FOLDER = BADGE_FOLDER) is read once.

Format 2 archives hold the jobs' results (``uploads/jobs/``) and ``left_out``; this version reads formats 1
and 2, and a version that reads only 1 refuses a 2 by its number.

A restore goes into an empty database (or, with ``replace``, over one) and empty upload folders, then counts
the rows and checks every file against the manifest.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL, Connection, make_url

FORMAT = 2
READABLE_FORMATS = (1, 2)
MANIFEST = "manifest.json"
PG_DUMP_NAME = "database.pgdump"
SQLITE_NAME = "database.sqlite3"
# Each kind of file and its setting (its default folder: instance/uploads/<kind>): the uploads, then the jobs'
# results (JOB_FOLDER, and BADGE_FOLDER for the print runs).
UPLOAD_KINDS = {"resumes": "RESUME_FOLDER", "decks": "DECK_FOLDER", "logos": "LOGO_FOLDER", "badges": "BADGE_FOLDER",
                "jobs": "JOB_FOLDER"}


class BackupError(RuntimeError):
    """A backup or restore that cannot go on, with what to do about it."""


@dataclass
class Manifest:
    created_at: str
    engine: str
    revision: str
    tables: dict[str, int]
    files: dict[str, str] = field(default_factory=dict)  # "kind/name" -> sha256
    format: int = FORMAT
    left_out: list[str] = field(default_factory=list)  # "kind/name": listed, then deleted before it was read

    def to_json(self) -> bytes:
        return json.dumps(self.__dict__, indent=1, sort_keys=True).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        values = json.loads(data)
        if values.get("format") not in READABLE_FORMATS:
            raise BackupError(f"unknown archive format {values.get('format')!r} (this version reads "
                              f"{' and '.join(map(str, READABLE_FORMATS))}): made by a newer version?")
        return cls(**{key: values[key] for key in ("created_at", "engine", "revision", "tables", "files",
                                                     "format")}, left_out=values.get("left_out", []))


def upload_folders(config: dict, instance_path: str | Path) -> dict[str, Path]:
    """Where each kind of file lives: its setting (RESUME_FOLDER ... JOB_FOLDER), else instance/uploads/<kind>,
    as the features that store them decide."""
    return {kind: Path(config.get(setting) or Path(instance_path) / "uploads" / kind)
            for kind, setting in UPLOAD_KINDS.items()}


def _files(folders: dict[str, Path]) -> Iterator[tuple[str, Path]]:
    """Every file of the folders, once: a folder set for two kinds (JOB_FOLDER = BADGE_FOLDER) is read once,
    under the first of them by name (a restore over it, ``replace``, then deletes each old file once)."""
    seen = set()
    for kind, folder in sorted(folders.items()):
        resolved = folder.resolve()
        if resolved in seen or not folder.is_dir():
            continue
        seen.add(resolved)
        for path in sorted(folder.iterdir()):
            if path.is_file() and not path.name.startswith("."):  # ".name.part": a write in progress
                yield f"{kind}/{path.name}", path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _count_rows(connection: Connection) -> dict[str, int]:
    names = sorted(inspect(connection).get_table_names())
    preparer = connection.dialect.identifier_preparer
    return {name: connection.execute(text(f"SELECT count(*) FROM {preparer.quote(name)}")).scalar_one()
            for name in names}


def _revision(counts: dict[str, int], connection: Connection) -> str:
    if "alembic_version" not in counts:
        return ""
    return ",".join(sorted(connection.execute(text("SELECT version_num FROM alembic_version")).scalars()))


# --- PostgreSQL: pg_dump and pg_restore ---------------------------------------------------------------

def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI for the client programs, and their environment (the password stays out of the
    command line, where `ps` would show it)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _program(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not installed: install PostgreSQL's client programs "
                          "(Debian: apt-get install postgresql-client), of the server's major version or newer")
    return found


def _run(command: list[str], env: dict[str, str]) -> None:
    finished = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {finished.stderr.strip() or finished.returncode}")


def _dump_postgres(url: URL, target: Path) -> tuple[dict[str, int], str]:
    """pg_dump in the snapshot the rows are counted in: the counts are exactly the dump's."""
    engine = create_engine(url, isolation_level="REPEATABLE READ")
    try:
        with engine.connect() as connection:
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            counts = _count_rows(connection)
            revision = _revision(counts, connection)
            uri, env = _libpq(url)
            _run([_program("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                  f"--snapshot={snapshot}", f"--file={target}", f"--dbname={uri}"], env)
            connection.rollback()
    finally:
        engine.dispose()
    return counts, revision


def _restore_postgres(url: URL, dump: Path, replace: bool) -> None:
    uri, env = _libpq(url)
    command = [_program("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
               f"--dbname={uri}"]
    if replace:
        command += ["--clean", "--if-exists"]
    _run([*command, str(dump)], env)


# --- SQLite: the backup API ------------------------------------------------------------------------------

def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(url.database)


def _copy_sqlite(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy while others write; the target's content is replaced whole."""
    reading, writing = sqlite3.connect(source), sqlite3.connect(target)
    try:
        reading.backup(writing)
    finally:
        reading.close()
        writing.close()


def _sqlite_counts(path: Path) -> tuple[dict[str, int], str]:
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            counts = _count_rows(connection)
            return counts, _revision(counts, connection)
    finally:
        engine.dispose()


# --- Backup ---------------------------------------------------------------------------------------------

def private_folder(folder: Path) -> Path:
    """``folder``, made if missing, readable by its owner only (0700): archives hold every person's data."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)
    return folder


def create_backup(database_url: str, folders: dict[str, Path], output: Path) -> Manifest:
    """Write the archive to ``output`` (through a temporary file beside it: a failed backup leaves nothing),
    readable by its owner only (0600) whatever the umask; a missing folder is made 0700."""
    url = make_url(database_url)
    if not output.parent.is_dir():
        private_folder(output.parent)
    with tempfile.TemporaryDirectory(prefix="backup-") as scratch:
        scratch_path = Path(scratch)
        if url.get_backend_name() == "postgresql":
            database_file = scratch_path / PG_DUMP_NAME
            counts, revision = _dump_postgres(url, database_file)
        elif url.get_backend_name() == "sqlite":
            database_file = scratch_path / SQLITE_NAME
            _copy_sqlite(_sqlite_path(url), database_file)
            counts, revision = _sqlite_counts(database_file)
        else:
            raise BackupError(f"no backup for {url.get_backend_name()} databases")
        manifest = Manifest(created_at=datetime.now(UTC).isoformat(timespec="seconds"),
                            engine=url.get_backend_name(), revision=revision, tables=counts)
        partial = output.with_name(f".{output.name}.part")
        partial.unlink(missing_ok=True)
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        try:
            with tarfile.open(partial, "w:gz") as archive:
                archive.add(database_file, arcname=database_file.name)
                for name, path in _files(folders):
                    digest = _add_file(archive, path, f"uploads/{name}")
                    if digest is None:
                        manifest.left_out.append(name)
                    else:
                        manifest.files[name] = digest
                _add_bytes(archive, MANIFEST, manifest.to_json())
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        os.replace(partial, output)
    return manifest


class _Hashing:
    """A file being read into the archive, hashed on the way: each file is read once."""

    def __init__(self, handle):
        self.handle, self.digest = handle, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def _add_file(archive: tarfile.TarFile, path: Path, arcname: str) -> str | None:
    """Add the file as ``arcname``; its SHA-256, or None when it was deleted after it was listed (an open
    file stays readable whole, whatever happens to its name afterwards)."""
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return None
    with handle:
        info = archive.gettarinfo(arcname=arcname, fileobj=handle)
        hashing = _Hashing(handle)
        archive.addfile(info, hashing)
    return hashing.digest.hexdigest()


ARCHIVE_PREFIX, ARCHIVE_SUFFIX = "talent-", ".tar.gz"
# Exactly the names archive_name gives: "talent-before-upgrade.tar.gz" (made by hand) is never pruned, and
# would otherwise sort after every dated archive and push out a real one.
ARCHIVE_NAME = re.compile(rf"{re.escape(ARCHIVE_PREFIX)}\d{{8}}T\d{{6}}Z{re.escape(ARCHIVE_SUFFIX)}", re.ASCII)


def archive_name(moment: datetime) -> str:
    """The name `flask backup create` gives an archive: names sort as their times do."""
    return f"{ARCHIVE_PREFIX}{moment.astimezone(UTC):%Y%m%dT%H%M%SZ}{ARCHIVE_SUFFIX}"


def prune_backups(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` archives named by ``archive_name`` in ``folder`` (other files are
    left alone); ``keep`` 0 keeps every one. Returns the deleted paths, oldest first."""
    if keep <= 0 or not folder.is_dir():
        return []
    archives = sorted(path for path in folder.iterdir() if ARCHIVE_NAME.fullmatch(path.name) and path.is_file())
    old = archives[:-keep]
    for path in old:
        path.unlink(missing_ok=True)
    return old


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(datetime.now(UTC).timestamp()), 0o640
    archive.addfile(info, io.BytesIO(data))


# --- Restore --------------------------------------------------------------------------------------------

@dataclass
class RestoreReport:
    manifest: Manifest
    tables: dict[str, int]
    files: int


def read_manifest(archive_path: Path) -> Manifest:
    with _open_archive(archive_path) as archive:
        return _manifest(archive)


@contextmanager
def _open_archive(archive_path: Path) -> Iterator[tarfile.TarFile]:
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            yield archive
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"{archive_path} is not a readable backup archive: {error}") from None


def _manifest(archive: tarfile.TarFile) -> Manifest:
    try:
        member = archive.extractfile(MANIFEST)
    except KeyError:
        member = None
    if member is None:
        raise BackupError("the archive has no manifest.json: not made by `flask backup create`")
    try:
        return Manifest.from_json(member.read())
    except (ValueError, KeyError, TypeError) as error:
        raise BackupError(f"the archive's manifest.json cannot be read: {error}") from None


def _database_is_empty(url: URL) -> bool:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return not inspect(connection).get_table_names()
    finally:
        engine.dispose()


def restore_backup(archive_path: Path, database_url: str, folders: dict[str, Path], replace: bool = False
                   ) -> RestoreReport:
    """Bring back the archive's database and files, then check both against its manifest. Without
    ``replace`` the database must have no tables and the upload folders no files."""
    url = make_url(database_url)
    with _open_archive(archive_path) as archive, tempfile.TemporaryDirectory(prefix="restore-") as scratch:
        manifest = _manifest(archive)
        if manifest.engine != url.get_backend_name():
            raise BackupError(f"the archive holds a {manifest.engine} database; DATABASE_URL is "
                              f"{url.get_backend_name()} (restore into the same engine)")
        if not replace:
            _refuse_to_overwrite(url, folders)
        database_name = PG_DUMP_NAME if manifest.engine == "postgresql" else SQLITE_NAME
        database_file = Path(scratch) / database_name
        _extract(archive, database_name, database_file)
        if manifest.engine == "postgresql":
            _restore_postgres(url, database_file, replace)
        else:
            target = _sqlite_path(url)
            target.parent.mkdir(parents=True, exist_ok=True)
            _copy_sqlite(database_file, target)
        restored = _restore_files(archive, manifest, folders, replace)
    tables = _counted(url)
    _check(manifest, tables, folders)
    return RestoreReport(manifest=manifest, tables=tables, files=restored)


def _refuse_to_overwrite(url: URL, folders: dict[str, Path]) -> None:
    new_file = url.get_backend_name() == "sqlite" and not _sqlite_path(url).exists()
    if not new_file and not _database_is_empty(url):
        raise BackupError(f"the database {url.render_as_string()} already has tables: restore into a new, empty "
                          "database, or add --replace to overwrite this one")
    filled = [str(folder) for folder in folders.values() if folder.is_dir() and any(folder.iterdir())]
    if filled:
        raise BackupError(f"upload folders already hold files ({', '.join(filled)}): restore into empty folders, "
                          "or add --replace to replace their files")


def _extract(archive: tarfile.TarFile, name: str, target: Path) -> None:
    try:
        member = archive.extractfile(name)
    except KeyError:
        member = None
    if member is None:
        raise BackupError(f"the archive has no {name}")
    with target.open("wb") as handle:
        shutil.copyfileobj(member, handle)


def _restore_files(archive: tarfile.TarFile, manifest: Manifest, folders: dict[str, Path], replace: bool) -> int:
    if replace:
        for _name, path in _files(folders):
            path.unlink()
    restored = 0
    for name in manifest.files:
        kind, _, filename = name.partition("/")
        if kind not in folders or not filename or "/" in filename or filename.startswith("."):
            raise BackupError(f"the archive names an unexpected file: {name}")
        folder = folders[kind]
        folder.mkdir(parents=True, exist_ok=True)
        _extract(archive, f"uploads/{name}", folder / filename)
        restored += 1
    return restored


def _counted(url: URL) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return _count_rows(connection)
    finally:
        engine.dispose()


def _check(manifest: Manifest, tables: dict[str, int], folders: dict[str, Path]) -> None:
    differences = [f"{name}: {count} rows in the archive, {tables.get(name)} restored"
                   for name, count in manifest.tables.items() if tables.get(name) != count]
    for name, digest in manifest.files.items():
        kind, _, filename = name.partition("/")
        path = folders[kind] / filename
        if not path.is_file() or _sha256(path) != digest:
            differences.append(f"{name}: not restored as archived")
    if differences:
        raise BackupError("the restore does not match the archive:\n" + "\n".join(differences))
