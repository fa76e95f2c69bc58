"""`flask backup create` and `flask backup restore`: the database, the uploaded files and the background jobs'
results, restored into a fresh database (PostgreSQL in the PostgreSQL run, SQLite otherwise) and compared row by
row and file by file; a job whose file the archive lacks is shown as no longer available."""
from __future__ import annotations

import hashlib
import json
import os
import stat
import tarfile
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from eventsapp.accounts.models import Role
from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.jobs.models import BackgroundJob, BackgroundJobStatus
from eventsapp.ops import backup
from tests.apps import make_app
from tests.factories import PASSWORD
from tests.local_services import new_postgres_database

FOLDER_SETTINGS = {"RESUME_FOLDER": "resumes", "DECK_FOLDER": "decks", "LOGO_FOLDER": "logos",
                   "BADGE_FOLDER": "badges", "JOB_FOLDER": "jobs"}
REPORT_FILE = "0123456789abcdef0123456789abcdef.pdf"  # a name as storage.write_file gives it


def _folders_config(root: Path) -> dict[str, str]:
    return {setting: str(root / kind) for setting, kind in FOLDER_SETTINGS.items()}


def _all_rows(url: str) -> dict[str, list[tuple]]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            preparer = connection.dialect.identifier_preparer
            return {name: sorted((tuple(row) for row in connection.execute(
                        text(f"SELECT * FROM {preparer.quote(name)}"))), key=repr)
                    for name in sorted(inspect(connection).get_table_names())}
    finally:
        engine.dispose()


