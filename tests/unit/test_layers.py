"""Data flows one way: the domain imports no I/O, and nothing below services imports Qt."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "app"

FORBIDDEN = {
    "domain": (
        "PySide6",
        "shiboken6",
        "requests",
        "sqlite3",
        "sqlite_utils",
        "app.sources",
        "app.store",
        "app.trackers",
        "app.config",
        "app.services",
        "app.ui",
        "urllib3",
    ),
    "sources": ("PySide6", "shiboken6", "app.services", "app.ui"),
    "trackers": ("PySide6", "shiboken6", "app.services", "app.ui"),
    "store": ("PySide6", "shiboken6", "app.services", "app.ui"),
    "config": ("PySide6", "shiboken6", "app.services", "app.ui"),
    "services": ("PySide6.QtWidgets", "PySide6.QtGui", "app.ui"),
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_nothing_forbidden(layer: str) -> None:
    offenders = []
    for path in sorted((APP / layer).rglob("*.py")):
        for name in imported_modules(path):
            if any(name == f or name.startswith(f + ".") for f in FORBIDDEN[layer]):
                offenders.append(f"{path.relative_to(APP)} imports {name}")
    assert offenders == []


def test_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from PySide6 import QtCore\nimport requests\n")
    assert {"PySide6", "requests"} <= imported_modules(bad)
