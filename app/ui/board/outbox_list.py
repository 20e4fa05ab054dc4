"""The outbox list of the board's side panel: one two-line row per draft or unsent report.

Line one is the priority and the title; line two says, in words, where the report stands:
its state, how long ago it was saved or queued (aged by the window's 1 s tick, never frozen
at "just now"), when it is tried again, and the last error. Each line is elided to the width
it has and the whole text is in the tool tip, so a narrow side panel never squeezes a column
into "[…". The list is as tall as its rows (up to `MAX_VISIBLE_ROWS`), so a few rows never
sit in a scrolling box of their own. Everything is painted as plain text.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from app.domain.model import StageStatus
from app.services.outbox_rows import OutboxRow
from app.ui.widgets.theme import STAGE_LOOKS, muted_text, plain_tooltip

Index = QModelIndex | QPersistentModelIndex
ROW_ROLE = Qt.ItemDataRole.UserRole + 2
DETAIL_ROLE = Qt.ItemDataRole.UserRole + 3
MAX_VISIBLE_ROWS = 5
PADDING = 6


class OutboxListModel(QAbstractListModel):
    """Unsent reports and drafts as `OutboxRow`s, aged at the model's `now`."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[OutboxRow] = []
        self._now = datetime.now(UTC)

    def set_rows(self, rows: Sequence[OutboxRow], now: datetime) -> None:
        self._now = now
        new = list(rows)
        if new == self._rows:
            self.set_now(now)
            return
        self.beginResetModel()
        self._rows = new
        self.endResetModel()

    def set_now(self, now: datetime) -> None:
        self._now = now
        if self._rows:
            self.dataChanged.emit(self.index(0), self.index(len(self._rows) - 1))

    def row(self, number: int) -> OutboxRow | None:
        return self._rows[number] if 0 <= number < len(self._rows) else None

    def rows(self) -> list[OutboxRow]:
        return list(self._rows)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt API)
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row(index.row()) if index.isValid() else None
        if row is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{row.priority} · {row.title}"
        if role == DETAIL_ROLE:
            return row.detail(self._now)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{row.priority} {row.title}. {row.detail(self._now)}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(f"{row.priority} · {row.title}\n{row.detail(self._now)}")
        if role == ROW_ROLE:
            return row
        return None


class OutboxDelegate(QStyledItemDelegate):
    """Paints a row as two elided plain-text lines: priority and title; state, age, error."""

    def _lines(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont]:
        bold = QFont(option.font)
        bold.setBold(True)
        return bold, QFont(option.font)

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        bold, plain = self._lines(option)
        height = QFontMetrics(bold).height() + QFontMetrics(plain).height() + 2 * PADDING + 2
        return QSize(200, height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        row = index.data(ROW_ROLE)
        if not isinstance(row, OutboxRow):
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        rect = opt.rect.adjusted(PADDING, PADDING, -PADDING, -PADDING)
        palette = opt.palette
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        text = palette.highlightedText().color() if selected else palette.text().color()
        muted = text if selected else muted_text(palette)
        bold, plain = self._lines(opt)
        painter.save()
        bold_metrics, plain_metrics = QFontMetrics(bold), QFontMetrics(plain)
        x, width = rect.x(), rect.width()
        # The priority, in its status colour for P1 (the shape is the word itself).
        tag = f"{row.priority} "
        painter.setFont(bold)
        if row.priority == "P1" and not selected:
            painter.setPen(STAGE_LOOKS[StageStatus.FAILED].colour)
        else:
            painter.setPen(text)
        top = rect.y() + bold_metrics.ascent()
        painter.drawText(x, top, tag)
        tag_w = bold_metrics.horizontalAdvance(tag)
        painter.setPen(text)
        title = bold_metrics.elidedText(row.title, Qt.TextElideMode.ElideRight, width - tag_w)
        painter.drawText(x + tag_w, top, title)
        painter.setFont(plain)
        painter.setPen(muted)
        detail = str(index.data(DETAIL_ROLE) or "")
        second = rect.y() + bold_metrics.height() + 2 + plain_metrics.ascent()
        painter.drawText(
            x, second, plain_metrics.elidedText(detail, Qt.TextElideMode.ElideRight, width)
        )
        painter.restore()


class OutboxList(QListView):
    """The list itself: as tall as its rows (up to a cap), never a horizontal scroll bar."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Outbox: reports not sent yet")
        self.setUniformItemSizes(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setAlternatingRowColors(True)
        self.setItemDelegate(OutboxDelegate(self))

    def fit_rows(self, count: int) -> None:
        """As tall as `count` rows, up to `MAX_VISIBLE_ROWS` (then it scrolls)."""
        opt = QStyleOptionViewItem()
        opt.initFrom(self)
        row_h = self.itemDelegate().sizeHint(opt, QModelIndex()).height()
        shown = max(1, min(count, MAX_VISIBLE_ROWS))
        self.setFixedHeight(shown * row_h + 2 * self.frameWidth() + 2)


__all__ = ["MAX_VISIBLE_ROWS", "OutboxDelegate", "OutboxList", "OutboxListModel"]
