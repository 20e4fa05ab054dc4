"""`python -m tests.entry …` is `releasable …` with the test hooks the app itself never has.

The hooks are chosen by environment variables that only this module reads (a normal run of
`releasable` never looks at them):

- `RELEASABLE_TEST_KILLPOINT=before-post|after-response`: the process SIGKILLs itself, as if
  the machine lost power, right before a tracker's `create()` sends the POST (the report is
  already claimed `sending`), or right after the answer came back (before the store records
  `sent`). Used by tests/integration/test_crash_delivery.py and tests/bench/bench_crash_delivery.py.
- `RELEASABLE_EXIT_AFTER_FIRST_PAINT=1`: once the store's board has been shown, the board
  view's next paint prints one line and quits the app:
  `first paint: 0.612 s after process start; 8/8 items from the store; peak RSS 98.1 MB`.
  Used by tests/bench/bench_startup.py (cold start) and tests/e2e/test_test_entry.py.

Both wrap the app's real parts from outside (the tracker adapters' `create`, the desktop
board's `start`), so the code under test is the code that ships. Keep this module light: the
start-up benchmark measures its imports too.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PySide6.QtCore import QObject

    from app.desktop.board import DesktopBoard

KILLPOINT_ENV = "RELEASABLE_TEST_KILLPOINT"
KILLPOINTS = ("before-post", "after-response")
EXIT_AFTER_FIRST_PAINT_ENV = "RELEASABLE_EXIT_AFTER_FIRST_PAINT"


# --- killpoints -----------------------------------------------------------------------------


def _die() -> None:
    os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))


def install_killpoint(point: str) -> None:
    """Die at `point` of every tracker adapter's `create()` (see the module's docstring)."""
    if point not in KILLPOINTS:
        raise SystemExit(f"{KILLPOINT_ENV}={point!r}: use one of {', '.join(KILLPOINTS)}")
    from app.trackers.github import GitHubTracker
    from app.trackers.gitlab import GitLabTracker
    from app.trackers.jira import JiraTracker
    from app.trackers.webhook import WebhookTracker

    for cls in (GitHubTracker, GitLabTracker, JiraTracker, WebhookTracker):
        original: Callable[..., Any] = cls.create

        def create(self: Any, *args: Any, _original: Callable[..., Any] = original) -> Any:
            if point == "before-post":
                _die()
            filed = _original(self, *args)
            if point == "after-response":
                _die()
            return filed

        cls.create = create  # type: ignore[method-assign,assignment]


# --- exit after the first paint -------------------------------------------------------------


def install_first_paint_exit() -> None:
    """Quit the window after the first paint of the store's board, printing the figures."""
    from app.desktop.board import DesktopBoard

    original_start = DesktopBoard.start

    def start(board: DesktopBoard) -> None:
        board._first_paint_exit = _first_paint_exit(board)  # type: ignore[attr-defined]
        original_start(board)

    DesktopBoard.start = start  # type: ignore[method-assign,assignment]


def _first_paint_exit(board: DesktopBoard) -> QObject:
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    from app.domain.model import BoardSnapshot

    class FirstPaintExit(QObject):
        def __init__(self) -> None:
            super().__init__(board)
            self.loaded = False
            self.done = False
            self.read = (0, 0)
            board.service.updated.connect(self.count)
            board.service.loaded.connect(self.arm)
            board.window.board.installEventFilter(self)

        def count(self, snapshot: BoardSnapshot) -> None:
            if not self.loaded:  # the snapshot shown when the store's board arrived
                items = (*snapshot.board.pipelines, *snapshot.board.environments)
                self.read = (sum(1 for i in items if i.read_at is not None), len(items))

        def arm(self) -> None:
            self.loaded = True
            # The view may have painted before the store's board arrived, and a model/view
            # board repaints only its viewport when rows change: ask for the paint that shows it.
            board.window.board.update()

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if self.loaded and not self.done and event.type() == QEvent.Type.Paint:
                self.done = True
                elapsed = seconds_since_process_start()
                shown = f"{elapsed:.3f} s" if elapsed is not None else "? s"
                print(
                    f"first paint: {shown} after process start; "
                    f"{self.read[0]}/{self.read[1]} items from the store; "
                    f"peak RSS {peak_rss_mb():.1f} MB",
                    flush=True,
                )
                QTimer.singleShot(0, QApplication.quit)
            return False

    return FirstPaintExit()


def seconds_since_process_start() -> float | None:
    """From /proc (Linux): uptime now minus the process's start time, both since boot."""
    try:
        stat = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        started = int(stat[19]) / os.sysconf("SC_CLK_TCK")  # field 22: starttime, in ticks
        return float(Path("/proc/uptime").read_text().split()[0]) - started
    except (OSError, ValueError, IndexError):
        return None


def peak_rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# --- the entry ------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Install the hooks the environment asks for, then run `releasable` with `argv`."""
    point = os.environ.get(KILLPOINT_ENV, "")
    if point:
        install_killpoint(point)
    if os.environ.get(EXIT_AFTER_FIRST_PAINT_ENV) == "1":
        install_first_paint_exit()
    from app.cli import main as releasable

    return releasable(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
