"""The history view's drawings: the verdict timeline strip and the blockers-per-category chart.

The strip shows each stretch of RELEASABLE / NOT RELEASABLE / UNKNOWN in the verdict banner's
colours *and* a pattern of its own (plain, diagonal hatch, crossed hatch; "no record" is an
empty outlined band), with the state's word written inside wide stretches and on hover, so it
never relies on colour alone. A time axis in local time sits below.

The blockers chart is a QtCharts horizontal stacked bar chart (closed, and still open hatched)
when PySide6-Addons is installed; without it a sentence says the table shows the same figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from PySide6.QtCore import QEvent, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QHelpEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QVBoxLayout, QWidget

from app.domain.history import CategoryFigures, Segment
from app.domain.model import VerdictState
from app.domain.words import duration_words
from app.ui.widgets.labels import PlainLabel
from app.ui.widgets.theme import (
    BANNER_FILLS,
    BANNER_TEXT,
    PLANNED_FILL,
    TONE_COLOURS,
    Tone,
    muted_text,
)

try:  # QtCharts comes with PySide6-Addons, an optional dependency ("charts" extra)
    from PySide6.QtCharts import (
        QBarCategoryAxis,
        QBarSet,
        QChart,
        QChartView,
        QHorizontalStackedBarSeries,
        QValueAxis,
    )

    HAVE_CHARTS = True
except ImportError:  # pragma: no cover - depends on the installation
    HAVE_CHARTS = False

STATE_WORDS: dict[VerdictState | None, str] = {
    VerdictState.RELEASABLE: "RELEASABLE",
    VerdictState.NOT_RELEASABLE: "NOT RELEASABLE",
    VerdictState.UNKNOWN: "UNKNOWN",
    None: "no record",
}
_PATTERNS: dict[VerdictState | None, Qt.BrushStyle] = {
    VerdictState.RELEASABLE: Qt.BrushStyle.NoBrush,
    VerdictState.NOT_RELEASABLE: Qt.BrushStyle.BDiagPattern,
    VerdictState.UNKNOWN: Qt.BrushStyle.DiagCrossPattern,
    None: Qt.BrushStyle.NoBrush,
}
PLANNED_WORD = "PLANNED"  # a change freeze or maintenance: not releasable on purpose
MIN_PATTERN_PX = 5
MIN_SEGMENT_PX = 2  # a short outage stays visible at 30 days
# Tick steps for the time axis, smallest first; the first that leaves room for a label wins.
_STEPS = [timedelta(hours=h) for h in (1, 2, 3, 6, 12)] + [
    timedelta(days=d) for d in (1, 2, 5, 7, 14)
]


def segment_word(segment: Segment) -> str:
    """How a segment is named: its state, or PLANNED for planned time."""
    return PLANNED_WORD if segment.planned else STATE_WORDS[segment.state]


def paint_segment(
    painter: QPainter,
    rect: QRectF,
    state: VerdictState | None,
    palette: QPalette,
    planned: bool = False,
) -> None:
    """Fill `rect` the way `state` looks on the strip (colour and pattern; a sliver too thin
    to show a pattern gets the colour alone, and its words on hover). Planned time has the
    banner's calm planned colour and dots."""
    if state is None:
        painter.fillRect(rect, palette.color(QPalette.ColorRole.Base))
        painter.setPen(QPen(muted_text(palette), 1, Qt.PenStyle.DotLine))
        painter.drawRect(rect.adjusted(0.5, 0.5, -0.5, -0.5))
        return
    painter.fillRect(rect, QColor(PLANNED_FILL if planned else BANNER_FILLS[state]))
    pattern = Qt.BrushStyle.Dense6Pattern if planned else _PATTERNS[state]
    if pattern is not Qt.BrushStyle.NoBrush and rect.width() >= MIN_PATTERN_PX:
        ink = QColor(BANNER_TEXT)
        ink.setAlpha(150)
        painter.save()
        painter.setBrushOrigin(QPointF(0, 0))
        painter.fillRect(rect, QBrush(ink, pattern))
        painter.restore()


