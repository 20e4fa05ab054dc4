"""The "Mute…" dialog: tick the pipelines, environments and blockers not to be notified about.

`MuteModel` is a checkable list over plain `MuteChoice` rows (item key, words, muted); the
dialog adds a filter, since a board may have hundreds of items. `choose_muted` shows it and
returns the keys ticked, or None when cancelled. The tray calls it through an injectable
callable, so tests never open a dialog.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QListView,
    QVBoxLayout,
    QWidget,
)

from app.ui.widgets.labels import PlainLabel

Index = QModelIndex | QPersistentModelIndex
KEY_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class MuteChoice:
    key: str  # "pipeline:api", "environment:staging", "blocker:<key>"
    label: str  # "pipeline api"
    muted: bool = False


class MuteModel(QAbstractListModel):
    """One checkable row per choice; checked means muted."""

    def __init__(self, choices: Sequence[MuteChoice] = (), parent: Any = None) -> None:
        super().__init__(parent)
        self._rows = list(choices)

    def muted_keys(self) -> set[str]:
        return {c.key for c in self._rows if c.muted}

    def set_all(self, muted: bool) -> None:
        if not self._rows:
            return
        self._rows = [replace(c, muted=muted) for c in self._rows]
        last = self.index(len(self._rows) - 1, 0)
        self.dataChanged.emit(self.index(0, 0), last, [Qt.ItemDataRole.CheckStateRole])

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        choice = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return choice.label
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if choice.muted else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ToolTipRole:
            return choice.key
        if role == KEY_ROLE:
            return choice.key
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsUserCheckable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid():
            return False
        checked = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value)
        row = index.row()
        self._rows[row] = replace(self._rows[row], muted=checked)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        return True


class MuteDialog(QDialog):
    """Pick what not to be notified about."""

    def __init__(self, choices: Sequence[MuteChoice], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Mute notifications")
        self.model = MuteModel(choices, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        intro = PlainLabel(
            "Ticked items do not trigger notifications on their own. A change of the verdict "
            "caused by an item that is not ticked is still announced.",
            self,
            wrap=True,
        )
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("Filter")
        self.filter.setAccessibleName("Filter items")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.view = QListView(self)
        self.view.setModel(self.proxy)
        self.view.setAccessibleName("Items to mute")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        unmute = buttons.addButton("Unmute all", QDialogButtonBox.ButtonRole.ResetRole)
        unmute.clicked.connect(lambda: self.model.set_all(False))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.filter)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        self.resize(420, 480)


def choose_muted(choices: list[MuteChoice], parent: QWidget | None = None) -> set[str] | None:
    """Show the dialog; the keys ticked, or None if cancelled."""
    dialog = MuteDialog(choices, parent)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.model.muted_keys()
    finally:
        dialog.deleteLater()
