"""The test entry (`python -m tests.entry`) is `releasable` plus hooks; the app has none.

The start-up benchmark and the crash tests depend on the entry's hooks working, so they are
checked here; and no module under app/ may read a test-hook variable.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from app.config.loader import load_board
from app.services.board_store import poll_board_once
from app.store.store import Store
from tests.entry import EXIT_AFTER_FIRST_PAINT_ENV, KILLPOINT_ENV

ROOT = Path(__file__).resolve().parents[2]
BOARD = """
[board]
name = "Payments"

[[environments]]
name = "staging"
url = "http://127.0.0.1:9/health"
"""


def test_no_app_module_reads_a_test_hook_variable() -> None:
    for path in (ROOT / "app").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for name in (KILLPOINT_ENV, EXIT_AFTER_FIRST_PAINT_ENV, "RELEASABLE_TEST"):
            assert name not in text, f"{path.relative_to(ROOT)} names {name}"


def test_the_entry_quits_after_the_first_paint_of_the_stores_board(tmp_path: Path) -> None:
    board = tmp_path / "board.toml"
    board.write_text(BOARD, encoding="utf-8")
    db = tmp_path / "releasable.db"
    with Store.open(db) as store:
        poll_board_once(load_board(board), store)  # the store knows the board (unread)
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        EXIT_AFTER_FIRST_PAINT_ENV: "1",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "tests.entry", "--board", str(board), "--db", str(db)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    line = re.search(r"first paint: [\d.]+ s after process start; (\d+)/(\d+) items", done.stdout)
    assert line is not None, done.stdout + done.stderr
    assert line.group(2) == "1"
