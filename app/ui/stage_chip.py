"""A pipeline as a row of stage chips, in pipeline order.

A chip shows a stage's status icon, name and duration; hovering tells when, how long and the
label; a click (or Enter/Space) opens the stage in the browser through an injectable opener;
the context menu of a failed stage offers "Report a blocker…". The row above the chips says
the pipeline's outcome, its latest run and age, whether a run is in progress, and — greyed —
how stale the data is, plus the source's error in words.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QEvent, QRectF, Qt, QUrl, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QDesktopServices,
    QGuiApplication,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QFrame, QHBoxLayout, QMenu, QToolTip, QVBoxLayout, QWidget

from app.domain.model import Observed, Outcome, PipelineReading, Stage, StageStatus
from app.ui.describe import (
    error_words,
    item_look,
    pipeline_words,
    stage_duration,
    stage_look,
    stage_tooltip,
    stale_words,
)
from app.ui.flow_layout import FlowLayout
from app.ui.icons import status_pixmap
from app.ui.labels import PlainLabel
from app.ui.report_context import pipeline_context, stage_context
from app.ui.theme import (
    STALE_COLOUR,
    Look,
    follow_palette_change,
    greyed_palette,
    inherited_palette,
    plain_tooltip,
    tint,
)

Opener = Callable[[QUrl], Any]
NowFn = Callable[[], datetime]


def open_in_browser(url: QUrl) -> bool:
    return QDesktopServices.openUrl(url)


def safe_url(url: str | None) -> QUrl | None:
    """Only web links are opened: a feed must not make us open files or run handlers."""
    if not url:
        return None
    qurl = QUrl(url)
    return qurl if qurl.isValid() and qurl.scheme() in ("http", "https") else None


def report_menu(
    parent: QWidget,
    url: QUrl | None,
    opener: Opener,
    report: Callable[[], None] | None,
) -> QMenu:
    """The shared context menu: open, copy link, and report when something is wrong."""
    menu = QMenu(parent)
    if report is not None:
        menu.addAction("Report a blocker…", report)
    if url is not None:
        menu.addAction("Open in browser", lambda: opener(url))
        menu.addAction(
            "Copy link",
            lambda: QGuiApplication.clipboard().setText(url.toString()),
        )
    return menu


def paint_status_box(widget: QWidget, look: Look, greyed: bool, radius: float = 6.0) -> None:
    """A rounded box tinted with the status colour over the palette's base colour."""
    painter = QPainter(widget)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    palette = widget.palette()
    colour = QColor(STALE_COLOUR) if greyed else look.colour
    base = palette.color(QPalette.ColorRole.Base)
    rect = QRectF(widget.rect()).adjusted(1, 1, -1, -1)
    painter.setBrush(tint(base, colour, 0.12 if greyed else 0.2))
    pen = QPen(colour, 1.5)
    if widget.hasFocus():
        pen = QPen(palette.color(QPalette.ColorRole.Highlight), 3)
    painter.setPen(pen)
    painter.drawRoundedRect(rect, radius, radius)
    painter.end()


class StageChip(QFrame):
    """One stage. Emits `report_requested(dict)` from its context menu when failed."""

    report_requested = Signal(object)

    def __init__(self, now_fn: NowFn, opener: Opener, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._now_fn = now_fn
        self._opener = opener
        self._board = ""
        self._item: Observed | None = None
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
        self._board, self._item = board, item
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

    def open(self) -> bool:
        """Open the stage in the browser; False when it has no web link."""
        url = self.url()
        if url is None:
            return False
        self._opener(url)
        return True

    def report_context(self) -> dict[str, Any] | None:
        if self._item is None or self.stage.status is not StageStatus.FAILED:
            return None
        return stage_context(self._board, self._item, self.stage, self._now_fn())

    def context_menu(self) -> QMenu:
        context = self.report_context()
        report = None if context is None else (lambda: self.report_requested.emit(context))
        return report_menu(self, self.url(), self._opener, report)

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
        menu.exec(event.globalPos())
        menu.deleteLater()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and self._item is not None:
            text = stage_tooltip(self._item.name, self.stage, self._now_fn())
            QToolTip.showText(event.globalPos(), plain_tooltip(text), self)
            return True
        return super().event(event)


class PipelineRow(QFrame):
    """One pipeline: a header line, its stage chips, and its staleness and error lines."""

    report_requested = Signal(object)

    def __init__(self, now_fn: NowFn, opener: Opener, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._now_fn = now_fn
        self._opener = opener
        self._board = ""
        self.item: Observed | None = None
        self.stale = False
        self._style: tuple[Look, bool] | None = None
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

    def set_item(self, board: str, item: Observed, now: datetime) -> None:
        self._board = board
        self.item = item
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
        self.name.set_text(item.name)
        self.running.set_text(
            "▶ run in progress" if isinstance(reading, PipelineReading) and reading.running else ""
        )
        self._style = None  # the next tick restyles
        self.tick(now)

    def tick(self, now: datetime) -> None:
        item = self.item
        if item is None:
            return
        stale = item.is_stale(now)
        self.stale = stale
        look = item_look(item)
        if self._style != (look, stale):
            self._style = (look, stale)
            self.setProperty("stale", stale)
            self.setPalette(greyed_palette(inherited_palette(self)) if stale else QPalette())
            size = self.name.fontMetrics().height() + 4
            dpr = self.devicePixelRatioF() or 1.0
            self.icon.setPixmap(status_pixmap(look, size, dpr, stale))
        reading = item.reading
        stages = reading.stages if isinstance(reading, PipelineReading) else ()
        for chip, stage in zip(self.chips, stages, strict=False):
            chip.set_stage(self._board, item, stage, now, stale)
        self.outcome.set_text(look.word)
        self.words.set_text(pipeline_words(item, now))
        self.stale_line.set_text(stale_words(item, now) or "")
        error = error_words(item, now)
        self.error_line.set_text(f"error: {error}" if error else "")
        self.setAccessibleName(f"pipeline {item.name}: {look.word}" + (", stale" if stale else ""))

    def report_context(self) -> dict[str, Any] | None:
        item = self.item
        if item is None:
            return None
        reading = item.reading
        passed = isinstance(reading, PipelineReading) and reading.outcome is Outcome.PASSED
        if passed and not self.stale:
            return None
        return pipeline_context(self._board, item, self._now_fn())

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

    def focus_chain(self) -> list[QWidget]:
        return [chip for chip in self.chips if not chip.isHidden()]
