"""A board's window as the app wires it, for the tests that drive the desktop in-process.

`running_board` builds the main window (its settings in a file of the test's own, never saved
back), wires `DesktopBoard` to an opened board exactly as `app.desktop.run` does, starts it,
collects every snapshot the window is given, and stops it at the end.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from app.desktop.board import DesktopBoard
from app.desktop.launch import OpenedBoard
from app.domain.model import BoardSnapshot
from app.ui.window.main_window import MainWindow


@contextmanager
def running_board(
    qtbot: QtBot, opened: OpenedBoard, settings_file: Path
) -> Iterator[tuple[DesktopBoard, list[BoardSnapshot]]]:
    """(the desktop board, every snapshot so far) while it runs; stopped on the way out."""
    settings = QSettings(str(settings_file), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings, persist=False)
    qtbot.addWidget(window)
    desktop = DesktopBoard(opened, window)
    seen: list[BoardSnapshot] = []
    desktop.service.updated.connect(seen.append)
    desktop.start()
    try:
        yield desktop, seen
    finally:
        desktop.stop()
