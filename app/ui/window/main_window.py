"""The workstation window: menus, toolbar, the board, and the way into kiosk mode.

The window draws what it is given (`show_snapshot`, or `show_snapshot_soon` for a live
service: the newest of a burst of snapshots, drawn in a pass of the event loop of its own, so
a snapshot's computing, drawing and painting are three short pieces of GUI work instead of
one long one) and exposes its commands as QActions and
signals for the services layer to connect: `action_report_blocker`, `action_history`,
`action_edit_board`, `action_refresh`, `action_quit` and `report_requested(dict)` /
`refresh_requested()`. It remembers its geometry and view options in QSettings.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import QByteArray, QRect, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QGuiApplication,
    QKeySequence,
    QResizeEvent,
    QScreen,
)
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QMainWindow,
    QStackedWidget,
    QStyle,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.model import BoardSnapshot, Verdict
from app.domain.words import ago_words
from app.services.outbox_rows import OutboxRow
from app.ui.board.describe import effective_verdict
from app.ui.board.items_model import GROUP_BY_PIPELINE, GROUP_BY_STATUS
from app.ui.board.row import NowFn, Opener
from app.ui.board.view import BoardView, utc_now
from app.ui.kiosk.kiosk import KioskWindow
from app.ui.widgets.icons import app_icon
from app.ui.widgets.labels import PlainLabel
from app.ui.widgets.theme import plain_tooltip
from app.ui.window.placement import on_a_screen

ORGANIZATION = "Releasable"
APPLICATION = "releasable"
# Where the window was left; "window/geometry" held Qt's saveGeometry, which came back off by
# a title bar without a window manager (see `placement`) and is removed when these are saved.
WINDOW_PLACE_KEYS = ("window/normal", "window/maximized", "window/geometry")


def default_settings() -> QSettings:
    return QSettings(ORGANIZATION, APPLICATION)


def window_title(board_name: str | None, verdict: Verdict | None = None) -> str:
    """The one title format, in every state: "<board> — <VERDICT> — Releasable" (parts not
    known yet are left out, never reordered), so a taskbar entry reads the same way all day."""
    parts = [board_name or None, verdict.state.headline if verdict is not None else None]
    return " — ".join([*(p for p in parts if p), "Releasable"])


class MainWindow(QMainWindow):
    """The board window. `persist=False` neither reads nor writes settings (screenshots)."""

    report_requested = Signal(object)
    claim_requested = Signal(str)  # a failing pipeline's item key: "I'm on it"
    refresh_requested = Signal()
    kiosk_changed = Signal(bool)
    _soon_later = Signal()  # queued to itself: draw `_soon` at the next pass of the event loop

    def __init__(
        self,
        now_fn: NowFn | None = None,
        opener: Opener | None = None,
        settings: QSettings | None = None,
        persist: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.now_fn = now_fn or utc_now
        self.settings = settings if settings is not None else default_settings()
        self.persist = persist
        self.kiosk: KioskWindow | None = None
        self.kiosk_screen: int | None = None  # `--screen N`: the kiosk's screen, by index
        self._pending_snapshot: BoardSnapshot | None = None
        self._soon: BoardSnapshot | None = None  # to draw at the next pass of the event loop
        self._soon_posted = False
        self._soon_later.connect(self._show_soon, Qt.ConnectionType.QueuedConnection)
        self._outbox_rows: list[OutboxRow] = []
        self.board_name: str | None = None
        self.setWindowTitle(window_title(None))
        self.setWindowIcon(app_icon())

        self.board = BoardView(self.now_fn, opener, self)
        self.board.report_requested.connect(self.report_requested)
        self.board.claim_requested.connect(self.claim_requested)
        self.message_bar = self._make_message_bar()
        board_page = QWidget(self)
        page_layout = QVBoxLayout(board_page)
        page_layout.setContentsMargins(0, 0, 0, 0)
        page_layout.setSpacing(0)
        page_layout.addWidget(self.message_bar)
        page_layout.addWidget(self.board, 1)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(board_page)
        self._board_page = board_page
        self.setCentralWidget(self.pages)

        self._make_actions()
        self._make_toolbar()
        self._make_menus()
        self.read_only_label = PlainLabel("", self, bold=True)
        self.read_only_label.setAccessibleName("Read-only")
        self.read_only_label.hide()
        self.statusBar().addPermanentWidget(self.read_only_label)
        self.updated_label = PlainLabel("", self)
        self.statusBar().addPermanentWidget(self.updated_label)
        self.statusBar().setSizeGripEnabled(True)

        self.tick_timer = QTimer(self)
        self.tick_timer.setInterval(1000)
        self.tick_timer.timeout.connect(self.tick)
        self.tick_timer.start()
        self._restore()
        self._update_tab_order()

    # -- construction -------------------------------------------------------------------------

    def _action(self, name: str, text: str, keys: list[str], tip: str = "") -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setToolTip(f"{tip or text.rstrip('…')} ({', '.join(keys)})" if keys else tip)
        action.setStatusTip(tip or text)
        self.addAction(action)
        return action

    def _make_actions(self) -> None:
        self.action_report_blocker = self._action(
            "report", "&Report a blocker…", ["Ctrl+B"], "Report something that stops delivery"
        )
        self.action_history = self._action(
            "history", "&History", ["Ctrl+H"], "When were we releasable"
        )
        self.action_edit_board = self._action("edit_board", "&Edit board…", ["Ctrl+E"])
        self.action_kiosk = self._action(
            "kiosk", "&Kiosk mode", ["F11"], "Full screen for the team room"
        )
        self.action_kiosk.setCheckable(True)
        self.action_refresh = self._action(
            "refresh", "Re&fresh", ["F5", "Ctrl+R"], "Poll every source now"
        )
        self.action_quit = self._action("quit", "&Quit", ["Ctrl+Q"])
        self.action_reset_layout = self._action(
            "reset_layout", "&Reset layout", [], "Window size, panels and toolbar as at first start"
        )
        self.action_find = self._action("find", "&Find…", ["Ctrl+F"], "Filter by name")
        self.action_failing_first = self._action(
            "failing_first", "Failing &first", ["Ctrl+Shift+F"], "Show failing items first"
        )
        self.action_failing_first.setCheckable(True)
        self.action_group_pipeline = self._action(
            "group_pipeline", "Group by &pipeline", ["Ctrl+1"]
        )
        self.action_group_status = self._action("group_status", "Group by &status", ["Ctrl+2"])
        self._group_actions = QActionGroup(self)
        for action in (self.action_group_pipeline, self.action_group_status):
            action.setCheckable(True)
            self._group_actions.addAction(action)
        self.action_group_pipeline.setChecked(True)

        self.action_refresh.triggered.connect(self.refresh_requested)
        self.action_quit.triggered.connect(self.quit)
        self.action_reset_layout.triggered.connect(self.reset_layout)
        self.action_kiosk.toggled.connect(self.set_kiosk)
        self.action_find.triggered.connect(self._focus_search)
        self.action_failing_first.toggled.connect(self._on_failing_first)
        self.action_group_pipeline.triggered.connect(lambda: self.set_group_by(GROUP_BY_PIPELINE))
        self.action_group_status.triggered.connect(lambda: self.set_group_by(GROUP_BY_STATUS))

    def _make_toolbar(self) -> None:
        bar = QToolBar("Board", self)
        bar.setObjectName("boardToolbar")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for action in (self.action_refresh, self.action_report_blocker, self.action_history):
            bar.addAction(action)
        bar.addAction(self.action_edit_board)
        bar.addAction(self.action_kiosk)
        self.addToolBar(bar)
        self.toolbar = bar
        # The view options are a toolbar of their own: when the window is too narrow for
        # both on one line, they move to a second line instead of hiding behind "»".
        view = QToolBar("View", self)
        view.setObjectName("viewToolbar")
        view.setMovable(False)
        view.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.search = QLineEdit(view)
        self.search.setPlaceholderText("Filter pipelines and environments (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Filter by name")
        chars = self.search.fontMetrics().horizontalAdvance("x")
        self.search.setMinimumWidth(chars * 24)
        self.search.setMaximumWidth(chars * 48)
        self.search.textChanged.connect(self.board.set_filter)
        view.addWidget(self.search)
        view.addAction(self.action_failing_first)
        self.group_combo = QComboBox(view)
        self.group_combo.addItem("Group by pipeline", GROUP_BY_PIPELINE)
        self.group_combo.addItem("Group by status", GROUP_BY_STATUS)
        self.group_combo.setAccessibleName("Group rows by")
        self.group_combo.currentIndexChanged.connect(
            lambda i: self.set_group_by(self.group_combo.itemData(i))
        )
        view.addWidget(self.group_combo)
        self.addToolBar(view)
        self.view_toolbar = view

    def _wrap_toolbars(self) -> None:
        """The view options on a line of their own when both toolbars do not fit on one."""
        needed = self.toolbar.sizeHint().width() + self.view_toolbar.sizeHint().width() + 8
        wrap = self.width() < needed
        if wrap != self.toolBarBreak(self.view_toolbar):
            if wrap:
                self.insertToolBarBreak(self.view_toolbar)
            else:
                self.removeToolBarBreak(self.view_toolbar)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._wrap_toolbars()
        super().resizeEvent(event)

    def _make_menus(self) -> None:
        menu = self.menuBar()
        board = menu.addMenu("&Board")
        for action in (self.action_refresh, self.action_edit_board):
            board.addAction(action)
        board.addSeparator()
        board.addAction(self.action_quit)
        view = menu.addMenu("&View")
        view.addAction(self.action_find)
        view.addAction(self.action_failing_first)
        view.addSeparator()
        view.addAction(self.action_group_pipeline)
        view.addAction(self.action_group_status)
        view.addSeparator()
        view.addAction(self.action_history)
        view.addAction(self.action_kiosk)
        view.addSeparator()
        view.addAction(self.action_reset_layout)
        blockers = menu.addMenu("B&lockers")
        blockers.addAction(self.action_report_blocker)

    def _make_message_bar(self) -> QFrame:
        bar = QFrame(self)
        bar.setFrameShape(QFrame.Shape.StyledPanel)
        self.message_label = PlainLabel("", bar, wrap=True, selectable=True)
        close = QToolButton(bar)
        close.setText("Dismiss")
        close.setAccessibleName("Dismiss message")
        close.clicked.connect(self.clear_banner)
        layout = QHBoxLayout(bar)
        layout.setContentsMargins(10, 4, 6, 4)
        layout.addWidget(self.message_label, 1)
        layout.addWidget(close)
        bar.hide()
        return bar

    # -- data ---------------------------------------------------------------------------------

    def show_snapshot(self, snapshot: BoardSnapshot) -> None:
        """Draw a new board picture now."""
        if self._soon is not None and self._soon.taken_at <= snapshot.taken_at:
            self._soon = None  # older than this one: never drawn after it
        self.board_name = snapshot.board.name
        if self.kiosk is not None:
            # The window is hidden behind the wall: draw it only when the kiosk closes (a big
            # board's widgets cost seconds and memory the wall does not need).
            self._pending_snapshot = snapshot
            self.kiosk.show_snapshot(snapshot)
        else:
            self.board.show_snapshot(snapshot)
        now = self.now_fn()
        self._update_updated(now)
        self._update_title(now)
        self._update_tab_order()

    def show_snapshot_soon(self, snapshot: BoardSnapshot) -> None:
        """Draw `snapshot` at the next pass of the event loop (from `BoardService.updated`).

        Snapshots arriving before then replace it: only the newest is drawn. The service
        computes a snapshot in one pass, the window draws it in the next, and Qt lays out and
        paints the list in the one after: input is handled between them.
        """
        self._soon = snapshot
        if not self._soon_posted:
            self._soon_posted = True
            self._soon_later.emit()

    def _show_soon(self) -> None:
        self._soon_posted = False
        snapshot, self._soon = self._soon, None
        if snapshot is not None:
            self.show_snapshot(snapshot)

    @property
    def latest_snapshot(self) -> BoardSnapshot | None:
        """The newest picture of the board, drawn or not (evidence for a report)."""
        return self._soon or self._pending_snapshot or self.board.snapshot

    def set_outbox_rows(self, rows: Sequence[OutboxRow]) -> None:
        """Drafts and unsent reports, from the outbox service (aged by the window's tick)."""
        self._outbox_rows = list(rows)
        self.board.set_outbox_rows(self._outbox_rows, self.now_fn())

    def set_board_name(self, name: str) -> None:
        """The board's name, known from its file before the first snapshot arrives."""
        self.board_name = name
        self._update_title(self.now_fn())

    def tick(self, now: datetime | None = None) -> None:
        now = now or self.now_fn()
        self.board.tick(now)
        self._update_updated(now)
        self._update_title(now)

    def _update_title(self, now: datetime) -> None:
        """The verdict the banner shows (re-judged as data ages), in the one title format."""
        snapshot = self.latest_snapshot
        verdict: Verdict | None = None
        if snapshot is not None and snapshot is self.board.snapshot:
            verdict = self.board.banner.verdict  # judged at this tick already
        elif snapshot is not None:
            verdict = effective_verdict(snapshot, now)  # drawn on the kiosk, not here
        title = window_title(self.board_name, verdict)
        if title != self.windowTitle():
            self.setWindowTitle(title)

    def _update_updated(self, now: datetime) -> None:
        snapshot = self.board.snapshot
        text = "no data yet" if snapshot is None else f"updated {ago_words(snapshot.taken_at, now)}"
        self.updated_label.set_text(text)

    def show_banner(self, text: str) -> None:
        """A non-modal message (errors, crash reports); in kiosk mode it shows on the wall."""
        self.message_label.set_text(text)
        self.message_bar.setVisible(bool(text))
        if self.kiosk is not None:
            self.kiosk.show_banner(text)

    def show_read_only(self, why: str) -> None:
        """The board runs on a read-only copy of its database (`why`, in words): the banner
        says so, and the status bar keeps saying so after the banner is dismissed or replaced."""
        self.show_banner(why)
        self.read_only_label.set_text("Read-only: nothing new is kept")
        self.read_only_label.setToolTip(plain_tooltip(why))
        self.read_only_label.show()

    def clear_banner(self) -> None:
        self.message_label.set_text("")
        self.message_bar.hide()

    def current_report_context(self) -> dict[str, Any]:
        """Pre-fill from the focused stage or environment, if any (for `action_report_blocker`)."""
        widget = QApplication.focusWidget()
        while widget is not None and widget is not self:
            context = getattr(widget, "report_context", None)
            if callable(context):
                found = context()
                if found:
                    return dict(found)
            widget = widget.parentWidget()
        return {}

    # -- pages (welcome page, editor) -----------------------------------------------------------

    def show_page(self, widget: QWidget) -> None:
        """Show another page (e.g. the welcome page) in place of the board."""
        if self.pages.indexOf(widget) < 0:
            self.pages.addWidget(widget)
        self.pages.setCurrentWidget(widget)

    def show_board(self) -> None:
        self.pages.setCurrentWidget(self._board_page)

    # -- view options -------------------------------------------------------------------------

    def _focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _on_failing_first(self, on: bool) -> None:
        self.board.set_failing_first(on)
        self._save_view_options()
        self._update_tab_order()

    def set_group_by(self, mode: str) -> None:
        mode = mode if mode in (GROUP_BY_PIPELINE, GROUP_BY_STATUS) else GROUP_BY_PIPELINE
        self.board.set_group_by(mode)
        index = self.group_combo.findData(mode)
        if self.group_combo.currentIndex() != index:
            self.group_combo.setCurrentIndex(index)
        action = self.action_group_status if mode == GROUP_BY_STATUS else self.action_group_pipeline
        action.setChecked(True)
        self._save_view_options()
        self._update_tab_order()

    def group_by(self) -> str:
        return str(self.group_combo.currentData())

    def _update_tab_order(self) -> None:
        chain: list[QWidget] = [self.search, self.group_combo, *self.board.focus_chain()]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    # -- kiosk ----------------------------------------------------------------------------------

    def _kiosk_screen(self) -> QScreen | None:
        """`--screen N` if given (and there), else the screen this window is on."""
        screens = QGuiApplication.screens()
        if self.kiosk_screen is not None and 0 <= self.kiosk_screen < len(screens):
            return screens[self.kiosk_screen]
        return self.screen()

    def set_kiosk(self, on: bool) -> None:
        """Enter or leave kiosk mode (F11). The kiosk is its own full-screen window."""
        if on == (self.kiosk is not None):
            return
        if on:
            kiosk = KioskWindow(self.now_fn)
            kiosk.setWindowIcon(self.windowIcon())
            kiosk.exit_requested.connect(lambda: self.set_kiosk(False))
            kiosk.refresh_requested.connect(self.refresh_requested)
            kiosk.quit_requested.connect(self.quit)
            if self.latest_snapshot is not None:
                kiosk.show_snapshot(self.latest_snapshot)
            self.kiosk = kiosk
            self.tick_timer.stop()
            kiosk.fill_screen(self._kiosk_screen())
            self.hide()
        else:
            leaving, self.kiosk = self.kiosk, None
            assert leaving is not None
            leaving.hide()
            leaving.deleteLater()
            if self._pending_snapshot is not None:
                self.board.show_snapshot(self._pending_snapshot)
                self._pending_snapshot = None
            self.tick_timer.start()
            self.show()
        self.action_kiosk.setChecked(on)
        self.kiosk_changed.emit(on)

    def quit(self) -> None:
        """Ctrl+Q: remember the window, then end the event loop (services stop after it)."""
        self.save_settings()
        QApplication.quit()

    # -- settings -------------------------------------------------------------------------------

    def reset_layout(self) -> None:
        """View → Reset layout: the window's first-start layout, and forget the saved one."""
        self.board.splitter.restoreState(self._default_splitter)
        self.menuBar().setVisible(True)
        self.toolbar.setVisible(True)
        self.view_toolbar.setVisible(True)
        self.showNormal()
        self._default_size()
        if self.persist:
            for key in (*WINDOW_PLACE_KEYS, "window/state", "view/splitter"):
                self.settings.remove(key)

    def _title_bar_height(self) -> int:
        return self.style().pixelMetric(QStyle.PixelMetric.PM_TitleBarHeight, None, self)

    def _default_size(self) -> None:
        """1280×820, or less so that it fits the screen with a title bar above it (a window
        taller than the screen is moved at the next start, see `placement`)."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        available = screen.availableGeometry() if screen else None
        w = min(1280, available.width()) if available else 1280
        h = min(820, available.height() - self._title_bar_height()) if available else 820
        self.resize(w, h)

    def _restore_place(self) -> None:
        """Where the window was left (client geometry, see `placement`), maximized if it was."""
        s = self.settings
        normal = s.value("window/normal")
        if not isinstance(normal, QRect) or not normal.isValid():
            self._default_size()
            return
        primary = QGuiApplication.primaryScreen()
        screens = sorted(QGuiApplication.screens(), key=lambda screen: screen is not primary)
        available = [screen.availableGeometry() for screen in screens]
        self.setGeometry(on_a_screen(normal, available, self._title_bar_height()))
        if bool(s.value("window/maximized", False, type=bool)):
            self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)

    def _restore(self) -> None:
        self._default_splitter = self.board.splitter.saveState()
        if not self.persist:
            self.resize(1280, 800)
            return
        s = self.settings
        self._restore_place()
        state = s.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        self.menuBar().setVisible(True)  # a restored state never hides the menus or the toolbar
        self.toolbar.setVisible(True)
        self.view_toolbar.setVisible(True)
        splitter = s.value("view/splitter")
        if isinstance(splitter, QByteArray):
            self.board.splitter.restoreState(splitter)
        # Read both before applying either: applying one saves the view options.
        failing_first = bool(s.value("view/failing_first", False, type=bool))
        group_by = str(s.value("view/group_by", GROUP_BY_PIPELINE))
        self.action_failing_first.setChecked(failing_first)
        self.set_group_by(group_by)

    def _save_view_options(self) -> None:
        if not self.persist:
            return
        self.settings.setValue("view/failing_first", self.action_failing_first.isChecked())
        self.settings.setValue("view/group_by", self.group_by())

    def save_settings(self) -> None:
        if not self.persist:
            return
        s = self.settings
        s.setValue("window/normal", self.normalGeometry())
        s.setValue("window/maximized", self.isMaximized())
        s.remove("window/geometry")
        s.setValue("window/state", self.saveState())
        s.setValue("view/splitter", self.board.splitter.saveState())
        self._save_view_options()
        s.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_settings()
        super().closeEvent(event)
