"""Open blockers (priority, title, who, age, tracker link) and the outbox of unsent reports.

The blockers come with each snapshot; the outbox rows come from the outbox service through
`set_outbox_rows` (app/ui/board/outbox_list.py draws them), and "Send now" shows its progress
and then its result in words (`show_send_progress`, `show_send_result`); a row's "Send now"
asks for that one report (`send_report_requested`), also one saved here before the board had
a tracker. With no tracker on the board (`set_has_tracker(False)`) both are off and say why.
Activating a blocker (double-click or Enter) opens its tracker link; activating a draft
reopens it. Empty lists say so in words instead of showing an empty box.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from PySide6.QtCore import QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QHBoxLayout,
    QHeaderView,
    QListView,
    QMenu,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.domain.model import Blocker
from app.services.outbox_rows import OutboxRow
from app.ui.board.outbox_list import OutboxList, OutboxListModel
from app.ui.board.row import Opener, safe_url
from app.ui.widgets.labels import PlainLabel
from app.ui.widgets.models import URL_ROLE, BlockersModel

MAX_VISIBLE_ROWS = 8
NO_TRACKER_TIP = (
    "This board has no tracker: reports stay here (copy them as Markdown). "
    "Add a [tracker] to the board file to send them."
)


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


def _waiting(row: OutboxRow) -> bool:
    """A report the "Send now" button sends: not a draft, not one saved here (those are sent
    one at a time, from their row)."""
    return row.draft is None and not row.saved_here


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
    claim_requested = Signal(str)  # blocker key: "I'm on it"
    copy_requested = Signal(str)  # outbox report key
    send_now_requested = Signal()  # the button: everything waiting for the tracker
    send_report_requested = Signal(str)  # a row's "Send now": that report (key)
    reopen_requested = Signal(object)  # OutboxRow of a draft: open it in the report dialog

    def __init__(self, opener: Opener, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._opener = opener
        self._has_tracker = True  # until `set_has_tracker` says otherwise
        self.blockers_model = BlockersModel(self)
        self.outbox_model = OutboxListModel(self)

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
        self.outbox_view = OutboxList(self)
        self.outbox_view.setModel(self.outbox_model)
        self.outbox_view.activated.connect(self._outbox_activated)
        self.outbox_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.outbox_view.customContextMenuRequested.connect(self._outbox_menu)
        self.no_outbox = PlainLabel("Nothing waiting to be sent.", self)
        self.send_button = QPushButton("&Send now", self)
        self.send_button.setToolTip("Send every report waiting in the outbox now")
        self.send_button.clicked.connect(self.send_now_requested.emit)
        self.send_busy = QProgressBar(self)
        self.send_busy.setRange(0, 0)  # busy: the round's length is not known
        self.send_busy.setTextVisible(False)
        self.send_busy.setMaximumHeight(self.fontMetrics().height())
        self.send_busy.setAccessibleName("Sending")
        self.send_busy.hide()
        self.send_status = PlainLabel("", self)
        self.send_status.setWordWrap(True)
        self.send_status.hide()
        send_row = QHBoxLayout()
        send_row.setContentsMargins(0, 0, 0, 0)
        send_row.addWidget(self.send_button)
        send_row.addWidget(self.send_busy, 1)
        send_row.addStretch(0)

        # Two columns, one above the other beside the board; side by side when the panel sits
        # below a narrow board (`set_side_by_side`), so the outbox is not pushed out of sight.
        self.blockers_column = QWidget(self)
        blockers_column = QVBoxLayout(self.blockers_column)
        blockers_parts: tuple[QWidget, ...] = (
            self.blockers_title,
            self.blockers_view,
            self.no_blockers,
        )
        for widget in blockers_parts:
            blockers_column.addWidget(widget)
        self.outbox_column = QWidget(self)
        outbox_column = QVBoxLayout(self.outbox_column)
        outbox_parts: tuple[QWidget, ...] = (self.outbox_title, self.outbox_view, self.no_outbox)
        for widget in outbox_parts:
            outbox_column.addWidget(widget)
        outbox_column.addLayout(send_row)
        outbox_column.addWidget(self.send_status)
        self.columns = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.columns.setSpacing(16)
        for column, layout_of in (
            (self.blockers_column, blockers_column),
            (self.outbox_column, outbox_column),
        ):
            layout_of.setContentsMargins(0, 0, 0, 0)
            layout_of.setSpacing(6)
            column.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
            self.columns.addWidget(column, 1, Qt.AlignmentFlag.AlignTop)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.columns)
        layout.addStretch(1)
        self.set_outbox_rows([])

    def set_side_by_side(self, on: bool) -> None:
        """Blockers and outbox side by side (the panel is below the board), or one above the
        other (the panel is beside it)."""
        self.columns.setDirection(
            QBoxLayout.Direction.LeftToRight if on else QBoxLayout.Direction.TopToBottom
        )

    def set_has_tracker(self, has: bool) -> None:
        """Whether the board names a tracker: without one nothing can be sent, and "Send now"
        is off and says why."""
        self._has_tracker = has
        self.send_button.setEnabled(has and not self.send_busy.isVisible())
        self.send_button.setToolTip(
            "Send every report waiting in the outbox now" if has else NO_TRACKER_TIP
        )

    def side_by_side(self) -> bool:
        return self.columns.direction() == QBoxLayout.Direction.LeftToRight

    def set_blockers(self, blockers: Sequence[Blocker], now: datetime) -> None:
        self.blockers_model.set_blockers(blockers, now)
        count = self.blockers_model.rowCount()
        self.blockers_title.set_text(f"Open blockers ({count})" if count else "Open blockers")
        self.blockers_view.setVisible(count > 0)
        self.no_blockers.setVisible(count == 0)
        _fit_height(self.blockers_view, count)

    def tick(self, now: datetime) -> None:
        self.blockers_model.set_now(now)
        self.outbox_model.set_now(now)

    def set_outbox_rows(self, rows: Sequence[OutboxRow], now: datetime | None = None) -> None:
        """Show the drafts and unsent reports (aged at `now`, then by `tick`)."""
        self.outbox_model.set_rows(rows, now or datetime.now(UTC))
        count = self.outbox_model.rowCount()
        reports = sum(1 for r in rows if _waiting(r))
        self.outbox_title.set_text(f"Outbox ({count} not sent)" if count else "Outbox")
        self.outbox_view.setVisible(count > 0)
        self.no_outbox.setVisible(count == 0)
        self.send_button.setVisible(reports > 0 or self.send_busy.isVisible())
        self.outbox_view.fit_rows(count)

    def show_send_progress(self, words: str) -> None:
        """A "Send now" is under way: a busy bar and the words, the button off until it ends."""
        self.send_button.setEnabled(False)
        self.send_busy.show()
        self.send_status.set_text(words)
        self.send_status.show()

    def show_send_result(self, words: str) -> None:
        """What the "Send now" did, in words (it stays until the next one)."""
        self.send_button.setEnabled(self._has_tracker)
        self.send_busy.hide()
        self.send_status.set_text(words)
        self.send_status.show()
        self.send_button.setVisible(any(_waiting(r) for r in self.outbox_model.rows()))

    def _outbox_activated(self, index: QModelIndex) -> None:
        row = self.outbox_model.row(index.row())
        if row is not None and row.draft is not None:
            self.reopen_requested.emit(row)

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
        claim = QAction("I'm &on it", self)
        claim.setToolTip("Assign its issue to you on the tracker; the whole team sees it")
        claim.triggered.connect(lambda: self.claim_requested.emit(blocker.key))
        if blocker.pending or not blocker.url:
            claim.setEnabled(False)
            claim.setText("I'm on it (once it is on the tracker)")
        return [open_issue, resolve, claim]

    def outbox_actions(self, row: int) -> list[QAction]:
        """The context menu of outbox `row` (built fresh, so tests can trigger them)."""
        found = self.outbox_model.row(row)
        if found is None:
            return []
        if found.draft is not None:
            finish = QAction("&Open to finish it", self)
            finish.triggered.connect(lambda: self.reopen_requested.emit(found))
            return [finish]
        copy = QAction("&Copy as Markdown", self)
        copy.triggered.connect(lambda: self.copy_requested.emit(found.key))
        send = QAction("&Send now", self)
        if self._has_tracker:
            send.setToolTip(
                "File this report on the board's tracker now"
                if found.saved_here
                else "Send this report to the tracker now"
            )
            send.triggered.connect(lambda: self.send_report_requested.emit(found.key))
        else:
            send.setEnabled(False)
            send.setText("Send now (this board has no tracker)")
            send.setToolTip(NO_TRACKER_TIP)
        return [copy, send]

    def _blocker_menu(self, pos: QPoint) -> None:
        index = self.blockers_view.indexAt(pos)
        if index.isValid():
            self._popup(self.blockers_view, pos, self.blocker_actions(index.row()))

    def _outbox_menu(self, pos: QPoint) -> None:
        index = self.outbox_view.indexAt(pos)
        if index.isValid():
            self._popup(self.outbox_view, pos, self.outbox_actions(index.row()))

    def _popup(self, view: QTreeView | QListView, pos: QPoint, actions: list[QAction]) -> None:
        menu = QMenu(self)
        menu.setToolTipsVisible(True)
        menu.addActions(actions)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(view.viewport().mapToGlobal(pos))

    def focus_chain(self) -> list[QWidget]:
        return [self.blockers_view, self.outbox_view, self.send_button]
