"""The shape of the code, read from its source (ast): no import hidden in a function to dodge a cycle, no
cycle between modules, and imports between feature packages only where a package declares them
(``ALLOWED_IMPORTS`` in its ``__init__.py``, next to the docstring that says what it owns)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "eventsapp"
# The application factory is the composition root: it imports every feature inside create_app, so that
# importing a pure package (eventsapp.matching) loads no Flask and no blueprint.
COMPOSITION_ROOT = PACKAGE / "__init__.py"
FEATURES = sorted(path.parent.name for path in PACKAGE.glob("*/__init__.py"))


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported_modules(node: ast.Import | ast.ImportFrom) -> list[str]:
    """The eventsapp modules an import statement loads."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names if alias.name in MODULES]
    if node.level or not node.module or not node.module.startswith("eventsapp"):
        return []
    found = [node.module] if node.module in MODULES else []
    return found + [f"{node.module}.{alias.name}" for alias in node.names if f"{node.module}.{alias.name}" in MODULES]


def is_type_checking_block(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def module_level_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Imports that run when the module loads: top level, and inside top-level if/try (not TYPE_CHECKING)."""
    found, todo = [], list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        elif isinstance(node, ast.If | ast.Try) and not is_type_checking_block(node):
            todo.extend(ast.iter_child_nodes(node))
    return found


def function_level_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    return [node for function in ast.walk(tree) if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
            for node in ast.walk(function) if isinstance(node, ast.Import | ast.ImportFrom)]


TREES = {name: ast.parse(path.read_text(encoding="utf-8"), str(path)) for name, path in MODULES.items()}
GRAPH = {name: {target for node in module_level_imports(tree) for target in imported_modules(node)} - {name}
         for name, tree in TREES.items()}


def feature_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in FEATURES else None


def declared_imports(feature: str) -> frozenset[str]:
    init = TREES[f"eventsapp.{feature}"]
    for node in init.body:
        target = node.targets[0] if isinstance(node, ast.Assign) else getattr(node, "target", None)
        if isinstance(target, ast.Name) and target.id == "ALLOWED_IMPORTS" and node.value is not None:
            call = node.value
            return frozenset(ast.literal_eval(call.args[0])) if call.args else frozenset()
    raise AssertionError(f"eventsapp/{feature}/__init__.py declares no ALLOWED_IMPORTS")


def cycle_from(start: str) -> list[str] | None:
    """A path of module-level imports from ``start`` back to itself, if there is one."""
    path, on_path, done = [], set(), set()

    def visit(module: str) -> list[str] | None:
        path.append(module)
        on_path.add(module)
        for target in sorted(GRAPH.get(module, ())):
            if target == start:
                return [*path, start]
            if target not in on_path and target not in done:
                found = visit(target)
                if found:
                    return found
        path.pop()
        on_path.discard(module)
        done.add(module)
        return None

    return visit(start)


def test_no_function_imports_an_eventsapp_module():
    hidden = [f"{MODULES[name].relative_to(PACKAGE.parent)}:{node.lineno} imports {', '.join(imported_modules(node))}"
              for name, tree in TREES.items() if MODULES[name] != COMPOSITION_ROOT
              for node in function_level_imports(tree) if imported_modules(node)]
    assert hidden == [], "imports hidden in functions (move what belongs elsewhere instead):\n" + "\n".join(hidden)


def test_no_cycle_between_modules_at_module_level():
    cycles = [" -> ".join(found) for name in sorted(GRAPH) if (found := cycle_from(name))]
    assert cycles == []


@pytest.mark.parametrize("feature", FEATURES)
def test_each_feature_package_says_what_it_owns_and_may_import(feature):
    docstring = ast.get_docstring(TREES[f"eventsapp.{feature}"]) or ""
    assert len(docstring) > 40 and "import" in docstring
    assert declared_imports(feature) <= set(FEATURES) - {feature}


@pytest.mark.parametrize("feature", FEATURES)
def test_a_feature_imports_only_the_features_it_declares(feature):
    used = {}
    for name, targets in GRAPH.items():
        if feature_of(name) == feature:
            for target in targets:
                other = feature_of(target)
                if other is not None and other != feature:
                    used.setdefault(other, []).append(f"{name} -> {target}")
    undeclared = {other: where for other, where in used.items() if other not in declared_imports(feature)}
    assert undeclared == {}, f"eventsapp.{feature} imports features it does not declare in ALLOWED_IMPORTS"


def test_the_outbox_and_the_pure_engines_import_no_feature():
    for name, targets in GRAPH.items():
        if feature_of(name) in ("matching", "judging") or (
                feature_of(name) == "notifications" and not name.endswith(".views")):
            assert {feature_of(target) for target in targets} <= {feature_of(name), None}, name


def test_services_never_import_forms_or_views():
    for name, targets in GRAPH.items():
        if name.endswith(("services", ".models", ".emails")):
            assert not [t for t in targets if t.endswith((".forms", ".views"))], name


SHARED = {"enum_column_type": "eventsapp.dbtypes", "excel_safe": "eventsapp.spreadsheets",
          "safe_next_url": "eventsapp.urls", "to_utc": "eventsapp.timezones", "to_local_naive": "eventsapp.timezones",
          "CheckboxesField": "eventsapp.formfields", "DATETIME_FORMAT": "eventsapp.formfields",
          "TAG_SEPARATORS": "eventsapp.typedtext", "DEGREE_LADDER": "eventsapp.candidates.degrees",
          "ROLE_COLOURS": "eventsapp.badges.roles"}


def test_each_shared_helper_is_defined_once_in_its_home():
    defined: dict[str, list[str]] = {}
    for name, tree in TREES.items():
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.ClassDef):
                defined.setdefault(node.name, []).append(name)
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        defined.setdefault(target.id, []).append(name)
    assert {helper: defined.get(helper) for helper in SHARED} == {helper: [home] for helper, home in SHARED.items()}
