"""Open blockers (priority, title, who, age, tracker link) and the outbox of unsent reports.

The blockers come with each snapshot; the outbox rows come from the outbox service through
`set_outbox_rows`. Activating a blocker (double-click or Enter) opens its tracker link. Empty
lists say so in words instead of showing an empty box.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from PySide6.QtCore import QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QMenu,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.domain.model import Blocker
from app.ui.board.row import Opener, safe_url
from app.ui.widgets.labels import PlainLabel
from app.ui.widgets.models import URL_ROLE, BlockersModel, OutboxModel

MAX_VISIBLE_ROWS = 8


def _table(parent: QWidget, name: str) -> QTreeView:
    view = QTreeView(parent)
    view.setRootIsDecorated(False)
    view.setUniformRowHeights(True)
    view.setAlternatingRowColors(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.setAccessibleName(name)
    view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    return view


def _fit_height(view: QTreeView, rows: int) -> None:
    """As tall as its rows (up to a cap), so two blockers do not sit in a tall empty box."""
    row_h = view.sizeHintForRow(0) if rows else view.fontMetrics().height() + 8
    header_h = view.header().sizeHint().height()
    frame = view.frameWidth() * 2
    shown = max(1, min(rows, MAX_VISIBLE_ROWS))
    view.setFixedHeight(header_h + shown * max(row_h, 1) + frame + 2)


class BlockersPanel(QWidget):
    """The right-hand column of the board.

    Right-click a blocker to open its issue or mark it resolved here (for a blocker kept on
    this machine, or one whose issue the tracker cannot tell us about); right-click an outbox
    row to copy the report as Markdown or to send it now.
    """

    resolve_requested = Signal(str)  # blocker key
    copy_requested = Signal(int)  # outbox row
    send_now_requested = Signal()

    def __init__(self, opener: Opener, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._opener = opener
        self.blockers_model = BlockersModel(self)
        self.outbox_model = OutboxModel(self)

        self.blockers_title = PlainLabel("Open blockers", self, bold=True, scale=1.2)
        self.blockers_view = _table(self, "Open blockers")
        self.blockers_view.setModel(self.blockers_model)
        header = self.blockers_view.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.blockers_view.setColumnHidden(4, True)  # the category is in the tool tip
        self.blockers_view.activated.connect(self._open_blocker)
        self.blockers_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.blockers_view.customContextMenuRequested.connect(self._blocker_menu)
        self.no_blockers = PlainLabel("No open blockers.", self)

        self.outbox_title = PlainLabel("Outbox", self, bold=True, scale=1.2)
        self.outbox_view = _table(self, "Outbox: reports not sent yet")
        self.outbox_view.setModel(self.outbox_model)
        out_header = self.outbox_view.header()
        out_header.setStretchLastSection(False)
        out_header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        out_header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.outbox_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.outbox_view.customContextMenuRequested.connect(self._outbox_menu)
        self.no_outbox = PlainLabel("Nothing waiting to be sent.", self)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        for widget in (self.blockers_title, self.blockers_view, self.no_blockers):
            layout.addWidget(widget)
        layout.addSpacing(10)
        for widget in (self.outbox_title, self.outbox_view, self.no_outbox):
            layout.addWidget(widget)
        layout.addStretch(1)
        self.set_outbox_rows([])

    def set_blockers(self, blockers: Sequence[Blocker], now: datetime) -> None:
        self.blockers_model.set_blockers(blockers, now)
        count = self.blockers_model.rowCount()
        self.blockers_title.set_text(f"Open blockers ({count})" if count else "Open blockers")
        self.blockers_view.setVisible(count > 0)
        self.no_blockers.setVisible(count == 0)
        _fit_height(self.blockers_view, count)

    def tick(self, now: datetime) -> None:
        self.blockers_model.set_now(now)

    def set_outbox_rows(self, rows: Sequence[tuple[str, str, str]]) -> None:
        """Show unsent reports: (title, state in words, when saved in words) per row."""
        self.outbox_model.set_rows(rows)
        count = self.outbox_model.rowCount()
        self.outbox_title.set_text(f"Outbox ({count} not sent)" if count else "Outbox")
        self.outbox_view.setVisible(count > 0)
        self.no_outbox.setVisible(count == 0)
        _fit_height(self.outbox_view, count)

    def _open_blocker(self, index: QModelIndex) -> None:
        url = safe_url(index.siblingAtColumn(0).data(URL_ROLE))
        if url is not None:
            self._opener(url)

    def blocker_actions(self, row: int) -> list[QAction]:
        """The context menu of blocker `row` (built fresh, so tests can trigger them)."""
        blocker = self.blockers_model.blocker(row)
        open_issue = QAction("&Open issue", self)
        open_issue.setEnabled(safe_url(blocker.url) is not None)
        open_issue.triggered.connect(lambda: self._open_blocker(self.blockers_model.index(row, 0)))
        resolve = QAction("Mark &resolved here", self)
        resolve.triggered.connect(lambda: self.resolve_requested.emit(blocker.key))
        if blocker.from_tracker:  # a teammate's issue: it ends when it is closed there
            resolve.setEnabled(False)
            resolve.setText("Close it on the tracker to resolve it")
        return [open_issue, resolve]

    def outbox_actions(self, row: int) -> list[QAction]:
        copy = QAction("&Copy as Markdown", self)
        copy.triggered.connect(lambda: self.copy_requested.emit(row))
        send = QAction("&Send now", self)
        send.triggered.connect(self.send_now_requested.emit)
        return [copy, send]

    def _blocker_menu(self, pos: QPoint) -> None:
        index = self.blockers_view.indexAt(pos)
        if index.isValid():
            self._popup(self.blockers_view, pos, self.blocker_actions(index.row()))

    def _outbox_menu(self, pos: QPoint) -> None:
        index = self.outbox_view.indexAt(pos)
        if index.isValid():
            self._popup(self.outbox_view, pos, self.outbox_actions(index.row()))

    def _popup(self, view: QTreeView, pos: QPoint, actions: list[QAction]) -> None:
        menu = QMenu(self)
        menu.addActions(actions)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(view.viewport().mapToGlobal(pos))

    def focus_chain(self) -> list[QWidget]:
        return [self.blockers_view, self.outbox_view]
