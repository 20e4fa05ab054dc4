"""The "Report a blocker" dialog: two clicks from a failing stage to a P1 in the outbox.

The dialog holds one report, identified by its client key from the first keystroke to the
tracker. Every edit is autosaved as a draft (debounced, through a `DraftGateway`, so the GUI
thread never writes to disk); closing it in any way saves at once, and a draft reopens with
its fields. "Send" (Ctrl+Return) checks the fields, builds the `Report` with the evidence of the
board snapshot it was opened with, queues it and forgets the draft. The dialog itself never
talks to a tracker: the outbox service delivers what is queued.

Everything from remote servers (the pre-fill, the evidence) is shown as plain text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QCoreApplication, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QFontDatabase, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

import app
from app.domain.model import BoardSnapshot, BoardState, Reason, Verdict, VerdictState
from app.domain.outbox import Draft
from app.domain.report import Report
from app.domain.report_body import Evidence, build_report, evidence_from, new_report_key
from app.domain.triage import TriageResult
from app.services.ports import DraftGateway
from app.ui.report.form import ReportForm, evidence_summary, prefill_fields, team_words
from app.ui.widgets.labels import PlainLabel
from app.ui.widgets.text import WrapLabel, mute, wrapped_label

AUTOSAVE_MS = 500
REPORTER_SETTING = "report/reporter"

NowFn = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def _empty_board_evidence(board_name: str, now: datetime) -> Evidence:
    verdict = Verdict(
        VerdictState.UNKNOWN, (Reason("the board had no data yet", VerdictState.UNKNOWN),)
    )
    return evidence_from(BoardState(board_name), verdict, now)


class ReportDialog(QDialog):
    """Write one blocker report; `sent(key)` once it is in the outbox.

    Show it with `show()` (non-modal) or `open()`; never `exec()`. `draft_saved(key)` fires
    after each autosave reached the store.
    """

    sent = Signal(str)
    draft_saved = Signal(str)

    def __init__(
        self,
        gateway: DraftGateway,
        *,
        snapshot: BoardSnapshot | None,
        board_name: str,
        settings: QSettings,
        prefill: Mapping[str, Any] | None = None,
        draft: Draft | None = None,
        now_fn: NowFn = utc_now,
        labels: Sequence[str] = (),
        autosave_ms: int = AUTOSAVE_MS,
        app_version: str = app.__version__,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.gateway = gateway
        self.snapshot = snapshot
        self.board_name = board_name
        self.settings = settings
        self.now_fn = now_fn
        self.labels = tuple(labels)
        self.app_version = app_version
        self.key = draft.key if draft is not None else new_report_key()
        self.prefill: dict[str, Any] = dict(prefill or {})
        self._dirty = False  # edited since the last save was issued
        self._saves_in_flight = 0
        self._sending = False
        self._finished = False  # sent: nothing more to save

        self.setWindowTitle(
            f"Report a blocker — {board_name}" if board_name else "Report a blocker"
        )
        self.setObjectName("reportDialog")
        self.setSizeGripEnabled(True)
        self._build()
        self._fill(draft)

        self._autosave = QTimer(self)
        self._autosave.setSingleShot(True)
        self._autosave.setInterval(max(0, autosave_ms))
        self._autosave.timeout.connect(self.save_now)
        self.form.changed.connect(self._on_edit)
        self.form.result_changed.connect(self._on_result)
        self._on_result(self.form.result())
        self.fit_to_contents()
        app_instance = QCoreApplication.instance()
        if app_instance is not None:
            app_instance.aboutToQuit.connect(self.save_now)

    # -- construction ---------------------------------------------------------------------

    def _build(self) -> None:
        self.intro = wrapped_label(
            f"Anything that stops {team_words(self.board_name)} from deploying to production is a "
            "P1 for the platform team. Your report is saved as you type and sent when the "
            "tracker can be reached.",
            self,
        )
        self.form = ReportForm(self)
        self.evidence_label = wrapped_label("", self)
        self.evidence_label.setAccessibleName("Evidence attached from the board")
        self.evidence_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.preview_toggle = QToolButton(self)
        self.preview_toggle.setText("&Preview of the report")
        self.preview_toggle.setCheckable(True)
        self.preview_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.preview_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.preview_toggle.setAutoRaise(True)
        self.preview_toggle.setAccessibleName("Show the preview of the report")
        self.preview_toggle.toggled.connect(self._toggle_preview)
        self.preview = QPlainTextEdit(self)
        self.preview.setReadOnly(True)
        self.preview.setTabChangesFocus(True)
        self.preview.setAccessibleName("Preview of the report (Markdown)")
        self.preview.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.preview.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.preview.setMinimumWidth(self.preview.fontMetrics().horizontalAdvance("x" * 64))
        self.preview.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.preview.hide()

        self.status = PlainLabel("", self)
        self.status.setAccessibleName("Draft status")
        self.buttons = QDialogButtonBox(self)
        self.close_button = QPushButton("Close", self)
        self.close_button.setToolTip("Close this window; the draft is kept (Esc)")
        self.send_button = QPushButton("&Send", self)
        self.send_button.setToolTip("Put the report in the outbox to be sent (Ctrl+Return)")
        for button in (self.close_button, self.send_button):
            button.setAutoDefault(False)
            button.setDefault(False)  # Enter in a field must not send half a report
        self.buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.addButton(self.send_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.rejected.connect(self.reject)
        self.send_button.clicked.connect(self.send)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(self.send)

        for label in (self.intro, self.evidence_label, self.status):
            mute(label)

        left = QVBoxLayout()
        left.setSpacing(10)
        left.addWidget(self.intro)
        left.addWidget(self.form, 1)
        left.addWidget(self.evidence_label)
        left.addWidget(self.preview_toggle, 0, Qt.AlignmentFlag.AlignLeft)
        columns = QHBoxLayout()
        columns.setSpacing(16)
        columns.addLayout(left, 3)
        columns.addWidget(self.preview, 2)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addLayout(columns, 1)
        layout.addLayout(bottom)

        QWidget.setTabOrder(self.form.reporter, self.preview_toggle)
        QWidget.setTabOrder(self.preview_toggle, self.preview)
        QWidget.setTabOrder(self.preview, self.close_button)
        QWidget.setTabOrder(self.close_button, self.send_button)

    def fit_to_contents(self) -> None:
        """Take the natural size. Wrapped text only knows its height once it has a width, and
        a hidden window's children get no resize events, so the layouts are run here until the
        size stops changing (two or three passes)."""
        layouts = [w.layout() for w in (self, self.form)]
        for _ in range(6):
            for label in self.findChildren(WrapLabel):
                label.updateGeometry()
            for layout in layouts:
                assert layout is not None
                layout.activate()
            if self.size() == self.sizeHint():
                break
            self.resize(self.sizeHint())

    def _fill(self, draft: Draft | None) -> None:
        fields: dict[str, Any] = {}
        remembered = self.settings.value(REPORTER_SETTING, "", type=str)
        if remembered:
            fields["reporter"] = remembered
        if draft is not None:
            fields.update(draft.fields)
            self.status.set_text("Draft reopened")
        else:
            fields.update(prefill_fields(self.prefill))
        self.form.set_fields(fields)
        self.evidence_label.set_text(evidence_summary(self.snapshot))
        self.form.title.setFocus(Qt.FocusReason.OtherFocusReason)
        self.form.title.end(False)

    # -- the report -----------------------------------------------------------------------

    def evidence_at(self, now: datetime) -> Evidence:
        """The board's evidence as of `now` (items gone stale since the snapshot say so)."""
        if self.snapshot is None:
            return _empty_board_evidence(self.board_name, now)
        return evidence_from(self.snapshot.board, self.snapshot.verdict, now)

    def build(self) -> Report:
        """The report the fields make right now (it is only queued by `send`)."""
        f = self.form.fields()
        now = self.now_fn()
        return build_report(
            key=self.key,
            title=f["title"],
            category=f["category"],
            prevents_delivery=f["prevents_delivery"],
            statement=f["statement"] if f["prevents_delivery"] is False else "",
            trying_to=f["trying_to"],
            impact=f["impact"],
            reporter=" ".join(f["reporter"].split()),
            board_name=self.board_name,
            evidence=self.evidence_at(now),
            created_at=now,
            app_version=self.app_version,
            labels=self.labels,
            has_workaround=bool(f["has_workaround"]) and f["prevents_delivery"] is False,
        )

    def send(self) -> None:
        """Check the fields, then queue the report; the dialog closes once it is queued."""
        if self._sending or self._finished:
            return
        invalid = self.form.validate()
        if invalid is not None:
            invalid.setFocus(Qt.FocusReason.OtherFocusReason)
            self.status.set_text("Some answers are missing (see above).")
            return
        report = self.build()
        self._autosave.stop()
        self._sending = True
        self._set_busy(True)
        self.status.set_text("Putting it in the outbox…")
        self.gateway.queue(report, self._guard(self._queued), self._guard(self._not_queued))

    def _queued(self) -> None:
        self._sending = False
        self._finished = True
        self._dirty = False
        self.gateway.delete_draft(self.key)  # queue_report drops it too; the port does not say so
        self._remember_reporter()
        self.sent.emit(self.key)
        self.accept()

    def _not_queued(self, error: BaseException) -> None:
        self._sending = False
        self._set_busy(False)
        self.status.set_text(f"Could not put it in the outbox ({error}); the draft is kept.")
        self.save_now(force=True)

    def _set_busy(self, busy: bool) -> None:
        self.form.setEnabled(not busy)
        self.send_button.setEnabled(not busy)

    # -- autosave -------------------------------------------------------------------------

    def _on_edit(self) -> None:
        if self._sending or self._finished:
            return
        self._dirty = True
        self.status.set_text("Saving…")
        self._autosave.start()
        if self.preview_toggle.isChecked():
            self._update_preview()

    def save_now(self, force: bool = False) -> None:
        """Save the draft now if anything changed since the last save (or if `force`)."""
        if not isValid(self):
            return
        self._autosave.stop()
        if self._finished or self._sending or not (self._dirty or force):
            return
        self._dirty = False
        self._saves_in_flight += 1
        self.status.set_text("Saving…")
        self.gateway.save_draft(
            self.key, self.form.fields(), self._guard(self._saved), self._guard(self._unsaved)
        )

    def _saved(self) -> None:
        self._saves_in_flight -= 1
        if self._saves_in_flight == 0 and not self._dirty and not self._sending:
            self.status.set_text("Draft saved")
        self.draft_saved.emit(self.key)

    def _unsaved(self, error: BaseException) -> None:
        self._saves_in_flight -= 1
        self._dirty = True  # try again with the next edit or on close
        self.status.set_text(f"Could not save the draft ({error}); it is kept in this window.")

    def _guard(self, callback: Callable[..., None]) -> Callable[..., None]:
        """A callback that does nothing once the dialog's widgets are gone."""

        def call(*args: Any) -> None:
            if isValid(self):
                callback(*args)

        return call

    def _remember_reporter(self) -> None:
        name = " ".join(self.form.reporter.text().split())
        if name:
            self.settings.setValue(REPORTER_SETTING, name)

    # -- preview and priority -------------------------------------------------------------

    def _toggle_preview(self, on: bool) -> None:
        self.preview_toggle.setArrowType(Qt.ArrowType.LeftArrow if on else Qt.ArrowType.RightArrow)
        self.preview_toggle.setAccessibleName(
            "Hide the preview of the report" if on else "Show the preview of the report"
        )
        if on:
            self._update_preview()
        shown = max(self.preview.sizeHint().width(), self.preview.minimumWidth())
        room = (shown if on else self.preview.width()) + 16
        width = self.width() + room if on else self.width() - room
        self.preview.setVisible(on)
        layout = self.layout()
        if layout is not None:
            layout.activate()  # the window's minimum width follows the preview at once
        if self.isVisible():
            # Beside the form, so the window grows sideways (a laptop screen has width to
            # spare, not height) and stays on screen.
            screen = self.screen().availableGeometry()
            self.resize(
                max(self.minimumSizeHint().width(), min(width, screen.width())), self.height()
            )
            frame = self.frameGeometry()
            if frame.right() > screen.right():
                self.move(max(screen.left(), self.x() - (frame.right() - screen.right())), self.y())

    def _update_preview(self) -> None:
        report = self.build()
        text = f"# [{report.priority.value}] {report.title or '(no title yet)'}\n\n{report.body}"
        if text != self.preview.toPlainText():
            self.preview.setPlainText(text)

    def preview_text(self) -> str:
        return self.preview.toPlainText()

    def _on_result(self, result: TriageResult) -> None:
        self.send_button.setText(f"&Send as {result.priority.value}")
        if self.preview_toggle.isChecked():
            self._update_preview()

    # -- closing --------------------------------------------------------------------------

    def done(self, result: int) -> None:
        if self._sending:
            return  # a second away from being queued: closing now could lose the answer
        self.save_now()
        if result == QDialog.DialogCode.Rejected:
            self._remember_reporter()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._sending:
            event.ignore()
            return
        self.save_now()
        super().closeEvent(event)


__all__ = ["AUTOSAVE_MS", "REPORTER_SETTING", "ReportDialog"]
