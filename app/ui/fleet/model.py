"""The fleet as one Qt list model: one row per team, in the platform order.

No widget exists per team: `FleetDelegate` paints each row from this model's roles, so a
fleet of 100 teams costs a list of `TeamRow`s, not 100 widget trees. What a row says at the
model's `now` — "NOT RELEASABLE for 2 h 5 min", the reasons on one line, the open P1s with
who is on them — is worked out here once per row and clock tick (`TeamText`), so painting the
visible rows derives nothing. Accessible names come from `AccessibleTextRole`; the filter
(`FleetFilter`) matches team names, reasons and P1s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from app.domain.fleet import TeamRow
from app.domain.model import VerdictState
from app.domain.words import lasted_words
from app.ui.widgets.theme import PLANNED_LOOK, VERDICT_LOOKS, Look, plain_tooltip

Index = QModelIndex | QPersistentModelIndex

KEY_ROLE = Qt.ItemDataRole.UserRole + 1
TEXT_ROLE = Qt.ItemDataRole.UserRole + 2  # the row's `TeamText`
STATE_ROLE = Qt.ItemDataRole.UserRole + 3
FILTER_ROLE = Qt.ItemDataRole.UserRole + 4


@dataclass(frozen=True)
class TeamText:
    """Everything a team's row shows, in words."""

    key: str
    name: str
    look: Look
    planned: bool
    state: VerdictState
    verdict: str  # "NOT RELEASABLE for 2 h 5 min"
    reasons: str  # one line: "pipeline api failed at stage scan; environment staging down"
    p1s: str  # "P1 laptop broken (Dana) · P1 …", or ""
    accessible: str

    @property
    def searchable(self) -> str:
        return f"{self.name}\n{self.verdict}\n{self.reasons}\n{self.p1s}".casefold()


def team_text(row: TeamRow, now: datetime) -> TeamText:
    look = PLANNED_LOOK if row.planned else VERDICT_LOOKS[row.state]
    verdict = look.word
    if row.since is not None:
        verdict += f" {lasted_words(row.since, now)}"
    reasons = "; ".join(row.reasons) if row.state is not VerdictState.RELEASABLE else ""
    p1s = " · ".join(f"P1 {p.title}" + (f" ({p.who})" if p.who else "") for p in row.p1s)
    parts = [f"{row.name}: {verdict}"]
    if reasons:
        parts.append(reasons)
    parts.append(f"open P1s: {p1s}" if p1s else "no open P1")
    return TeamText(
        key=row.key,
        name=row.name,
        look=look,
        planned=row.planned,
        state=row.state,
        verdict=verdict,
        reasons=reasons,
        p1s=p1s,
        accessible=". ".join(parts),
    )


class FleetModel(QAbstractListModel):
    """The teams, ordered by the service (worst first); words kept per clock tick."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[TeamRow] = []
        self.texts: list[TeamText] = []
        self.now = datetime.now(UTC)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def set_rows(self, rows: Sequence[TeamRow], now: datetime) -> None:
        """New rows (a team's update, the fleet re-ordered). The same teams keep their rows:
        those that moved are moved (`layoutChanged`: the current and selected team stay so,
        nothing is re-measured), and only rows whose words changed are repainted. Only another
        set of teams resets the model."""
        rows = list(rows)
        texts = [team_text(r, now) for r in rows]
        self.now = now
        keys = [r.key for r in rows]
        before = [r.key for r in self.rows]
        if not rows or len(set(keys)) != len(keys) or sorted(keys) != sorted(before):
            self.beginResetModel()
            self.rows, self.texts = rows, texts
            self.endResetModel()
            return
        if keys == before:
            old = self.texts
        else:
            self.layoutAboutToBeChanged.emit()
            row_now = {key: i for i, key in enumerate(keys)}
            kept = self.persistentIndexList()
            self.changePersistentIndexList(
                kept, [self.index(row_now[before[i.row()]]) for i in kept]
            )
            was = {t.key: t for t in self.texts}
            old = [was[key] for key in keys]
            self.rows, self.texts = rows, texts
            self.layoutChanged.emit()
        self._repaint_changed(old, texts, rows)

    def tick(self, now: datetime) -> None:
        """Move the "for how long" words on; nothing else changes."""
        self.now = now
        self._repaint_changed(self.texts, [team_text(r, now) for r in self.rows], self.rows)

    def _repaint_changed(
        self, old: Sequence[TeamText], texts: list[TeamText], rows: list[TeamRow]
    ) -> None:
        """Keep `rows` and `texts`; `dataChanged` for each run of rows whose words changed."""
        self.rows, self.texts = rows, texts
        changed = [i for i, (was, new) in enumerate(zip(old, texts, strict=True)) if was != new]
        start = 0
        while start < len(changed):
            end = start
            while end + 1 < len(changed) and changed[end + 1] == changed[end] + 1:
                end += 1
            self.dataChanged.emit(self.index(changed[start]), self.index(changed[end]))
            start = end + 1

    def row_of(self, key: str) -> int:
        return next((i for i, r in enumerate(self.rows) if r.key == key), -1)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        text = self.texts[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return text.name
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return text.accessible
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(text.accessible.replace(". ", "\n"))
        if role == KEY_ROLE:
            return text.key
        if role == TEXT_ROLE:
            return text
        if role == STATE_ROLE:
            return text.state.value
        if role == FILTER_ROLE:
            return text.searchable
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class FleetFilter(QSortFilterProxyModel):
    """Keeps the teams whose name, verdict, reasons or P1s contain every word typed."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._words: list[str] = []

    def set_text(self, text: str) -> None:
        self.beginFilterChange()
        self._words = text.casefold().split()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if not self._words:
            return True
        model = self.sourceModel()
        searchable = model.data(model.index(source_row, 0, source_parent), FILTER_ROLE) or ""
        return all(word in searchable for word in self._words)


__all__ = [
    "FILTER_ROLE",
    "KEY_ROLE",
    "STATE_ROLE",
    "TEXT_ROLE",
    "FleetFilter",
    "FleetModel",
    "TeamText",
    "team_text",
]
