"""Environments the team depends on: status (shape + word), latency, since-when, details.

One row per environment. A stale row greys out and says how old its data is; the error of the
last failed health check is shown in words. The context menu offers "Report a blocker…" when an
environment is not plainly up, and opens the health endpoint.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QContextMenuEvent, QKeyEvent, QPaintEvent, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QMenu, QVBoxLayout, QWidget

from app.domain.model import EnvironmentReading, Health, Observed
from app.ui.describe import environment_words, error_words, item_look, latency_words, stale_words
from app.ui.icons import status_pixmap
from app.ui.labels import PlainLabel
from app.ui.report_context import environment_context
from app.ui.stage_chip import NowFn, Opener, paint_status_box, report_menu, safe_url
from app.ui.theme import Look, follow_palette_change, greyed_palette, inherited_palette


class EnvironmentRow(QFrame):
    """One environment. Emits `report_requested(dict)` from its context menu."""

    report_requested = Signal(object)

    def __init__(self, now_fn: NowFn, opener: Opener, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._now_fn = now_fn
        self._opener = opener
        self._board = ""
        self.item: Observed | None = None
        self.stale = False
        self._style: tuple[Look, bool] | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.icon = PlainLabel("", self)
        self.status = PlainLabel("", self, bold=True)
        self.name = PlainLabel("", self, bold=True, scale=1.1)
        self.latency = PlainLabel("", self)
        self.words = PlainLabel("", self)
        self.stale_line = PlainLabel("", self, wrap=True)
        self.error_line = PlainLabel("", self, wrap=True, selectable=True)
        metrics = self.status.fontMetrics()
        self.status.setMinimumWidth(metrics.horizontalAdvance("degraded") + 4)
        self.latency.setMinimumWidth(metrics.horizontalAdvance("00000 ms"))
        self.latency.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(self.icon)
        top.addWidget(self.name)
        top.addWidget(self.status)
        top.addWidget(self.words, 1)
        top.addWidget(self.latency)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 5, 8, 6)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.stale_line)
        layout.addWidget(self.error_line)

    def names(self) -> tuple[str, ...]:
        return (self.item.name,) if self.item is not None else ()

    def set_item(self, board: str, item: Observed, now: datetime) -> None:
        self._board = board
        self.item = item
        self.name.set_text(item.name)
        self._style = None  # the next tick restyles
        self.tick(now)

    def tick(self, now: datetime) -> None:
        item = self.item
        if item is None:
            return
        stale = item.is_stale(now)
        look = item_look(item)
        self.stale = stale
        if self._style != (look, stale):
            self._style = (look, stale)
            self.setProperty("stale", stale)
            self.setPalette(greyed_palette(inherited_palette(self)) if stale else QPalette())
            size = self.name.fontMetrics().height() + 4
            self.icon.setPixmap(status_pixmap(look, size, self.devicePixelRatioF() or 1.0, stale))
            self.update()
        reading = item.reading
        self.status.set_text(look.word)
        latency = latency_words(reading) if isinstance(reading, EnvironmentReading) else ""
        self.latency.set_text(latency)
        self.words.set_text(environment_words(item, now))
        self.stale_line.set_text(stale_words(item, now) or "")
        error = error_words(item, now)
        self.error_line.set_text(f"error: {error}" if error else "")
        extra = (f", {latency}" if latency else "") + (", stale" if stale else "")
        self.setAccessibleName(f"environment {item.name}: {look.word}{extra}")

    def report_context(self) -> dict[str, Any] | None:
        item = self.item
        if item is None:
            return None
        reading = item.reading
        up = isinstance(reading, EnvironmentReading) and reading.health is Health.UP
        if up and not self.stale:
            return None
        return environment_context(self._board, item, self._now_fn())

    def context_menu(self) -> QMenu:
        context = self.report_context()
        report = None if context is None else (lambda: self.report_requested.emit(context))
        url = safe_url(getattr(self.item.reading, "url", None)) if self.item else None
        return report_menu(self, url, self._opener, report)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            follow_palette_change(self, self.stale)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = self.context_menu()
        if not menu.isEmpty():
            menu.exec(event.globalPos())
        menu.deleteLater()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        url = safe_url(getattr(self.item.reading, "url", None)) if self.item else None
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and url is not None:
            self._opener(url)
            return
        super().keyPressEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        if self.item is not None:
            paint_status_box(self, item_look(self.item), self.stale, radius=4)
