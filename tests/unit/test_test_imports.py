"""The shape of the test suite, read from its source (ast): what several test modules share lives in a module
that holds no tests (tests/factories.py, tests/web/clients.py, tests/browser/helpers.py, ...) or in a
conftest.py as a fixture, so no module under tests/ imports a test module or a conftest. An import from a test
module ties one test file to another's insides and collects again any test function it brings along; a
conftest is pytest's to load, not a module to import from."""
from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def module_name(path: Path) -> str:
    parts = path.relative_to(TESTS.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(TESTS.rglob("*.py")) if "node_modules" not in path.parts}


def is_test_module(name: str) -> bool:
    """A module pytest collects tests from, or a conftest."""
    last = name.rsplit(".", 1)[-1]
    return last.startswith("test_") or last == "conftest"


def named_modules(node: ast.Import | ast.ImportFrom, importer: str, is_package: bool) -> list[str]:
    """The modules an import statement may load: for ``from a import b``, ``a`` and ``a.b``."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:  # relative: from the importer's package, one level up per extra dot
        package = importer.split(".") if is_package else importer.split(".")[:-1]
        package = package[:len(package) - node.level + 1]
        base = ".".join(package + ([node.module] if node.module else []))
    return [base] + [f"{base}.{alias.name}" for alias in node.names]


def imports_of_test_modules(source: str, importer: str, is_package: bool = False) -> list[str]:
    """Every import, at any depth of the source, of a test module or a conftest under tests/."""
    return [f"line {node.lineno}: {name}" for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Import | ast.ImportFrom)
            for name in named_modules(node, importer, is_package)
            if name.split(".")[0] == "tests" and is_test_module(name)]


def test_no_module_of_the_suite_imports_a_test_module_or_a_conftest():
    assert module_name(Path(__file__)) in MODULES  # the walk sees the suite, this very file included
    found = {str(path.relative_to(TESTS.parent)): imports
             for name, path in MODULES.items()
             if (imports := imports_of_test_modules(path.read_text(encoding="utf-8"), name, path.stem == "__init__"))}
    assert found == {}, "move what these import into a module without tests (or a fixture into a conftest.py)"


def test_the_check_sees_every_way_of_naming_a_test_module():
    importer = "tests.unit.test_something"
    for source in ("from tests.web.test_browse import EN",
                   "from tests.web import test_browse",
                   "import tests.unit.test_registration_release as release",
                   "from tests.conftest import PASSWORD",
                   "from tests.browser.conftest import SCREENSHOTS",
                   "from .test_registration_release import feed",
                   "from . import conftest",
                   "from ..browser.test_journey import log_in",
                   "def test_it():\n    from tests.web.test_manage import event_form\n"):
        assert imports_of_test_modules(source, importer) != [], source
    for source in ("from tests.factories import PASSWORD, MatchingFair",
                   "from tests.web import browsing",
                   "from tests.web.clients import EN, client_for",
                   "from .published_schedule import feed",
                   "from ..browser.helpers import log_in",
                   "import pytest"):
        assert imports_of_test_modules(source, importer) == [], source
    assert imports_of_test_modules("from . import test_journey", "tests.browser", is_package=True) != []
