"""The report dialog's own widgets: the category combo and the priority badge.

The priority is never told by colour alone: the badge says it in words.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import (
    QComboBox,
    QSizePolicy,
    QStyle,
    QStyleOptionComboBox,
    QStylePainter,
    QWidget,
)

from app.domain.model import Priority, VerdictState
from app.domain.triage import CATEGORIES, Category, TriageResult
from app.ui.widgets.labels import PlainLabel
from app.ui.widgets.theme import BANNER_FILLS

# Badge fills: white text on P1 and P3 and black on P2 all keep a contrast of at least 4.5:1.
BADGE_COLOURS: dict[Priority, tuple[str, str]] = {
    Priority.P1: (BANNER_FILLS[VerdictState.NOT_RELEASABLE], "#FFFFFF"),
    Priority.P2: ("#E69F00", "#000000"),
    Priority.P3: (BANNER_FILLS[VerdictState.UNKNOWN], "#FFFFFF"),
}


def badge_text(result: TriageResult) -> str:
    """The words on the priority badge: the priority and, in a few words, why."""
    if result.needs_answer:
        return f"{result.priority.value} — until you say whether it prevents production delivery"
    if result.prevents_delivery:
        return f"{result.priority.value} — prevents production delivery"
    if result.priority is Priority.P3:
        return f"{result.priority.value} — production delivery still possible, with a workaround"
    return f"{result.priority.value} — production delivery still possible"


class CategoryCombo(QComboBox):
    """The six categories, each with its one-line description in the list; closed, the combo
    shows only the category's name."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        for cat in CATEGORIES:
            self.addItem(f"{cat.label} — {cat.description}", cat.value)
            self.setItemData(self.count() - 1, cat.description, Qt.ItemDataRole.ToolTipRole)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(max(len(c.label) for c in CATEGORIES) + 2)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        view = self.view()
        view.setTextElideMode(Qt.TextElideMode.ElideNone)
        view.setMinimumWidth(view.sizeHintForColumn(0) + 24)

    def category(self) -> Category:
        return Category(self.currentData())

    def set_category(self, category: Category) -> None:
        self.setCurrentIndex(self.findData(category.value))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QStylePainter(self)
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        if self.currentIndex() >= 0:
            option.currentText = self.category().label
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, option)
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, option)


class PriorityBadge(PlainLabel):
    """A coloured pill with the priority in words (never colour alone)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("", parent, bold=True)
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.priority: Priority | None = None

    def show_result(self, result: TriageResult) -> None:
        text = badge_text(result)
        if self.priority is not result.priority:
            self.priority = result.priority
            fill, ink = BADGE_COLOURS[result.priority]
            self.setStyleSheet(
                f"QLabel {{ background: {fill}; color: {ink}; border-radius: 4px; "
                "padding: 3px 9px; }"
            )
        self.set_text(text)
        self.setAccessibleName(f"Priority: {text}")
