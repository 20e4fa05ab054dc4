"""The layering rules (pyproject.toml's [tool.importlinter] contracts) hold for the code as it is.

`make lint` runs `lint-imports` too; this test makes a broken layer fail `make test` as well, and
checks that the contracts keep naming the rules docs/ARCHITECTURE.md promises.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[2]


def test_every_import_contract_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True) == 0


def test_the_contracts_cover_the_rules() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    kinds = {c["type"] for c in contracts}
    assert {"layers", "forbidden", "acyclic_siblings"} <= kinds
    domain = next(c for c in contracts if c.get("source_modules") == ["app.domain"])
    assert {"PySide6", "requests", "sqlite3", "sqlite_utils"} <= set(domain["forbidden_modules"])
    ui = next(c for c in contracts if c.get("source_modules") == ["app.ui"])
    assert {"app.store", "app.sources", "app.cli"} <= set(ui["forbidden_modules"])
