"""axe-core in the browser tests: a page passes when axe finds no serious or critical violation."""
from __future__ import annotations

from functools import cache

from tests.checkers import AXE_SCRIPT, require

FAILING_IMPACTS = ("serious", "critical")


@cache
def _axe_source() -> str:
    return require(AXE_SCRIPT).read_text(encoding="utf-8")


def axe_violations(page) -> list[dict]:
    """axe's serious and critical violations on the page as it is now (run through the DevTools protocol,
    so a Content-Security-Policy cannot keep the checker out)."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [violation for violation in results["violations"] if violation["impact"] in FAILING_IMPACTS]


def assert_accessible(page) -> None:
    """Fail with axe's findings (rule, impact, the first elements and how to fix them)."""
    violations = axe_violations(page)
    report = []
    for violation in violations:
        report.append(f"{violation['id']} ({violation['impact']}): {violation['help']} — {violation['helpUrl']}")
        for node in violation["nodes"][:5]:
            report.append(f"    {' '.join(node['target'])}: {node['failureSummary'].splitlines()[-1].strip()}")
    assert not violations, f"axe-core on {page.url}:\n" + "\n".join(report)
