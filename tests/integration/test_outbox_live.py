"""Issue 12.13: the running window's outbox is live. A report queued by `releasable report` (the
real command line, a child process writing the same database) appears in the window's outbox
list without a restart: the outbox service watches SQLite's `PRAGMA data_version`."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from PySide6.QtCore import QSettings, QThreadPool
from pytestqt.qtbot import QtBot

from app.desktop.board import DesktopBoard
from app.desktop.launch import open_board
from app.ui.window.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[2]


def board_file(tmp_path: Path) -> Path:
    path = tmp_path / "board.toml"
    path.write_text(
        textwrap.dedent(
            """
            [board]
            name = "Payments"

            [[environments]]
            name = "production"
            url = "http://127.0.0.1:9/health"
            """
        ),
        encoding="utf-8",
    )
    return path


def report_from_the_cli(board: Path, db: Path, title: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [
            sys.executable, "-m", "app", "report",
            "--category", "workstation-broken", "--title", title, "--prevents-delivery", "yes",
            "--board", str(board), "--db", str(db),
        ],
        capture_output=True, text=True, timeout=60, env=env, cwd=ROOT,
    )  # fmt: skip


def test_a_report_queued_by_the_cli_appears_in_the_running_windows_outbox(
    qtbot: QtBot, tmp_path: Path
) -> None:
    board, db = board_file(tmp_path), tmp_path / "releasable.db"
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    with open_board(str(board), False, str(db)) as opened:
        window = MainWindow(settings=settings, persist=False)
        qtbot.addWidget(window)
        desktop = DesktopBoard(opened, window)
        panel = window.board.blockers
        try:
            desktop.start()
            qtbot.waitUntil(lambda: desktop.outbox._data_version is not None, timeout=10_000)
            assert panel.outbox_model.rows() == []
            assert panel.no_outbox.text() == "Nothing waiting to be sent."

            done = report_from_the_cli(board, db, "Laptop won't boot (from the CLI)")
            assert done.returncode == 0, done.stderr

            def shown() -> bool:
                return [r.title for r in panel.outbox_model.rows()] == [
                    "Laptop won't boot (from the CLI)"
                ]

            qtbot.waitUntil(shown, timeout=10_000)
            assert panel.outbox_title.text() == "Outbox (1 not sent)"
            assert not panel.outbox_view.isHidden()
            [row] = panel.outbox_model.rows()
            assert row.priority == "P1"
            assert row.state == "saved here, not sent to a tracker"  # as `outbox list` says
        finally:
            desktop.stop()
            QThreadPool.globalInstance().waitForDone(10_000)
