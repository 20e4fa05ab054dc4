"""Text widgets every form shares: wrapping labels, error lines, text boxes, muted help text.

Every label here shows plain text only (they are `PlainLabel`s): pre-fills and evidence come
from remote servers.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QLabel,
    QPlainTextEdit,
    QSizePolicy,
    QWidget,
)

from app.ui.widgets.labels import PlainLabel
from app.ui.widgets.theme import inherited_palette, is_dark, muted_text

# Darkened vermillion on light backgrounds, a light one on dark: both above 4.5:1.
ERROR_COLOURS = {"light": "#B34700", "dark": "#FF9A5C"}


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
