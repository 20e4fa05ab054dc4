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

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QGridLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.model import BoardSnapshot
from app.domain.triage import Category, TriageResult, triage
from app.ui.report.widgets import CategoryCombo, PriorityBadge
from app.ui.widgets.labels import PlainLabel
from app.ui.widgets.text import TextBox, error_label, mute, wrapped_label

TITLE_MAX = 200
MAX_EVIDENCE_LINES = 3


def prefill_fields(prefill: Mapping[str, Any]) -> dict[str, Any]:
    """Draft fields suggested by a "Report a blocker…" menu entry (see `report_context`).

    The title is taken as a suggestion; what the board shows about the item (and its link)
    starts the impact, so the report says which stage or environment it is about. A category is
    never taken: a pre-fill does not know the cause, the reporter picks it. Everything stays
    plain text and editable.
    """
    fields: dict[str, Any] = {}
    title = prefill.get("title")
    if isinstance(title, str) and title.strip():
        fields["title"] = " ".join(title.split())
    evidence = prefill.get("evidence")
    if isinstance(evidence, str) and evidence.strip():
        words = f"The board shows {' '.join(evidence.split())}."
        url = prefill.get("url")
        fields["impact"] = f"{words}\n{url}" if isinstance(url, str) and url else words
    return fields


def team_words(board_name: str) -> str:
    """ "the Payments team" for a board called "Payments team" or "Payments"."""
    name = " ".join(board_name.split())
    if not name:
        return "the team"
    return f"the {name}" if "team" in name.casefold().split() else f"the {name} team"


def evidence_summary(snapshot: BoardSnapshot | None) -> str:
    """A few plain lines on what the board shows, to say what evidence goes with the report."""
    if snapshot is None:
        return "The board has no data yet: the report will say so."
    verdict = snapshot.verdict
    reasons = [r.text for r in verdict.reasons]
    shown = reasons[:MAX_EVIDENCE_LINES]
    lines = [f"Attached: what the board shows now — {verdict.state.headline}"]
    lines += [f"• {text}" for text in shown]
    if len(reasons) > len(shown):
        lines.append(f"• and {len(reasons) - len(shown)} more (see the preview)")
    return "\n".join(lines)


class ReportForm(QWidget):
    """The report's fields; `changed` fires on every edit a person makes (not on `set_fields`)."""

    changed = Signal()
    result_changed = Signal(object)  # TriageResult

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._answer: bool | None = None
        self._loading = False

        self.category = CategoryCombo(self)
        self.category.set_category(Category.OTHER)  # a blank report names no cause
        self.category.setAccessibleName("Category")
        self.category_help = wrapped_label("", self)
        self.title = QLineEdit(self)
        self.title.setAccessibleName("Title")
        self.title.setPlaceholderText("e.g. Laptop won't boot, cannot deploy")
        self.title.setMaxLength(TITLE_MAX)
        self.title_error = error_label(self)
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
        self.answer_error = error_label(self)
        self.statement_label = QLabel("&How is it still possible?", self)
        self.statement = QLineEdit(self)
        self.statement.setAccessibleName("How is production delivery still possible?")
        self.statement.setPlaceholderText("Required: this statement goes into the report")
        self.statement_label.setBuddy(self.statement)
        self.statement_error = error_label(self)
        self.workaround = QCheckBox("There is a &workaround", self)
        self.workaround.setAccessibleName("There is a workaround")

        self.reporter = QLineEdit(self)
        self.reporter.setAccessibleName("Reporter")
        self.reporter.setPlaceholderText("Your name (remembered on this computer)")

        self.badge = PriorityBadge(self)
        self.reason = wrapped_label("", self)
        self.reason.setAccessibleName("Why this priority")

        self._layout()
        mute(self.category_help)
        mute(self.reason)
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


__all__ = ["ReportForm", "evidence_summary", "prefill_fields", "team_words"]
