"""The first-run page, shown when there is no board yet: try the demo, open a file, or create one.

Three big buttons, each with one line saying what it does. The page only asks: it emits
`demo_requested()`, `open_requested(path)` (after its file dialog, which tests replace) or
`create_requested()`, and the app decides what follows (`app.desktop.run`).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QCommandLinkButton, QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.ui.editor.files import AskOpenPath, ask_open_path
from app.ui.widgets.icons import app_icon
from app.ui.widgets.labels import PlainLabel
from app.ui.widgets.text import mute, wrapped_label

CONTENT_CHARS = 96  # the column of text and buttons stays this wide, centred

# A framed, raised look (a bare command link is flat until hovered); palette roles keep the
# system's light or dark theme.
BUTTON_STYLE = (
    "QCommandLinkButton { border: 1px solid palette(mid); border-radius: 8px;"
    " background: palette(button); padding: 12px 16px; }"
    " QCommandLinkButton:hover { border-color: palette(highlight); }"
    " QCommandLinkButton:focus { border: 2px solid palette(highlight); }"
)

CHOICES: tuple[tuple[str, str, str], ...] = (
    (
        "demo",
        "Try the demo",
        "Replays a team's day of delivery: no account, no network.",
    ),
    (
        "open",
        "Open a board file…",
        "Use the board.toml your team keeps in its repository.",
    ),
    (
        "create",
        "Create a board",
        "Add your pipelines and environments, and test each as you go.",
    ),
)


class WelcomePage(QWidget):
    """First run: offers the demo, an existing board file, or a new board.

    `message` says why the page is shown (e.g. "No board file was found."); `ask_open` is the
    file dialog ("Open a board file…"), replaceable for tests.
    """

    demo_requested = Signal()
    open_requested = Signal(object)  # Path
    create_requested = Signal()

    def __init__(
        self,
        message: str = "",
        *,
        ask_open: AskOpenPath = ask_open_path,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("welcome")
        self._ask_open = ask_open
        width = self.fontMetrics().averageCharWidth() * CONTENT_CHARS

        icon = QLabel(self)
        icon.setPixmap(app_icon().pixmap(QSize(88, 88)))
        icon.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        icon.setAccessibleName("Releasable")
        title = PlainLabel("Welcome to Releasable", self, bold=True, scale=2.0)
        title.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        subtitle = wrapped_label(
            "Can we deploy to production right now? Releasable answers at a glance, from "
            "your pipelines, environments and open blockers. It needs a board to start.",
            self,
        )
        subtitle.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        font = subtitle.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        subtitle.setFont(font)
        self.message = wrapped_label(message, self)
        self.message.setObjectName("welcome_message")
        self.message.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        mute(self.message)
        self.message.setVisible(bool(message))

        self.buttons: dict[str, QCommandLinkButton] = {}
        column = QVBoxLayout()
        column.setSpacing(10)
        column.addWidget(icon)
        column.addWidget(title)
        column.addWidget(subtitle)
        column.addWidget(self.message)
        column.addSpacing(18)
        for name, text, explanation in CHOICES:
            button = QCommandLinkButton(text, explanation, self)
            button.setObjectName(f"welcome_{name}")
            button.setAccessibleName(text)
            button.setAccessibleDescription(explanation)
            font = button.font()
            font.setPointSizeF(font.pointSizeF() * 1.25)
            button.setFont(font)
            button.setIconSize(QSize(28, 28))
            button.setStyleSheet(BUTTON_STYLE)
            column.addWidget(button)
            self.buttons[name] = button
        self.buttons["demo"].clicked.connect(self.demo_requested)
        self.buttons["open"].clicked.connect(self.open_file)
        self.buttons["create"].clicked.connect(self.create_requested)
        self.buttons["demo"].setDefault(True)

        panel = QFrame(self)
        panel.setLayout(column)
        panel.setMaximumWidth(width)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(panel, 4)
        row.addStretch(1)
        outer = QVBoxLayout(self)
        outer.addStretch(2)
        outer.addLayout(row)
        outer.addStretch(3)
        self.setFocusProxy(self.buttons["demo"])

    def set_message(self, message: str) -> None:
        """Say why the page is shown (or nothing)."""
        self.message.setText(message)
        self.message.setVisible(bool(message))

    def open_file(self) -> None:
        """Ask for a board file; `open_requested(path)` when one was chosen."""
        path: Path | None = self._ask_open(self)
        if path is not None:
            self.open_requested.emit(path)


__all__ = ["CHOICES", "WelcomePage"]
