"""Accelerated soak of the team-room kiosk: does anything grow while it runs for weeks?

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/bench/bench_soak.py [SECONDS]

Runs the real board service on the demo (its day compressed 30x, so every failure, recovery
and blocker of a day passes every 10 s) into a real kiosk window for SECONDS (default 60,
at most 600), ticking the kiosk's clock and page rotation 20x faster than real. Every 10 s it
prints resident memory, Python objects, Qt objects under the kiosk, live timers, threads and
background tasks not yet reported back. Flat columns after warm-up mean nothing leaks.
"""

from __future__ import annotations

import gc
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication

from app.desktop.launch import open_board
from app.services.board_service import make_board_service
from app.services.tasks import pending_tasks
from app.store.store import Store
from app.ui.kiosk.kiosk import KioskWindow
from app.ui.window.crash_handler import route_qt_messages

DEMO_SPEED = 30.0
REPORT_EVERY_S = 10.0


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> int:
    seconds = min(600.0, float(sys.argv[1]) if len(sys.argv) > 1 else 60.0)
    route_qt_messages()
    app = QApplication([])
    started = time.monotonic()

    def demo_clock() -> float:
        return (time.monotonic() - started) * DEMO_SPEED  # the demo's day, compressed

    with (
        tempfile.TemporaryDirectory() as tmp,
        open_board(None, True, str(Path(tmp) / "soak.db"), demo_clock=demo_clock) as opened,
    ):
        store = Store.open(opened.db_path)
        service = make_board_service(opened.config, store)
        kiosk = KioskWindow(page_seconds=0.5)
        kiosk.resize(1920, 1080)
        kiosk.show()
        updates = [0]

        def show(snapshot: object) -> None:
            updates[0] += 1
            kiosk.show_snapshot(snapshot)  # type: ignore[arg-type]

        service.updated.connect(show)
        fast = QTimer()
        fast.setInterval(50)  # the kiosk's 1 s tick, 20x faster
        fast.timeout.connect(kiosk.tick)
        fast.start()
        print(f"soak: {seconds:.0f} s, demo at {DEMO_SPEED:g}x, kiosk ticking every 50 ms")
        print("   t s   RSS MB   py objects   Qt objs   timers   threads   pending   updates")

        def report() -> None:
            gc.collect()
            t = time.monotonic() - started
            qobjects = len(kiosk.findChildren(QObject))
            timers = len(kiosk.findChildren(QTimer)) + len(service.findChildren(QTimer))
            print(
                f"{t:6.0f} {rss_mb():8.1f} {len(gc.get_objects()):12d} {qobjects:9d}"
                f" {timers:8d} {threading.active_count():9d} {pending_tasks():9d}"
                f" {updates[0]:9d}",
                flush=True,
            )
            if t >= seconds:
                app.quit()

        reporter = QTimer()
        reporter.setInterval(int(REPORT_EVERY_S * 1000))
        reporter.timeout.connect(report)
        reporter.start()
        service.start()
        report()
        app.exec()
        service.stop()
        store.close()
        kiosk.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
