"""First run and editing: the welcome page hands back a choice; saving in the editor asks the
app to reopen the saved board."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.config.loader import load_board
from app.config.writer import dump_board
from app.desktop.board import DesktopBoard
from app.desktop.launch import open_board
from app.desktop.run import _welcome
from app.ui.window.main_window import MainWindow
from app.ui.window.welcome import WelcomePage


def _find_welcome() -> WelcomePage:
    for top in QApplication.topLevelWidgets():
        pages = top.findChildren(WelcomePage)
        if pages and top.isVisible():
            return pages[0]
    raise AssertionError("no welcome page on screen")


def test_welcome_try_the_demo_returns_the_demo_choice(qapp: QApplication) -> None:
    QTimer.singleShot(0, lambda: _find_welcome().demo_requested.emit())
    assert _welcome(qapp, "No board file was found on this computer yet.") == (None, True)


def test_welcome_closed_without_a_choice_returns_none(qapp: QApplication) -> None:
    def close() -> None:
        page = _find_welcome()
        page.window().close()

    QTimer.singleShot(0, close)
    assert _welcome(qapp, "") is None


def test_saving_in_the_editor_asks_to_reopen_the_saved_board(qtbot: QtBot, tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[2] / "resources" / "boards" / "example.toml"
    board_file = tmp_path / "board.toml"
    # Written by the app itself, so it has no comments the editor would warn about losing.
    board_file.write_text(dump_board(load_board(example)), encoding="utf-8")
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    with open_board(str(board_file), False, str(tmp_path / "r.db")) as opened:
        window = MainWindow(settings=settings, persist=False)
        qtbot.addWidget(window)
        desktop = DesktopBoard(opened, window)
        try:
            window.action_edit_board.trigger()
            assert desktop.editor is not None
            assert window.pages.currentWidget() is desktop.editor
            with qtbot.waitSignal(desktop.reload_requested, timeout=10_000) as reload:
                desktop.editor.save()
            assert reload.args == [board_file]
        finally:
            desktop.service.stop()
            desktop.outbox.wait()
            desktop.store.close()


def test_history_opens_as_a_page_and_loads_off_the_gui_thread(qtbot: QtBot, tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[2] / "resources" / "boards" / "example.toml"
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    with open_board(str(example), False, str(tmp_path / "r.db")) as opened:
        window = MainWindow(settings=settings, persist=False)
        qtbot.addWidget(window)
        desktop = DesktopBoard(opened, window)
        try:
            assert desktop.history is None  # nothing built until asked
            window.action_history.trigger()
            history = desktop.history
            assert history is not None and window.pages.currentWidget() is history
            with qtbot.waitSignal(history.loaded, timeout=10_000):
                pass
            history.back_requested.emit()
            assert window.pages.currentWidget() is not history
        finally:
            desktop.service.stop()
            desktop.outbox.wait()
            desktop.store.close()
