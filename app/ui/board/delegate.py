"""Paints the rows of `BoardItemsModel`: headings, pipelines with stage chips, environments.

Status is drawn as shape + word (never colour alone); a pipeline's stages are chips that wrap
onto as many lines as the width needs; every other line is one line, elided ("…") when it does
not fit, and the row's tool tip says it in full. Stale items grey out. All text is drawn with
`QPainter.drawText` on a plain string, so remote names can never become markup.

`geometry` is the one place that places things in a row: painting, size hints and hit tests
(which stage chip is under the mouse, for clicks and stage tool tips) all use it. Heights
depend only on the width and on what `BoardItemsModel._shape` tracks, so they are cached per
(what the row's height depends on, width): an update that changes a few rows' heights
re-measures only those. When the model says some rows changed shape (`sizes_changed`), the
delegate re-measures those rows alone (`remeasure`; every row's height is kept, as a layout
asks for each), and the view lays out again only when one differs: most updates change no
height at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QRectF,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QHelpEvent, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolTip,
    QWidget,
)

from app.ui.board.describe import stage_tooltip
from app.ui.board.items_model import BoardItemsModel, Kind, Row, RowInfo, RowShape, StageInfo
from app.ui.widgets.icons import status_pixmap
from app.ui.widgets.theme import STALE_COLOUR, Look, muted_text, plain_tooltip, tint

Index = QModelIndex | QPersistentModelIndex

MARGIN = 8  # left and right of every row, as the widget column had
ROW_GAP = 6  # between item rows
CHIP_GAP = 6
CHIP_CACHE = 600  # stage chips kept drawn (a few MB)


def _font(base: QFont, bold: bool = False, scale: float = 1.0) -> QFont:
    font = QFont(base)
    font.setBold(bold)
    if scale != 1.0:
        font.setPointSizeF(font.pointSizeF() * scale)
    return font


class Fonts:
    """The fonts a row uses, derived from the view's font, with their metrics."""

    def __init__(self, base: QFont, device: QWidget) -> None:
        self.base = QFont(base)
        self.plain = _font(base)
        self.bold = _font(base, bold=True)
        self.small = _font(base, scale=0.9)
        self.pipeline = _font(base, bold=True, scale=1.15)
        self.environment = _font(base, bold=True, scale=1.1)
        self.heading = _font(base, bold=True, scale=1.25)
        self.m = QFontMetrics(self.plain, device)
        self.mb = QFontMetrics(self.bold, device)
        self.ms = QFontMetrics(self.small, device)
        self.mp = QFontMetrics(self.pipeline, device)
        self.me = QFontMetrics(self.environment, device)
        self.mh = QFontMetrics(self.heading, device)
        self.line = self.m.height()
        self.icon = self.line + 4
        self.chip_icon = self.line + 6
        self.chip_h = max(self.chip_icon, self.mb.height() + self.ms.height()) + 8
        self.status_w = self.mb.horizontalAdvance("degraded") + 4
        self.latency_w = self.m.horizontalAdvance("00000 ms")
        self._widths: dict[tuple[str, str], int] = {}

    def chip_width(self, name: str, second: str) -> int:
        key = (name, second)
        found = self._widths.get(key)
        if found is None:
            text = max(self.mb.horizontalAdvance(name), self.ms.horizontalAdvance(second))
            found = 8 + self.chip_icon + 6 + text + 10
            if len(self._widths) > 20000:
                self._widths.clear()
            self._widths[key] = found
        return found


@dataclass(frozen=True)
class Geometry:
    """Where the parts of one item row go."""

    box: QRect  # the row without the gap below it
    header: QRect  # the first line: icon, name, word, words, right-hand text
    chips: tuple[QRect, ...]
    stale: QRect | None
    error: QRect | None


def heading_height(fonts: Fonts, row: Row) -> int:
    if row.kind is Kind.HEADING:
        return (16 if row.section else 8) + fonts.mh.height() + 6
    if row.kind is Kind.GROUP:
        return 6 + fonts.mb.height() + 4
    return fonts.line + 6


