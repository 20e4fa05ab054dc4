"""The parts of the board editor around the form: the list, the entry panel, the notice bar.

`EntryListPanel` is the left-hand side: the board's tables and the buttons that add, remove and
move them (it only says what was asked; the editor does it). `EntryPanel` is the right-hand
side: the table's title and what it is, the "Test" button, the generated form in a scroll area,
and, once tested, what the board would see (plain text). `NoticeBar` is the editor's non-modal
question or message ("this file has comments…", "unsaved changes…") with its answers as
buttons; it never blocks the window.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QAbstractItemModel, Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QListView,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.editor.form import EntryForm
from app.ui.widgets.labels import ElidedLabel, PlainLabel
from app.ui.widgets.text import mute, wrapped_label

READ_TIP = "Read it once now, as the board would (Ctrl+T)"
TRACKER_TIP = "Check the token, the project and the labels; nothing is filed (Ctrl+T)"
BOARD_SEES = "What the board would see"
TEST_LINES = 12  # the result box grows up to this many lines, then scrolls


class EditorTopBar(QWidget):
    """Which file is edited, how many problems it has, whether it is saved; Save / Close."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.file_label = ElidedLabel("", self)  # a long path gives way to the buttons
        mute(self.file_label)
        self.problems_label = PlainLabel("", self)
        self.problems_label.setObjectName("problems")
        self.modified_label = PlainLabel("● Unsaved changes", self, bold=True)
        self.modified_label.setObjectName("unsaved")
        self.modified_label.hide()
        self.save_button = QPushButton("Save", self)
        self.save_as_button = QPushButton("Save as…", self)
        self.close_button = QPushButton("Close", self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 0)
        layout.addWidget(self.file_label, 1)
        layout.addWidget(self.problems_label)
        layout.addSpacing(12)
        layout.addWidget(self.modified_label)
        layout.addSpacing(12)
        for button, tip in (
            (self.save_button, "Save the board file (Ctrl+S)"),
            (self.save_as_button, "Save the board to another file (Ctrl+Shift+S)"),
            (self.close_button, "Done editing"),
        ):
            button.setToolTip(tip)
            layout.addWidget(button)

    def set_busy(self, saving: bool) -> None:
        self.save_button.setEnabled(not saving)
        self.save_as_button.setEnabled(not saving)
        self.save_button.setText("Saving…" if saving else "Save")


