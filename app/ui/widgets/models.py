"""Qt table models over plain board data: open blockers, a read-only table over a list of rows
(`RowsModel`, which the History page's table shares). The outbox list is
app/ui/board/outbox_list.py.

Item views render `DisplayRole` as plain text, and tool tips are escaped, so remote titles can
never become markup. Ages are computed at the model's `now`, which the window's 1 s tick moves
(`set_now`) without re-reading anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app.domain.model import Blocker, BlockerState, Priority, StageStatus
from app.domain.verdict import NOT_SENT_YET
from app.domain.words import ago_words
from app.ui.widgets.icons import status_icon
from app.ui.widgets.theme import STAGE_LOOKS, plain_tooltip

Index = QModelIndex | QPersistentModelIndex
URL_ROLE = Qt.ItemDataRole.UserRole + 1
RowT = TypeVar("RowT")


class RowsModel(QAbstractTableModel, Generic[RowT]):
    """A read-only table over a list of rows: one column per `HEADERS` entry.

    Subclasses say what a cell shows in `data`, finding its row with `row_at`.
    """

    HEADERS: tuple[str, ...] = ()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[RowT] = []

    def _replace_rows(self, rows: list[RowT]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def row_at(self, index: Index) -> RowT | None:
        """The row `index` points into, or None when it is not a cell of the table."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        return self._rows[index.row()]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt API)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.HEADERS)
        ):
            return self.HEADERS[section]
        return None


class BlockersModel(RowsModel[Blocker]):
    """Open blockers, P1 first, then oldest first."""

    HEADERS = ("Priority", "Blocker", "Reported by", "Open for", "Category", "On it")
    AGE_COLUMN = 3

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._now: datetime | None = None
        self._icons = {
            Priority.P1: status_icon(STAGE_LOOKS[StageStatus.FAILED]),
            Priority.P2: status_icon(STAGE_LOOKS[StageStatus.WARNING]),
            Priority.P3: status_icon(STAGE_LOOKS[StageStatus.WARNING]),
        }

    def set_blockers(self, blockers: Sequence[Blocker], now: datetime) -> None:
        rows = sorted(
            (b for b in blockers if b.state is BlockerState.OPEN),
            key=lambda b: (b.priority.value, b.opened_at),
        )
        self._now = now
        if rows == self._rows:
            self.set_now(now)
            return
        self._replace_rows(rows)

    def set_now(self, now: datetime) -> None:
        self._now = now
        if self._rows:
            first = self.index(0, self.AGE_COLUMN)
            last = self.index(len(self._rows) - 1, self.AGE_COLUMN)
            self.dataChanged.emit(first, last, [Qt.ItemDataRole.DisplayRole])

    def blocker(self, row: int) -> Blocker:
        return self._rows[row]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        b = self.row_at(index)
        if b is None:
            return None
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if col == 0:
                return b.priority.value
            if col == 1:
                return f"{b.title} ({NOT_SENT_YET})" if b.pending else b.title
            if col == 2:
                return b.reporter or "—"
            if col == 3:
                return ago_words(b.opened_at, self._now).removesuffix(" ago") if self._now else ""
            if col == 4:
                return b.category
            if col == 5:
                return b.assignee or "—"
        if role == Qt.ItemDataRole.DecorationRole and col == 0:
            return self._icons.get(b.priority)
        if role == Qt.ItemDataRole.ToolTipRole:
            link = b.url or (NOT_SENT_YET if b.pending else "not filed with a tracker yet")
            on_it = f"\non it: {b.assignee}" if b.assignee else ""
            return plain_tooltip(f"{b.priority.value} · {b.title}\n{b.category}{on_it}\n{link}")
        if role == URL_ROLE:
            return b.url
        return None
