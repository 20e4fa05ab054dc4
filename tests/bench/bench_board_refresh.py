"""Board refresh benchmark: the real BoardService on a big board; prints figures, asserts nothing.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/bench/bench_board_refresh.py \
        [--all] [--profile]

The board (written as TOML and read by `parse_board`, as the app reads a board file): 100
cctray pipelines × 10 stages = 1,000 projects in 4 feeds (25 pipelines per CI server), plus
200 health endpoints. A loopback server in a separate process (tests/bench/loopback.py: a
fixed pool of threads, ETag + 304, 50 ms added to every request) serves them, so serving
costs no GIL time in the process being measured.

The service is the app's own wiring (`make_board_service` in app/services/board_service.py, as
`app.desktop.run` calls it): `BoardService` with its default
thread pool, a real `HttpClient` whose validator cache is a real `Store` in a temp dir,
`StoreBoard` writing every result. Per run (a fresh store each time):

- first refresh: from `refresh_now()` (the service calls it right after loading the empty
  store) to the first snapshot in which every item has been read;
- second refresh: `refresh_now()` again, to the snapshot in which every item has been read
  again; requests sent and how many were answered 304;
- the GUI event-loop stall: a 1 ms heartbeat QTimer runs throughout; the largest gap between
  two ticks, minus the 1 ms interval, from `start()` to the end of the second refresh.

By default (and in `make bench`) every run is the case the issue 10 targets are for, as the
app runs: the main window attached (`MainWindow.show_snapshot_soon`, as `DesktopBoard` wires
it), fetching in a worker process (`app.services.fetch_process`). The worker process is
started before the clock starts, as the window starts it with the board; its first refresh
also pays for its first connections. `--all` adds, for comparison, the service alone
fetching on its own threads (no window; the 304 figures) and the window fetching on threads.
`--profile` prints where the GUI thread spent its time during one first refresh (cProfile
sees only the thread it runs on, which is the point).

Targets (issue 10): refresh ≤ 0.6 s, stall ≤ 16 ms (with the window attached).
"""

from __future__ import annotations

import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.domain.model import PipelineReading

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from loopback import board_toml, feed_documents, serve_in_subprocess
from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtWidgets import QApplication

from app.config.loader import parse_board
from app.domain.model import BoardSnapshot
from app.services.board_jobs import board_specs, build_jobs
from app.services.board_service import BoardService
from app.services.board_store import StoreBoard
from app.services.fetch_process import FetchProcess
from app.sources.http import HttpClient
from app.store.store import Store

PIPELINES = 100
STAGES = 10
FEEDS = 4
ENVIRONMENTS = 200
LATENCY_S = 0.05
RUNS = 5
TIMEOUT_S = 30.0  # any one wait gives up after this
TARGET_REFRESH_S = 0.6
TARGET_STALL_MS = 16.0


class Heartbeat:
    """A 1 ms timer on the GUI thread; the gaps between its ticks are the event-loop stalls.

    Besides the wall-clock gaps (the issue's figure, which on a loaded machine also holds the
    time the OS gave the CPU to other processes), it keeps the GUI thread's own CPU time at
    each tick: the largest CPU-time gap is the most work the event loop did in one go, which
    does not depend on the machine's load.
    """

    def __init__(self) -> None:
        self.ticks: list[tuple[float, float]] = []
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(1)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        self.ticks.append((time.perf_counter(), time.thread_time()))

    def start(self) -> None:
        self.ticks = []
        self._tick()
        self.timer.start()

    def stop(self) -> tuple[float, float]:
        """(largest wall gap minus the 1 ms interval, largest CPU gap), both in ms."""
        self.timer.stop()
        self._tick()
        pairs = list(zip(self.ticks, self.ticks[1:], strict=False))
        wall = max(b[0] - a[0] for a, b in pairs) * 1000 - 1.0
        cpu = max(b[1] - a[1] for a, b in pairs) * 1000
        return max(0.0, wall), cpu


def idle_stall(ms: int = 1000) -> float:
    """The largest wall gap with nothing to do: what the machine's load alone costs."""
    beat = Heartbeat()
    beat.start()
    settle(ms)
    return beat.stop()[0]


