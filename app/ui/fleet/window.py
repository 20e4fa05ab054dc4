"""The platform team's window: every team on one list, worst first; open one, come back.

The list is a `QListView` over `FleetModel` behind `FleetFilter`, painted by `FleetDelegate`
(no widget per team). Keyboard: Up/Down move between teams, Enter opens the team's full board
(so does a double-click), Esc or Alt+Left or the Back button come back to the list with the
same team current; Ctrl+F goes to the filter. The team's board is the team window's own
`BoardView`, fed by the fleet with that team's snapshots (`show_team_snapshot`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QListView,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.fleet import TeamRow, counts
from app.domain.model import BoardSnapshot, VerdictState
from app.ui.fleet.delegate import FleetDelegate
from app.ui.fleet.model import KEY_ROLE, FleetFilter, FleetModel
from app.ui.widgets.labels import PlainLabel

if TYPE_CHECKING:
    from app.domain.fleet_history import FleetHistory
    from app.ui.board.view import BoardView
    from app.ui.fleet.history import FleetHistoryView


def utc_now() -> datetime:
    return datetime.now(UTC)


def summary_words(rows: Sequence[TeamRow]) -> str:
    found = counts(rows)
    return (
        f"{found[VerdictState.NOT_RELEASABLE]} not releasable · "
        f"{found[VerdictState.UNKNOWN]} unknown · {found[VerdictState.RELEASABLE]} releasable"
    )


class FleetList(QListView):
    """The teams; Enter opens the current one (emits `open_team(key)`)."""

    open_team = Signal(str)

    def __init__(self, model: FleetFilter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.fleet_delegate = FleetDelegate(self)
        self.setItemDelegate(self.fleet_delegate)
        self.setAccessibleName("Teams")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setUniformItemSizes(True)  # every row is as tall: no measuring 100 rows
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.verticalScrollBar().setSingleStep(24)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setBackgroundRole(QPalette.ColorRole.Window)
        self.viewport().setBackgroundRole(QPalette.ColorRole.Window)
        self.activated.connect(self._activated)  # Enter, and double-click on most styles
        self.doubleClicked.connect(self._activated)

    def _activated(self, index: QModelIndex) -> None:
        key = index.data(KEY_ROLE)
        if isinstance(key, str):
            self.open_team.emit(key)


class FleetWindow(QWidget):
    """The fleet list and, when a team is opened, its board with a way back."""

    team_opened = Signal(str)  # key: feed me that team's snapshots
    team_closed = Signal()
    history_requested = Signal(object)  # Window: load the fleet's history and `show_history`

    def __init__(
        self,
        fleet_name: str,
        now_fn: Callable[[], datetime] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.now_fn = now_fn or utc_now
        self.setWindowTitle(f"{fleet_name} — Releasable")
        self.rows: list[TeamRow] = []
        self.open_key: str | None = None

        self.model = FleetModel(self)
        self.proxy = FleetFilter(self)
        self.proxy.setSourceModel(self.model)

        self.title = PlainLabel(fleet_name, self, bold=True)
        self.title.setAccessibleName("Fleet")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        self.title.setFont(font)
        self.summary = PlainLabel("", self)
        self.summary.setAccessibleName("Summary")
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("Filter teams, reasons, P1s…")
        self.filter.setAccessibleName("Filter teams")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.proxy.set_text)
        self.list = FleetList(self.proxy, self)
        self.list.open_team.connect(self.open_team)

        head = QHBoxLayout()
        head.setContentsMargins(12, 10, 12, 6)
        head.addWidget(self.title)
        head.addSpacing(16)
        head.addWidget(self.summary, 1)
        head.addWidget(self.filter)
        self.history_button = QPushButton("History", self)
        self.history_button.setAccessibleName("History of the fleet")
        self.history_button.clicked.connect(self.open_history)
        head.addWidget(self.history_button)
        self.filter.setMinimumWidth(220)
        fleet_page = QWidget(self)
        fleet_layout = QVBoxLayout(fleet_page)
        fleet_layout.setContentsMargins(0, 0, 0, 0)
        fleet_layout.addLayout(head)
        fleet_layout.addWidget(self.list, 1)

        team_page = QWidget(self)
        self.back = QPushButton("← All teams", team_page)
        self.back.setAccessibleName("Back to all teams")
        self.back.setToolTip("Back to all teams (Esc)")
        self.back.clicked.connect(self.close_team)
        self.team_title = PlainLabel("", team_page, bold=True)
        self.team_page = team_page
        self._board: BoardView | None = None  # built on the first open: not at start-up
        bar = QHBoxLayout()
        bar.setContentsMargins(8, 6, 8, 6)
        bar.addWidget(self.back)
        bar.addSpacing(12)
        bar.addWidget(self.team_title, 1)
        team_layout = QVBoxLayout(team_page)
        team_layout.setContentsMargins(0, 0, 0, 0)
        team_layout.setSpacing(0)
        team_layout.addLayout(bar)
        self.team_layout = team_layout

        self.pages = QStackedWidget(self)
        self.pages.addWidget(fleet_page)
        self.pages.addWidget(team_page)
        self._history: FleetHistoryView | None = None  # built on first open
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)

        find = QShortcut(QKeySequence.StandardKey.Find, fleet_page)
        find.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        find.activated.connect(self.filter.setFocus)

        self._clock = QTimer(self)
        self._clock.setInterval(30_000)
        self._clock.timeout.connect(self.tick)
        self._clock.start()

    # --- data ---------------------------------------------------------------------------

    def show_rows(self, rows: Sequence[TeamRow]) -> None:
        """A new picture of the fleet (ordered by the service)."""
        current = self.list.currentIndex().data(KEY_ROLE)
        self.rows = list(rows)
        self.model.set_rows(self.rows, self.now_fn())
        self.summary.set_text(summary_words(self.rows))
        if isinstance(current, str):
            self._make_current(current, scroll=False)  # a refresh never moves the list

    @property
    def board(self) -> BoardView:
        """The team's full board (the team window's own view), built when first needed."""
        if self._board is None:
            from app.ui.board.view import BoardView

            self._board = BoardView(self.now_fn, parent=self.team_page)
            self.team_layout.addWidget(self._board, 1)
        return self._board

    def show_team_snapshot(self, key: str, snapshot: BoardSnapshot) -> None:
        if key == self.open_key:
            self.board.show_snapshot(snapshot)
            self.team_title.set_text(snapshot.board.name)

    def tick(self) -> None:
        now = self.now_fn()
        self.model.tick(now)
        if self.open_key is not None:
            self.board.tick(now)

    # --- navigation ---------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Esc, Backspace or Alt+Left on the team's board (whatever has the focus there and
        does not use the key itself) come back to the list."""
        back = event.key() in (Qt.Key.Key_Escape, Qt.Key.Key_Backspace) or (
            event.key() == Qt.Key.Key_Left and event.modifiers() & Qt.KeyboardModifier.AltModifier
        )
        if back and self.open_key is not None:
            self.close_team()
            return
        if back and self.pages.currentIndex() == 2:
            self.close_history()
            return
        super().keyPressEvent(event)

    def open_team(self, key: str) -> None:
        row = next((r for r in self.rows if r.key == key), None)
        if row is None:
            return
        self.open_key = key
        self.team_title.set_text(row.name)
        if row.snapshot is not None:
            self.board.show_snapshot(row.snapshot)
        else:
            self.board.snapshot = None
        self.pages.setCurrentIndex(1)
        self.back.setFocus()
        self.team_opened.emit(key)

    def close_team(self) -> None:
        if self.open_key is None:
            return
        key, self.open_key = self.open_key, None
        self.pages.setCurrentIndex(0)
        self._make_current(key)
        self.list.setFocus()
        self.team_closed.emit()

    def open_history(self) -> None:
        """The fleet's history page (over 7 days first); the figures come in `show_history`."""
        if self._history is None:
            from app.ui.fleet.history import FleetHistoryView

            self._history = FleetHistoryView(self)
            self._history.back_requested.connect(self.close_history)
            self._history.window_chosen.connect(self.history_requested)
            self.pages.addWidget(self._history)
        self.pages.setCurrentWidget(self._history)
        self._history.back.setFocus()
        from app.domain.history import Window

        self.history_requested.emit(Window.WEEK)

    def show_history(self, history: FleetHistory) -> None:
        if self._history is not None:
            self._history.show_history(history)

    def close_history(self) -> None:
        self.pages.setCurrentIndex(0)
        self.list.setFocus()

    def _make_current(self, key: str, *, scroll: bool = True) -> None:
        row = self.model.row_of(key)
        if row < 0:
            return
        index = self.proxy.mapFromSource(self.model.index(row))
        if index.isValid():
            bar = self.list.verticalScrollBar()
            position = bar.value()
            self.list.setCurrentIndex(index)
            if scroll:
                self.list.scrollTo(index)
            else:
                bar.setValue(position)


__all__ = ["FleetList", "FleetWindow", "summary_words"]
