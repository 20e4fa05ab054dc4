"""Paints one team: a tinted box with the verdict's shape, the team name, the verdict word and
for how long, the reasons on one line, and the open P1s with who is on them.

`paint_team` draws into any rectangle at any font size, so the window's rows and the kiosk's
tiles are the same drawing (the kiosk passes bigger fonts and more lines). Text is elided to
its box, never wrapped into the next row; the full text is in the tool tip and accessible name.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPalette,
    QPen,
    QPixmap,
    QStaticText,
    QTransform,
)
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from app.domain.model import VerdictState
from app.ui.fleet.model import TEXT_ROLE, TeamText
from app.ui.widgets.icons import status_pixmap
from app.ui.widgets.theme import BANNER_FILLS, PLANNED_FILL, Look, muted_text, tint

Index = QModelIndex | QPersistentModelIndex

PAD = 8
GAP = 4


class TeamFonts:
    """The fonts of a team's box (the name line bold, the rest plain), their metrics, and each
    line of text already elided to its width and laid out (`QStaticText`): a scroll repaints
    the same rows' words again and again, and `drawText` would shape them every time (a third
    of a row's painting)."""

    def __init__(self, bold: QFont, plain: QFont) -> None:
        self.bold = bold
        self.plain = plain
        self.mb = QFontMetrics(bold)
        self.mp = QFontMetrics(plain)
        self._lines: dict[tuple[bool, str, int], tuple[QStaticText, int]] = {}

    def line(self, bold: bool, text: str, width: int) -> tuple[QStaticText, int]:
        """`text` elided to `width`, laid out as plain text in its font; and its width."""
        key = (bold, text, width)
        found = self._lines.get(key)
        if found is None:
            if len(self._lines) > 8192:
                self._lines.clear()
            metrics, font = (self.mb, self.bold) if bold else (self.mp, self.plain)
            elided = metrics.elidedText(text, Qt.TextElideMode.ElideRight, max(0, width))
            static = QStaticText(elided)
            static.setTextFormat(Qt.TextFormat.PlainText)  # remote text: never markup
            static.prepare(QTransform(), font)
            found = self._lines[key] = (static, metrics.horizontalAdvance(elided))
        return found

    def draw(
        self, painter: QPainter, bold: bool, text: str, rect: QRect, *, right: bool = False
    ) -> None:
        """One line of `text` in `rect` (elided to it, centred in its height), left-aligned
        or, with `right`, right-aligned; the painter's font must be this line's."""
        static, width = self.line(bold, text, rect.width())
        metrics = self.mb if bold else self.mp
        x = rect.left() + rect.width() - width if right else rect.left()
        y = rect.top() + (rect.height() - metrics.height()) // 2
        painter.drawStaticText(QPoint(x, y), static)

    @classmethod
    def from_base(cls, base: QFont, scale: float = 1.0, px: int | None = None) -> TeamFonts:
        bold, plain = QFont(base), QFont(base)
        if px is not None:
            bold.setPixelSize(round(px * 1.15))
            plain.setPixelSize(px)
        elif scale != 1.0:
            bold.setPointSizeF(base.pointSizeF() * scale * 1.1)
            plain.setPointSizeF(base.pointSizeF() * scale)
        else:
            bold.setPointSizeF(base.pointSizeF() * 1.1)
        bold.setBold(True)
        return cls(bold, plain)

    def height(self, lines: int, bold_lines: int = 1) -> int:
        """The box height that holds `bold_lines` bold lines and `lines` more lines."""
        return 2 * PAD + bold_lines * (self.mb.height() + GAP) + lines * (self.mp.height() + GAP)


_ICONS: dict[tuple[Look, int, float], QPixmap] = {}


def _icon(look: Look, size: int, dpr: float) -> QPixmap:
    """The verdict's shape as a pixmap, made once per look and size (not per row painted)."""
    key = (look, size, dpr)
    pixmap = _ICONS.get(key)
    if pixmap is None:
        pixmap = _ICONS[key] = status_pixmap(look, size, dpr)
    return pixmap


def text_margins(fonts: TeamFonts, box_h: int) -> int:
    """How much of a team box's width is not text (strip, shape, padding) at this height: a
    box `text_margins + w` wide has `w` for its text."""
    strip = max(6.0, (box_h - 4) * 0.06)
    return 2 + round(strip) + PAD + fonts.mb.height() + PAD + PAD + 3  # 2 px to spare


def box_colour(text: TeamText) -> QColor:
    return QColor(PLANNED_FILL if text.planned else BANNER_FILLS[text.state])


