"""Uncaught errors are logged, saved to a report and shown without stopping the board."""

from __future__ import annotations

import logging
import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from app.ui.window.crash_handler import CrashReporter, _route_qt_message


def _raise(exc: BaseException) -> None:
    try:
        raise exc
    except BaseException:
        sys.excepthook(*sys.exc_info())


def test_gui_thread_error_is_saved_and_shown(qtbot: QtBot, tmp_path: Path) -> None:
    shown: list[tuple[str, str]] = []
    reporter = CrashReporter(tmp_path / "crash", show=lambda s, r: shown.append((s, r)))
    reporter.install()
    try:
        with qtbot.waitSignal(reporter.crashed, timeout=2000):
            _raise(ValueError("bad stage"))
    finally:
        reporter.uninstall()
    ((summary, report),) = shown
    assert summary == "ValueError: bad stage"
    (saved,) = (tmp_path / "crash").iterdir()
    assert "ValueError: bad stage" in saved.read_text()
    assert str(saved) in report


def test_worker_thread_error_reaches_the_gui_thread(qtbot: QtBot, tmp_path: Path) -> None:
    shown: list[str] = []
    reporter = CrashReporter(tmp_path, show=lambda s, r: shown.append(s))
    reporter.install()
    try:

        def boom() -> None:
            raise RuntimeError("worker died")

        with qtbot.waitSignal(reporter.crashed, timeout=2000):
            worker = threading.Thread(target=boom)
            worker.start()
            worker.join()
        qtbot.waitUntil(lambda: shown == ["RuntimeError: worker died"], timeout=2000)
    finally:
        reporter.uninstall()


def test_default_display_is_a_non_modal_dialog_with_copy(qtbot: QtBot, tmp_path: Path) -> None:
    reporter = CrashReporter(tmp_path)
    reporter.show_dialog("KeyError: 'x'", "Traceback ...")
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]
    assert boxes and not boxes[-1].isModal()
    box = boxes[-1]
    qtbot.addWidget(box)
    copy = next(b for b in box.buttons() if b.text() == "Copy report")
    copy.click()
    assert QApplication.clipboard().text() == "Traceback ..."
    box.close()


def test_qt_noise_is_quiet_and_warnings_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    from PySide6.QtCore import QMessageLogContext, QtMsgType

    with caplog.at_level(logging.DEBUG, logger="qt"):
        _route_qt_message(
            QtMsgType.QtWarningMsg,
            QMessageLogContext(),
            "This plugin does not support propagateSizeHints()",
        )
        _route_qt_message(QtMsgType.QtWarningMsg, QMessageLogContext(), "QPainter::begin: bad")
    levels = {r.getMessage(): r.levelno for r in caplog.records}
    assert levels["This plugin does not support propagateSizeHints()"] == logging.DEBUG
    assert levels["QPainter::begin: bad"] == logging.WARNING
