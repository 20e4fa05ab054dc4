"""The window at 800×600: nothing cut under the scroll bar, elided text has a tool tip, the
side panel sits below the board, and the view options stay on screen (not behind "»")."""

from __future__ import annotations

import html
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, QSettings
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip, QWidget
from pytestqt.qtbot import QtBot

from app.demo.sample import sample_snapshot
from app.domain.model import BoardSnapshot, PipelineReading
from app.ui.board.board_list import BoardList
from app.ui.window.main_window import MainWindow
from tests.ui.board_helpers import Clock, Opener, outbox_rows_three, temp_settings


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return temp_settings(tmp_path)


def long_words_snapshot(clock: Clock) -> BoardSnapshot:
    """The sample board with a run label and a stage name far too long for 800 pixels."""
    snapshot = sample_snapshot(clock())
    board = snapshot.board
    api = board.pipelines[0]
    assert isinstance(api.reading, PipelineReading)
    stages = (
        replace(
            api.reading.stages[0],
            name="deploy-" + "-".join(["to-the-production-cluster-in-three-regions"] * 3),
        ),
        *api.reading.stages[1:],
    )
    reading = replace(
        api.reading, label="1844 " + "failed at the very end of a long night " * 3, stages=stages
    )
    pipelines = (replace(api, reading=reading), *board.pipelines[1:])
    return replace(snapshot, board=replace(board, pipelines=pipelines))


def tooltip_at(board_list: BoardList, at: QPoint) -> str:
    """The tool tip a hover at viewport position `at` shows."""
    viewport = board_list.viewport()
    event = QHelpEvent(QEvent.Type.ToolTip, at, viewport.mapToGlobal(at))
    QApplication.sendEvent(viewport, event)
    text = QToolTip.text()
    QToolTip.hideText()
    return text


def show(qtbot: QtBot, settings: QSettings, size: tuple[int, int]) -> MainWindow:
    clock = Clock()
    window = MainWindow(clock, Opener(), settings=settings, persist=False)
    qtbot.addWidget(window)
    window.show_snapshot(long_words_snapshot(clock))
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.width() == size[0])
    return window


def test_at_800_by_600_no_text_is_cut_and_elided_text_has_a_tooltip(
    qtbot: QtBot, settings: QSettings
) -> None:
    window = show(qtbot, settings, (800, 600))
    board_list = window.board.list
    model = window.board.model
    viewport_width = board_list.viewport().width()
    elided = 0
    for number in range(model.rowCount()):
        if model.info_at(number) is None:
            continue
        rect = board_list.visualRect(model.index(number))
        for text in board_list.board_delegate.texts(number, rect):
            assert text.rect.right() < viewport_width, f"{text.text!r} runs under the scroll bar"
            if text.elided():
                elided += 1
                assert html.escape(text.text) in tooltip_at(board_list, text.rect.center()), (
                    f"{text.text!r} elided without a tool tip saying it in full"
                )
        geo = board_list.board_delegate.row_geometry(number, rect)
        assert geo is not None
        assert all(chip.right() < viewport_width for chip in geo.chips)
    assert elided >= 2, "the long label and the long stage name are elided"


def test_at_800_by_600_the_side_panel_is_below_the_board(qtbot: QtBot, settings: QSettings) -> None:
    window = show(qtbot, settings, (800, 600))
    board = window.board
    assert board.side_panel_below()
    list_bottom = board.list.mapTo(window, QPoint(0, board.list.height())).y()
    panel_top = board.right_area.mapTo(window, QPoint(0, 0)).y()
    assert panel_top >= list_bottom
    assert board.right_area.width() >= board.list.width() - 2, "full width below"


def test_at_800_by_600_the_outbox_is_in_sight_beside_the_blockers(
    qtbot: QtBot, settings: QSettings
) -> None:
    """Issue 12.13: below a narrow board the outbox sat under the blockers, out of sight in
    a third of the window; now the two sit side by side and the outbox's first row shows."""
    window = show(qtbot, settings, (800, 600))
    window.set_outbox_rows(outbox_rows_three())
    board = window.board
    panel = board.blockers
    qtbot.waitUntil(lambda: panel.outbox_view.isVisible())
    assert panel.side_by_side()
    area = board.right_area.viewport()

    def top_and_bottom(widget: QWidget) -> tuple[int, int]:
        top = widget.mapTo(area, QPoint(0, 0)).y()
        return top, top + widget.height()

    title_top, title_bottom = top_and_bottom(panel.outbox_title)
    assert title_top >= 0 and title_bottom <= area.height(), "the outbox title is in sight"
    first = panel.outbox_view.visualRect(panel.outbox_model.index(0))
    first_bottom = panel.outbox_view.viewport().mapTo(area, first.bottomLeft()).y()
    assert first_bottom <= area.height(), "its first row is in sight without scrolling"
    assert panel.outbox_title.mapTo(area, QPoint(0, 0)).x() > panel.blockers_view.width() // 2


def test_wide_window_keeps_the_side_panel_beside_the_board(
    qtbot: QtBot, settings: QSettings
) -> None:
    window = show(qtbot, settings, (1366, 768))
    board = window.board
    assert not board.side_panel_below()
    assert board.right_area.mapTo(window, QPoint(0, 0)).x() > board.list.width()
    assert not board.blockers.side_by_side()  # the outbox below the blockers, in the column


def test_at_800_by_600_group_by_is_on_screen_not_behind_the_toolbar_extension(
    qtbot: QtBot, settings: QSettings
) -> None:
    window = show(qtbot, settings, (800, 600))
    qtbot.waitUntil(window.group_combo.isVisible)  # the toolbars' layout settles
    for widget in (window.group_combo, window.search):
        assert widget.isVisible(), widget.accessibleName()
        right = widget.mapTo(window, QPoint(widget.width(), 0)).x()
        assert right <= window.width()
