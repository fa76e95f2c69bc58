"""Every vendored front-end file has a provenance note, and is the file the note describes."""
import hashlib
import re
from pathlib import Path

import pytest

VENDOR = Path(__file__).resolve().parents[2] / "eventsapp" / "static" / "vendor"
CHECKSUM = re.compile(r"^- sha256 of (\S+): ([0-9a-f]{64})$", re.MULTILINE)
PACKAGES = sorted(path for path in VENDOR.iterdir() if path.is_dir())


def recorded_checksums(package: Path) -> dict[str, str]:
    return dict(CHECKSUM.findall((package / "README.md").read_text(encoding="utf-8")))


def test_there_are_vendored_packages_to_check():
    assert {package.name for package in PACKAGES} >= {"bootstrap", "jsqr"}


@pytest.mark.parametrize("package", PACKAGES, ids=lambda path: path.name)
def test_every_vendored_file_matches_its_recorded_checksum(package):
    note = (package / "README.md").read_text(encoding="utf-8")
    for fact in ("Source:", "Licence:", "https://"):
        assert fact in note, f"{package.name}/README.md does not say its {fact}"
    assert re.search(r"^# \S.* \d+\.\d+\.\d+$", note, re.MULTILINE), "the note names no version"
    recorded = recorded_checksums(package)
    files = {path.name for path in package.iterdir() if path.is_file() and path.name != "README.md"}
    assert set(recorded) == files, "every file, and only the files there, has a checksum"
    for name, checksum in recorded.items():
        assert hashlib.sha256((package / name).read_bytes()).hexdigest() == checksum, name


@pytest.mark.parametrize("package", PACKAGES, ids=lambda path: path.name)
def test_no_source_maps_are_shipped_or_asked_for(package):
    for path in package.iterdir():
        assert not path.name.endswith(".map")
        if path.suffix in (".js", ".css"):
            assert b"sourceMappingURL" not in path.read_bytes(), path.name