@pytest.fixture
def fresh_database(app, tmp_path):
    """An empty database of the suite's engine for the restore: a new PostgreSQL database beside the suite's,
    or a new SQLite file."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        yield str(url.set(database=str(tmp_path / "restored.db")))
        return
    with new_postgres_database(url, "restore") as restored:
        yield restored


@pytest.fixture
def filled(app, real_commits, make_fair, make_registration, make_candidate, tmp_path, monkeypatch):
    """A fair with registrations (Chinese names included), a finished year report whose PDF is in JOB_FOLDER,
    and files in every upload folder."""
    for setting, value in _folders_config(tmp_path / "source").items():
        monkeypatch.setitem(app.config, setting, value)
    with app.app_context():
        fair = make_fair(starts_at=utcnow().replace(microsecond=0) + timedelta(days=10))
        for number in range(3):
            make_registration(fair, make_candidate(email=f"c{number}@example.cn", name=f"张伟{number}"))
        db.session.add(_done_report(REPORT_FILE))
        db.session.commit()
    files = {"resumes/a.pdf": b"%PDF-1.4 resume", "decks/b.pdf": b"%PDF-1.4 deck" * 1000,
             "logos/c.png": bytes(range(256)), "badges/d.pdf": b"%PDF badges", f"jobs/{REPORT_FILE}": b"%PDF report"}
    for name, data in files.items():
        path = tmp_path / "source" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (tmp_path / "source" / "resumes" / ".e.pdf.part").write_bytes(b"half written")  # skipped
    return files


def _done_report(storage_name: str, requested_by_id: int | None = None) -> BackgroundJob:
    return BackgroundJob(kind="year-report", params='{"year": 2026, "lang": "en"}', status=BackgroundJobStatus.DONE,
                         storage_name=storage_name, filename="year-report-2026-en.pdf", mimetype="application/pdf",
                         requested_by_id=requested_by_id, finished_at=utcnow())


def test_backup_and_restore_into_a_fresh_database(app, runner, filled, fresh_database, tmp_path):
    archive = tmp_path / "out" / "talent.tar.gz"
    result = runner.invoke(args=["backup", "create", "-o", str(archive)])
    assert result.exit_code == 0, result.output
    assert "5 file(s)" in result.output and archive.exists()
    with tarfile.open(archive) as opened:
        names = set(opened.getnames())
    assert {"manifest.json", "uploads/resumes/a.pdf", "uploads/logos/c.png", f"uploads/jobs/{REPORT_FILE}"} <= names
    assert not any(".part" in name for name in names)
    manifest = backup.read_manifest(archive)
    assert manifest.tables["registration"] == 3 and manifest.revision

    restored_app = make_app(SQLALCHEMY_DATABASE_URI=fresh_database, **_folders_config(tmp_path / "restored"))
    result = restored_app.test_cli_runner().invoke(args=["backup", "restore", str(archive)])
    assert result.exit_code == 0, result.output
    assert "all as archived" in result.output and "no longer available" not in result.output

    assert _all_rows(fresh_database) == _all_rows(app.config["SQLALCHEMY_DATABASE_URI"])
    for name, data in filled.items():
        assert (tmp_path / "restored" / name).read_bytes() == data
    assert not (tmp_path / "restored" / "resumes" / ".e.pdf.part").exists()
    with restored_app.app_context():  # the restored database serves
        response = restored_app.test_client().get("/healthz/ready")
        assert response.status_code == 200, response.json

    again = restored_app.test_cli_runner().invoke(args=["backup", "restore", str(archive)])
    assert again.exit_code != 0 and "already has tables" in again.output and "--replace" in again.output
    (tmp_path / "restored" / "logos" / "c.png").write_bytes(b"changed since")
    (tmp_path / "restored" / "logos" / "stray.png").write_bytes(b"not in the backup")
    replaced = restored_app.test_cli_runner().invoke(args=["backup", "restore", "--replace", str(archive)])
    assert replaced.exit_code == 0, replaced.output
    assert (tmp_path / "restored" / "logos" / "c.png").read_bytes() == filled["logos/c.png"]
    assert not (tmp_path / "restored" / "logos" / "stray.png").exists()
    assert _all_rows(fresh_database) == _all_rows(app.config["SQLALCHEMY_DATABASE_URI"])
    with restored_app.app_context():
        db.engine.dispose()


def test_a_job_whose_file_the_archive_lacks_is_shown_as_no_longer_available(app, runner, filled, fresh_database,
                                                                            make_user, tmp_path):
    """An archive without a job's file (made before backups took the jobs' results, or the job-files round
    deleted it between the dump and the copy of the files): the restored job names no file, and its pages say
    the file is no longer available instead of offering a link that fails."""
    with app.app_context():
        admin = make_user(Role.ADMIN, email="admin@example.org")
        lost = _done_report("fedcba9876543210fedcba9876543210.pdf", requested_by_id=admin.id)  # no such file
        db.session.add(lost)
        db.session.commit()
        lost_id, kept_id = lost.id, db.session.scalar(db.select(BackgroundJob.id).where(
            BackgroundJob.storage_name == REPORT_FILE))
    archive = tmp_path / "talent.tar.gz"
    assert runner.invoke(args=["backup", "create", "-o", str(archive)]).exit_code == 0

    restored_app = make_app(SQLALCHEMY_DATABASE_URI=fresh_database, WTF_CSRF_ENABLED=False,
                            **_folders_config(tmp_path / "restored"))
    result = restored_app.test_cli_runner().invoke(args=["backup", "restore", str(archive)])
    assert result.exit_code == 0, result.output
    assert "1 background job(s) whose result file the archive did not hold" in result.output
    with restored_app.app_context():
        lost, kept = db.session.get(BackgroundJob, lost_id), db.session.get(BackgroundJob, kept_id)
        assert (lost.storage_name, lost.filename) == ("", "year-report-2026-en.pdf")
        assert kept.storage_name == REPORT_FILE
        db.session.remove()
    client = restored_app.test_client()
    assert client.post("/login", data={"email": "admin@example.org", "password": PASSWORD}).status_code == 302
    page = client.get(f"/manage/jobs/{lost_id}", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "The file year-report-2026-en.pdf is no longer available." in text and "job-download" not in text
    assert client.get(f"/manage/jobs/{lost_id}.json").json["download_url"] is None
    download = client.get(f"/manage/jobs/{lost_id}/download", headers={"Accept-Language": "en"},
                          follow_redirects=True)
    assert download.status_code == 200 and "no longer available" in download.get_data(as_text=True)
    kept_download = client.get(f"/manage/jobs/{kept_id}/download")
    assert kept_download.status_code == 200 and kept_download.data == b"%PDF report"
    with restored_app.app_context():
        db.engine.dispose()


def test_a_file_deleted_while_the_backup_runs_is_left_out_and_its_job_marked(app, runner, filled, fresh_database,
                                                                             tmp_path, monkeypatch):
    """The job-files round (or retention, or a deleted job) removes a file after the backup listed it and
    before it read it: the archive is still whole, without that file, and the restore marks its job."""
    listed = backup._files

    def listed_then_deleted(folders):
        files = list(listed(folders))
        (tmp_path / "source" / "jobs" / REPORT_FILE).unlink()
        yield from files

    monkeypatch.setattr(backup, "_files", listed_then_deleted)
    archive = tmp_path / "talent.tar.gz"
    result = runner.invoke(args=["backup", "create", "-o", str(archive)])
    assert result.exit_code == 0, result.output
    assert f"1 file(s) deleted while the backup ran were left out: jobs/{REPORT_FILE}." in result.output
    manifest = backup.read_manifest(archive)
    assert manifest.left_out == [f"jobs/{REPORT_FILE}"] and f"jobs/{REPORT_FILE}" not in manifest.files
    assert set(manifest.files) == set(filled) - {f"jobs/{REPORT_FILE}"}
    with tarfile.open(archive) as opened:
        assert f"uploads/jobs/{REPORT_FILE}" not in opened.getnames()

    restored_app = make_app(SQLALCHEMY_DATABASE_URI=fresh_database, **_folders_config(tmp_path / "restored"))
    result = restored_app.test_cli_runner().invoke(args=["backup", "restore", str(archive)])
    assert result.exit_code == 0, result.output
    assert "all as archived" in result.output and "1 background job(s)" in result.output
    with restored_app.app_context():
        assert db.session.scalar(db.select(BackgroundJob.storage_name)) == ""
        db.engine.dispose()


def test_every_file_is_read_once_and_its_hash_is_of_what_was_archived(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'source.db'}"
    create_engine(url).connect().close()
    folders = backup.upload_folders({}, tmp_path / "instance")
    folders["decks"].mkdir(parents=True)
    (folders["decks"] / "deck.pdf").write_bytes(b"%PDF deck" * 100_000)
    opened = []
    path_open, plain_open = Path.open, tarfile.bltn_open

    def counting_path_open(self, *args, **kwargs):
        if self.name == "deck.pdf":
            opened.append(self.name)
        return path_open(self, *args, **kwargs)

    def counting_plain_open(name, *args, **kwargs):  # how tarfile opens a file it adds by name
        if Path(name).name == "deck.pdf":
            opened.append(Path(name).name)
        return plain_open(name, *args, **kwargs)

    monkeypatch.setattr(Path, "open", counting_path_open)
    monkeypatch.setattr(tarfile, "bltn_open", counting_plain_open)
    manifest = backup.create_backup(url, folders, tmp_path / "backup.tar.gz")
    monkeypatch.undo()
    assert opened == ["deck.pdf"]
    assert manifest.files["decks/deck.pdf"] == hashlib.sha256(b"%PDF deck" * 100_000).hexdigest()
    backup.restore_backup(tmp_path / "backup.tar.gz", f"sqlite:///{tmp_path / 'target.db'}",
                          backup.upload_folders({}, tmp_path / "restored"))  # checks every hash


def test_a_folder_set_for_jobs_and_badges_alike_is_archived_once(app, runner, real_commits, tmp_path, monkeypatch):
    """JOB_FOLDER = BADGE_FOLDER (both hold jobs' results): each file once, and a restore over it (--replace)
    deletes each old file once."""
    shared = tmp_path / "results"
    for setting, value in {**_folders_config(tmp_path / "source"), "JOB_FOLDER": str(shared),
                           "BADGE_FOLDER": str(shared)}.items():
        monkeypatch.setitem(app.config, setting, value)
    shared.mkdir()
    (shared / REPORT_FILE).write_bytes(b"%PDF report")
    archive = tmp_path / "talent.tar.gz"
    result = runner.invoke(args=["backup", "create", "-o", str(archive)])
    assert result.exit_code == 0, result.output
    manifest = backup.read_manifest(archive)
    assert list(manifest.files) == [f"badges/{REPORT_FILE}"]
    folders = backup.upload_folders(app.config, app.instance_path)
    (shared / "stray.pdf").write_bytes(b"not in the backup")
    replaced = backup.restore_backup(archive, app.config["SQLALCHEMY_DATABASE_URI"], folders, replace=True)
    assert replaced.files == 1 and sorted(path.name for path in shared.iterdir()) == [REPORT_FILE]


def test_archives_carry_their_format_and_older_ones_are_still_read(tmp_path):
    url = f"sqlite:///{tmp_path / 'source.db'}"
    create_engine(url).connect().close()
    archive = tmp_path / "backup.tar.gz"
    assert backup.create_backup(url, backup.upload_folders({}, tmp_path / "instance"), archive).format == 2
    assert backup.read_manifest(archive).format == 2
    for number, readable in ((1, True), (3, False)):
        manifest = backup.Manifest(created_at="2026-12-01T00:00:00+00:00", engine="sqlite", revision="x", tables={},
                                   format=number)
        data = json.loads(manifest.to_json())
        del data["left_out"]  # format 1 had none
        older = tmp_path / f"format-{number}.tar.gz"
        with tarfile.open(older, "w:gz") as opened:
            backup._add_bytes(opened, "manifest.json", json.dumps(data).encode())
        if readable:
            assert backup.read_manifest(older).left_out == []
        else:
            with pytest.raises(backup.BackupError, match="unknown archive format 3 .*reads 1 and 2"):
                backup.read_manifest(older)


def test_create_writes_to_the_backup_folder_by_default(app, runner, real_commits, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "BACKUP_FOLDER", str(tmp_path / "backups"))
    for setting, value in _folders_config(tmp_path / "empty").items():
        monkeypatch.setitem(app.config, setting, value)
    result = runner.invoke(args=["backup", "create"])
    assert result.exit_code == 0, result.output
    [written] = (tmp_path / "backups").glob("talent-*.tar.gz")
    assert str(written) in result.output and "0 file(s)" in result.output


def test_restore_refuses_what_is_not_a_backup(runner, tmp_path):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a tar file")
    result = runner.invoke(args=["backup", "restore", str(junk)])
    assert result.exit_code != 0 and "not a readable backup archive" in result.output
    empty = tmp_path / "empty.tar.gz"
    with tarfile.open(empty, "w:gz"):
        pass
    result = runner.invoke(args=["backup", "restore", str(empty)])
    assert result.exit_code != 0 and "no manifest.json" in result.output


def test_restore_refuses_an_archive_of_the_other_engine(app, runner, tmp_path):
    engine = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()
    other = "postgresql" if engine == "sqlite" else "sqlite"
    archive = tmp_path / "other.tar.gz"
    manifest = backup.Manifest(created_at="2026-12-01T00:00:00+00:00", engine=other, revision="x", tables={})
    with tarfile.open(archive, "w:gz") as opened:
        backup._add_bytes(opened, "manifest.json", manifest.to_json())
    result = runner.invoke(args=["backup", "restore", str(archive)])
    assert result.exit_code != 0 and f"holds a {other} database" in result.output


def test_restore_refuses_files_outside_the_upload_folders(tmp_path):
    url = f"sqlite:///{tmp_path / 'source.db'}"
    create_engine(url).connect().close()
    folders = backup.upload_folders({}, tmp_path / "instance")
    archive = tmp_path / "backup.tar.gz"
    manifest = backup.create_backup(url, folders, archive)
    manifest.files["../../etc/x"] = "0" * 64
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as opened:
        backup._add_bytes(opened, "manifest.json", manifest.to_json())
        opened.add(tmp_path / "source.db", arcname=backup.SQLITE_NAME)
    with pytest.raises(backup.BackupError, match="unexpected file"):
        backup.restore_backup(evil, f"sqlite:///{tmp_path / 'target.db'}", folders)


@pytest.fixture
def usual_umask():
    """The usual umask (022), under which files are world-readable unless written otherwise."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_archives_are_private_to_their_owner(app, runner, real_commits, tmp_path, monkeypatch, usual_umask):
    monkeypatch.setitem(app.config, "BACKUP_FOLDER", str(tmp_path / "backups"))
    for setting, value in _folders_config(tmp_path / "empty").items():
        monkeypatch.setitem(app.config, setting, value)
    result = runner.invoke(args=["backup", "create"])
    assert result.exit_code == 0, result.output
    [written] = (tmp_path / "backups").glob("talent-*.tar.gz")
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "backups").stat().st_mode) == 0o700
    (tmp_path / "backups").chmod(0o755)  # a folder made before: closed again by the next backup
    assert runner.invoke(args=["backup", "create", "--keep", "0"]).exit_code == 0
    assert stat.S_IMODE((tmp_path / "backups").stat().st_mode) == 0o700
    chosen = tmp_path / "elsewhere" / "nightly.tar.gz"
    assert runner.invoke(args=["backup", "create", "-o", str(chosen)]).exit_code == 0
    assert stat.S_IMODE(chosen.stat().st_mode) == 0o600 and stat.S_IMODE(chosen.parent.stat().st_mode) == 0o700


