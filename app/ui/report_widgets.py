"""Small widgets of the report dialog: wrapping labels, text boxes, the category combo, the
priority badge.

Every label here shows plain text only (they are `PlainLabel`s): the pre-fill and the evidence
come from remote servers. The priority is never told by colour alone: the badge says it.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPaintEvent, QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QPlainTextEdit,
    QSizePolicy,
    QStyle,
    QStyleOptionComboBox,
    QStylePainter,
    QWidget,
)

from app.domain.model import Priority, VerdictState
from app.domain.triage import CATEGORIES, Category, TriageResult
from app.ui.labels import PlainLabel
from app.ui.theme import BANNER_FILLS, inherited_palette, is_dark, muted_text

# Badge fills: white text on P1 and P3 and black on P2 all keep a contrast of at least 4.5:1.
BADGE_COLOURS: dict[Priority, tuple[str, str]] = {
    Priority.P1: (BANNER_FILLS[VerdictState.NOT_RELEASABLE], "#FFFFFF"),
    Priority.P2: ("#E69F00", "#000000"),
    Priority.P3: (BANNER_FILLS[VerdictState.UNKNOWN], "#FFFFFF"),
}
# Darkened vermillion on light backgrounds, a light one on dark: both above 4.5:1.
ERROR_COLOURS = {"light": "#B34700", "dark": "#FF9A5C"}


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


class WrapLabel(PlainLabel):
    """A word-wrapping plain label whose size hint is its height at its real width.

    Qt asks a wrapping label for its size before it knows the width and guesses a narrow,
    tall box; in a dialog that guess clips the text or leaves holes. This label answers with
    its height for the width it was given and asks for a new layout when that changes.
    """

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent, wrap=True)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self._laid_out_height = -1

    def _height(self) -> int:
        return self.heightForWidth(self.width()) if self.width() > 1 else -1

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        height = self._height()
        return QSize(hint.width(), height) if height > 0 else hint

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        height = self._height()
        return QSize(hint.width(), height) if height > 0 else hint

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        height = self._height()
        if height != self._laid_out_height:
            self._laid_out_height = height
            self.updateGeometry()

    def setText(self, text: str) -> None:
        super().setText(text)
        self._laid_out_height = -1
        self.updateGeometry()


def wrapped_label(text: str, parent: QWidget) -> WrapLabel:
    return WrapLabel(text, parent)


def error_label(parent: QWidget) -> PlainLabel:
    """A message beside a field: hidden until there is something to say."""
    label = wrapped_label("", parent)
    colour = ERROR_COLOURS["dark" if is_dark(inherited_palette(label)) else "light"]
    label.setStyleSheet(f"QLabel {{ color: {colour}; }}")
    label.hide()
    return label


class TextBox(QPlainTextEdit):
    """A plain-text box that starts `lines` tall (it grows with the window) and lets Tab
    move on instead of typing a tab."""

    def __init__(self, parent: QWidget, name: str, placeholder: str, lines: int) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setAccessibleName(name)
        self.setPlaceholderText(placeholder)
        margins = self.contentsMargins()
        frame = 2 * self.frameWidth() + margins.top() + margins.bottom()
        doc = int(2 * self.document().documentMargin())
        self._height = self.fontMetrics().lineSpacing() * lines + frame + doc + 2
        self.setMinimumHeight(self._height)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self._height)


def mute(label: QLabel) -> None:
    """Greyed text for help and context lines (still readable, from the system palette)."""
    palette = label.palette()
    palette.setColor(label.foregroundRole(), muted_text(palette))
    label.setPalette(palette)


__all__ = [
    "BADGE_COLOURS",
    "CategoryCombo",
    "PriorityBadge",
    "TextBox",
    "WrapLabel",
    "badge_text",
    "error_label",
    "mute",
    "wrapped_label",
]
