"""Fleet benchmark: 100 teams × 10 items, from a new process to the first painted platform view.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/bench/bench_fleet.py

Prints figures, asserts nothing. The fleet: 100 board files by path, each 8 cctray pipelines
(one feed shared by every team, 5 stages each) and 2 health checks. Each team's store already
holds its last known state (one real poll from tests/bench/loopback.py, as `status --fleet`
does); then every board file is pointed at a dead loopback port, so no fetch succeeds and what
is measured is the cached fleet appearing.

Each run starts this script again as a child (`--child`), which opens `FleetService` and
`FleetWindow` at 1920×1080 exactly as `releasable --fleet` does. It notes the first paint of
the team list once every team shows its stored verdict (time since the process started, from
/proc; peak RSS, VmHWM), then scrolls the list a wheel step at a time and a page at a time,
timing each synchronous repaint of the list. The machine is shared (2 cores, 8 workers): every
figure is given as min and median over the runs, with the load average. Targets (issue 10):
first paint ≤ 1.0 s, peak RSS ≤ 150 MB, a scroll repaint ≤ 16 ms.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

TEAMS = 100
RUNS = 5
TARGET_PAINT_S = 1.0
TARGET_RSS_MB = 150.0
TARGET_SCROLL_MS = 16.0
SETTLE_MS = 4000  # the first refresh of 100 teams (300 reads) is over by then
_LOOPBACK_URL = re.compile(r"http://127\.0\.0\.1:\d+")


def prepare(folder: Path) -> tuple[Path, Path]:
    """Board files, a fleet file and filled stores; returns (fleet file, store folder)."""
    from loopback import LoopbackServer, board_toml, dead_port, feed_documents

    from app.config.fleet import load_fleet
    from app.services.fleet_boards import poll_fleet_once

    server = LoopbackServer(feed_documents(8, 5, 1), workers=32).start()
    boards = folder / "boards"
    boards.mkdir()
    lines = ['[fleet]\nname = "Bench fleet (100 teams × 10 items)"\n']
    for t in range(TEAMS):
        text = board_toml(server.base_url, pipelines=8, feeds=1, environments=2)
        text = re.sub(r'name = "Bench board[^"]*"', f'name = "Team {t:03d}"', text, count=1)
        (boards / f"team-{t:03d}.toml").write_text(text, encoding="utf-8")
        lines.append(f'[[boards]]\npath = "boards/team-{t:03d}.toml"\n')
    fleet_file = folder / "fleet.toml"
    fleet_file.write_text("\n".join(lines), encoding="utf-8")
    db = folder / "db"
    rows = poll_fleet_once(load_fleet(fleet_file), db)
    server.stop()
    read = sum(1 for r in rows if r.snapshot is not None)
    print(f"prepared {read}/{TEAMS} teams' stores from one poll ({server.requests} requests)")
    dead = f"http://127.0.0.1:{dead_port()}"
    for board in boards.iterdir():
        board.write_text(_LOOPBACK_URL.sub(dead, board.read_text()), encoding="utf-8")
    return fleet_file, db


# --- the child: one start of the fleet window --------------------------------------------------


def child(fleet_file: str, db: str) -> int:
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    from app.config.fleet import load_fleet
    from app.services.fleet_service import FleetService
    from app.ui.fleet.window import FleetWindow
    from tests.entry import peak_rss_mb, seconds_since_process_start

    app = QApplication([])
    fleet = load_fleet(Path(fleet_file))
    service = FleetService(fleet, Path(db), sync_trackers=False)
    window = FleetWindow(fleet.name)
    service.updated.connect(window.show_rows)
    result: dict[str, Any] = {}

    def all_stored() -> bool:
        rows = window.rows
        return len(rows) == TEAMS and all(r.snapshot is not None for r in rows)

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and "paint_s" not in result and all_stored():
                result["paint_s"] = seconds_since_process_start()
                result["rss_mb"] = peak_rss_mb()
                QTimer.singleShot(0, lambda: scroll("busy"))
                QTimer.singleShot(SETTLE_MS, lambda: scroll("settled"))
            return False

    def scroll(when: str) -> None:
        bar = window.list.verticalScrollBar()
        viewport = window.list.viewport()
        wheel: list[float] = []
        page: list[float] = []
        for step, out in ((bar.singleStep() * 3, wheel), (bar.pageStep(), page)):
            bar.setValue(0)
            viewport.repaint()
            for _ in range(40):
                bar.setValue(
                    min(bar.maximum(), bar.value() + step) if bar.value() < bar.maximum() else 0
                )
                started = time.perf_counter()
                viewport.repaint()
                out.append((time.perf_counter() - started) * 1000)
        result[f"wheel_ms_{when}"] = wheel
        result[f"page_ms_{when}"] = page
        if when == "settled":
            result["rss_after_scroll_mb"] = peak_rss_mb()
            print("RESULT " + json.dumps(result), flush=True)
            service.stop()
            app.quit()

    watcher = FirstPaint()
    window.list.viewport().installEventFilter(watcher)
    window.resize(1920, 1080)
    window.show()
    service.start()
    QTimer.singleShot(30_000, app.quit)  # never hang a benchmark
    app.exec()
    return 0 if "paint_s" in result else 1


# --- the parent: runs and figures --------------------------------------------------------------


def run_once(fleet_file: Path, db: Path) -> dict[str, Any] | None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, __file__, "--child", str(fleet_file), str(db)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    wall = time.perf_counter() - started
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
    if line is None:
        print(f"  run failed ({proc.returncode}): {proc.stderr.strip()[-400:]}")
        return None
    result: dict[str, Any] = json.loads(line[len("RESULT ") :])
    result["wall_s"] = wall
    return result


def _figures(name: str, values: list[float], unit: str, target: float) -> str:
    ok = "meets" if statistics.median(values) <= target else "MISSES"
    return (
        f"  {name:<34} min {min(values):8.3f} {unit}  median {statistics.median(values):8.3f} "
        f"{unit}  max {max(values):8.3f} {unit}  ({ok} ≤ {target:g} {unit})"
    )


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        return child(sys.argv[2], sys.argv[3])
    with tempfile.TemporaryDirectory(prefix="bench-fleet-") as tmp:
        fleet_file, db = prepare(Path(tmp))
        run_once(fleet_file, db)  # warm the file cache; not counted
        results = [r for r in (run_once(fleet_file, db) for _ in range(RUNS)) if r]
    if not results:
        print("no run painted the fleet")
        return 1
    load = os.getloadavg()
    print(
        f"fleet of {TEAMS} teams × 10 items, window 1920×1080, {len(results)} runs, "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores"
    )
    print(
        _figures(
            "first paint (since process start)",
            [r["paint_s"] for r in results],
            "s",
            TARGET_PAINT_S,
        )
    )
    print(_figures("peak RSS at first paint", [r["rss_mb"] for r in results], "MB", TARGET_RSS_MB))
    print(
        _figures(
            "peak RSS after scrolling",
            [r["rss_after_scroll_mb"] for r in results],
            "MB",
            TARGET_RSS_MB,
        )
    )
    for when, words in (("busy", "during the first refresh"), ("settled", "after it")):
        wheel = [statistics.median(r[f"wheel_ms_{when}"]) for r in results]
        page = [statistics.median(r[f"page_ms_{when}"]) for r in results]
        worst = [max(r[f"wheel_ms_{when}"] + r[f"page_ms_{when}"]) for r in results]
        print(f"  scroll repaints {words} (40 wheel steps, 40 pages per run):")
        print(_figures("  wheel step, median of a run", wheel, "ms", TARGET_SCROLL_MS))
        print(_figures("  page, median of a run", page, "ms", TARGET_SCROLL_MS))
        print(_figures("  worst of a run", worst, "ms", TARGET_SCROLL_MS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
