"""A new picture of a live board redraws what changed, and only that (issue 10: the GUI stall).

A refreshing 300-item board sends a snapshot every 100 ms; the window must not reset, re-measure
and repaint every row for each of them. These tests pin down what a new picture costs the view:
which rows it names as changed, when the list lays itself out again, and that the window draws
only the newest of a burst of snapshots, in a pass of the event loop of its own.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from PySide6.QtCore import QCoreApplication, QModelIndex, QPersistentModelIndex
from pytestqt.qtbot import QtBot

from app.demo.sample import many_snapshot, sample_board, snapshot_of
from app.domain.model import BoardSnapshot, BoardState, EnvironmentReading, Health, Observed
from app.ui.board.board_list import BoardList
from app.ui.board.items_model import BoardItemsModel
from app.ui.window.main_window import MainWindow
from tests.ui.board_helpers import T0, Clock, Opener

Index = QModelIndex | QPersistentModelIndex


class CountingList(BoardList):
    """The board list, counting how often it lays out all its rows."""

    layouts = 0

    def doItemsLayout(self) -> None:
        self.layouts += 1
        super().doItemsLayout()


class Recorder:
    """What a model told its views."""

    def __init__(self, model: BoardItemsModel) -> None:
        self.changed: list[tuple[int, int]] = []
        self.resets = 0
        self.layouts = 0
        self.resized: list[list[int]] = []
        model.dataChanged.connect(self._changed)
        model.modelReset.connect(self._reset)
        model.layoutChanged.connect(self._layout)
        model.sizes_changed.connect(self.resized.append)

    def _changed(self, first: Index, last: Index, _roles: object = None) -> None:
        self.changed.append((first.row(), last.row()))

    def _reset(self) -> None:
        self.resets += 1

    def _layout(self) -> None:
        self.layouts += 1


def shown_list(qtbot: QtBot) -> tuple[BoardItemsModel, CountingList, BoardState]:
    """The sample board in a real list; unchanged items stay the same objects, as the
    service keeps them."""
    board = sample_board(T0)
    model = BoardItemsModel()
    view = CountingList(model, Opener())
    qtbot.addWidget(view)
    view.resize(900, 700)
    view.show()
    model.set_board(board.name, board.pipelines, board.environments, T0)
    view.executeDelayedItemsLayout()
    return model, view, board


def with_health(item: Observed, health: Health) -> Observed:
    assert isinstance(item.reading, EnvironmentReading)
    return dataclasses.replace(item, reading=dataclasses.replace(item.reading, health=health))


def test_a_new_picture_names_only_the_rows_whose_item_changed(qtbot: QtBot) -> None:
    model, _view, board = shown_list(qtbot)
    seen = Recorder(model)
    environments = list(board.environments)
    environments[1] = with_health(environments[1], Health.DEGRADED)
    later = T0 + timedelta(seconds=2)
    model.set_board(board.name, board.pipelines, environments, later)
    row = model.row_of(environments[1].key)
    assert seen.changed == [(row, row)], "one item changed: one row redrawn"
    assert (seen.resets, seen.layouts) == (0, 0), "the rows stay, no reset or re-layout"
    assert model.info_at(row) is not None and model.info_at(row).word == "degraded"  # type: ignore[union-attr]


def test_the_clock_still_redraws_every_row(qtbot: QtBot) -> None:
    model, _view, _board = shown_list(qtbot)
    seen = Recorder(model)
    model.tick(T0 + timedelta(seconds=1))
    assert seen.changed == [(0, model.rowCount() - 1)], "ages move on everywhere"


def test_a_data_change_that_keeps_every_height_lays_nothing_out(qtbot: QtBot) -> None:
    model, view, board = shown_list(qtbot)
    environments = list(board.environments)
    environments[0] = with_health(environments[0], Health.DOWN)
    before = view.layouts
    model.set_board(board.name, board.pipelines, environments, T0 + timedelta(seconds=1))
    view.executeDelayedItemsLayout()  # runs any layout QListView would have put off
    assert view.layouts == before, "QListView re-measured every row for a change of words"


def test_a_row_that_grows_lays_the_list_out_again_at_once(qtbot: QtBot) -> None:
    model, view, board = shown_list(qtbot)
    environments = list(board.environments)
    fine = next(i for i, e in enumerate(environments) if not e.error)
    environments[fine] = dataclasses.replace(environments[fine], error="connection refused")
    seen = Recorder(model)
    row = model.row_of(environments[fine].key)
    height = view.visualRect(model.index(row)).height()
    before = view.layouts
    model.set_board(board.name, board.pipelines, environments, T0 + timedelta(seconds=1))
    assert seen.resized == [[row]], "its shape changed: an error line"
    assert view.layouts == before + 1, "laid out in the same pass as the data change"
    assert view.visualRect(model.index(row)).height() > height


def test_a_big_board_keeps_its_rows_when_one_item_changes(qtbot: QtBot) -> None:
    snapshot = many_snapshot(T0, 300)
    model = BoardItemsModel()
    view = CountingList(model, Opener())
    qtbot.addWidget(view)
    view.resize(1200, 900)
    view.show()
    board = snapshot.board
    model.set_board(board.name, board.pipelines, board.environments, T0)
    view.executeDelayedItemsLayout()
    seen = Recorder(model)
    environments = list(board.environments)
    environments[-1] = with_health(environments[-1], Health.DOWN)
    before = view.layouts
    model.set_board(board.name, board.pipelines, environments, T0 + timedelta(seconds=1))
    view.executeDelayedItemsLayout()
    row = model.row_of(environments[-1].key)
    assert seen.changed == [(row, row)] and seen.resets == 0
    assert view.layouts == before


def snapshots(clock: Clock) -> tuple[BoardSnapshot, BoardSnapshot]:
    first = snapshot_of(sample_board(clock.now), clock.now)
    second = snapshot_of(sample_board(clock.now, "green"), clock.advance(seconds=1))
    return first, second


def test_the_window_draws_the_newest_of_a_burst_once_in_a_pass_of_its_own(
    qtbot: QtBot,
) -> None:
    clock = Clock()
    window = MainWindow(clock, Opener(), persist=False)
    qtbot.addWidget(window)
    drawn: list[BoardSnapshot] = []
    draw = window.board.show_snapshot

    def counting(snapshot: BoardSnapshot) -> None:
        drawn.append(snapshot)
        draw(snapshot)

    window.board.show_snapshot = counting  # type: ignore[method-assign]
    first, second = snapshots(clock)
    window.show_snapshot_soon(first)
    window.show_snapshot_soon(second)
    assert drawn == [], "not drawn in the pass that computed it"
    assert window.latest_snapshot is second, "a report still sees the newest picture"
    qtbot.waitUntil(lambda: bool(drawn))
    assert drawn == [second]
    assert window.board.snapshot is second


def test_a_snapshot_drawn_at_once_is_not_overdrawn_by_an_older_one(qtbot: QtBot) -> None:
    clock = Clock()
    window = MainWindow(clock, Opener(), persist=False)
    qtbot.addWidget(window)
    first, second = snapshots(clock)
    window.show_snapshot_soon(first)
    window.show_snapshot(second)
    assert window.latest_snapshot is second
    QCoreApplication.sendPostedEvents()  # the pass that would have drawn `first`
    assert window.board.snapshot is second
