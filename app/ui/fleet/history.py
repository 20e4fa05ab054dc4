"""The platform team's history page: the fleet's share of team-hours releasable, time to restore
per team (worst first), and P1s by category across teams, over 24 h, 7 d or 30 d.

Two read-only tables (Qt model/view over `QStandardItemModel`s: a few dozen rows, sortable by
any column) and a headline; the figures come from `app.domain.fleet_history`, loaded off the
GUI thread by the fleet service. Emits `window_chosen(Window)` and `back_requested()`.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.fleet_history import FleetHistory
from app.domain.history import Window
from app.domain.words import duration_words
from app.ui.widgets.labels import PlainLabel

SORT_ROLE = Qt.ItemDataRole.UserRole + 1


def _percent(share: float | None) -> str:
    return "no record" if share is None else f"{share * 100:.0f} %"


def _duration(seconds: float | None) -> str:
    return "—" if seconds is None else duration_words(seconds)


def _item(text: str, sort: float | str | None = None) -> QStandardItem:
    item = QStandardItem(text)
    item.setEditable(False)
    item.setData(text if sort is None else sort, SORT_ROLE)
    item.setData(text, Qt.ItemDataRole.AccessibleTextRole)
    return item


def _table(model: QStandardItemModel, name: str, parent: QWidget) -> QTableView:
    """A read-only table of one line per row: every column as wide as its widest cell (never
    wrapped onto a second line), rows as tall as a line, sorted only once a header is
    clicked (until then in the order given: worst first)."""
    view = QTableView(parent)
    view.setModel(model)
    view.setAccessibleName(name)
    view.setWordWrap(False)
    view.setSortingEnabled(True)
    view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    rows = view.verticalHeader()
    rows.hide()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(view.fontMetrics().height() + 8)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    model.setSortRole(SORT_ROLE)
    return view


def _filled(view: QTableView) -> None:
    """New rows are in: size the columns to them (with its row header hidden, a table sizes
    `ResizeToContents` columns to their header alone: "Environment instability" was wrapped
    in a column as wide as "P1 category"), and sort them as the header says, if asked."""
    header = view.horizontalHeader()
    header.resizeSections(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(False)  # and the last one takes the rest of the width again
    header.setStretchLastSection(True)
    if header.sortIndicatorSection() >= 0:
        view.model().sort(header.sortIndicatorSection(), header.sortIndicatorOrder())


def _all_rows_high(view: QTableView) -> int:
    """The height that shows every row of `view` (its header and frame included)."""
    rows = view.model().rowCount()
    header = view.horizontalHeader().sizeHint().height()
    return header + rows * view.verticalHeader().defaultSectionSize() + 2 * view.frameWidth()


class FleetHistoryView(QWidget):
    """Shows one `FleetHistory`; asks for another window with `window_chosen`."""

    window_chosen = Signal(object)  # Window
    back_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.back = QPushButton("← All teams", self)
        self.back.setAccessibleName("Back to all teams")
        self.back.clicked.connect(self.back_requested)
        self.buttons = QButtonGroup(self)
        bar = QHBoxLayout()
        bar.addWidget(self.back)
        bar.addSpacing(12)
        self.title = PlainLabel("History of the fleet", self, bold=True)
        bar.addWidget(self.title, 1)
        for window in Window:
            button = QPushButton(window.short, self)
            button.setCheckable(True)
            button.setAccessibleName(f"History of the {window.words}")
            button.clicked.connect(lambda _=False, w=window: self.window_chosen.emit(w))
            self.buttons.addButton(button)
            bar.addWidget(button)
            if window is Window.WEEK:
                button.setChecked(True)
        self.headline = PlainLabel("Loading…", self, wrap=True)
        self.headline.setAccessibleName("Share of team-hours releasable")
        font = self.headline.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.headline.setFont(font)

        self.restore_model = QStandardItemModel(0, 5, self)
        self.restore_model.setHorizontalHeaderLabels(
            ["Team", "Releasable", "Restored", "Median time to restore", "Not releasable now for"]
        )
        self.restores = _table(self.restore_model, "Time to restore per team", self)
        self.category_model = QStandardItemModel(0, 4, self)
        self.category_model.setHorizontalHeaderLabels(
            ["P1 category", "Filed", "Closed", "Median time to close"]
        )
        self.categories = _table(self.category_model, "P1s by category across teams", self)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 8)
        layout.addLayout(bar)
        layout.addWidget(self.headline)
        layout.addWidget(PlainLabel("Time to restore releasability, per team", self, bold=True))
        layout.addWidget(self.restores, 1)
        layout.addWidget(PlainLabel("P1s by category, across teams", self, bold=True))
        layout.addWidget(self.categories)  # a few rows: all of them shown, the teams scroll

    def show_history(self, history: FleetHistory) -> None:
        share = history.releasable_share
        self.headline.set_text(
            f"{_percent(share)} of team-hours releasable over the {history.window.words} "
            f"({history.teams} teams, {history.p1s_filed} P1s filed)"
        )
        self.restore_model.setRowCount(0)
        for r in history.restores:
            self.restore_model.appendRow(
                [
                    _item(r.name, r.name.casefold()),
                    _item(_percent(r.releasable_share), r.releasable_share or 0.0),
                    _item(str(r.restores), r.restores),
                    _item(_duration(r.median_s), r.median_s or 0.0),
                    _item(_duration(r.open_s) if r.open_s else "—", r.open_s or 0.0),
                ]
            )
        _filled(self.restores)
        self.category_model.setRowCount(0)
        for c in history.categories:
            self.category_model.appendRow(
                [
                    _item(c.label),
                    _item(str(c.filed), c.filed),
                    _item(str(c.closed), c.closed),
                    _item(_duration(c.median_close_s), c.median_close_s or 0.0),
                ]
            )
        _filled(self.categories)
        self.categories.setFixedHeight(_all_rows_high(self.categories))


__all__ = ["FleetHistoryView"]
