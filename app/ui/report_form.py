"""The fields of a blocker report and the live priority they add up to.

`ReportForm` owns the widgets a reporter fills in (category, title, what they were trying to
do, impact, "does this prevent production delivery?", the statement when it does not, the
workaround for `other`, reporter) and shows, as they change, the priority `triage()` gives with
its reason. It reads and writes the fields as the plain dict a draft is stored as, and checks
them before sending, with the message beside the field. It never writes anything anywhere:
the dialog around it does that.

There is deliberately no field for the environment's tier: "it's only staging" is no reason to
downgrade (DESIGN.md, "The idea it is built on").
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QPaintEvent, QResizeEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QSizePolicy,
    QStyle,
    QStyleOptionComboBox,
    QStylePainter,
    QVBoxLayout,
    QWidget,
)

from app.domain.model import Priority, VerdictState
from app.domain.triage import CATEGORIES, Category, TriageResult, triage
from app.ui.labels import PlainLabel
from app.ui.theme import BANNER_FILLS, muted_text

TITLE_MAX = 200
# Badge fills: white text on P1 and P3 and black on P2 all keep a contrast of at least 4.5:1.
BADGE_COLOURS: dict[Priority, tuple[str, str]] = {
    Priority.P1: (BANNER_FILLS[VerdictState.NOT_RELEASABLE], "#FFFFFF"),
    Priority.P2: ("#E69F00", "#000000"),
    Priority.P3: (BANNER_FILLS[VerdictState.UNKNOWN], "#FFFFFF"),
}
ERROR_COLOUR = "#B34700"


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


def _error_label(parent: QWidget) -> PlainLabel:
    label = wrapped_label("", parent)
    label.setStyleSheet(f"QLabel {{ color: {ERROR_COLOUR}; }}")
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


class ReportForm(QWidget):
    """The report's fields; `changed` fires on every edit a person makes (not on `set_fields`)."""

    changed = Signal()
    result_changed = Signal(object)  # TriageResult

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._answer: bool | None = None
        self._loading = False

        self.category = CategoryCombo(self)
        self.category.setAccessibleName("Category")
        self.category_help = wrapped_label("", self)
        self.title = QLineEdit(self)
        self.title.setAccessibleName("Title")
        self.title.setPlaceholderText("e.g. Laptop won't boot, cannot deploy")
        self.title.setMaxLength(TITLE_MAX)
        self.title_error = _error_label(self)
        self.trying_to = TextBox(
            self, "What were you trying to do?", "e.g. Deploy the payment fix to production", 2
        )
        self.impact = TextBox(
            self, "Impact", "e.g. Nobody on the team can deploy the api to production", 3
        )

        self.yes = QRadioButton("&Yes, it prevents production delivery", self)
        self.no = QRadioButton("&No, production delivery is still possible", self)
        self.answers = QButtonGroup(self)
        self.answers.addButton(self.yes)
        self.answers.addButton(self.no)
        self.answer_error = _error_label(self)
        self.statement_label = QLabel("&How is it still possible?", self)
        self.statement = QLineEdit(self)
        self.statement.setAccessibleName("How is production delivery still possible?")
        self.statement.setPlaceholderText("Required: this statement goes into the report")
        self.statement_label.setBuddy(self.statement)
        self.statement_error = _error_label(self)
        self.workaround = QCheckBox("There is a &workaround", self)
        self.workaround.setAccessibleName("There is a workaround")

        self.reporter = QLineEdit(self)
        self.reporter.setAccessibleName("Reporter")
        self.reporter.setPlaceholderText("Your name (remembered on this computer)")

        self.badge = PriorityBadge(self)
        self.reason = wrapped_label("", self)
        self.reason.setAccessibleName("Why this priority")

        self._layout()
        self._mute(self.category_help)
        self._mute(self.reason)
        self.setTabOrder(self.category, self.title)
        for first, second in (
            (self.title, self.trying_to),
            (self.trying_to, self.impact),
            (self.impact, self.yes),
            (self.yes, self.no),
            (self.no, self.statement),
            (self.statement, self.workaround),
            (self.workaround, self.reporter),
        ):
            self.setTabOrder(first, second)

        self.category.currentIndexChanged.connect(self._on_category)
        self.title.textEdited.connect(self._edited_title)
        self.trying_to.textChanged.connect(self._edited)
        self.impact.textChanged.connect(self._edited)
        self.yes.clicked.connect(lambda: self._on_answer(True))
        self.no.clicked.connect(lambda: self._on_answer(False))
        self.statement.textEdited.connect(self._edited_statement)
        self.workaround.clicked.connect(self._edited)
        self.reporter.textEdited.connect(self._edited)
        self._refresh()

    def _layout(self) -> None:
        # A grid rather than a QFormLayout: it gives wrapped labels the height they need.
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(6)
        grid.setColumnStretch(1, 1)
        top = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop

        def row(text: str, buddy: QWidget | None, *fields: QWidget | QLayout) -> None:
            label = QLabel(text, self) if buddy is not None else PlainLabel(text, self, bold=True)
            label.setWordWrap(True)
            if buddy is not None:
                label.setBuddy(buddy)
            box = QVBoxLayout()
            box.setSpacing(3)
            for field in fields:
                if isinstance(field, QLayout):
                    box.addLayout(field)
                else:
                    box.addWidget(field)
            at = grid.rowCount()
            grid.addWidget(label, at, 0, top)
            grid.addLayout(box, at, 1)
            if buddy is not None:
                # Line the label's text up with the field's text, not with its frame.
                shift = max(0, (buddy.sizeHint().height() - label.sizeHint().height()) // 2)
                label.setContentsMargins(0, min(shift, 6), 0, 0)

        statement = QVBoxLayout()
        statement.setContentsMargins(24, 0, 0, 0)
        statement.setSpacing(3)
        for widget in (
            self.statement_label,
            self.statement,
            self.statement_error,
            self.workaround,
        ):
            statement.addWidget(widget)
        row("&Category:", self.category, self.category, self.category_help)
        row("&Title:", self.title, self.title, self.title_error)
        row("What were you trying to &do?", self.trying_to, self.trying_to)
        row("&Impact:", self.impact, self.impact)
        row(
            "Does this prevent production delivery?",
            self.yes,
            self.yes,
            self.no,
            self.answer_error,
            statement,
        )
        row("&Reporter:", self.reporter, self.reporter)
        priority = QVBoxLayout()
        priority.setSpacing(3)
        priority.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignLeft)
        priority.addWidget(self.reason)
        row("Priority:", None, priority)
        grid.setColumnMinimumWidth(0, self.fontMetrics().horizontalAdvance("x" * 22))
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("x" * 84))

    def _mute(self, label: QLabel) -> None:
        palette = label.palette()
        palette.setColor(label.foregroundRole(), muted_text(palette))
        label.setPalette(palette)

    # -- reading and writing --------------------------------------------------------------

    def answer(self) -> bool | None:
        """The reporter's answer: True, False, or None (not given)."""
        return self._answer

    def result(self) -> TriageResult:
        return triage(
            self.category.category(),
            prevents_delivery=self._answer,
            has_workaround=self.workaround.isChecked(),
            statement=self.statement.text(),
        )

    def fields(self) -> dict[str, Any]:
        """Everything typed, as the plain dict a draft is stored as."""
        return {
            "category": self.category.category().value,
            "title": self.title.text(),
            "trying_to": self.trying_to.toPlainText(),
            "impact": self.impact.toPlainText(),
            "prevents_delivery": self._answer,
            "statement": self.statement.text(),
            "has_workaround": self.workaround.isChecked(),
            "reporter": self.reporter.text(),
        }

    def set_fields(self, fields: Mapping[str, Any]) -> None:
        """Fill in what is given (a draft, a pre-fill); unknown or damaged values are skipped."""
        self._loading = True
        try:
            with contextlib.suppress(ValueError):
                self.category.set_category(Category(str(fields.get("category"))))
            for name, widget in (("title", self.title), ("statement", self.statement)):
                if isinstance(fields.get(name), str):
                    widget.setText(fields[name])
            for name, box in (("trying_to", self.trying_to), ("impact", self.impact)):
                if isinstance(fields.get(name), str):
                    box.setPlainText(fields[name])
            if isinstance(fields.get("reporter"), str):
                self.reporter.setText(fields["reporter"])
            answer = fields.get("prevents_delivery")
            if answer is None or isinstance(answer, bool):
                self._answer = answer
            if isinstance(fields.get("has_workaround"), bool):
                self.workaround.setChecked(fields["has_workaround"])
        finally:
            self._loading = False
        self._refresh()

    # -- checking -------------------------------------------------------------------------

    def validate(self) -> QWidget | None:
        """Show what is missing beside each field; the first field to fix, or None if fine."""
        problems: list[tuple[QWidget, PlainLabel, str]] = []
        if not self.title.text().strip():
            problems.append((self.title, self.title_error, "Give the blocker a title."))
        if self.result().needs_answer:
            problems.append(
                (
                    self.yes,
                    self.answer_error,
                    "Say whether this prevents production delivery: it decides the priority.",
                )
            )
        if self._answer is False and not self.statement.text().strip():
            problems.append(
                (
                    self.statement,
                    self.statement_error,
                    "Say how production delivery is still possible: it goes into the report.",
                )
            )
        for label in (self.title_error, self.answer_error, self.statement_error):
            label.set_text("")
        for widget, label, message in problems:
            label.set_text(message)
            widget.setAccessibleDescription(message)
        return problems[0][0] if problems else None

    def errors(self) -> list[str]:
        """The validation messages on show (for tests and the accessibility tree)."""
        labels = (self.title_error, self.answer_error, self.statement_error)
        return [label.text() for label in labels if label.text()]

    # -- reacting -------------------------------------------------------------------------

    def _on_category(self) -> None:
        self._refresh()
        self._edited()

    def _on_answer(self, answer: bool) -> None:
        self._answer = answer
        self._clear_error(self.answer_error, self.yes)
        self._refresh()
        self._edited()
        if answer is False and not self.statement.text().strip():
            self.statement.setFocus(Qt.FocusReason.OtherFocusReason)

    def _edited_title(self) -> None:
        self._clear_error(self.title_error, self.title)
        self._edited()

    def _edited_statement(self) -> None:
        self._clear_error(self.statement_error, self.statement)
        self._refresh()
        self._edited()

    def _clear_error(self, label: PlainLabel, widget: QWidget) -> None:
        if label.text():
            label.set_text("")
            widget.setAccessibleDescription("")

    def _edited(self) -> None:
        if not self._loading:
            self._refresh_result()
            self.changed.emit()

    def _refresh(self) -> None:
        """Bring the question, the statement and the badge in line with the fields."""
        cat = self.category.category()
        self.category_help.set_text(cat.description)
        self.category.setToolTip(cat.description)
        self.category.setAccessibleDescription(cat.description)
        shown_yes = self._answer is True or (self._answer is None and cat.presumes_prevention)
        self.answers.setExclusive(False)
        self.yes.setChecked(shown_yes)
        self.no.setChecked(self._answer is False)
        self.answers.setExclusive(True)
        downgrading = self._answer is False
        for widget in (self.statement_label, self.statement):
            widget.setVisible(downgrading)
        if not downgrading:
            self.statement_error.set_text("")
        self.workaround.setVisible(downgrading and not cat.presumes_prevention)
        self._refresh_result()

    def _refresh_result(self) -> None:
        result = self.result()
        self.badge.show_result(result)
        self.reason.set_text(result.reason_text)
        self.result_changed.emit(result)


__all__ = [
    "BADGE_COLOURS",
    "CategoryCombo",
    "PriorityBadge",
    "ReportForm",
    "TextBox",
    "WrapLabel",
    "badge_text",
    "wrapped_label",
]
