"""A module's private names (a leading underscore) stay in that module: no module of the app
imports another's, so what two modules share is public, named for what it is, and changed in
one place with its users in view."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def test_no_module_imports_another_modules_private_names() -> None:
    found = []
    for path in sorted(APP.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("app"):
                found += [
                    f"{path.relative_to(APP.parent)}:{node.lineno}: {node.module}.{alias.name}"
                    for alias in node.names
                    if _private(alias.name)
                ]
    assert found == []
