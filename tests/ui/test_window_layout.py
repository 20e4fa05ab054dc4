"""The window's layout lasts and can always be got back (issue 12, point 2): a saved state never
hides the toolbar or the menus, and View → Reset layout restores the first-start layout."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from app.ui.window.main_window import MainWindow
from tests.ui.board_helpers import temp_settings


def window(qtbot: QtBot, settings: QSettings) -> MainWindow:
    win = MainWindow(settings=settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def test_a_state_saved_with_the_toolbar_hidden_does_not_hide_it_next_time(
    qtbot: QtBot, tmp_path: Path
) -> None:
    settings = temp_settings(tmp_path)
    first = window(qtbot, settings)
    first.toolbar.hide()  # as the welcome page did, or the toolbar's own context menu
    first.menuBar().hide()
    first.save_settings()
    first.close()

    again = window(qtbot, settings)
    assert again.toolbar.isVisible()
    assert again.menuBar().isVisible()


def test_reset_layout_is_in_the_view_menu_and_restores_the_first_start_layout(
    qtbot: QtBot, tmp_path: Path
) -> None:
    settings = temp_settings(tmp_path)
    win = window(qtbot, settings)
    default_sizes = win.board.splitter.sizes()
    view = next(cast(QMenu, m.menu()) for m in win.menuBar().actions() if m.text() == "&View")
    assert win.action_reset_layout in view.actions()

    win.toolbar.hide()
    win.resize(700, 500)
    total = sum(default_sizes)
    win.board.splitter.setSizes([total - 10, 10])
    win.save_settings()

    win.action_reset_layout.trigger()
    assert win.toolbar.isVisible()
    sizes = win.board.splitter.sizes()  # the same shares of the (maybe resized) splitter
    assert sizes[0] / sum(sizes) == pytest.approx(default_sizes[0] / total, abs=0.02)
    assert settings.value("window/state") is None
    assert settings.value("window/normal") is None