def wait_for(
    service: BoardService, done: Any, started: float, *, label: str
) -> tuple[float, BoardSnapshot]:
    """Run the event loop until `done(snapshot)`; returns (seconds since `started`, snapshot)."""
    loop = QEventLoop()
    found: list[tuple[float, BoardSnapshot]] = []

    def on_snapshot(snap: BoardSnapshot) -> None:
        if not found and done(snap):
            found.append((time.perf_counter() - started, snap))
            loop.quit()

    service.updated.connect(on_snapshot)
    guard = QTimer()
    guard.setSingleShot(True)
    guard.timeout.connect(loop.quit)
    guard.start(int(TIMEOUT_S * 1000))
    loop.exec()
    guard.stop()
    service.updated.disconnect(on_snapshot)
    if not found:
        raise SystemExit(f"{label}: not every item was read within {TIMEOUT_S:g} s")
    return found[0]


def all_read_since(when: datetime | None) -> Any:
    def done(snap: BoardSnapshot) -> bool:
        items = (*snap.board.pipelines, *snap.board.environments)
        return all(i.read_at is not None and (when is None or i.read_at >= when) for i in items)

    return done


def settle(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def run_once(
    toml: str, *, window: bool = False, profile: bool = False, process: bool = False
) -> dict[str, Any]:
    cfg = parse_board(toml, "bench-board.toml")
    with tempfile.TemporaryDirectory(prefix="releasable-bench-") as tmp:
        store = Store.open(Path(tmp) / "board.db")
        http = HttpClient(cache=store.http_cache)
        specs, jobs = board_specs(cfg), build_jobs(cfg)
        fetcher = FetchProcess(cfg, store.path) if process else None
        if fetcher is not None:
            fetcher.start()  # as the window's service does when it starts
        service = BoardService(cfg.name, specs, jobs, StoreBoard(store), http, fetcher=fetcher)
        shown = None
        if window:
            from app.ui.window.main_window import MainWindow

            shown = MainWindow(persist=False)
            shown.resize(1600, 1000)
            shown.show()
            service.updated.connect(shown.show_snapshot_soon)
            settle(200)
        beat = Heartbeat()
        marks: dict[str, float] = {}
        service.loaded.connect(lambda: marks.setdefault("refresh", time.perf_counter()))
        profiler = cProfile.Profile() if profile else None

        beat.start()
        if profiler:
            profiler.enable()
        cpu_start = time.process_time()
        service.start()
        t_start = time.perf_counter()
        _, snap1 = wait_for(service, all_read_since(None), t_start, label="first refresh")
        first_s = time.perf_counter() - marks.get("refresh", t_start)
        process_cpu_s = time.process_time() - cpu_start
        if profiler:
            profiler.disable()
        sent1 = http.requests_sent
        settle(300)  # let the last coalesced snapshot and verdict write go by

        sent0, nm0 = http.requests_sent, http.not_modified
        since = datetime.now(UTC)
        t2 = time.perf_counter()
        service.refresh_now()
        second_s, snap2 = wait_for(service, all_read_since(since), t2, label="second refresh")
        stall_ms, cpu_ms = beat.stop()
        sent2, nm2 = http.requests_sent - sent0, http.not_modified - nm0

        errors = sum(1 for i in (*snap2.board.pipelines, *snap2.board.environments) if i.error)
        stages = sum(
            len(p.reading.stages)
            for p in snap1.board.pipelines
            if isinstance(p.reading, PipelineReading)
        )
        service.stop()
        if shown is not None:
            shown.close()
            shown.deleteLater()
        service.deleteLater()
        settle(50)
        store.close()
    return {
        "first_s": first_s,
        "second_s": second_s,
        "sent1": sent1,
        "sent2": sent2,
        "not_modified2": nm2,
        "conditional2": len([j for j in jobs if j.id.startswith("cctray:")]),
        "stall_ms": stall_ms,
        "cpu_ms": cpu_ms,
        "process_cpu_s": process_cpu_s,
        "idle_ms": idle_stall(),
        "errors": errors,
        "stages": stages,
        "items": len(specs),
        "jobs": len(jobs),
        "verdict": snap2.verdict.state.headline,
        "profile": profiler,
    }


def _row(name: str, values: list[float], unit: str, fmt: str = "{:7.1f}") -> str:
    med, best, worst = statistics.median(values), min(values), max(values)
    return (
        f"  {name:<26} median {fmt.format(med)} {unit:<3} min {fmt.format(best)} {unit:<3}"
        f" max {fmt.format(worst)} {unit}"
    )


def _print_runs(label: str, runs: list[dict[str, Any]]) -> None:
    print(f"{label}, {len(runs)} runs (fresh store each):")
    print(_row("first refresh", [r["first_s"] * 1000 for r in runs], "ms"))
    print(_row("second refresh", [r["second_s"] * 1000 for r in runs], "ms"))
    print(_row("CPU, all threads, 1st", [r["process_cpu_s"] * 1000 for r in runs], "ms"))
    print(_row("max GUI stall", [r["stall_ms"] for r in runs], "ms"))
    print(_row("  same, idle (1 s, no work)", [r["idle_ms"] for r in runs], "ms"))
    print(_row("max GUI CPU in one go", [r["cpu_ms"] for r in runs], "ms"))


def _verdict(value: float, target: float) -> str:
    return "met" if value <= target else "MISSED"


def main() -> int:
    profile = "--profile" in sys.argv
    extra = "--all" in sys.argv
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert app is not None
    documents = feed_documents(PIPELINES, STAGES, FEEDS)
    feed_kb = sum(len(d.body) for d in documents.values()) / 1024
    with serve_in_subprocess(documents, latency_s=LATENCY_S, max_seconds=900) as base:
        toml = board_toml(base, pipelines=PIPELINES, feeds=FEEDS, environments=ENVIRONMENTS)
        print(
            f"Board refresh: {PIPELINES} cctray pipelines × {STAGES} stages = "
            f"{PIPELINES * STAGES:,} projects in {FEEDS} feeds ({feed_kb:.0f} KB), "
            f"{ENVIRONMENTS} health endpoints;"
        )
        print(
            f"  loopback server in its own process, {LATENCY_S * 1000:.0f} ms added per request;"
            f" load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} CPUs"
        )
        run_once(toml, window=True, process=True)  # warm-up: imports, first connections, paths
        runs = [run_once(toml, window=True, process=True) for _ in range(RUNS)]
        r0 = runs[0]
        print(
            f"  {r0['items']} items ({r0['stages']:,} stages read), {r0['jobs']} poll jobs, "
            f"verdict {r0['verdict']}, items in error after refresh: "
            f"{max(r['errors'] for r in runs)}"
        )
        _print_runs(
            "the main window drawing every snapshot, fetching in the worker process (as the app)",
            runs,
        )
        first = statistics.median(r["first_s"] for r in runs)
        second = statistics.median(r["second_s"] for r in runs)
        stall = statistics.median(r["stall_ms"] for r in runs)
        worst_stall = max(r["stall_ms"] for r in runs)
        print(
            f"  targets (issue 10, medians): refresh ≤ {TARGET_REFRESH_S} s -> first "
            f"{first * 1000:.0f} ms {_verdict(first, TARGET_REFRESH_S)}, second "
            f"{second * 1000:.0f} ms {_verdict(second, TARGET_REFRESH_S)}; GUI stall ≤ "
            f"{TARGET_STALL_MS:g} ms with the window attached -> {stall:.1f} ms "
            f"{_verdict(stall, TARGET_STALL_MS)} (worst run {worst_stall:.1f} ms)"
        )
        if extra:
            service = [run_once(toml) for _ in range(RUNS)]
            _print_runs("for comparison: the service alone on threads, no window", service)
            s0 = service[0]
            sent1, sent2, nm2 = s0["sent1"], s0["sent2"], s0["not_modified2"]
            print(
                f"  requests sent              first {sent1}, second {sent2}; 304 on the second: "
                f"{nm2}/{sent2} = {nm2 / sent2:.0%} of all requests "
                f"({nm2}/{s0['conditional2']} of the conditional ones: health checks "
                f"are never conditional, by design)"
            )
            threads = [run_once(toml, window=True) for _ in range(3)]
            _print_runs("for comparison: the main window, fetching on threads", threads)
        if profile:
            prof = run_once(toml, window=True, process=True, profile=True)["profile"]
            print("GUI thread during one first refresh (cProfile, cumulative):")
            pstats.Stats(prof, stream=sys.stdout).sort_stats("cumulative").print_stats(25)
    return 0


if __name__ == "__main__":
    sys.exit(main())
