"""A pipeline as a row of stage chips, in pipeline order.

A chip shows a stage's status icon, name and duration; hovering tells when, how long and the
label; a click (or Enter/Space) opens the stage in the browser through an injectable opener;
the context menu of a failed stage offers "Report a blocker…". The row above the chips says
the pipeline's outcome, its latest run and age, whether a run is in progress, and — greyed —
how stale the data is, plus the source's error in words.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from PySide6.QtCore import QEvent, Qt, QUrl
from PySide6.QtGui import QContextMenuEvent, QHelpEvent, QKeyEvent, QMouseEvent, QPaintEvent
from PySide6.QtWidgets import QHBoxLayout, QToolTip, QVBoxLayout, QWidget

from app.domain.model import Observed, Outcome, PipelineReading, Reading, Stage, StageStatus
from app.ui.board.describe import pipeline_words, stage_duration, stage_look, stage_tooltip
from app.ui.board.row import ItemRow, NowFn, Opener, ReportingFrame, paint_status_box, safe_url
from app.ui.report.context import pipeline_context, stage_context
from app.ui.widgets.flow_layout import FlowLayout
from app.ui.widgets.icons import status_pixmap
from app.ui.widgets.labels import PlainLabel
from app.ui.widgets.theme import Look, plain_tooltip


class StageChip(ReportingFrame):
    """One stage. Emits `report_requested(dict)` from its context menu when failed."""

    def __init__(self, now_fn: NowFn, opener: Opener, parent: QWidget | None = None) -> None:
        super().__init__(now_fn, opener, parent)
        self.stage = Stage("", StageStatus.UNKNOWN)
        self._greyed = False
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.icon = PlainLabel("", self)
        self.name = PlainLabel("", self, bold=True)
        self.duration = PlainLabel("", self, scale=0.9)
        text = QVBoxLayout()
        text.setSpacing(0)
        text.addWidget(self.name)
        text.addWidget(self.duration)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 10, 4)
        layout.setSpacing(6)
        layout.addWidget(self.icon)
        layout.addLayout(text)

    def set_stage(
        self, board: str, item: Observed, stage: Stage, now: datetime, greyed: bool
    ) -> None:
        self._board, self.item = board, item
        changed = stage != self.stage or greyed != self._greyed
        self.stage, self._greyed = stage, greyed
        if changed:
            size = self.fontMetrics().height() + 6
            dpr = self.devicePixelRatioF() or 1.0
            self.icon.setPixmap(status_pixmap(stage_look(stage), size, dpr, greyed))
            self.name.set_text(stage.name)
            self.setCursor(
                Qt.CursorShape.PointingHandCursor if self.url() else Qt.CursorShape.ArrowCursor
            )
            self.update()
        self.tick(now)

    def tick(self, now: datetime) -> None:
        took = stage_duration(self.stage, now)
        word = stage_look(self.stage).word
        self.duration.set_text(took if took else word)
        extra = (f", {took}" if took else "") + (", stale" if self._greyed else "")
        self.setAccessibleName(f"stage {self.stage.name}: {word}{extra}")

    def url(self) -> QUrl | None:
        return safe_url(self.stage.url)

    def report_context(self) -> dict[str, Any] | None:
        if self.item is None or self.stage.status is not StageStatus.FAILED:
            return None
        return stage_context(self._board, self.item, self.stage, self._now_fn())

    # -- events -------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        paint_status_box(self, stage_look(self.stage), self._greyed)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
            event.position().toPoint()
        ):
            self.open()
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.open()
            return
        super().keyPressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = self.context_menu()
        if not menu.isEmpty():  # a passed stage with no link has nothing to offer
            menu.exec(event.globalPos())
        menu.deleteLater()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and self.item is not None:
            text = stage_tooltip(self.item.name, self.stage, self._now_fn())
            help_event = cast(QHelpEvent, event)  # Qt sends every ToolTip event as a QHelpEvent
            QToolTip.showText(help_event.globalPos(), plain_tooltip(text), self)
            return True
        return super().event(event)


class PipelineRow(ItemRow):
    """One pipeline: a header line, its stage chips, and its staleness and error lines."""

    def __init__(self, now_fn: NowFn, opener: Opener, parent: QWidget | None = None) -> None:
        super().__init__(now_fn, opener, parent)
        self.chips: list[StageChip] = []
        self.icon = PlainLabel("", self)
        self.name = PlainLabel("", self, bold=True, scale=1.15)
        self.outcome = PlainLabel("", self, bold=True)
        self.words = PlainLabel("", self)
        self.running = PlainLabel("", self)
        self.stale_line = PlainLabel("", self, wrap=True)
        self.error_line = PlainLabel("", self, wrap=True, selectable=True)
        header = QHBoxLayout()
        header.setSpacing(8)
        header.addWidget(self.icon)
        header.addWidget(self.name)
        header.addWidget(self.outcome)
        header.addWidget(self.words, 1)
        header.addWidget(self.running)
        self._chip_box = QWidget(self)
        self._chips_layout = FlowLayout(self._chip_box, spacing=6)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 8)
        layout.setSpacing(4)
        layout.addLayout(header)
        layout.addWidget(self._chip_box)
        layout.addWidget(self.stale_line)
        layout.addWidget(self.error_line)

    def names(self) -> tuple[str, ...]:
        """What the filter box matches: the pipeline's name and its stage names."""
        if self.item is None:
            return ()
        stages = self.item.reading.stages if isinstance(self.item.reading, PipelineReading) else ()
        return (self.item.name, *(s.name for s in stages))

    def show_item(self, item: Observed) -> None:
        """One chip per stage, and whether a run is in progress."""
        reading = item.reading
        stages = reading.stages if isinstance(reading, PipelineReading) else ()
        while len(self.chips) < len(stages):
            chip = StageChip(self._now_fn, self._opener, self._chip_box)
            chip.report_requested.connect(self.report_requested)
            self._chips_layout.addWidget(chip)
            self.chips.append(chip)
        while len(self.chips) > len(stages):
            chip = self.chips.pop()
            self._chips_layout.removeWidget(chip)
            chip.hide()
            chip.deleteLater()
        self.running.set_text(
            "▶ run in progress" if isinstance(reading, PipelineReading) and reading.running else ""
        )

    def show_words(self, item: Observed, look: Look, now: datetime) -> None:
        stale = self.stale
        reading = item.reading
        stages = reading.stages if isinstance(reading, PipelineReading) else ()
        for chip, stage in zip(self.chips, stages, strict=False):
            chip.set_stage(self._board, item, stage, now, stale)
        self.outcome.set_text(look.word)
        self.words.set_text(pipeline_words(item, now))
        self.setAccessibleName(f"pipeline {item.name}: {look.word}" + (", stale" if stale else ""))

    def plainly_fine(self, reading: Reading | None) -> bool:
        return isinstance(reading, PipelineReading) and reading.outcome is Outcome.PASSED

    def report_prefill(self, item: Observed, now: datetime) -> dict[str, Any]:
        return pipeline_context(self._board, item, now)

    def focus_chain(self) -> list[QWidget]:
        return [chip for chip in self.chips if not chip.isHidden()]