def swatch(
    state: VerdictState | None, size: int, palette: QPalette, planned: bool = False
) -> QPixmap:
    """A legend swatch: the segment look in a `size` × `size` square."""
    pixmap = QPixmap(QSize(size * 2, size))
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    paint_segment(painter, QRectF(0, 0, size * 2, size), state, palette, planned)
    painter.end()
    return pixmap


def _when(at: datetime) -> str:
    local = at.astimezone()
    return f"{local:%a} {local.day} {local:%b %H:%M}"


def segment_tooltip(segment: Segment) -> str:
    return (
        f"{segment_word(segment)}\n{_when(segment.start)} → {_when(segment.end)}\n"
        f"{duration_words(segment.seconds)}"
    )


def time_ticks(start: datetime, end: datetime, width: float, min_gap: float) -> list[datetime]:
    """Tick times between `start` and `end` on local-time boundaries, at least `min_gap`
    pixels apart on a strip `width` pixels wide."""
    span = (end - start).total_seconds()
    if span <= 0 or width <= 0:
        return []
    step = next((s for s in _STEPS if s.total_seconds() / span * width >= min_gap), _STEPS[-1])
    local = start.astimezone().replace(tzinfo=None)  # wall-clock time, so DST days line up
    if step < timedelta(days=1):
        hours = int(step.total_seconds() // 3600)
        tick = local.replace(minute=0, second=0, microsecond=0)
        while tick.hour % hours:
            tick += timedelta(hours=1)
    else:
        tick = local.replace(hour=0, minute=0, second=0, microsecond=0)
    ticks: list[datetime] = []
    while True:
        aware = tick.astimezone()
        if aware >= end:
            return ticks
        if aware >= start:
            ticks.append(aware)
        tick += step


def tick_label(tick: datetime, step_days: bool) -> str:
    local = tick.astimezone()
    if step_days:
        return f"{local:%a} {local.day} {local:%b}"
    return f"{local:%a} {local.day}" if local.hour == 0 else f"{local:%H:%M}"


class TimelineStrip(QWidget):
    """The verdict over the window as a band of patterned, labelled segments and a time axis."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.segments: tuple[Segment, ...] = ()
        self.start: datetime | None = None
        self.end: datetime | None = None
        self.placeholder = "Loading…"
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Timeline of the verdict")
        line = self.fontMetrics().height()
        self.setMinimumHeight(line * 5)
        self.setMaximumHeight(line * 5)

    def set_segments(self, segments: Sequence[Segment], start: datetime, end: datetime) -> None:
        self.segments, self.start, self.end = tuple(segments), start, end
        parts = [f"{segment_word(s)} for {duration_words(s.seconds)}" for s in segments]
        self.setAccessibleDescription("; ".join(parts[:50]))
        self.update()

    def set_placeholder(self, text: str) -> None:
        self.placeholder = text
        self.update()

    def band(self) -> QRect:
        line = self.fontMetrics().height()
        return QRect(0, 0, self.width(), line * 3)

    def x_of(self, when: datetime) -> float:
        assert self.start is not None and self.end is not None
        span = (self.end - self.start).total_seconds()
        return (when - self.start).total_seconds() / span * self.width() if span > 0 else 0.0

    def segment_at(self, x: float) -> Segment | None:
        for segment in self.segments:
            if (
                self.x_of(segment.start)
                <= x
                < max(self.x_of(segment.end), self.x_of(segment.start) + 1)
            ):
                return segment
        return None

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        palette = self.palette()
        band = QRectF(self.band())
        if not self.segments or self.start is None:
            painter.setPen(muted_text(palette))
            painter.drawText(band, Qt.AlignmentFlag.AlignCenter, self.placeholder)
            painter.end()
            return
        text_pen = QColor(BANNER_TEXT)
        bold = painter.font()
        bold.setBold(True)
        painter.setFont(bold)
        metrics = painter.fontMetrics()
        for seg in self.segments:
            left = self.x_of(seg.start)
            right = max(self.x_of(seg.end), left + MIN_SEGMENT_PX)
            rect = QRectF(left, band.top(), right - left, band.height())
            paint_segment(painter, rect, seg.state, palette, seg.planned)
            word = segment_word(seg)
            if metrics.horizontalAdvance(word) + 12 <= rect.width():
                painter.setPen(text_pen if seg.state is not None else muted_text(palette))
                painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, word)
        painter.setFont(self.font())
        self._paint_axis(painter, band)
        painter.end()

    def _paint_axis(self, painter: QPainter, band: QRectF) -> None:
        assert self.start is not None and self.end is not None
        palette = self.palette()
        metrics = painter.fontMetrics()
        min_gap = metrics.horizontalAdvance("Wed 30 Sep") * 1.6
        ticks = time_ticks(self.start, self.end, self.width(), min_gap)
        step_days = len(ticks) > 1 and (ticks[1] - ticks[0]) >= timedelta(hours=23)
        painter.setPen(palette.color(QPalette.ColorRole.WindowText))
        line = metrics.height()
        for tick in ticks:
            x = self.x_of(tick)
            painter.drawLine(QPointF(x, band.bottom()), QPointF(x, band.bottom() + line * 0.4))
            label = tick_label(tick, step_days)
            w = metrics.horizontalAdvance(label)
            left = min(max(0.0, x - w / 2), self.width() - w)
            painter.drawText(QPointF(left, band.bottom() + line * 1.5), label)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            segment = self.segment_at(event.pos().x()) if self.start else None
            if segment is not None and event.pos().y() <= self.band().bottom():
                QToolTip.showText(event.globalPos(), segment_tooltip(segment), self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)


class BlockersChart(QWidget):
    """Blockers filed per category: closed (solid) and still open (hatched), stacked."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.view: QChartView | None = None
        self.values: list[tuple[str, int, int]] = []  # (label, closed, still open)
        self.setAccessibleName("Blockers filed per category")
        if not HAVE_CHARTS:
            note = "The chart needs PySide6-Addons; the table shows the same figures."
            layout.addWidget(PlainLabel(note, self, wrap=True))
            return
        self.view = QChartView(self)
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        line = self.fontMetrics().height()
        self.view.setMinimumHeight(line * 14)
        self.view.setMaximumHeight(line * 26)  # bars stay bars on a wall-sized window
        layout.addWidget(self.view)

    def set_categories(self, categories: Sequence[CategoryFigures]) -> None:
        self.values = [(c.label, c.closed, c.still_open) for c in categories]
        self.setAccessibleDescription(
            "; ".join(f"{label}: {c + o} filed, {o} still open" for label, c, o in self.values)
        )
        if self.view is None:
            return
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        grid = muted_text(palette)
        grid.setAlpha(90)
        closed = QBarSet("closed")
        closed.setColor(QColor(TONE_COLOURS[Tone.GOOD]))
        closed.setBorderColor(QColor(TONE_COLOURS[Tone.GOOD]))
        still = QBarSet("still open (hatched)")
        still.setBrush(QBrush(QColor(TONE_COLOURS[Tone.BAD]), Qt.BrushStyle.BDiagPattern))
        still.setPen(QPen(QColor(TONE_COLOURS[Tone.BAD]), 1.5))
        rows = list(reversed(self.values))  # the chart draws from the bottom up
        closed.append([c for _, c, _ in rows])
        still.append([o for _, _, o in rows])
        series = QHorizontalStackedBarSeries()
        series.append(closed)
        series.append(still)
        chart = QChart()
        chart.addSeries(series)
        chart.setBackgroundVisible(False)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        chart.legend().setLabelColor(text)
        chart.setTitle("Blockers filed per category")
        chart.setTitleBrush(QBrush(text))
        category_axis = QBarCategoryAxis()
        category_axis.append([label for label, _, _ in rows])
        category_axis.setLabelsBrush(QBrush(text))
        category_axis.setGridLineColor(grid)
        category_axis.setLinePenColor(grid)
        chart.addAxis(category_axis, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(category_axis)
        most = max([c + o for _, c, o in self.values] + [1])
        step = -(-most // 8)  # whole-number ticks, at most about eight of them
        top = step * -(-most // step)
        counts = QValueAxis()
        counts.setRange(0, top)
        counts.setTickCount(top // step + 1)
        counts.setLabelFormat("%d")
        counts.setLabelsBrush(QBrush(text))
        counts.setGridLineColor(grid)
        counts.setLinePenColor(grid)
        chart.addAxis(counts, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(counts)
        old = self.view.chart()
        self.view.setChart(chart)
        if old is not None:
            old.deleteLater()
