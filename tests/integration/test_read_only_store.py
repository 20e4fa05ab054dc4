"""A database that cannot be written (a folder given as `--db`, a folder that cannot be made,
a read-only file): one clear line saying where and why, no traceback; the window opens on a
read-only copy of what the file holds and says so; the file is left exactly as it was.

CI runs as root, where chmod does not stop writes: the folder cases fail for root too, and
the read-only file is made immutable with `chattr +i` (root), or, where root may not do that
(a container without CAP_LINUX_IMMUTABLE), its WAL is made impossible to open (a folder in
its place), which SQLite reports as it reports a file it may not open; chmod for anyone else.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QThreadPool
from pytestqt.qtbot import QtBot

from app.desktop.board import DesktopBoard
from app.desktop.launch import open_board
from app.domain.model import BoardSnapshot, EnvironmentReading, Health, ItemKind
from app.store.store import Store, StoreUnwritableError, open_or_read_only
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


def status(tmp_path: Path, db: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "app",
            "status",
            "--board",
            str(board_file(tmp_path)),
            "--db",
            str(db),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=tmp_path,
    )


def test_status_with_db_pointing_at_a_folder_says_so_in_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    done = status(tmp_path, folder)
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [
        f"releasable: the local database {folder} cannot be written: it is a folder, not a "
        "file; reading a copy, nothing is saved"
    ]
    assert done.stdout.startswith("Payments: ")
    assert sorted(os.listdir(folder)) == []  # nothing written into it


def test_status_with_a_folder_that_cannot_be_made_says_so_in_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be")
    done = status(tmp_path, blocker / "releasable.db")
    assert "Traceback" not in done.stderr
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"releasable: the local database {blocker / 'releasable.db'} ")
    assert f"its folder {blocker} cannot be created" in line
    assert blocker.read_text() == "a file where a folder should be"


READ_ONLY = "the file or its folder is read-only"
CANNOT_OPEN = "it cannot be opened (no permission to read and write it)"


@pytest.fixture
def read_only_db(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A database with one item in it that this process cannot write, even as root, and the
    reason the app must give."""
    path = tmp_path / "releasable.db"
    with Store.open(path) as store:
        reading = EnvironmentReading(Health.UP, latency_ms=12.0, http_status=200)
        store.record_reading(
            "environment:production",
            ItemKind.ENVIRONMENT,
            "production",
            reading,
            datetime(2026, 1, 5, 9, 0, tzinfo=UTC),
        )
    if os.geteuid() != 0:
        path.chmod(0o444)
        tmp_path.chmod(0o555)
        yield path, READ_ONLY
        tmp_path.chmod(0o755)
        path.chmod(0o644)
    elif subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode == 0:
        yield path, READ_ONLY
        subprocess.run(["chattr", "-i", str(path)], check=True)
    else:
        (tmp_path / "releasable.db-wal").mkdir()
        yield path, CANNOT_OPEN


def test_a_read_only_file_is_read_and_left_as_it_was(read_only_db: tuple[Path, str]) -> None:
    path, reason = read_only_db
    before = path.read_bytes()
    with pytest.raises(StoreUnwritableError) as caught:
        Store.open(path)
    assert str(caught.value) == f"the local database {path} cannot be written: {reason}"
    store = open_or_read_only(path)
    try:
        assert store.read_only == reason
        assert list(store.load_items()) == ["environment:production"]
        store.record_error(
            "environment:production",
            ItemKind.ENVIRONMENT,
            "production",
            "x",
            datetime(2026, 1, 5, 9, 1, tzinfo=UTC),
        )  # in the copy only
    finally:
        store.close()
    assert path.read_bytes() == before


def test_status_on_a_read_only_file_says_so_in_one_line_and_reads_it(
    tmp_path: Path, read_only_db: tuple[Path, str]
) -> None:
    path, reason = read_only_db
    before = path.read_bytes()
    done = status(tmp_path, path)
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [
        f"releasable: the local database {path} cannot be written: {reason}; "
        "reading a copy, nothing is saved"
    ]
    assert done.stdout.startswith("Payments: ")
    assert path.read_bytes() == before


def test_the_window_with_db_pointing_at_a_folder_opens_and_says_so(
    qtbot: QtBot, tmp_path: Path
) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    with open_board(str(board_file(tmp_path)), False, str(folder)) as opened:
        window = MainWindow(settings=settings, persist=False)
        qtbot.addWidget(window)
        desktop = DesktopBoard(opened, window)
        try:
            desktop.start()
            window.show()
            qtbot.waitExposed(window)
            assert desktop.store.read_only == "it is a folder, not a file"
            assert window.message_label.isVisible()
            assert window.message_label.text().startswith(
                f"Read-only: the local database {folder} cannot be written "
                "(it is a folder, not a file)."
            )
            # Another message replaces the banner, or it is dismissed: the status bar still
            # says the window shows a copy and keeps nothing.
            window.show_banner("Reports wait in the outbox: the tracker is not reachable")
            window.clear_banner()
            assert window.read_only_label.isVisible()
            assert window.read_only_label.text() == "Read-only: nothing new is kept"
            assert "it is a folder, not a file" in window.read_only_label.toolTip()
            seen: list[BoardSnapshot] = []
            desktop.service.updated.connect(seen.append)
            # The sources are still read (the app fetches in its own process: a worker
            # process could not open the copy): the closed port is what the reading says.
            qtbot.waitUntil(
                lambda: bool(seen) and seen[-1].board.environments[0].error is not None,
                timeout=10_000,
            )
            [production] = seen[-1].board.environments
            assert production.name == "production"
            assert "connection refused" in (production.error or "")
        finally:
            desktop.stop()
            QThreadPool.globalInstance().waitForDone(10_000)
    assert sorted(os.listdir(folder)) == []  # nothing written into it


def test_the_window_opens_read_only_and_says_so(
    qtbot: QtBot, tmp_path: Path, read_only_db: tuple[Path, str]
) -> None:
    path, _reason = read_only_db
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    with open_board(str(board_file(tmp_path)), False, str(path)) as opened:
        window = MainWindow(settings=settings, persist=False)
        qtbot.addWidget(window)
        desktop = DesktopBoard(opened, window)
        try:
            desktop.start()
            assert desktop.store.read_only is not None
            assert window.message_label.text().startswith(
                f"Read-only: the local database {path} cannot be written"
            )
            seen: list[BoardSnapshot] = []
            desktop.service.updated.connect(seen.append)
            qtbot.waitUntil(lambda: bool(seen), timeout=10_000)
            names = [e.name for e in seen[-1].board.environments]
            assert names == ["production"]
        finally:
            desktop.stop()
            QThreadPool.globalInstance().waitForDone(10_000)
