"""The checkers `make test` installs into tests/tools with `npm ci`: axe-core and the Nu HTML Checker.

Without them the tests that use them are skipped, except in CI (CI set), where that is a failure.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parent / "tools" / "node_modules"
AXE_SCRIPT = TOOLS / "axe-core" / "axe.min.js"
VNU_JAR = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"


def _missing(message: str):
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def require(path: Path) -> Path:
    """``path`` if the checker is installed; otherwise skip (or fail in CI) saying how to install it."""
    if not path.exists():
        _missing(f"{path.relative_to(TOOLS.parent.parent.parent)} is missing: run `make test-tools`")
    return path


def vnu_command() -> list[str]:
    """The Nu HTML Checker's command line (Java and vnu.jar)."""
    java = shutil.which("java")
    if java is None:
        _missing("the Nu HTML Checker needs Java: run `make test-packages` (default-jre-headless)")
    return [java, "-jar", str(require(VNU_JAR))]


def validate(pages: dict[str, str], tmp_path) -> dict[str, list[str]]:
    """Run the checker once over every page; its errors by page address."""
    files = {}
    for number, (address, html) in enumerate(pages.items()):
        path = tmp_path / f"page{number}.html"
        path.write_text(html, encoding="utf-8")
        files[str(path)] = address
    result = subprocess.run([*vnu_command(), "--errors-only", "--exit-zero-always",
                             "--format", "json", *[str(tmp_path / f"page{n}.html") for n in range(len(files))]],
                            capture_output=True, text=True, check=True, timeout=300)
    errors: dict[str, list[str]] = {}
    for message in json.loads(result.stderr)["messages"]:
        page = files.get(message.get("url", "").removeprefix("file:"), message.get("url"))
        errors.setdefault(page, []).append(f"line {message.get('lastLine')}: {message['message']}"
                                           f" — {message.get('extract', '').strip()[:120]!r}")
    return errors