def paint_team(
    painter: QPainter,
    rect: QRect,
    text: TeamText,
    fonts: TeamFonts,
    palette: QPalette,
    *,
    focus: bool = False,
    selected: bool = False,
    max_reason_lines: int = 1,
    verdict_below: bool = False,
) -> None:
    """Draw one team into `rect` (see the module doc)."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    colour = box_colour(text)
    base = palette.color(QPalette.ColorRole.Base)
    fill_amount = 0.1 if text.state is VerdictState.RELEASABLE else 0.22
    painter.setBrush(tint(base, colour, fill_amount))
    if focus or selected:
        pen = QPen(palette.color(QPalette.ColorRole.Highlight), 3)
    else:
        pen = QPen(colour, 1.5)
    painter.setPen(pen)
    box = QRectF(rect).adjusted(2, 2, -2, -2)
    painter.drawRoundedRect(box, 6, 6)
    # the strip on the left: the verdict's colour, seen from across the room
    strip = QRectF(box.left(), box.top(), max(6.0, box.height() * 0.06), box.height())
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawRoundedRect(strip, 4, 4)

    mb, mp = fonts.mb, fonts.mp
    x = round(strip.right()) + PAD
    y = rect.top() + PAD
    right = rect.right() - PAD
    icon = mb.height()
    dpr = painter.device().devicePixelRatioF() if painter.device() is not None else 1.0
    painter.drawPixmap(x, y, _icon(text.look, icon, dpr))
    x_text = x + icon + PAD

    # line 1: name (bold), then the verdict word and for how long, right-aligned, or (in the
    # kiosk's narrower tiles) on a line of its own under the name
    width = right - x_text
    dark = palette.color(QPalette.ColorRole.Base).lightness() < 128
    verdict_ink = colour.lighter(170) if dark else colour
    painter.setFont(fonts.bold)
    if verdict_below:
        name_w, verdict_w = width, width
    else:
        verdict_w = min(mb.horizontalAdvance(text.verdict) + 4, width // 2)
        name_w = width - verdict_w - PAD
    painter.setPen(palette.color(QPalette.ColorRole.WindowText))
    fonts.draw(painter, True, text.name, QRect(x_text, y, name_w, mb.height()))
    painter.setPen(verdict_ink)
    if verdict_below:
        y += mb.height() + GAP
        fonts.draw(painter, True, text.verdict, QRect(x_text, y, width, mb.height()))
    else:
        verdict_rect = QRect(right - verdict_w, y, verdict_w, mb.height())
        fonts.draw(painter, True, text.verdict, verdict_rect, right=True)
    y += mb.height() + GAP

    # the reasons (none when releasable), then the open P1s
    painter.setFont(fonts.plain)
    lines: list[tuple[str, QColor]] = []
    text_colour = palette.color(QPalette.ColorRole.WindowText)
    if text.reasons:
        wrapped = _wrap(mp, text.reasons, width, max_reason_lines)
        lines.extend((line, text_colour) for line in wrapped)
    lines.append((text.p1s, text_colour) if text.p1s else ("no open P1", muted_text(palette)))
    bottom = rect.bottom() - PAD
    for line, pen_colour in lines:
        if y + mp.height() > bottom + 1:
            break
        painter.setPen(pen_colour)
        fonts.draw(painter, False, line, QRect(x_text, y, width, mp.height()))
        y += mp.height() + GAP
    painter.restore()


def _wrap(metrics: QFontMetrics, text: str, width: int, max_lines: int) -> list[str]:
    """`text` broken at spaces into at most `max_lines` lines (the last one elided)."""
    if max_lines <= 1 or metrics.horizontalAdvance(text) <= width:
        return [text]
    lines: list[str] = []
    words = text.split(" ")
    current = ""
    for i, word in enumerate(words):
        trial = f"{current} {word}".strip()
        if metrics.horizontalAdvance(trial) <= width or not current:
            current = trial
            continue
        lines.append(current)
        current = word
        if len(lines) == max_lines - 1:
            current = " ".join(words[i:])
            break
    lines.append(current)
    return lines


class FleetDelegate(QStyledItemDelegate):
    """Paints the window's team rows (all the same height: the view can skip measuring)."""

    LINES = 2  # reasons + P1s under the name line

    def __init__(self, view: QWidget) -> None:
        super().__init__(view)
        self._view = view
        self._fonts: TeamFonts | None = None
        self._font_key: str = ""

    def fonts(self) -> TeamFonts:
        base = self._view.font()
        key = base.toString()
        if self._fonts is None or key != self._font_key:
            self._fonts = TeamFonts.from_base(base)
            self._font_key = key
        return self._fonts

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        return QSize(400, self.fonts().height(self.LINES) + 4)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        text = index.data(TEXT_ROLE)
        if not isinstance(text, TeamText):
            return
        state = option.state
        rect = QRect(option.rect)
        palette = option.palette
        paint_team(
            painter,
            rect.adjusted(4, 2, -4, -2),
            text,
            self.fonts(),
            palette,
            focus=bool(state & QStyle.StateFlag.State_HasFocus),
            selected=bool(state & QStyle.StateFlag.State_Selected),
        )


__all__ = ["FleetDelegate", "TeamFonts", "box_colour", "paint_team", "text_margins"]
