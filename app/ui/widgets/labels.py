"""Labels that show text exactly as given: text from remote servers is never markup.

A QLabel guesses whether text is rich text (`Qt.AutoText`), so a stage named `<b>x</b><img
src=…>` would render bold and try to load an image. Every label on the board showing item data
is a `PlainLabel`.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
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
