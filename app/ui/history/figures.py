"""The history figures in words and as a table: what the History page's labels and its
blockers table show (`CategoryModel`, a Qt table model over `CategoryFigures`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt

from app.domain.history import CategoryFigures, HistoryFigures
from app.domain.words import duration_words
from app.ui.widgets.models import Index, RowsModel


def percent(share: float | None) -> str:
    return "–" if share is None else f"{share * 100:.0f} %"


def day_words(at: datetime) -> str:
    """'Tue 4 Nov' in local time."""
    local = at.astimezone()
    return f"{local:%a} {local.day} {local:%b}"


def when_words(at: datetime) -> str:
    """'Tue 4 Nov 14:05' in local time."""
    return f"{day_words(at)} {at.astimezone():%H:%M}"


def restore_words(figures: HistoryFigures) -> str:
    """'Median 42 min · longest 3 h 5 min (back Tue 14 May 10:02) · 7 restores'."""
    count = len(figures.restores)
    if not count:
        return "No return to releasable in this window."
    longest = figures.longest_restore
    assert longest is not None and figures.median_restore_s is not None
    at_least = "" if longest.start_known else "at least "
    longest_words = f"{at_least}{duration_words(longest.seconds)}"
    return (
        f"Median {duration_words(figures.median_restore_s)} · longest {longest_words} "
        f"(back {when_words(longest.end)}) · {count} time{'s' if count != 1 else ''}"
    )


def open_spell_words(figures: HistoryFigures) -> str:
    spell = figures.open_spell
    if spell is None:
        return ""
    lasted = ("" if spell.start_known else "at least ") + duration_words(spell.seconds)
    return f"Not releasable at the end of the window, for {lasted} so far."


def blockers_words(figures: HistoryFigures) -> str:
    filed = figures.blockers_filed
    still = sum(c.still_open for c in figures.categories)
    if not filed:
        return "No blockers filed in this window."
    return f"{filed} filed, {still} still open."


class CategoryModel(RowsModel[CategoryFigures]):
    """Blockers per category: filed, still open, median and longest time to close."""

    HEADERS = ("Category", "Filed", "Still open", "Median time to close", "Longest")

    def set_categories(self, categories: Sequence[CategoryFigures]) -> None:
        self._replace_rows(list(categories))

    def _cell(self, row: CategoryFigures, column: int) -> str:
        if column == 0:
            return row.label
        if column == 1:
            return str(row.filed)
        if column == 2:
            return str(row.still_open)
        seconds = row.median_close_s if column == 3 else row.longest_close_s
        return "–" if seconds is None else duration_words(seconds)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index)
        if row is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._cell(row, index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemNeverHasChildren
