"""A titled list of board rows (pipelines or environments) with filter, order and grouping.

Rows are kept per item key and reused across snapshots; rows of items that left the board are
deleted (`deleteLater`), so a board that updates every few seconds for weeks does not grow.
The view options — filter text, failing first, group by status — only reorder and hide rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.domain.model import Observed
from app.ui.board.describe import GROUP_TITLES, matches, severity
from app.ui.widgets.labels import PlainLabel

GROUP_BY_PIPELINE = "pipeline"
GROUP_BY_STATUS = "status"


class BoardRow(Protocol):
    item: Observed | None
    report_requested: Signal

    def names(self) -> tuple[str, ...]: ...
    def set_item(self, board: str, item: Observed, now: datetime) -> None: ...
    def tick(self, now: datetime) -> None: ...


BULK_ROWS = 20


class RowList(QWidget):
    """Rows of one kind under a heading; `make_row` builds a row widget for a new item."""

    report_requested = Signal(object)

    def __init__(
        self,
        title: str,
        make_row: Callable[[QWidget], QWidget],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._title = title
        self._make_row = make_row
        self.rows: dict[str, QWidget] = {}
        self._order: list[str] = []
        self._filter = ""
        self._failing_first = False
        self._group_by = GROUP_BY_PIPELINE
        self._now: datetime | None = None
        self.heading = PlainLabel(title, self, bold=True, scale=1.25)
        self.empty = PlainLabel("", self)
        # One header per status group, made once and reused.
        self._group_headers = {
            rank: PlainLabel(text, self, bold=True) for rank, text in GROUP_TITLES.items()
        }
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(6)
        self._layout.addWidget(self.heading)
        self.arrange()

    # -- data ---------------------------------------------------------------------------------

    def set_items(self, board: str, items: Sequence[Observed], now: datetime) -> None:
        self._now = now
        keys = [item.key for item in items]
        # Many new rows at once (a first picture of a big board): build them while the list is
        # hidden, so Qt lays out and shows them in one pass instead of once per widget.
        bulk = self.isVisible() and sum(1 for k in keys if k not in self.rows) > BULK_ROWS
        if bulk:
            self.hide()
        try:
            self._sync_rows(board, items, keys, now)
        finally:
            if bulk:
                self.show()

    def _sync_rows(
        self, board: str, items: Sequence[Observed], keys: list[str], now: datetime
    ) -> None:
        for key in set(self.rows) - set(keys):
            gone = self.rows.pop(key)
            self._layout.removeWidget(gone)
            gone.hide()
            gone.deleteLater()
        for item in items:
            row = self.rows.get(item.key)
            if row is None:
                row = self._make_row(self)
                row.report_requested.connect(self.report_requested)  # type: ignore[attr-defined]
                self.rows[item.key] = row
            row.set_item(board, item, now)  # type: ignore[attr-defined]
        self._order = keys
        self.arrange()

    def tick(self, now: datetime) -> None:
        self._now = now
        for row in self.rows.values():
            row.tick(now)  # type: ignore[attr-defined]
        if self._failing_first or self._group_by == GROUP_BY_STATUS:
            self.arrange()  # staleness can move a row into another group

    # -- view options -------------------------------------------------------------------------

    def set_filter(self, text: str) -> None:
        self._filter = text
        self.arrange()

    def set_failing_first(self, on: bool) -> None:
        self._failing_first = on
        self.arrange()

    def set_group_by(self, mode: str) -> None:
        self._group_by = mode if mode in (GROUP_BY_PIPELINE, GROUP_BY_STATUS) else GROUP_BY_PIPELINE
        self.arrange()

    def visible_keys(self) -> list[str]:
        """Keys of the shown rows, in display order."""
        return [k for k in self.display_order() if not self.rows[k].isHidden()]

    def display_order(self) -> list[str]:
        keys = [k for k in self._order if k in self.rows]
        if self._now is None or not (self._failing_first or self._group_by == GROUP_BY_STATUS):
            return keys
        now = self._now
        position = {k: i for i, k in enumerate(keys)}
        return sorted(keys, key=lambda k: (self._rank(k, now), position[k]))

    def _rank(self, key: str, now: datetime) -> int:
        item = self.rows[key].item  # type: ignore[attr-defined]
        return severity(item, now) if item is not None else 1

    def arrange(self) -> None:
        order = self.display_order()
        grouped = self._group_by == GROUP_BY_STATUS and self._now is not None
        widgets: list[QWidget] = [self.heading]
        shown = 0
        used_groups: set[int] = set()
        for key in order:
            row = self.rows[key]
            visible = matches(self._filter, *row.names())  # type: ignore[attr-defined]
            if row.isHidden() == visible:
                row.setVisible(visible)
            if not visible:
                continue
            shown += 1
            if grouped and self._now is not None:
                rank = self._rank(key, self._now)
                if rank not in used_groups:
                    used_groups.add(rank)
                    widgets.append(self._group_headers[rank])
            widgets.append(row)
        for rank, header in self._group_headers.items():
            if header.isHidden() == (rank in used_groups):
                header.setVisible(rank in used_groups)
        if not self.rows:
            self.empty.set_text(f"No {self._title.lower()} on this board.")
        elif not shown:
            self.empty.set_text(f"No {self._title.lower()} match “{self._filter.strip()}”.")
        else:
            self.empty.set_text("")
        widgets.append(self.empty)
        total = len(self.rows)
        self.heading.set_text(
            f"{self._title} ({shown} of {total})" if shown < total else self._title
        )
        self._relayout(widgets)

    def _widget_at(self, index: int) -> QWidget | None:
        item = self._layout.itemAt(index)
        assert item is not None  # index < count()
        return item.widget()

    def _relayout(self, widgets: list[QWidget]) -> None:
        current = [self._widget_at(i) for i in range(self._layout.count())]
        if current == widgets:
            return
        while self._layout.count():
            self._layout.takeAt(0)
        for widget in widgets:
            self._layout.addWidget(widget)

    def shown_groups(self) -> list[str]:
        """Titles of the status groups shown, top to bottom."""
        headers = set(self._group_headers.values())
        items = (self._widget_at(i) for i in range(self._layout.count()))
        return [w.text() for w in items if w in headers and not w.isHidden()]

    def focus_chain(self) -> list[QWidget]:
        chain: list[QWidget] = []
        for key in self.visible_keys():
            row = self.rows[key]
            inner = getattr(row, "focus_chain", None)
            if row.focusPolicy() != Qt.FocusPolicy.NoFocus:
                chain.append(row)
            if inner is not None:
                chain.extend(inner())
        return chain
