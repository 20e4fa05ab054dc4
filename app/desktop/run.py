"""The desktop app: wires the board file, store, services and windows together.

`run_gui` opens the window (or the kiosk), or with `--screenshot` polls for `--after` seconds
and renders the board offscreen to a PNG. Everything here runs on the GUI thread and only
connects parts: fetching happens in `app.services`, drawing in `app.ui`.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import socket
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, QThreadPool, QTimer
from PySide6.QtWidgets import QApplication

from app.config.errors import BoardFileError
from app.config.loader import remember_board
from app.desktop.launch import BoardNotFound, OpenedBoard, open_board
from app.domain.model import Blocker, BoardSnapshot
from app.domain.redact import install_log_scrubbing

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)

EXIT_CANNOT_OPEN = 3  # no display, no board, a bad board file: the code no verdict uses


def _has_display() -> bool:
    if os.environ.get("QT_QPA_PLATFORM"):
        return True
    if sys.platform != "linux":
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run_gui(args: argparse.Namespace, size: tuple[int, int]) -> int:
    if args.screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    elif not _has_display():
        print(
            "releasable: no display found. To see the board on this machine, render it:\n"
            "  releasable --demo --screenshot board.png\n"
            "or run the window on a virtual display:\n"
            "  xvfb-run -a releasable --demo",
            file=sys.stderr,
        )
        return EXIT_CANNOT_OPEN
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    install_log_scrubbing()  # no token the app holds reaches a log line
    from app.ui.window.crash_handler import route_qt_messages

    route_qt_messages()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Releasable")
    app.setOrganizationName("Releasable")
    app.setDesktopFileName("releasable")
    _quit_on_signals(app)
    if getattr(args, "fleet", None) or getattr(args, "demo_fleet", False):
        from app.desktop.fleet import run_fleet

        return run_fleet(app, args, size)

    while True:  # the welcome page and the editor may hand back another board to open
        try:
            with open_board(args.board, args.demo, args.db) as opened:
                if args.screenshot:
                    return _screenshot(app, opened, args, size)
                if opened.demo is None:
                    remember_board(opened.path)  # `releasable` alone reopens it next time
                code, next_board = _window(app, opened, args)
        except BoardNotFound as err:
            if args.screenshot:
                print(f"releasable: {err}", file=sys.stderr)
                return EXIT_CANNOT_OPEN
            choice = _welcome(app, "No board file was found on this computer yet.")
            if choice is None:
                return 0
            args.board, args.demo = choice
            continue
        except BoardFileError as err:
            print(f"releasable: the board file has errors:\n{err}", file=sys.stderr)
            if args.screenshot:
                return EXIT_CANNOT_OPEN
            from PySide6.QtWidgets import QMessageBox

            box = QMessageBox(QMessageBox.Icon.Critical, "Releasable — board file errors", "")
            box.setTextFormat(Qt.TextFormat.PlainText)
            box.setText(str(err))
            box.exec()
            return EXIT_CANNOT_OPEN
        if next_board is None:
            return code
        args.board, args.demo = str(next_board), False


_WAKEUP: list[socket.socket] = []


def _quit_on_signals(app: QApplication) -> None:
    """Ctrl+C and SIGTERM close the app cleanly (drafts and the outbox are committed) and
    promptly: every request in flight ends at once, so no worker holds up the exit.

    Python runs signal handlers only between bytecodes, and Qt's event loop waits in C: the
    signal's wake-up byte (`signal.set_wakeup_fd`) on a socket Qt watches makes the loop turn
    at once, so the handler runs within moments (a 250 ms timer did it up to 250 ms late, and
    woke an idle app four times a second).
    """
    from PySide6.QtCore import QSocketNotifier

    from app.sources.deadline import abort_all

    def quit_now(*_: object) -> None:
        abort_all()
        app.quit()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, quit_now)
    wake_read, wake_write = socket.socketpair()
    for end in (wake_read, wake_write):
        end.setblocking(False)
    signal.set_wakeup_fd(wake_write.fileno())
    notifier = QSocketNotifier(wake_read.fileno(), QSocketNotifier.Type.Read, app)

    def drain() -> None:  # the handler has run by now; empty the socket for the next signal
        with contextlib.suppress(OSError):
            while wake_read.recv(64):
                pass

    notifier.activated.connect(drain)
    _WAKEUP[:] = [wake_read, wake_write]  # open as long as the process lives


def _screenshot(
    app: QApplication, opened: OpenedBoard, args: argparse.Namespace, size: tuple[int, int]
) -> int:
    from app.services.board_service import make_board_service
    from app.services.board_store import sync_blockers_once
    from app.services.outbox_rows import OutboxRow
    from app.services.outbox_service import read_outbox_rows
    from app.services.tasks import run_task
    from app.sources.http import HttpClient
    from app.store.store import open_or_read_only
    from app.ui.window.screenshot import render_snapshot_png

    store = open_or_read_only(opened.db_path)
    service = make_board_service(opened.config, store)
    latest: list[BoardSnapshot] = []
    service.updated.connect(latest.append)
    result = {"code": 1}

    def finish() -> None:
        service.stop()
        if not latest:
            print("releasable: the board could not be drawn (no data)", file=sys.stderr)
            app.exit(1)
            return
        # The outbox as the window shows it, read off the GUI thread like the window does.
        run_task(lambda: read_outbox_rows(store), draw, failed)

    def failed_sync(error: BaseException) -> None:
        log.warning("the tracker's open blockers could not be read: %s", error)
        done_syncing()

    def failed(error: BaseException) -> None:
        log.warning("the outbox could not be read for the screenshot: %s", error)
        draw([])

    def draw(rows: list[OutboxRow]) -> None:
        snapshot = latest[-1]
        out = render_snapshot_png(
            snapshot, Path(args.screenshot), size, kiosk=args.kiosk, outbox_rows=rows
        )
        waiting = f", {len(rows)} in the outbox" if rows else ""
        print(f"wrote {out} ({size[0]}x{size[1]}): {snapshot.verdict.state.headline}{waiting}")
        result["code"] = 0
        app.exit(0)

    service.start()
    # The tracker's open blockers, read once as `status` reads them (the window's outbox
    # service does it every [tracker] refresh_seconds): without it the verdict is UNKNOWN.
    config, http, board_store = opened.config, HttpClient(cache=store.http_cache), service.store
    waiting = {"sync": True, "finish": False}

    def sync() -> tuple[list[Blocker], tuple[datetime | None, str | None]]:  # on a worker
        sync_blockers_once(config, store, http)
        return board_store.open_blockers(), board_store.tracker_read()

    def synced(found: tuple[list[Blocker], tuple[datetime | None, str | None]]) -> None:
        service.set_blockers(*found)
        done_syncing()

    def done_syncing() -> None:
        waiting["sync"] = False
        if waiting["finish"]:
            finish()

    def due() -> None:
        waiting["finish"] = True
        if not waiting["sync"]:  # else the screenshot waits for the tracker's answer
            finish()

    run_task(sync, synced, failed_sync)
    QTimer.singleShot(int(max(0.0, args.after) * 1000), due)
    app.exec()
    service.stop()  # again after a signal: ends the requests in flight, waits for no server
    # The tracker sync and the outbox read run on the global pool: let them end before the
    # store closes under them (a signal can end the event loop while they run).
    QThreadPool.globalInstance().waitForDone(10_000)
    QCoreApplication.sendPostedEvents()
    with contextlib.suppress(Exception):
        store.close()
    return result["code"]


def _window(
    app: QApplication, opened: OpenedBoard, args: argparse.Namespace
) -> tuple[int, Path | None]:
    """Run the board window; returns the exit code and a board file to open next, if any."""
    import platformdirs

    from app.desktop.board import DesktopBoard
    from app.ui.window.crash_handler import CrashReporter

    board = DesktopBoard(opened)
    # In the kiosk nothing modal may ever appear: crashes become a banner on the wall.
    reporter = CrashReporter(
        Path(platformdirs.user_data_dir("releasable")) / "crash-reports",
        show=(lambda summary, _report: board.window.show_banner(f"Error: {summary}"))
        if args.kiosk
        else None,
    )
    reporter.install()
    board.start()
    board.window.kiosk_screen = getattr(args, "screen", None)
    if args.kiosk:
        board.window.set_kiosk(True)
    else:
        board.window.show()
    next_board: list[Path] = []

    def reopen(path: Path) -> None:
        next_board.append(path)
        app.exit(0)

    board.reload_requested.connect(reopen)
    code = app.exec()
    board.stop()
    reporter.uninstall()
    if next_board:
        board.window.close()
        board.window.deleteLater()
    return code, (next_board[0] if next_board else None)


def _welcome(app: QApplication, message: str) -> tuple[str | None, bool] | None:
    """First run: (board path, demo) chosen on the welcome page, or None if the window closed."""
    from app.ui.editor.editor import BoardEditor
    from app.ui.window.main_window import MainWindow
    from app.ui.window.welcome import WelcomePage

    window = MainWindow(persist=False)  # nothing the welcome page shows is saved as the layout
    window.toolbar.hide()  # nothing to refresh or filter yet
    window.view_toolbar.hide()
    window.menuBar().hide()
    page = WelcomePage(message)
    chosen: list[tuple[str | None, bool]] = []

    def choose(board: str | None, demo: bool) -> None:
        chosen.append((board, demo))
        window.close()

    def create() -> None:
        editor = BoardEditor(None, parent=window)
        editor.saved.connect(lambda path: choose(str(path), False))
        editor.close_requested.connect(lambda: window.show_page(page))
        window.show_page(editor)

    page.demo_requested.connect(lambda: choose(None, True))
    page.open_requested.connect(lambda path: choose(str(path), False))
    page.create_requested.connect(create)
    window.show_page(page)
    window.show()
    app.exec()
    window.deleteLater()
    return chosen[0] if chosen else None
