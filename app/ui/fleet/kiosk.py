"""The platform team's wall: one tile per team, worst first, sized from the screen.

Everything is painted by one widget (no widget per team) with `paint_team`, the window rows'
drawing at wall size. Sizes come from the screen (`app.ui.kiosk.layout`): the text of a tile
never goes below `READABLE_TEXT` of the screen height, and when the teams do not all fit at
that size they are split into pages that turn every `page_seconds`, the page number shown.
The header says the fleet's worst verdict in its colour and how many teams are in each state.
No dialog, no cursor after a while, nothing to click that could get it stuck.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from PySide6.QtCore import QRect, Qt, QTimer
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
)
from PySide6.QtWidgets import QWidget

from app.domain.fleet import TeamRow, worst_state
from app.ui.fleet.delegate import TeamFonts, paint_team, text_margins
from app.ui.fleet.model import TeamText, team_text
from app.ui.fleet.window import summary_words
from app.ui.kiosk.layout import Layout, fit_grid, kiosk_metrics
from app.ui.widgets.theme import BANNER_FILLS, BANNER_TEXT

READABLE_TEXT = 0.022  # a tile's plain text, as a share of the screen height (24 px at 1080)
HEADER = 0.075
MIN_TILE_W = 0.23  # of the screen width: at most 4 columns, so names and reasons fit
REASON_LINES = 2
PAGE_SECONDS = 12.0


def utc_now() -> datetime:
    return datetime.now(UTC)


class FleetKiosk(QWidget):
    """The fleet wall. Feed it `show_rows`; it ticks and pages by itself."""

    def __init__(
        self,
        fleet_name: str,
        now_fn: Callable[[], datetime] | None = None,
        page_seconds: float = PAGE_SECONDS,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.fleet_name = fleet_name
        self.now_fn = now_fn or utc_now
        self.setWindowTitle(f"{fleet_name} — Releasable")
        self.setAccessibleName(f"{fleet_name}: every team's releasability")
        self.setAutoFillBackground(True)
        self.rows: list[TeamRow] = []
        self.texts: list[TeamText] = []
        self.page = 0
        self.layout_: Layout = fit_grid(0, 1, 1, 1, 1)
        self._fonts: TeamFonts | None = None
        self._pager = QTimer(self)
        self._pager.setInterval(int(page_seconds * 1000))
        self._pager.timeout.connect(self.next_page)
        self._pager.start()
        self._clock = QTimer(self)
        self._clock.setInterval(30_000)
        self._clock.timeout.connect(self.tick)
        self._clock.start()

    # --- data ---------------------------------------------------------------------------

    def show_rows(self, rows: Sequence[TeamRow]) -> None:
        self.rows = list(rows)
        self.texts = [team_text(r, self.now_fn()) for r in self.rows]
        self._relayout()
        self.update()

    def tick(self) -> None:
        now = self.now_fn()
        self.texts = [team_text(r, now) for r in self.rows]
        self._relayout()  # "for 59 min" becomes "for 1 h 0 min": still never cut
        self.update()

    def next_page(self) -> None:
        if self.layout_.pages > 1:
            self.page = (self.page + 1) % self.layout_.pages
            self.update()

    def visible_keys(self) -> list[str]:
        return [self.texts[i].key for i in self.layout_.page_range(self.page, len(self.texts))]

    # --- sizes --------------------------------------------------------------------------

    def _areas(self) -> tuple[QRect, QRect, int]:
        w, h = self.width(), self.height()
        metrics = kiosk_metrics(w, h)
        header = QRect(0, 0, w, max(24, round(HEADER * h)))
        m = metrics.margin
        grid = QRect(m, header.bottom() + 1 + m, w - 2 * m, h - header.height() - 2 * m)
        return header, grid, metrics.gap

    def _text_px(self) -> int:
        return max(10, round(READABLE_TEXT * self.height()))

    def _relayout(self) -> None:
        _, grid, gap = self._areas()
        px = self._text_px()
        readable = TeamFonts.from_base(self.font(), px=px)
        min_h = readable.height(REASON_LINES + 1, bold_lines=2)
        max_h = round(min_h * 1.6)
        # The verdict line ("NOT RELEASABLE for 1 h 35 min") is never cut: tiles are at least
        # as wide as the widest one needs at the readable size (fewer columns, more pages).
        verdict_w = max((readable.mb.horizontalAdvance(t.verdict) for t in self.texts), default=0)
        min_w = max(round(MIN_TILE_W * self.width()), verdict_w + text_margins(readable, max_h))
        self.layout_ = fit_grid(
            len(self.rows),
            grid.width(),
            grid.height(),
            min_w,
            min_h,
            gap,
            aspect=3.0,
            max_tile_h=max_h,
        )
        # Bigger text when there is room: as large as the tile allows, from the readable size,
        # as long as the widest verdict still fits.
        lay = self.layout_
        tile_px = min(lay.tile_h / (min_h / px) if min_h else px, lay.tile_w / 24)
        fonts = TeamFonts.from_base(self.font(), px=max(px, round(tile_px)))
        while (
            fonts.plain.pixelSize() > px
            and verdict_w
            and (
                max(fonts.mb.horizontalAdvance(t.verdict) for t in self.texts)
                + text_margins(fonts, lay.tile_h)
                > lay.tile_w
            )
        ):
            fonts = TeamFonts.from_base(self.font(), px=fonts.plain.pixelSize() - 1)
        self._fonts = fonts
        self.page = min(self.page, max(0, lay.pages - 1))

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._relayout()
        super().resizeEvent(event)

    # --- drawing ------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            self._paint_header(painter)
            self._paint_tiles(painter)
        finally:
            painter.end()

    def _paint_header(self, painter: QPainter) -> None:
        header, _, _ = self._areas()
        state = worst_state(self.rows)
        painter.fillRect(header, QColor(BANNER_FILLS[state]))
        painter.setPen(QColor(BANNER_TEXT))
        font = QFont(self.font())
        font.setBold(True)
        font.setPixelSize(max(10, round(header.height() * 0.48)))
        painter.setFont(font)
        margin = round(header.height() * 0.3)
        inner = header.adjusted(margin, 0, -margin, 0)
        metrics = QFontMetrics(font)
        pages = f"   page {self.page + 1} of {self.layout_.pages}" if self.layout_.pages > 1 else ""
        right = summary_words(self.rows) + pages
        small = QFont(font)
        small.setBold(False)
        small.setPixelSize(max(10, round(header.height() * 0.32)))
        sm = QFontMetrics(small)
        # The fleet's verdict first: the counts and the page get what it leaves (at least a
        # quarter), elided from the left so "page 1 of 2" stays; a long fleet name is elided
        # before its verdict is.
        verdict = f": {state.headline}"
        left_needed = metrics.horizontalAdvance(self.fleet_name + verdict)
        room = max(inner.width() // 4, inner.width() - left_needed - margin)
        right_w = min(sm.horizontalAdvance(right) + 4, room)
        left_w = inner.width() - right_w - margin
        name_w = left_w - metrics.horizontalAdvance(verdict)
        name = metrics.elidedText(self.fleet_name, Qt.TextElideMode.ElideRight, max(0, name_w))
        painter.drawText(
            QRect(inner.left(), inner.top(), left_w, inner.height()),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            metrics.elidedText(name + verdict, Qt.TextElideMode.ElideRight, left_w),
        )
        painter.setFont(small)
        painter.drawText(
            QRect(inner.right() - right_w, inner.top(), right_w, inner.height()),
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
            sm.elidedText(right, Qt.TextElideMode.ElideLeft, right_w),
        )

    def _paint_tiles(self, painter: QPainter) -> None:
        _, grid, gap = self._areas()
        lay = self.layout_
        if self._fonts is None or not self.texts:
            return
        palette: QPalette = self.palette()
        shown = lay.page_range(self.page, len(self.texts))
        for slot, i in enumerate(shown):
            col, row = slot % lay.cols, slot // lay.cols
            rect = QRect(
                grid.left() + col * (lay.tile_w + gap),
                grid.top() + row * (lay.tile_h + gap),
                lay.tile_w,
                lay.tile_h,
            )
            paint_team(
                painter,
                rect,
                self.texts[i],
                self._fonts,
                palette,
                max_reason_lines=REASON_LINES,
                verdict_below=True,
            )

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Right, Qt.Key.Key_PageDown, Qt.Key.Key_Space):
            self.next_page()
            return
        super().keyPressEvent(event)


__all__ = ["FleetKiosk"]
