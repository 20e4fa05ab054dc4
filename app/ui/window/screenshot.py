"""Render a board snapshot to a PNG offscreen (`releasable --screenshot`).

The window (or the kiosk) is built exactly as on screen, laid out at the requested size and
grabbed; no settings are read or written, and the clock is frozen at `now` (by default the
moment the snapshot was taken) so the picture is reproducible.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QApplication, QWidget

from app.domain.model import BoardSnapshot
from app.services.outbox_rows import OutboxRow


def _ensure_app() -> QApplication:
    app = QApplication.instance()
    if app is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QApplication([])
    assert isinstance(app, QApplication)
    return app


def render_widget_png(widget: QWidget, path: str | Path, size: tuple[int, int]) -> Path:
    """Lay `widget` out at `size`, paint it without showing it on screen, save a PNG."""
    widget.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    widget.resize(*size)
    widget.show()
    for _ in range(3):  # layouts with height-for-width settle over a few passes
        QApplication.processEvents()
        widget.resize(*size)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not widget.grab().save(str(out), "PNG"):
        raise OSError(f"could not write the screenshot to {out}")
    return out


def render_snapshot_png(
    snapshot: BoardSnapshot,
    path: str | Path,
    size: tuple[int, int] = (1600, 1000),
    kiosk: bool = False,
    now: datetime | None = None,
    outbox_rows: Sequence[OutboxRow] = (),
) -> Path:
    """Draw `snapshot` in the window (or the kiosk) at `size` pixels and save it as a PNG."""
    from app.ui.kiosk.kiosk import KioskWindow
    from app.ui.window.main_window import MainWindow

    _ensure_app()
    at = now or snapshot.taken_at

    def clock() -> datetime:
        return at

    widget: QWidget
    if kiosk:
        kiosk_window = KioskWindow(clock)
        kiosk_window.show_snapshot(snapshot)
        widget = kiosk_window
    else:
        window = MainWindow(clock, persist=False)
        window.show_snapshot(snapshot)
        window.set_outbox_rows(list(outbox_rows))
        widget = window
    try:
        return render_widget_png(widget, path, size)
    finally:
        widget.close()
        widget.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
