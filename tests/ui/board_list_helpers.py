"""Shared helpers for the board list tests: one item shown in a real `BoardList`."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect
from pytestqt.qtbot import QtBot

from app.domain.model import Observed
from app.ui.board.board_list import BoardList
from app.ui.board.items_model import BoardItemsModel, RowInfo
from tests.ui.board_helpers import Clock, Opener


class Shown:
    """A board list showing items; `row` is the model row of the first item."""

    def __init__(self, qtbot: QtBot, clock: Clock, opener: Opener, *items: Observed) -> None:
        self.clock = clock
        self.model = BoardItemsModel()
        self.view = BoardList(self.model, opener)
        qtbot.addWidget(self.view)
        self.view.resize(900, 500)
        self.view.show()
        pipelines = [i for i in items if i.key.startswith("pipeline:")]
        environments = [i for i in items if not i.key.startswith("pipeline:")]
        self.model.set_board("Payments team", pipelines, environments, clock())
        self.row = self.model.row_of(items[0].key)

    @property
    def info(self) -> RowInfo:
        info = self.model.info_at(self.row)
        assert info is not None
        return info

    def tick(self) -> None:
        self.model.tick(self.clock())

    def chip_rects(self) -> tuple[QRect, ...]:
        rect = self.view.visualRect(self.model.index(self.row))
        geo = self.view.board_delegate.row_geometry(self.row, rect)
        assert geo is not None
        return geo.chips

    def chip_centre(self, chip: int) -> QPoint:
        return self.chip_rects()[chip].center()
