"""The team-room kiosk: the board full screen, readable from across the room, for weeks.

It fills the screen it is on (or the one `--screen N` names) with or without a window manager,
and follows that screen's resolution changes (`fill_screen`).

No window chrome and no modal dialog, ever: problems appear in a banner (`show_banner`) while
the board keeps running. Everything is sized from the screen (`kiosk_layout.kiosk_metrics`);
all items fit without scrolling as a tile grid (`kiosk_layout.fit_grid`), and past a readable
minimum tile size the pages rotate on a timer with a page indicator. A clock, "updated N s ago"
and greyed stale tiles keep old data from passing as fresh; the cursor hides when idle. Tiles
come from a fixed pool the size of one page, so weeks of updates do not grow anything.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal, SignalInstance
from PySide6.QtGui import (
    QAction,
    QColor,
    QGuiApplication,
    QHideEvent,
    QKeySequence,
    QPalette,
    QResizeEvent,
    QScreen,
    QShowEvent,
)
from PySide6.QtWidgets import QApplication, QHBoxLayout, QVBoxLayout, QWidget

from app.domain.model import BoardSnapshot, Verdict
from app.ui.board.describe import effective_verdict
from app.ui.board.row import NowFn
from app.ui.board.verdict_banner import VerdictBanner
from app.ui.board.view import utc_now
from app.ui.kiosk.layout import KioskMetrics, Layout, fit_grid, kiosk_metrics
from app.ui.kiosk.tiles import KioskTile, TileData, blank_tile, tiles_for
from app.ui.widgets.labels import PlainLabel

PAGE_SECONDS = 15
IDLE_CURSOR_MS = 3000
BANNER_SECONDS = 300
MAX_PAGE_DOTS = 8


class _TileArea(QWidget):
    """The rectangle the tiles are laid out in; tells the kiosk when it changes size."""

    resized = Signal()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.resized.emit()


class KioskWindow(QWidget):
    """Full-screen board: `exit_requested` (F11/Esc), `refresh_requested` (F5/Ctrl+R),
    `quit_requested` (Ctrl+Q)."""

    exit_requested = Signal()
    refresh_requested = Signal()
    quit_requested = Signal()

    def __init__(
        self,
        now_fn: NowFn | None = None,
        page_seconds: float = PAGE_SECONDS,
        idle_cursor_ms: int = IDLE_CURSOR_MS,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Releasable")
        self.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
        self.setObjectName("kiosk")
        self.setAccessibleName("Releasable board, kiosk")
        self.now_fn = now_fn or utc_now
        self._screen: QScreen | None = None  # the screen it was asked to fill
        self._watched: list[QScreen] = []  # screens whose geometry changes it follows
        self._watching = False
        self.snapshot: BoardSnapshot | None = None
        self.page = 0
        self.layout_state = Layout(0, 0, 0, 1, 0, 0)
        self.metrics: KioskMetrics = kiosk_metrics(1920, 1080)
        self.tiles: list[KioskTile] = []
        self._tile_data: list[TileData] = []
        self._shown_verdict: Verdict | None = None

        self.banner = VerdictBanner(self, max_reasons=4)
        self.message = PlainLabel("", self, wrap=True)
        self.message.setObjectName("kioskMessage")
        self.message.setAutoFillBackground(True)
        palette = self.message.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor("#E69F00"))
        palette.setColor(QPalette.ColorRole.WindowText, QColor("#000000"))
        self.message.setPalette(palette)
        self.message.setAccessibleName("Kiosk message")
        self.area = _TileArea(self)
        self.area.resized.connect(self._relayout_tiles)
        self.clock = PlainLabel("", self, bold=True)
        self.board_name = PlainLabel("", self)
        self.page_label = PlainLabel("", self)
        self.page_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        footer = QHBoxLayout()
        footer.addWidget(self.clock)
        footer.addSpacing(24)
        footer.addWidget(self.board_name, 1)
        footer.addWidget(self.page_label)
        self._footer = footer
        self._outer = QVBoxLayout(self)
        self._outer.setSpacing(0)
        self._outer.addWidget(self.banner)
        self._outer.addWidget(self.message)
        self._outer.addWidget(self.area, 1)
        self._outer.addLayout(footer)
        self.message.set_text("")

        self.rotation_timer = QTimer(self)
        self.rotation_timer.setInterval(int(page_seconds * 1000))
        self.rotation_timer.timeout.connect(self.next_page)
        self.tick_timer = QTimer(self)
        self.tick_timer.setInterval(1000)
        self.tick_timer.timeout.connect(self.tick)
        self.cursor_timer = QTimer(self)
        self.cursor_timer.setSingleShot(True)
        self.cursor_timer.setInterval(idle_cursor_ms)
        self.cursor_timer.timeout.connect(self._hide_cursor)
        self.message_timer = QTimer(self)
        self.message_timer.setSingleShot(True)
        self.message_timer.timeout.connect(self.clear_banner)

        self.action_exit = self._action("Leave kiosk mode", ["F11", "Esc"], self.exit_requested)
        self.action_refresh = self._action("Refresh", ["F5", "Ctrl+R"], self.refresh_requested)
        self.action_quit = self._action("Quit", ["Ctrl+Q"], self.quit_requested)
        self._apply_metrics()
        self.banner.show_verdict(self.banner.verdict, None, self.now_fn())
        self.tick_timer.start()

    def _action(self, text: str, keys: list[str], signal: SignalInstance) -> QAction:
        action = QAction(text, self)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(signal)
        self.addAction(action)
        return action

    # -- data ---------------------------------------------------------------------------------

    def show_snapshot(self, snapshot: BoardSnapshot) -> None:
        self.snapshot = snapshot
        self.board_name.set_text(snapshot.board.name)
        self._shown_verdict = None
        self.tick()

    def tick(self, now: datetime | None = None) -> None:
        """Clock, ages, staleness and (if the count changed) the grid; nothing is fetched."""
        now = now or self.now_fn()
        self.clock.set_text(now.astimezone().strftime("%H:%M"))
        snapshot = self.snapshot
        if snapshot is None:
            self.banner.tick(now)
            return
        verdict = effective_verdict(snapshot, now)
        if verdict is not self._shown_verdict:
            self._shown_verdict = verdict
            self.banner.show_verdict(verdict, snapshot.taken_at, now)
        else:
            self.banner.tick(now)
        count = len(self._tile_data)
        self._tile_data = tiles_for(snapshot, now)
        if len(self._tile_data) != count:
            self._relayout_tiles()
        else:
            self._fill_page()

    # -- paging -------------------------------------------------------------------------------

    def next_page(self) -> None:
        pages = self.layout_state.pages
        self.page = (self.page + 1) % pages if pages > 1 else 0
        self._fill_page()

    def _relayout_tiles(self) -> None:
        m = self.metrics
        n = len(self._tile_data)
        self.layout_state = fit_grid(
            n, self.area.width(), self.area.height(), m.min_tile_w, m.min_tile_h, m.gap,
            max_tile_h=m.max_tile_h,
        )  # fmt: skip
        layout = self.layout_state
        while len(self.tiles) < layout.per_page:
            tile = KioskTile(self.area)
            self.tiles.append(tile)
        while len(self.tiles) > layout.per_page:
            tile = self.tiles.pop()
            tile.hide()
            tile.deleteLater()
        text_cap = max(m.reason_px * 1.6, 1)
        for i, tile in enumerate(self.tiles):
            row, col = divmod(i, max(1, layout.cols))
            tile.max_text_px = int(text_cap)
            tile.setGeometry(
                col * (layout.tile_w + m.gap),
                row * (layout.tile_h + m.gap),
                layout.tile_w,
                layout.tile_h,
            )
        if layout.pages > 1:
            if not self.rotation_timer.isActive():
                self.rotation_timer.start()
        else:
            self.rotation_timer.stop()
        self._fill_page()

    def _fill_page(self) -> None:
        layout = self.layout_state
        self.page = min(self.page, layout.pages - 1)
        indexes = layout.page_range(self.page, len(self._tile_data))
        for slot, tile in enumerate(self.tiles):
            if slot < len(indexes):
                tile.set_data(self._tile_data[indexes[slot]])
                tile.show()
            else:
                tile.set_data(blank_tile())
                tile.hide()
        if layout.pages > 1:
            text = f"page {self.page + 1} of {layout.pages}"
            if layout.pages <= MAX_PAGE_DOTS:
                dots = " ".join("●" if p == self.page else "○" for p in range(layout.pages))
                text = f"{text}  {dots}"
            self.page_label.set_text(text)
        else:
            self.page_label.set_text("")

    def visible_tile_keys(self) -> list[str]:
        return [t.data.key for t in self.tiles if not t.isHidden()]

    # -- the screen it fills -------------------------------------------------------------------

    def fill_screen(self, screen: QScreen | None = None) -> None:
        """Show full screen on `screen` (default: the one it is on, else the primary one).

        With no window manager (a wall: `xinit` + the app) nobody honours a full-screen
        request, so the kiosk sets the screen's geometry itself (it is frameless); with one,
        `showFullScreen()` also asks it to drop panels and decorations. It then follows the
        screen: a new resolution, a screen unplugged and plugged back, or a move to another
        screen is filled again (`_refit`).
        """
        screen = screen or self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            self.showFullScreen()
            return
        self._screen = screen
        self.setScreen(screen)
        self.setGeometry(screen.geometry())
        self.showFullScreen()
        self.setGeometry(screen.geometry())  # honoured even where the request is not
        if not self._watching:
            self._watching = True
            app = QGuiApplication.instance()
            if isinstance(app, QGuiApplication):
                app.screenAdded.connect(self._screens_changed)
                app.screenRemoved.connect(self._screens_changed)
                app.primaryScreenChanged.connect(self._screens_changed)
            handle = self.windowHandle()
            if handle is not None:
                handle.screenChanged.connect(self._screens_changed)
        self._watch(screen)

    def _watch(self, screen: QScreen) -> None:
        if screen in self._watched:
            return
        self._watched.append(screen)
        screen.geometryChanged.connect(self._screens_changed)

    def _screens_changed(self, *_args: object) -> None:
        """Any change of screens: fill the kiosk's screen again (the one it was asked for while
        it is there, else the one it is on now)."""
        if not self.isVisible():
            return
        screens = QGuiApplication.screens()
        self._watched = [s for s in self._watched if s in screens]
        screen = self._screen if self._screen in screens else self.screen()
        if screen is None or screen not in screens:
            screen = QGuiApplication.primaryScreen()
        if screen is None:
            return
        self._watch(screen)
        if self.screen() is not screen:
            self.setScreen(screen)
        if self.geometry() != screen.geometry():
            self.setGeometry(screen.geometry())

    # -- sizing -------------------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._apply_metrics()

    def _apply_metrics(self) -> None:
        m = kiosk_metrics(max(1, self.width()), max(1, self.height()))
        self.metrics = m
        self.banner.set_pixel_sizes(m.title_px, m.reason_px, m.icon_px, m.margin)
        self.message.set_pixel_size(m.reason_px, bold=True)
        self.message.setContentsMargins(m.margin, m.margin // 2, m.margin, m.margin // 2)
        for label in (self.clock, self.board_name, self.page_label):
            label.set_pixel_size(m.footer_px)
        self._outer.setContentsMargins(0, 0, 0, 0)
        self._footer.setContentsMargins(m.margin, m.margin // 2, m.margin, m.margin // 2)
        self.area.setContentsMargins(m.margin, m.margin, m.margin, 0)
        self._outer.setSpacing(m.gap)

    # -- banner, cursor -----------------------------------------------------------------------

    def show_banner(self, text: str, seconds: float = BANNER_SECONDS) -> None:
        """Show a problem without a dialog; it goes away after `seconds` (0: stays)."""
        self.message.set_text(text)
        self.message_timer.stop()
        if seconds > 0:
            self.message_timer.start(int(seconds * 1000))

    def clear_banner(self) -> None:
        self.message.set_text("")

    def _hide_cursor(self) -> None:
        self.setCursor(Qt.CursorShape.BlankCursor)

    def wake_cursor(self) -> None:
        self.unsetCursor()
        self.cursor_timer.start()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.cursor_timer.start()

    def hideEvent(self, event: QHideEvent) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.cursor_timer.stop()
        super().hideEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.MouseMove:
            self.wake_cursor()
        return False
