"""Kiosk tiles: what one tile says (`TileData`, pure) and how it is painted (`KioskTile`).

A tile is one pipeline, environment or open blocker, drawn to fill whatever cell the grid
gives it: status shape, name, one line of detail (or, greyed, how stale it is) and, for
pipelines, the stage shapes in order. Every size is a fraction of the tile or of the screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QWidget

from app.domain.model import (
    BlockerState,
    BoardSnapshot,
    EnvironmentReading,
    Health,
    Observed,
    Outcome,
    PipelineReading,
    Priority,
    StageStatus,
)
from app.domain.words import ago_words, duration_words, last_read_words, lasted_words
from app.ui.board.describe import (
    culprit_words,
    error_words,
    item_look,
    latency_words,
    severity,
    stage_look,
)
from app.ui.widgets.icons import status_image
from app.ui.widgets.theme import STAGE_LOOKS, STALE_COLOUR, STALE_LOOK, Look, muted_text, tint

_FAILED_LOOK = STAGE_LOOKS[StageStatus.FAILED]
_WARN_LOOK = STAGE_LOOKS[StageStatus.WARNING]


@dataclass(frozen=True)
class TileData:
    key: str
    title: str
    look: Look
    status: str  # the status word, always written out
    detail: str
    greyed: bool = False
    stages: tuple[Look, ...] = ()
    rank: int = 4


def _pipeline_detail(reading: PipelineReading, now: datetime) -> str:
    """Short words for a tile: 'at security-scan · 12 min ago · running'."""
    parts = []
    if reading.outcome is Outcome.FAILED and reading.failed_stage:
        parts.append(f"at {reading.failed_stage}")
    if reading.completed_at is not None:
        parts.append(ago_words(reading.completed_at, now))
    culprits = culprit_words(reading)
    if culprits:
        parts.append(culprits)
    if reading.running:
        parts.append("run in progress")
    if not parts and reading.detail:
        parts.append(reading.detail)
    return " · ".join(parts)


def _environment_detail(item: Observed, reading: EnvironmentReading, now: datetime) -> str:
    """Short words for a tile: '870 ms · for 26 min · actuator status DOWN'."""
    parts = [latency_words(reading)]
    if item.status_since is not None:
        parts.append(lasted_words(item.status_since, now))
    if reading.health is not Health.UP:
        parts.append(reading.detail)
    return " · ".join(p for p in parts if p)


def _item_tile(item: Observed, now: datetime) -> TileData:
    look = item_look(item)
    reading = item.reading
    stages: tuple[Look, ...] = ()
    if isinstance(reading, PipelineReading):
        detail = _pipeline_detail(reading, now)
        if item.claimed_by:
            detail = f"on it: {item.claimed_by} · {detail}"
        stages = tuple(stage_look(s) for s in reading.stages)
    elif isinstance(reading, EnvironmentReading):
        detail = _environment_detail(item, reading, now)
    else:
        detail = ""  # never read: said once below
    status = look.word
    if item.is_stale(now):
        # From across the room a greyed tick still reads as "fine": stale shows as unknown.
        error = error_words(item, now)
        was = f", was {look.word}" if item.read_at is not None else ""
        detail = f"{last_read_words(item.read_at, now)}{was}" + (f" · {error}" if error else "")
        look, status = STALE_LOOK, "stale"
    rank = severity(item, now)
    if not item.delivery_path:
        # It cannot block delivery: after the delivery path's problems, before what is fine.
        detail = f"{detail} · not on the delivery path"
        rank = max(rank, OFF_PATH_RANK)
    return TileData(
        key=item.key,
        title=item.name,
        look=look,
        status=status,
        detail=detail,
        greyed=status == "stale",
        stages=stages,
        rank=rank,
    )


OFF_PATH_RANK = 2  # as a P2 blocker: worth seeing, not what turns the wall red


def tiles_for(snapshot: BoardSnapshot, now: datetime) -> list[TileData]:
    """All tiles of a board, worst first (stable within a rank, so the wall does not shuffle)."""
    board = snapshot.board
    tiles = [_item_tile(i, now) for i in (*board.pipelines, *board.environments)]
    for b in board.blockers:
        if b.state is not BlockerState.OPEN:
            continue
        p1 = b.priority is Priority.P1
        who = f"{b.reporter} · " if b.reporter else ""
        tiles.append(
            TileData(
                key=f"blocker:{b.key}",
                title=b.title,
                look=_FAILED_LOOK if p1 else _WARN_LOOK,
                status=f"{b.priority.value} blocker",
                detail=f"{who}{duration_words((now - b.opened_at).total_seconds())}"
                + (f" · on it: {b.assignee}" if b.assignee else ""),
                rank=0 if p1 else 2,
            )
        )
    order = {id(t): i for i, t in enumerate(tiles)}
    return sorted(tiles, key=lambda t: (t.rank, order[id(t)]))


def wrap_lines(text: str, metrics: QFontMetrics, widths: list[float]) -> list[str]:
    """Break `text` at spaces into lines of the given widths; the last line is elided."""
    lines: list[str] = []
    words = text.split(" ")
    for n, width in enumerate(widths):
        if not words:
            break
        if n == len(widths) - 1:
            rest = " ".join(words)
            lines.append(metrics.elidedText(rest, Qt.TextElideMode.ElideRight, int(width)))
            break
        line = words.pop(0)
        while words and metrics.horizontalAdvance(f"{line} {words[0]}") <= width:
            line = f"{line} {words.pop(0)}"
        if metrics.horizontalAdvance(line) > width:
            words.insert(0, line)  # even one word does not fit beside the status: next line
            line = ""
        lines.append(line)
    return lines


def blank_tile() -> TileData:
    return TileData("", "", _WARN_LOOK, "", "")


class KioskTile(QWidget):
    """One painted tile. `max_text_px` caps fonts so five items do not become posters."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data = blank_tile()
        self.max_text_px = 48
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, False)

    def set_data(self, data: TileData) -> None:
        if data != self.data:
            self.data = data
            self.setAccessibleName(
                f"{data.title}: {data.status}" + (f", {data.detail}" if data.detail else "")
            )
            self.update()

    def _font(self, px: float, bold: bool = False) -> QFont:
        font = QFont(self.font())
        font.setPixelSize(max(6, int(px)))
        font.setBold(bold)
        return font

    def paintEvent(self, event: QPaintEvent) -> None:
        d = self.data
        if not d.key:
            return
        w, h = self.width(), self.height()
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        colour = QColor(STALE_COLOUR) if d.greyed else d.look.colour
        base = palette.color(QPalette.ColorRole.Base)
        border = max(2.0, h * 0.035)
        radius = h * 0.1
        p.setBrush(tint(base, colour, 0.12 if d.greyed else 0.24))
        p.setPen(QPen(colour, border))
        p.drawRoundedRect(
            QRectF(self.rect()).adjusted(border, border, -border, -border), radius, radius
        )

        pad = max(4.0, h * 0.1)
        icon = min(h * 0.58, w * 0.18)
        image = status_image(d.look, round(icon * self.devicePixelRatioF()), d.greyed)
        p.drawImage(QRectF(pad, (h - icon) / 2, icon, icon), image)

        text_colour = muted_text(palette) if d.greyed else palette.color(QPalette.ColorRole.Text)
        x = pad * 2 + icon
        text_w = max(1.0, w - x - pad)
        # Bounded by the height, the screen (max_text_px) and the width a line needs.
        title_px = min(h * 0.26, self.max_text_px, text_w / 8)
        detail_px = min(h * 0.17, self.max_text_px * 0.6, text_w / 16)
        strip = min(h * 0.15, detail_px) if d.stages else 0.0
        step = strip * 1.3
        title_font = self._font(title_px, bold=True)
        title_metrics = QFontMetrics(title_font)
        # Stages go beside the name when they fit there, else on a line of their own.
        strip_w = step * len(d.stages)
        strip_inline = bool(strip) and (
            title_metrics.horizontalAdvance(d.title) + strip_w + title_px * 0.5 <= text_w
        )
        strip_below = bool(strip) and not strip_inline
        line_h = detail_px * 1.3
        status_font = self._font(detail_px, bold=True)
        status_text = d.status.upper()
        status_w = min(text_w, QFontMetrics(status_font).horizontalAdvance(status_text + "  "))
        detail_font = self._font(detail_px)
        widths = [max(0.0, text_w - status_w), text_w][: 1 if strip_below else 2]
        lines = wrap_lines(d.detail, QFontMetrics(detail_font), widths) or [""]
        lines_h = title_px * 1.2 + line_h * len(lines) + (step if strip_below else 0)
        y = (h - lines_h) / 2
        left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter

        p.setPen(text_colour)
        p.setFont(title_font)
        title = title_metrics.elidedText(d.title, Qt.TextElideMode.ElideRight, int(text_w))
        p.drawText(QRectF(x, y, text_w, title_px * 1.2), left, title)
        if strip_inline:
            self._draw_strip(
                p, x + text_w - strip_w, y + (title_px * 1.2 - strip) / 2, strip, text_w
            )
        y += title_px * 1.2
        # The status word, always written out (never colour alone), then the detail.
        p.setFont(status_font)
        p.drawText(QRectF(x, y, status_w, line_h), left, status_text)
        p.setFont(detail_font)
        for i, line in enumerate(lines):
            offset = status_w if i == 0 else 0.0
            p.drawText(QRectF(x + offset, y, widths[i], line_h), left, line)
            y += line_h
        if strip_below:
            self._draw_strip(p, x, y + strip * 0.15, strip, text_w)
        p.end()

    def _draw_strip(self, p: QPainter, x: float, y: float, size: float, width: float) -> None:
        """The stage shapes in pipeline order, as many as fit in `width`."""
        step = size * 1.3
        dpr = self.devicePixelRatioF()
        for i, look in enumerate(self.data.stages[: max(0, int(width // step))]):
            image = status_image(look, round(size * dpr), self.data.greyed)
            p.drawImage(QRectF(x + i * step, y, size, size), image)
