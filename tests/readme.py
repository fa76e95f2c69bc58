"""The README's own code, run as the tests' code: what it shows a reader is what works."""
from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_function(name: str):
    """A function defined in one of README.md's Python blocks, run exactly as written there."""
    for block in re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S):
        if f"def {name}(" in block:
            namespace: dict = {}
            exec(compile(block, str(README), "exec"), namespace)  # noqa: S102 - our own README
            return namespace[name]
    raise AssertionError(f"README.md defines no {name}")
