"""Nothing is lost and nothing crashes silently: Qt messages go to logging, and an uncaught
exception anywhere (GUI thread or worker) is logged, written to a crash report, and shown —
as a dialog with "Copy report" in the window, as a non-modal banner in kiosk mode.

Drafts are already committed to the store as they are typed, so a crash loses no report; the
handler only has to tell the user what happened and where the details are.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import (
    QMessageLogContext,
    QObject,
    Qt,
    QtMsgType,
    Signal,
    qInstallMessageHandler,
)
from PySide6.QtWidgets import QApplication, QMessageBox

from app.domain.redact import scrub

log = logging.getLogger("app")
qt_log = logging.getLogger("qt")

# Qt platform chatter that says nothing to a user (offscreen/minimal plugins).
_QT_NOISE = ("does not support propagateSizeHints", "QFont::setPointSize: Point size <= 0")


def _route_qt_message(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
    if any(noise in message for noise in _QT_NOISE):
        qt_log.debug("%s", message)
        return
    level = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
        QtMsgType.QtCriticalMsg: logging.ERROR,
        QtMsgType.QtFatalMsg: logging.CRITICAL,
    }.get(mode, logging.WARNING)
    qt_log.log(level, "%s", message)


def route_qt_messages() -> None:
    """Send Qt's own warnings to the 'qt' logger instead of stderr."""
    qInstallMessageHandler(_route_qt_message)


class CrashReporter(QObject):
    """Receives uncaught exceptions from any thread and shows them on the GUI thread."""

    crashed = Signal(str, str)  # one-line summary, full report

    def __init__(self, report_dir: Path, show: Callable[[str, str], None] | None = None) -> None:
        super().__init__()
        self.report_dir = report_dir
        self._open_boxes: list[QMessageBox] = []
        self.crashed.connect(show or self.show_dialog)
        self._previous_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook

    def install(self) -> None:
        sys.excepthook = self._hook
        threading.excepthook = self._thread_hook

    def uninstall(self) -> None:
        sys.excepthook = self._previous_hook
        threading.excepthook = self._previous_thread_hook

    def _thread_hook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            self._hook(args.exc_type, args.exc_value, args.exc_traceback)

    def _hook(
        self,
        exc_type: type[BaseException],
        exc: BaseException,
        tb: TracebackType | None,
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            app = QApplication.instance()
            if app is not None:
                app.quit()
            return
        text = scrub("".join(traceback.format_exception(exc_type, exc, tb)))
        log.critical("uncaught exception\n%s", text)
        path = self.write_report(text)
        summary = scrub(f"{exc_type.__name__}: {exc}")
        where = f"\n\nThe details were saved to {path}." if path else ""
        self.crashed.emit(summary, f"{text}{where}")

    def write_report(self, text: str) -> Path | None:
        try:
            self.report_dir.mkdir(parents=True, exist_ok=True)
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
            path = self.report_dir / f"crash-{stamp}.txt"
            path.write_text(text, encoding="utf-8")
            return path
        except OSError:
            log.exception("could not write the crash report")
            return None

    def show_dialog(self, summary: str, report: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Critical, "Releasable — something went wrong", "")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(
            "Releasable hit an error it did not expect. The board keeps running and your "
            f"drafts are saved.\n\n{summary}"
        )
        box.setDetailedText(report)
        copy = box.addButton("Copy report", QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Close)
        copy.clicked.connect(lambda: QApplication.clipboard().setText(report))
        box.setModal(False)
        self._open_boxes.append(box)  # a top-level box with no owner would be collected at once
        box.finished.connect(lambda _r: self._open_boxes.remove(box))
        box.show()
