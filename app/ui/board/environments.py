"""Environments the team depends on: status (shape + word), latency, since-when, details.

One row per environment. A stale row greys out and says how old its data is; the error of the
last failed health check is shown in words. The context menu offers "Report a blocker…" when an
environment is not plainly up, and opens the health endpoint.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QPaintEvent
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from app.domain.model import EnvironmentReading, Health, Observed, Reading
from app.ui.board.describe import environment_words, item_look, latency_words
from app.ui.board.row import ItemRow, NowFn, Opener, paint_status_box
from app.ui.report.context import environment_context
from app.ui.widgets.labels import PlainLabel
from app.ui.widgets.theme import Look


class EnvironmentRow(ItemRow):
    """One environment. Emits `report_requested(dict)` from its context menu."""

    def __init__(self, now_fn: NowFn, opener: Opener, parent: QWidget | None = None) -> None:
        super().__init__(now_fn, opener, parent)
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

    def show_words(self, item: Observed, look: Look, now: datetime) -> None:
        reading = item.reading
        self.status.set_text(look.word)
        latency = latency_words(reading) if isinstance(reading, EnvironmentReading) else ""
        self.latency.set_text(latency)
        self.words.set_text(environment_words(item, now))
        extra = (f", {latency}" if latency else "") + (", stale" if self.stale else "")
        self.setAccessibleName(f"environment {item.name}: {look.word}{extra}")

    def plainly_fine(self, reading: Reading | None) -> bool:
        return isinstance(reading, EnvironmentReading) and reading.health is Health.UP

    def report_prefill(self, item: Observed, now: datetime) -> dict[str, Any]:
        return environment_context(self._board, item, now)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.open():
            return
        super().keyPressEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        if self.item is not None:
            paint_status_box(self, item_look(self.item), self.stale, radius=4)
