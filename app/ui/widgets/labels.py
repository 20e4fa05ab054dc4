"""Labels that show text exactly as given: text from remote servers is never markup.

`ElidedLabel` is the one-line kind that gives way in a narrow window ("…", the rest in its
tool tip).

A QLabel guesses whether text is rich text (`Qt.AutoText`), so a stage named `<b>x</b><img
src=…>` would render bold and try to load an image. Every label on the board showing item data
is a `PlainLabel`.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class PlainLabel(QLabel):
    """A QLabel fixed to `Qt.PlainText`, which skips relayout when the text is unchanged."""

    def __init__(
        self,
        text: str = "",
        parent: QWidget | None = None,
        *,
        wrap: bool = False,
        bold: bool = False,
        scale: float = 1.0,
        selectable: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(wrap)
        if wrap:
            self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        if bold or scale != 1.0:
            font = QFont(self.font())
            font.setBold(bold)
            if scale != 1.0:
                font.setPointSizeF(font.pointSizeF() * scale)
            self.setFont(font)
        if selectable:
            self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setText(text)

    def set_text(self, text: str) -> None:
        """Set `text`, hiding the label when it is empty."""
        if text != self.text():
            self.setText(text)
        if self.isHidden() == bool(text):  # only when it changes: setVisible is not free
            self.setVisible(bool(text))

    def set_pixel_size(self, px: int, bold: bool | None = None) -> None:
        """Kiosk sizing: a font of `px` pixels (derived from the screen, never fixed)."""
        font = QFont(self.font())
        font.setPixelSize(max(1, int(px)))
        if bold is not None:
            font.setBold(bold)
        if font != self.font():
            self.setFont(font)


class ElidedLabel(PlainLabel):
    """A one-line plain label that never asks for more room than a narrow window has: past its
    width the text ends in "…" and the tool tip says it in full (`full_text()`).

    Its minimum width is a few characters, so a long path or name gives way to the buttons
    beside it instead of pushing them out of sight.
    """

    MIN_CHARS = 8

    def __init__(self, text: str = "", parent: QWidget | None = None, **style: Any) -> None:
        super().__init__("", parent, **style)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setText(text)

    def full_text(self) -> str:
        return self._full

    def elided(self) -> bool:
        return self.text() != self._full

    def setText(self, text: str) -> None:  # every way of setting the text goes through here
        self._full = text
        self._fit()
        self.updateGeometry()

    def set_text(self, text: str) -> None:
        if text != self._full:
            self.setText(text)
        if self.isHidden() == bool(text):
            self.setVisible(bool(text))

    def sizeHint(self) -> QSize:
        height = super().sizeHint().height()
        return QSize(self.fontMetrics().horizontalAdvance(self._full) + 2 * self.margin(), height)

    def minimumSizeHint(self) -> QSize:
        least = self.fontMetrics().averageCharWidth() * self.MIN_CHARS
        return QSize(min(least, self.sizeHint().width()), super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        room = self.contentsRect().width()
        shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, room)
        if shown != QLabel.text(self):
            QLabel.setText(self, shown)
        self.setToolTip(self._full if shown != self._full else "")