def geometry(fonts: Fonts, shape: RowShape, rect: QRect) -> Geometry:
    """Place a row's parts in `rect` (whose height may be larger than needed)."""
    pipeline = shape.pipeline
    left, width = rect.left() + MARGIN, max(1, rect.width() - 2 * MARGIN)
    if pipeline:
        pad_x, top, header_h = 6, 6, max(fonts.icon, fonts.mp.height())
    else:
        pad_x, top, header_h = 8, 5, max(fonts.icon, fonts.me.height())
    inner_left, inner_w = left + pad_x, max(1, width - 2 * pad_x)
    y = rect.top() + top
    header = QRect(inner_left, y, inner_w, header_h)
    y += header_h
    chips: list[QRect] = []
    if pipeline and shape.chips:
        y += 4
        x, line_top = inner_left, y
        for name, width_text in shape.chips:
            w = min(fonts.chip_width(name, width_text), inner_w)
            if x > inner_left and x + w > inner_left + inner_w:
                x, line_top = inner_left, line_top + fonts.chip_h + CHIP_GAP
            chips.append(QRect(x, line_top, w, fonts.chip_h))
            x += w + CHIP_GAP
        y = line_top + fonts.chip_h
    stale = error = None
    spacing = 4 if pipeline else 2
    if shape.stale:
        stale = QRect(inner_left, y + spacing, inner_w, fonts.line)
        y = stale.bottom() + 1
    if shape.error:
        error = QRect(inner_left, y + spacing, inner_w, fonts.line)
        y = error.bottom() + 1
    y += 8 if pipeline else 6
    box = QRect(left, rect.top(), width, y - rect.top())
    return Geometry(box, header, tuple(chips), stale, error)


