"""The outbox list of the board's side panel: one row of two or three lines per draft or
unsent report.

Line one is the priority and the title; line two says, in words, where the report stands:
its state, how long ago it was saved or queued (aged by the window's 1 s tick, never frozen
at "just now") and when it is tried again; a report whose last try failed has a third line
saying why, so the reason is read, not cut off behind the age. Each line is elided to the
width it has and the whole text is in the tool tip, so a narrow side panel never squeezes a
column into "[…". The list is as tall as its rows (up to `MAX_VISIBLE_ROWS`), so a few rows
never sit in a scrolling box of their own. Everything is painted as plain text.
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
DETAIL_ROLE = Qt.ItemDataRole.UserRole + 3  # state, age, next try and error on one line
STATUS_ROLE = Qt.ItemDataRole.UserRole + 4  # line two: state, age, next try
ERROR_ROLE = Qt.ItemDataRole.UserRole + 5  # line three: "last try: …", or None
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
        if role == STATUS_ROLE:
            return row.status(self._now)
        if role == ERROR_ROLE:
            return row.error_words()
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{row.priority} {row.title}. {row.detail(self._now)}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(f"{row.priority} · {row.title}\n{row.detail(self._now)}")
        if role == ROW_ROLE:
            return row
        return None


class OutboxDelegate(QStyledItemDelegate):
    """Paints a row as plain-text lines, each elided to the width: priority and title; state,
    age and next try; and the last error when there is one."""

    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont]:
        bold = QFont(option.font)
        bold.setBold(True)
        return bold, QFont(option.font)

    def row_height(self, option: QStyleOptionViewItem, lines: int) -> int:
        bold, plain = self._fonts(option)
        return (
            QFontMetrics(bold).height()
            + (lines - 1) * (QFontMetrics(plain).height() + 2)
            + 2 * PADDING
        )

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        lines = 3 if index.isValid() and index.data(ERROR_ROLE) else 2
        return QSize(200, self.row_height(option, lines))

    def lines(self, option: QStyleOptionViewItem, index: Index) -> list[str]:
        """The text of each line as drawn in `option.rect` (elided to its width), after the
        priority tag on line one."""
        row = index.data(ROW_ROLE)
        if not isinstance(row, OutboxRow):
            return []
        bold, plain = self._fonts(option)
        width = option.rect.width() - 2 * PADDING
        bold_metrics, plain_metrics = QFontMetrics(bold), QFontMetrics(plain)
        width_after_tag = width - bold_metrics.horizontalAdvance(f"{row.priority} ")
        elide = Qt.TextElideMode.ElideRight
        texts = [bold_metrics.elidedText(row.title, elide, width_after_tag)]
        for words in (index.data(STATUS_ROLE), index.data(ERROR_ROLE)):
            if words:
                texts.append(plain_metrics.elidedText(str(words), elide, width))
        return texts

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
        bold, plain = self._fonts(opt)
        title, *below = self.lines(opt, index)
        painter.save()
        bold_metrics, plain_metrics = QFontMetrics(bold), QFontMetrics(plain)
        x = rect.x()
        # The priority, in its status colour for P1 (the shape is the word itself).
        tag = f"{row.priority} "
        painter.setFont(bold)
        if row.priority == "P1" and not selected:
            painter.setPen(STAGE_LOOKS[StageStatus.FAILED].colour)
        else:
            painter.setPen(text)
        top = rect.y() + bold_metrics.ascent()
        painter.drawText(x, top, tag)
        painter.setPen(text)
        painter.drawText(x + bold_metrics.horizontalAdvance(tag), top, title)
        painter.setFont(plain)
        painter.setPen(muted)
        line_y = rect.y() + bold_metrics.height() + 2
        for words in below:
            painter.drawText(x, line_y + plain_metrics.ascent(), words)
            line_y += plain_metrics.height() + 2
        painter.restore()


class OutboxList(QListView):
    """The list itself: as tall as its rows (up to a cap), never a horizontal scroll bar."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Outbox: reports not sent yet")
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setAlternatingRowColors(True)
        self.setItemDelegate(OutboxDelegate(self))

    def fit_rows(self, count: int) -> None:
        """As tall as its first `count` rows, up to `MAX_VISIBLE_ROWS` (then it scrolls)."""
        opt = QStyleOptionViewItem()
        opt.initFrom(self)
        delegate = self.itemDelegate()
        model = self.model()
        shown = min(count, MAX_VISIBLE_ROWS)
        if model is None or shown == 0:
            height = delegate.sizeHint(opt, QModelIndex()).height()
        else:
            height = sum(delegate.sizeHint(opt, model.index(n, 0)).height() for n in range(shown))
        self.setFixedHeight(height + 2 * self.frameWidth() + 2)


__all__ = [
    "DETAIL_ROLE",
    "ERROR_ROLE",
    "MAX_VISIBLE_ROWS",
    "STATUS_ROLE",
    "OutboxDelegate",
    "OutboxList",
    "OutboxListModel",
]
