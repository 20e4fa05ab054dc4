"""Render the "Report a blocker" dialog offscreen to PNGs for review (no store, no network).

    .venv/bin/python tools/screenshot_report_dialog.py [OUT_DIR]

Writes, to OUT_DIR (default /tmp): the dialog at its natural size in the P1 state (pre-filled
from a failing scanner stage), in the P2 state with the downgrade statement and the preview
open, the `other` question unanswered after pressing Send, and each of them centred on a
1366x768 board window as a person would see it on a small laptop screen.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QWidget

from app.demo.sample import sample_snapshot
from app.domain.report import Report
from app.ui.board.report_context import stage_context
from app.ui.report.dialog import ReportDialog
from app.ui.window.main_window import MainWindow

NOW = datetime(2025, 3, 4, 10, 30, tzinfo=UTC)
SCREEN = (1366, 768)


class _NoStore:
    """A gateway that stores nothing: the pictures need no database."""

    def save_draft(
        self,
        key: str,
        fields: Mapping[str, Any],
        on_done: Callable[[], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        if on_done:
            on_done()

    def delete_draft(self, key: str, on_done: Any = None, on_error: Any = None) -> None:
        if on_done:
            on_done()

    def queue(self, report: Report, on_done: Any = None, on_error: Any = None) -> None:
        if on_done:
            on_done()


def _settle(widget: QWidget) -> None:
    for _ in range(4):
        QApplication.processEvents()


def _on_screen(window: MainWindow, dialog: ReportDialog, out: Path) -> None:
    """The dialog centred over a 1366x768 window, as the window manager would place it."""
    canvas = QPixmap(*SCREEN)
    canvas.fill(Qt.GlobalColor.black)
    painter = QPainter(canvas)
    painter.drawPixmap(0, 0, window.grab())
    shot = dialog.grab()
    w = min(shot.width(), SCREEN[0])
    h = min(shot.height(), SCREEN[1])
    x, y = (SCREEN[0] - w) // 2, max(0, (SCREEN[1] - h) // 2)
    painter.fillRect(x - 1, y - 1, w + 2, h + 2, Qt.GlobalColor.darkGray)
    painter.drawPixmap(x, y, shot, 0, 0, w, h)
    painter.end()
    canvas.save(str(out), "PNG")
    print(f"wrote {out} (dialog {shot.width()}x{shot.height()})")


def main(out_dir: Path) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    out_dir.mkdir(parents=True, exist_ok=True)
    snapshot = sample_snapshot(NOW)
    settings = QSettings(str(out_dir / "report-dialog-screenshot.ini"), QSettings.Format.IniFormat)
    settings.setValue("report/reporter", "Dana Fischer")
    window = MainWindow(lambda: NOW, persist=False)
    window.show_snapshot(snapshot)
    window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    window.resize(*SCREEN)
    window.show()
    _settle(window)

    api = next(p for p in snapshot.board.pipelines if p.name == "api")
    stage = next(s for s in api.reading.stages if s.status.value == "failed")  # type: ignore[union-attr]
    prefill = stage_context(snapshot.board.name, api, stage, NOW)

    def dialog(**kw: Any) -> ReportDialog:
        d = ReportDialog(
            _NoStore(),
            snapshot=snapshot,
            board_name=snapshot.board.name,
            settings=settings,
            now_fn=lambda: NOW,
            parent=window,
            **kw,
        )
        d.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        d.show()
        _settle(d)
        return d

    p1 = dialog(prefill=prefill)
    p1.form.title.deselect()
    p1.grab().save(str(out_dir / "report-dialog.png"), "PNG")
    print(f"wrote {out_dir / 'report-dialog.png'} ({p1.width()}x{p1.height()})")
    _on_screen(window, p1, out_dir / "report-dialog-1366x768.png")
    p1.form.trying_to.setPlainText("Ship the refund fix to production")
    p1.form.no.click()
    p1.form.statement.setText("We can deploy from the CI web UI with the scanner override")
    p1.form.statement.textEdited.emit(p1.form.statement.text())
    p1.preview_toggle.setChecked(True)
    _settle(p1)
    p1.grab().save(str(out_dir / "report-dialog-p2.png"), "PNG")
    print(f"wrote {out_dir / 'report-dialog-p2.png'} ({p1.width()}x{p1.height()})")
    _on_screen(window, p1, out_dir / "report-dialog-p2-1366x768.png")
    p1.close()

    other = dialog()
    other.form.category.set_category(other.form.category.category().__class__("other"))
    other.send()
    _settle(other)
    other.grab().save(str(out_dir / "report-dialog-other.png"), "PNG")
    print(f"wrote {out_dir / 'report-dialog-other.png'} ({other.width()}x{other.height()})")
    other.close()
    window.close()
    settings.clear()
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp")))