class BoardDelegate(QStyledItemDelegate):
    """Paints `BoardItemsModel` rows for `BoardList`; answers size hints and stage hit tests."""

    def __init__(self, view: QAbstractItemView) -> None:
        super().__init__(view)
        self._view = view
        self._fonts: Fonts | None = None
        self._heights: dict[tuple[object, int], int] = {}
        # Every row's height at `_rows_width`, in row order: what the view is given.
        self._rows_h: list[int] | None = None
        self._rows_width = -1
        self._env_name_w: tuple[int, int] = (-1, 0)
        self._pixmaps: dict[tuple[Look, int, float, bool], QPixmap] = {}
        self._chips: dict[tuple[object, ...], QPixmap] = {}  # oldest first

    # -- shared -------------------------------------------------------------------------------

    def fonts(self) -> Fonts:
        font = self._view.font()
        if self._fonts is None or self._fonts.base != font:
            self._fonts = Fonts(font, self._view.viewport())
            self._heights.clear()
            self._rows_h = None
            self._chips.clear()
        return self._fonts

    def _model(self) -> BoardItemsModel:
        return cast(BoardItemsModel, self._view.model())

    def _pixmap(self, look: Look, size: int, greyed: bool) -> QPixmap:
        dpr = self._view.devicePixelRatioF() or 1.0
        key = (look, size, dpr, greyed)
        found = self._pixmaps.get(key)
        if found is None:
            found = status_pixmap(look, size, dpr, greyed)
            self._pixmaps[key] = found
        return found

    def environment_name_width(self) -> int:
        """Environment names line up: as wide as the widest (within 28 characters)."""
        model = self._model()
        if self._env_name_w[0] != model.resets:
            fonts = self.fonts()
            names = [i.name for i in model.environments.items.values()]
            cap = fonts.me.horizontalAdvance("x" * 28)
            widest = max((fonts.me.horizontalAdvance(n) for n in names), default=0)
            self._env_name_w = (model.resets, min(cap, widest))
        return self._env_name_w[1]

    def row_geometry(self, number: int, rect: QRect) -> Geometry | None:
        shape = self._model().shape(number)
        return None if shape is None else geometry(self.fonts(), shape, rect)

    def chip_at(self, number: int, rect: QRect, pos: QPoint) -> int:
        """The stage chip of row `number` (drawn in `rect`) under `pos`, or -1."""
        geo = self.row_geometry(number, rect)
        if geo is None:
            return -1
        for i, chip in enumerate(geo.chips):
            if chip.contains(pos):
                return i
        return -1

    # -- Qt delegate --------------------------------------------------------------------------

    def _width(self) -> int:
        return max(120, self._view.viewport().width())

    def height(self, number: int, width: int) -> int:
        """The height of row `number` at `width` (cached per what it depends on)."""
        model = self._model()
        key = (model.size_key(number), width)
        height = self._heights.get(key)
        if height is None:
            fonts = self.fonts()
            row = model.row(number)
            shape = model.shape(number)
            if row is None:
                height = 0
            elif shape is None:
                height = heading_height(fonts, row)
            else:
                height = geometry(fonts, shape, QRect(0, 0, width, 10)).box.height() + ROW_GAP
            if len(self._heights) > 50000:
                self._heights.clear()
            self._heights[key] = height
        return height

    def _row_heights(self, width: int) -> list[int]:
        """Every row's height at `width`, kept between layouts (a layout asks for each row)."""
        if self._rows_h is None or self._rows_width != width:
            self.fonts()
            count = self._model().rowCount()
            self._rows_h = [self.height(n, width) for n in range(count)]
            self._rows_width = width
        return self._rows_h

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        width = self._width()
        heights = self._row_heights(width)
        number = index.row()
        return QSize(width, heights[number] if 0 <= number < len(heights) else 0)

    def remeasure(self, rows: list[int]) -> bool:
        """Rows changed shape: note their new heights; whether any differs from before."""
        width = self._width()
        heights = self._row_heights(width)
        changed = False
        for number in rows:
            if 0 <= number < len(heights):
                height = self.height(number, width)
                changed = changed or height != heights[number]
                heights[number] = height
        return changed

    def forget_row_heights(self) -> None:
        """The rows were replaced, or the font changed: measure every row again."""
        self._rows_h = None

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        model = self._model()
        row = model.row(index.row())
        if row is None:
            return
        fonts = self.fonts()
        rect = QRect(option.rect)
        palette = option.palette
        painter.save()
        try:
            info, shape = model.info(row), model.shape(index.row())
            if info is None or shape is None:
                self._paint_heading(painter, fonts, row, rect, palette)
            else:
                focus = bool(option.state & QStyle.StateFlag.State_HasFocus)
                chip = getattr(self._view, "current_chip", -1) if focus else -2
                if row.kind is Kind.PIPELINE:
                    self._paint_pipeline(painter, fonts, info, shape, rect, palette, chip)
                else:
                    self._paint_environment(painter, fonts, info, shape, rect, palette, focus)
        finally:
            painter.restore()

    def helpEvent(
        self,
        event: QHelpEvent,
        view: QAbstractItemView,
        option: QStyleOptionViewItem,
        index: Index,
    ) -> bool:
        """Tool tips: a stage chip says when, how long and the label; a row says all it says."""
        if event is None or event.type() != QEvent.Type.ToolTip or not index.isValid():
            return super().helpEvent(event, view, option, index)
        model = self._model()
        info = model.info_at(index.row())
        if info is None:
            QToolTip.hideText()
            return True
        rect = view.visualRect(index)
        chip = self.chip_at(index.row(), rect, event.pos())
        if chip >= 0 and model.now is not None:
            text = stage_tooltip(info.item.name, info.stages[chip].stage, model.now)
        else:
            text = info.full_text()
        QToolTip.showText(event.globalPos(), plain_tooltip(text), view.viewport())
        return True

    # -- painting -----------------------------------------------------------------------------

    def _text_colour(self, palette: QPalette, greyed: bool) -> QColor:
        return muted_text(palette) if greyed else palette.color(QPalette.ColorRole.WindowText)

    def _paint_heading(
        self, painter: QPainter, fonts: Fonts, row: Row, rect: QRect, palette: QPalette
    ) -> None:
        if row.kind is Kind.HEADING:
            font, metrics, top = fonts.heading, fonts.mh, 16 if row.section else 8
        elif row.kind is Kind.GROUP:
            font, metrics, top = fonts.bold, fonts.mb, 6
        else:
            font, metrics, top = fonts.plain, fonts.m, 3
        painter.setFont(font)
        painter.setPen(palette.color(QPalette.ColorRole.WindowText))
        text_rect = QRect(
            rect.left() + MARGIN, rect.top() + top, rect.width() - 2 * MARGIN, metrics.height()
        )
        _draw(painter, metrics, text_rect, row.text)

    def _paint_box(
        self,
        painter: QPainter,
        rect: QRect,
        look: Look,
        greyed: bool,
        palette: QPalette,
        focus: bool,
        radius: float,
    ) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        colour = QColor(STALE_COLOUR) if greyed else look.colour
        base = palette.color(QPalette.ColorRole.Base)
        painter.setBrush(tint(base, colour, 0.12 if greyed else 0.2))
        pen = QPen(palette.color(QPalette.ColorRole.Highlight), 3) if focus else QPen(colour, 1.5)
        painter.setPen(pen)
        painter.drawRoundedRect(QRectF(rect).adjusted(1, 1, -1, -1), radius, radius)

    def _paint_lines(
        self, painter: QPainter, fonts: Fonts, info: RowInfo, geo: Geometry, colour: QColor
    ) -> None:
        painter.setFont(fonts.plain)
        painter.setPen(colour)
        if geo.stale is not None:
            _draw(painter, fonts.m, geo.stale, info.stale_line)
        if geo.error is not None:
            _draw(painter, fonts.m, geo.error, info.error_line)

    def _paint_pipeline(
        self,
        painter: QPainter,
        fonts: Fonts,
        info: RowInfo,
        shape: RowShape,
        rect: QRect,
        palette: QPalette,
        current_chip: int,
    ) -> None:
        geo = geometry(fonts, shape, rect)
        colour = self._text_colour(palette, info.stale)
        if current_chip == -1:  # the pipeline itself has the keyboard focus
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(QPen(palette.color(QPalette.ColorRole.Highlight), 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(QRectF(geo.box).adjusted(1, 1, -1, -1), 6, 6)
        self._paint_header(painter, fonts, info, geo.header, colour, pipeline=True)
        for i, (chip, stage) in enumerate(zip(geo.chips, info.stages, strict=False)):
            focused = i == current_chip
            key = (
                stage.stage.name,
                stage.second,
                stage.look,
                info.stale,
                focused,
                chip.size(),
                colour.rgba(),
                palette.color(QPalette.ColorRole.Base).rgba(),
            )
            pixmap = self._chips.get(key)
            if pixmap is None:
                pixmap = self._chip_pixmap(fonts, stage, info.stale, focused, chip, palette, colour)
                if len(self._chips) >= CHIP_CACHE:
                    self._chips.pop(next(iter(self._chips)))  # the oldest
                self._chips[key] = pixmap
            painter.drawPixmap(chip.topLeft(), pixmap)
        self._paint_lines(painter, fonts, info, geo, colour)

    def _chip_pixmap(
        self,
        fonts: Fonts,
        stage: StageInfo,
        greyed: bool,
        focused: bool,
        chip: QRect,
        palette: QPalette,
        colour: QColor,
    ) -> QPixmap:
        """One stage chip drawn once: the same chip on many rows and repaints is a blit."""
        dpr = self._view.devicePixelRatioF() or 1.0
        pixmap = QPixmap(round(chip.width() * dpr), round(chip.height() * dpr))
        pixmap.setDevicePixelRatio(dpr)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        rect = QRect(0, 0, chip.width(), chip.height())
        self._paint_box(painter, rect, stage.look, greyed, palette, focused, 6.0)
        icon = self._pixmap(stage.look, fonts.chip_icon, greyed)
        painter.drawPixmap(8, (rect.height() - fonts.chip_icon) // 2, icon)
        text_left = 8 + fonts.chip_icon + 6
        text_w = max(1, rect.right() - 10 - text_left + 1)
        block = fonts.mb.height() + fonts.ms.height()
        y = (rect.height() - block) // 2
        painter.setPen(colour)
        painter.setFont(fonts.bold)
        _draw(painter, fonts.mb, QRect(text_left, y, text_w, fonts.mb.height()), stage.stage.name)
        painter.setFont(fonts.small)
        second = QRect(text_left, y + fonts.mb.height(), text_w, fonts.ms.height())
        _draw(painter, fonts.ms, second, stage.second)
        painter.end()
        return pixmap

    def _paint_environment(
        self,
        painter: QPainter,
        fonts: Fonts,
        info: RowInfo,
        shape: RowShape,
        rect: QRect,
        palette: QPalette,
        focus: bool,
    ) -> None:
        geo = geometry(fonts, shape, rect)
        self._paint_box(painter, geo.box, info.look, info.stale, palette, focus, 4.0)
        colour = self._text_colour(palette, info.stale)
        self._paint_header(painter, fonts, info, geo.header, colour, pipeline=False)
        self._paint_lines(painter, fonts, info, geo, colour)

    def _paint_header(
        self,
        painter: QPainter,
        fonts: Fonts,
        info: RowInfo,
        line: QRect,
        colour: QColor,
        pipeline: bool,
    ) -> None:
        """icon · name · status word · words … right-hand text (run in progress, latency)."""
        icon = self._pixmap(info.look, fonts.icon, info.stale)
        painter.drawPixmap(line.left(), line.top() + (line.height() - fonts.icon) // 2, icon)
        painter.setPen(colour)
        name_w = None if pipeline else self.environment_name_width()
        for text in header_texts(fonts, info, line, pipeline, name_w):
            painter.setFont(text.font)
            if text.right_aligned:
                align = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                painter.drawText(text.rect, align, text.text)
            else:
                _draw(painter, text.metrics, text.rect, text.text)

    def texts(self, number: int, rect: QRect) -> list[Text]:
        """Every one-line text of row `number` drawn in `rect`, where it goes (for tests)."""
        model = self._model()
        info, shape = model.info_at(number), model.shape(number)
        if info is None or shape is None:
            return []
        fonts = self.fonts()
        pipeline = shape.pipeline
        geo = geometry(fonts, shape, rect)
        name_w = None if pipeline else self.environment_name_width()
        found = header_texts(fonts, info, geo.header, pipeline, name_w)
        for chip, stage in zip(geo.chips, info.stages, strict=False):
            left = chip.left() + 8 + fonts.chip_icon + 6
            width = max(1, chip.right() - 10 - left + 1)
            found.append(
                Text(QRect(left, chip.top(), width, 1), stage.stage.name, fonts.bold, fonts.mb)
            )
            found.append(
                Text(QRect(left, chip.top(), width, 1), stage.second, fonts.small, fonts.ms)
            )
        for where, text in ((geo.stale, info.stale_line), (geo.error, info.error_line)):
            if where is not None:
                found.append(Text(where, text, fonts.plain, fonts.m))
        return found


@dataclass(frozen=True)
class Text:
    """One line of text in a row: where, what, in which font."""

    rect: QRect
    text: str
    font: QFont
    metrics: QFontMetrics
    right_aligned: bool = False

    def elided(self) -> bool:
        return is_elided(self.metrics, self.text, self.rect.width())


def header_texts(
    fonts: Fonts, info: RowInfo, line: QRect, pipeline: bool, name_w: int | None
) -> list[Text]:
    """The texts of a row's first line, placed: name, status word, words, right-hand text."""
    found: list[Text] = []
    x = line.left() + fonts.icon + 8
    right = line.right()
    if info.right:
        right_w = max(fonts.latency_w, fonts.m.horizontalAdvance(info.right))
        box = QRect(right - right_w + 1, line.top(), right_w, line.height())
        found.append(Text(box, info.right, fonts.plain, fonts.m, right_aligned=True))
        right = box.left() - 8
    name_font, name_metrics = (
        (fonts.pipeline, fonts.mp) if pipeline else (fonts.environment, fonts.me)
    )
    available = max(0, right - x)
    wanted = name_metrics.horizontalAdvance(info.item.name)
    width = min(
        max(wanted, name_w or 0), max(available * 2 // 5, fonts.m.horizontalAdvance("x" * 8))
    )
    found.append(
        Text(QRect(x, line.top(), width, line.height()), info.item.name, name_font, name_metrics)
    )
    x += width + 8
    word_w = fonts.mb.horizontalAdvance(info.word) if pipeline else fonts.status_w
    word_rect = QRect(x, line.top(), min(word_w, max(0, right - x)), line.height())
    found.append(Text(word_rect, info.word, fonts.bold, fonts.mb))
    x += word_w + 8
    if info.words:
        found.append(
            Text(
                QRect(x, line.top(), max(0, right - x), line.height()),
                info.words,
                fonts.plain,
                fonts.m,
            )
        )
    return found


def _draw(painter: QPainter, metrics: QFontMetrics, rect: QRect, text: str) -> None:
    """One line of plain text, elided with "…" when it does not fit."""
    if rect.width() <= 0 or not text:
        return
    if is_elided(metrics, text, rect.width()):
        text = metrics.elidedText(text, Qt.TextElideMode.ElideRight, rect.width())
    painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)


def is_elided(metrics: QFontMetrics, text: str, width: int) -> bool:
    return metrics.horizontalAdvance(text) > width
