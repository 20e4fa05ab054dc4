"""What the board's rows (a pipeline, an environment) and stage chips have in common.

Each stands for something observed, opens its web link through an injectable opener (only
http/https links: a feed must not make us open files or run handlers), and has a context menu
with "Open in browser", "Copy link" and — when something is wrong — "Report a blocker…",
which emits the report's prefill. A whole row (`ItemRow`) also greys out while its data is
stale and shows how old it is and the source's last error in words.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QEvent, QRectF, QUrl, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QDesktopServices,
    QGuiApplication,
    QPainter,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QFrame, QMenu, QWidget

from app.domain.model import Observed, Reading
from app.ui.board.describe import error_words, item_look, stale_words
from app.ui.widgets.icons import status_pixmap
from app.ui.widgets.labels import PlainLabel
from app.ui.widgets.theme import (
    STALE_COLOUR,
    Look,
    follow_palette_change,
    greyed_palette,
    inherited_palette,
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


class ReportingFrame(QFrame):
    """Something observed on the board, with a web link (`url`) and a context menu.

    The menu offers "Report a blocker…" only when `report_context()` gives a prefill; choosing
    it emits `report_requested(dict)` with that prefill.
    """

    report_requested = Signal(object)

    def __init__(self, now_fn: NowFn, opener: Opener, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._now_fn = now_fn
        self._opener = opener
        self._board = ""
        self.item: Observed | None = None

    def url(self) -> QUrl | None:
        raise NotImplementedError

    def report_context(self) -> dict[str, Any] | None:
        raise NotImplementedError

    def open(self) -> bool:
        """Open the link in the browser; False when there is no web link."""
        url = self.url()
        if url is None:
            return False
        self._opener(url)
        return True

    def context_menu(self) -> QMenu:
        context = self.report_context()
        report = None if context is None else (lambda: self.report_requested.emit(context))
        return report_menu(self, self.url(), self._opener, report)


class ItemRow(ReportingFrame):
    """One item of the board (a pipeline or an environment) as a row.

    Subclasses make the labels `icon`, `name`, `stale_line` and `error_line` in their own
    layout, show the rest of what they say in `show_words` (and what changes only with a new
    reading in `show_item`), and say when the item is plainly fine (`plainly_fine`: no report
    is offered then, unless its data is stale) and what a report about it is prefilled with
    (`report_prefill`).
    """

    icon: PlainLabel
    name: PlainLabel
    stale_line: PlainLabel
    error_line: PlainLabel

    def __init__(self, now_fn: NowFn, opener: Opener, parent: QWidget | None = None) -> None:
        super().__init__(now_fn, opener, parent)
        self.stale = False
        self._style: tuple[Look, bool] | None = None

    def show_item(self, item: Observed) -> None:
        """Show what changes only with a new reading; by default nothing beyond the name."""

    def show_words(self, item: Observed, look: Look, now: datetime) -> None:
        """Show the item's status in words at `now`, and set the accessible name."""
        raise NotImplementedError

    def plainly_fine(self, reading: Reading | None) -> bool:
        raise NotImplementedError

    def report_prefill(self, item: Observed, now: datetime) -> dict[str, Any]:
        raise NotImplementedError

    def names(self) -> tuple[str, ...]:
        """What the filter box matches: the item's name."""
        return (self.item.name,) if self.item is not None else ()

    def set_item(self, board: str, item: Observed, now: datetime) -> None:
        """Show `item` of the board called `board` as it stands at `now`."""
        self._board = board
        self.item = item
        self.show_item(item)
        self.name.set_text(item.name)
        self._style = None  # the next tick restyles
        self.tick(now)

    def tick(self, now: datetime) -> None:
        """Bring the row up to `now`: ages, staleness and the status words."""
        item = self.item
        if item is None:
            return
        look = self._restyle(item, now)
        self.show_words(item, look, now)
        self._show_stale_and_error(item, now)

    def url(self) -> QUrl | None:
        return safe_url(getattr(self.item.reading, "url", None)) if self.item is not None else None

    def report_context(self) -> dict[str, Any] | None:
        item = self.item
        if item is None:
            return None
        if self.plainly_fine(item.reading) and not self.stale:
            return None
        return self.report_prefill(item, self._now_fn())

    def _restyle(self, item: Observed, now: datetime) -> Look:
        """Grey the row out while the item's data is stale and draw its status icon.

        Returns the look of the item's last known status.
        """
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
        return look

    def _show_stale_and_error(self, item: Observed, now: datetime) -> None:
        """How old the data is (only when stale) and the source's last error, in words."""
        self.stale_line.set_text(stale_words(item, now) or "")
        error = error_words(item, now)
        self.error_line.set_text(f"error: {error}" if error else "")

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            follow_palette_change(self, self.stale)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = self.context_menu()
        if not menu.isEmpty():
            menu.exec(event.globalPos())
        menu.deleteLater()