def test_create_keeps_the_newest_archives_only(app, runner, real_commits, tmp_path, monkeypatch):
    folder = tmp_path / "backups"
    monkeypatch.setitem(app.config, "BACKUP_FOLDER", str(folder))
    for setting, value in _folders_config(tmp_path / "empty").items():
        monkeypatch.setitem(app.config, setting, value)
    assert app.config["BACKUP_KEEP"] == 14
    monkeypatch.setitem(app.config, "BACKUP_KEEP", 3)
    folder.mkdir()
    older = [folder / backup.archive_name(utcnow() - timedelta(days=days)) for days in (4, 3, 2, 1)]
    for path in older:
        path.write_bytes(b"an older archive")
    other, by_hand = folder / "keep-me.tar.gz", folder / "talent-before-upgrade.tar.gz"
    other.write_bytes(b"not one of ours")
    by_hand.write_bytes(b"made by hand: sorts after every dated archive, yet is none of them")
    result = runner.invoke(args=["backup", "create"])
    assert result.exit_code == 0, result.output
    assert "Deleted 2 older archive(s), keeping the newest 3" in result.output
    dated = sorted(folder.glob("talent-2*.tar.gz"))
    assert dated[:2] == older[2:] and len(dated) == 3 and other.exists() and by_hand.exists()
    result = runner.invoke(args=["backup", "create", "--keep", "1"])
    assert result.exit_code == 0, result.output
    [newest] = folder.glob("talent-2*.tar.gz")
    assert backup.read_manifest(newest).engine and other.exists() and by_hand.exists()