class NoticeBar(QFrame):
    """One message with answer buttons, shown above the editor until answered or replaced."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notice")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.label = wrapped_label("", self)
        self.label.setObjectName("notice_text")
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(10, 6, 6, 6)
        self._layout.addWidget(self.label, 1)
        self.buttons: list[QPushButton] = []
        self.hide()

    def show_notice(
        self, text: str, answers: Sequence[tuple[str, Callable[[], None]]] = ()
    ) -> None:
        """Show `text`; each answer is (button text, what it does). No answers: "Dismiss"."""
        for button in self.buttons:
            button.hide()
            button.deleteLater()
        self.buttons = []
        self.label.setText(text)
        for words, action in answers or (("Dismiss", self.clear),):
            button = QPushButton(words, self)
            button.setObjectName("notice_" + words.lower().replace(" ", "_"))
            button.clicked.connect(self.clear)
            button.clicked.connect(action)
            self._layout.addWidget(button)
            self.buttons.append(button)
        self.show()

    def clear(self) -> None:
        self.hide()

    def button(self, words: str) -> QPushButton | None:
        return next((b for b in self.buttons if b.text() == words), None)


class EntryListPanel(QWidget):
    """The list of tables, "Add pipeline" (by kind), "Add environment", "Add planned time",
    Remove, Move up/down."""

    add_pipeline = Signal(str)  # source kind
    add_environment = Signal()
    add_planned = Signal(str)  # "freeze" or "maintenance"
    remove = Signal()
    move = Signal(int)  # type: ignore[assignment]  # -1 up, +1 down; shadows QWidget.move

    def __init__(
        self, model: QAbstractItemModel, kinds: Sequence[tuple[str, str]], parent: QWidget
    ) -> None:
        super().__init__(parent)
        self.list = QListView(self)
        self.list.setObjectName("entry_list")
        self.list.setAccessibleName("Board tables")
        self.list.setModel(model)
        self.list.setUniformItemSizes(True)
        self.list.setSpacing(2)
        self.add_pipeline_button = QToolButton(self)
        self.add_pipeline_button.setText("Add pipeline")
        self.add_pipeline_button.setToolTip("Add a pipeline; choose where its runs are read from")
        self.add_pipeline_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.add_pipeline_button.setSizePolicy(
            QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred
        )
        menu = QMenu(self.add_pipeline_button)
        for kind, words in kinds:
            action = menu.addAction(words)
            action.setObjectName(f"add_{kind}")
            action.triggered.connect(lambda _=False, k=kind: self.add_pipeline.emit(k))
        self.add_pipeline_button.setMenu(menu)
        self.add_environment_button = QPushButton("Add environment", self)
        self.add_environment_button.clicked.connect(self.add_environment)
        self.add_planned_button = QToolButton(self)
        self.add_planned_button.setText("Add planned time")
        self.add_planned_button.setToolTip("A change freeze, or a maintenance window")
        self.add_planned_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.add_planned_button.setSizePolicy(
            QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred
        )
        planned = QMenu(self.add_planned_button)
        for table, words in (("freeze", "Change freeze"), ("maintenance", "Maintenance window")):
            action = planned.addAction(words)
            action.setObjectName(f"add_{table}")
            action.triggered.connect(lambda _=False, t=table: self.add_planned.emit(t))
        self.add_planned_button.setMenu(planned)
        self.remove_button = QPushButton("Remove", self)
        self.up_button = QPushButton("Move up", self)
        self.down_button = QPushButton("Move down", self)
        self.up_button.setToolTip("Earlier in the board's order (Alt+Up)")
        self.down_button.setToolTip("Later in the board's order (Alt+Down)")
        self.remove_button.clicked.connect(self.remove)
        self.up_button.clicked.connect(lambda: self.move.emit(-1))
        self.down_button.clicked.connect(lambda: self.move.emit(1))
        adds = QHBoxLayout()
        adds.addWidget(self.add_pipeline_button, 1)
        adds.addWidget(self.add_environment_button, 1)
        planned_row = QHBoxLayout()
        planned_row.addWidget(self.add_planned_button, 1)
        moves = QHBoxLayout()
        for button in (self.remove_button, self.up_button, self.down_button):
            moves.addWidget(button, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 0, 12)
        layout.addWidget(self.list, 1)
        layout.addLayout(adds)
        layout.addLayout(planned_row)
        layout.addLayout(moves)

    def set_enabled(self, remove: bool, up: bool, down: bool) -> None:
        self.remove_button.setEnabled(remove)
        self.up_button.setEnabled(up)
        self.down_button.setEnabled(down)


class EntryPanel(QWidget):
    """Title, description, "Test", the form (scrolling) and the last test's result."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = ElidedLabel("", self, bold=True, scale=1.35)
        self.title.setObjectName("entry_title")
        self.description = wrapped_label("", self)
        mute(self.description)
        self.test_button = QPushButton("Test", self)
        self.test_button.setObjectName("test_button")
        self.test_button.setToolTip(READ_TIP)
        self.test_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        title_row = QHBoxLayout()
        title_row.addWidget(self.title)
        title_row.addSpacing(24)
        title_row.addWidget(self.test_button)
        title_row.addStretch(1)
        head = QVBoxLayout()
        head.setSpacing(2)
        head.addLayout(title_row)
        head.addWidget(self.description)

        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self.result_box = QFrame(self)
        self.result_box.setFrameShape(QFrame.Shape.StyledPanel)
        self.result_heading = PlainLabel(BOARD_SEES, self.result_box, bold=True)
        self.result = QPlainTextEdit(self.result_box)
        self.result.setObjectName("test_result")
        self.result.setReadOnly(True)
        self.result.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.result.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.result.setAccessibleName("Test result")
        box = QVBoxLayout(self.result_box)
        box.setContentsMargins(8, 6, 8, 8)
        box.addWidget(self.result_heading)
        box.addWidget(self.result)
        self.result_box.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 12, 12)
        layout.setSpacing(10)
        layout.addLayout(head)
        layout.addWidget(self.scroll_area, 1)
        layout.addWidget(self.result_box)
        self.form: EntryForm | None = None

    def set_form(self, form: EntryForm) -> None:
        """Show `form` (the previous one is deleted)."""
        old = self.scroll_area.takeWidget()
        if old is not None:
            old.hide()
            old.deleteLater()
        inner = QWidget()
        layout = QVBoxLayout(inner)
        layout.setContentsMargins(0, 0, 16, 0)
        layout.addWidget(form)
        layout.addStretch(1)
        self.scroll_area.setWidget(inner)
        self.form = form

    def set_test(self, can_test: bool, testing: bool, text: str, *, tracker: bool = False) -> None:
        """The "Test" button's state and the result box (hidden while there is nothing).

        For the tracker, "Test" checks the token, the project and the labels; it files nothing.
        """
        self.test_button.setVisible(can_test)
        self.test_button.setToolTip(TRACKER_TIP if tracker else READ_TIP)
        self.result_heading.set_text("What the tracker said" if tracker else BOARD_SEES)
        self.test_button.setText("Cancel test" if testing else "Test")
        self.result_box.setVisible(can_test and bool(text))
        if self.result.toPlainText() != text:
            self.result.setPlainText(text)
            lines = min(max(text.count("\n") + 1, 2), TEST_LINES) + 1  # +1: a scroll bar
            height = self.result.fontMetrics().lineSpacing() * lines
            self.result.setFixedHeight(height + 2 * self.result.frameWidth() + 8)


__all__ = ["EditorTopBar", "EntryListPanel", "EntryPanel", "NoticeBar"]
