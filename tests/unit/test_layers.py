"""The layering rules (pyproject.toml's [tool.importlinter] contracts) hold for the code as it is.

`make lint` runs `lint-imports` too; this test makes a broken layer fail `make test` as well, and
checks that the contracts keep naming the rules docs/ARCHITECTURE.md promises.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


LINT = "import sys; from importlinter.cli import lint_imports as li; sys.exit(li(no_cache=True))"


def test_every_import_contract_is_kept() -> None:
    # A child process: import-linter reconfigures logging, which would silence other tests.
    run = subprocess.run(
        [sys.executable, "-c", LINT], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_contracts_cover_the_rules() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    kinds = {c["type"] for c in contracts}
    assert {"layers", "forbidden", "acyclic_siblings"} <= kinds
    domain = next(c for c in contracts if c.get("source_modules") == ["app.domain"])
    assert {"PySide6", "requests", "sqlite3", "sqlite_utils"} <= set(domain["forbidden_modules"])
    ui = next(c for c in contracts if c.get("source_modules") == ["app.ui"])
    assert {"app.store", "app.sources", "app.cli"} <= set(ui["forbidden_modules"])


def test_the_desktop_layer_does_no_outbox_io_of_its_own() -> None:
    """Issue 8.4: drafts, the outbox and delivery live in the outbox service; the desktop
    only wires it (lint-imports breaks if app.desktop imports the outbox's store or engine)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    desktop = next(c for c in contracts if c.get("source_modules") == ["app.desktop"])
    assert {"app.store.outbox", "app.store.claims", "app.trackers.outbox"} <= set(
        desktop["forbidden_modules"]
    )