def test_create_prunes_where_output_points_only_when_asked(app, runner, real_commits, tmp_path, monkeypatch):
    """BACKUP_KEEP is for the backup folder: an archive written elsewhere (-o) prunes there only with --keep."""
    monkeypatch.setitem(app.config, "BACKUP_FOLDER", str(tmp_path / "backups"))
    monkeypatch.setitem(app.config, "BACKUP_KEEP", 1)
    for setting, value in _folders_config(tmp_path / "empty").items():
        monkeypatch.setitem(app.config, setting, value)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    older = [elsewhere / backup.archive_name(utcnow() - timedelta(days=days)) for days in (2, 1)]
    for path in older:
        path.write_bytes(b"an older archive")
    result = runner.invoke(args=["backup", "create", "-o", str(elsewhere / backup.archive_name(utcnow()))])
    assert result.exit_code == 0, result.output
    assert "Deleted" not in result.output and all(path.exists() for path in older)
    result = runner.invoke(args=["backup", "create", "-o", str(elsewhere / "talent-manual.tar.gz"), "--keep", "2"])
    assert result.exit_code == 0, result.output
    assert f"Deleted 1 older archive(s), keeping the newest 2: {older[0].name}." in result.output
    assert not older[0].exists() and older[1].exists() and (elsewhere / "talent-manual.tar.gz").exists()
