"""Memory benchmark: the app's processes together, on a 1,000-item board, through a refresh.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/bench/bench_memory.py

Prints figures, asserts nothing. The window does not fetch in its own process: it starts a
fetch worker process (`app.services.fetch_process`), so the memory the app costs is the
window's process plus its worker's. Both are counted here.

The board is the start-up benchmark's 1,000-item board (tests/bench/bench_startup.py): 800
cctray pipelines × 5 stages (4,000 projects in 8 feeds) and 200 health endpoints, served live
by tests/bench/loopback.py in this process (its own threads; the app's processes are the
ones measured). The store already holds the last known board (one real poll, as `releasable
status` does). Each run starts the real app, `python -m app --board FILE --db COPY`
(offscreen, with a bytecode cache, as an installed app runs), which paints the cached board
and refreshes every item from the live servers; this script samples every process of the app
(the window's and its children) every 50 ms for `WATCH_S` seconds, then ends it (SIGTERM).

Per run: each process's peak RSS (VmHWM from /proc/PID/status), their sum (an upper bound: the
two peaks need not be at the same moment, and pages both map from the same files count twice),
the largest sum of the processes' RSS at one moment, and their PSS at that moment
(/proc/PID/smaps_rollup: shared pages split between the processes that map them). Target
(issue 10): peak RSS ≤ 150 MB with 1,000 items, judged on the sum of the peaks.
"""

from __future__ import annotations

import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_startup import fill_store
from loopback import LoopbackServer, board_toml, feed_documents

ROOT = Path(__file__).resolve().parents[2]
PYTHON = Path(sys.executable)
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
WATCH_S = 8.0  # from the spawn: first paint, the whole refresh, and quiet after it
SAMPLE_S = 0.05
TARGET_MB = 150.0


def _status_kb(pid: int, field: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


def _pss_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            text = (task / "children").read_text().split()
            found.extend(int(t) for t in text)
    except (OSError, ValueError):
        pass
    return found


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        todo.extend(_children(current))
    return pids


def run_once(board: Path, db: Path, folder: Path) -> dict[str, Any]:
    run_db = folder / "run.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{run_db}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(db, run_db)
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_HOME": str(folder / "home" / "config"),  # window settings: not the user's
        "XDG_DATA_HOME": str(folder / "home" / "data"),
        "XDG_CACHE_HOME": str(folder / "home" / "cache"),
        "PYTHONPYCACHEPREFIX": str(folder / "pycache"),
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    app = subprocess.Popen(
        [str(PYTHON), "-m", "app", "--board", str(board), "--db", str(run_db)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    peaks: dict[int, int] = {}  # pid -> its VmHWM, kB (the last seen: it only grows)
    most_rss = (0, 0)  # (sum of RSS, sum of PSS) at the moment RSS summed highest
    processes = 0
    started = time.monotonic()
    while app.poll() is None and time.monotonic() - started < WATCH_S:
        pids = _tree(app.pid)
        processes = max(processes, len(pids))
        rss = 0
        for pid in pids:
            hwm = _status_kb(pid, "VmHWM")
            if hwm is not None:
                peaks[pid] = hwm
            rss += _status_kb(pid, "VmRSS") or 0
        if rss > most_rss[0]:
            most_rss = (rss, sum(_pss_kb(pid) or 0 for pid in pids))
        time.sleep(SAMPLE_S)
    app.send_signal(signal.SIGTERM)
    try:
        app.wait(15)
    except subprocess.TimeoutExpired:
        app.kill()
        app.wait(5)
    window = peaks.get(app.pid, 0)
    others = [kb for pid, kb in peaks.items() if pid != app.pid]
    return {
        "window_mb": window / 1024,
        "worker_mb": sum(others) / 1024,
        "sum_mb": (window + sum(others)) / 1024,
        "rss_mb": most_rss[0] / 1024,
        "pss_mb": most_rss[1] / 1024,
        "processes": processes,
    }


def _row(name: str, values: list[float]) -> str:
    return (
        f"    {name:<36} median {statistics.median(values):6.1f} MB   "
        f"min {min(values):6.1f} MB   max {max(values):6.1f} MB"
    )


def main() -> int:
    print(
        f"Memory of the app's processes (window + fetch worker), 1,000-item board, {RUNS} runs; "
        f"load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} CPUs"
    )
    server = LoopbackServer(feed_documents(800, 5, 8), max_seconds=600).start()
    try:
        with tempfile.TemporaryDirectory(prefix="releasable-memory-") as tmp:
            folder = Path(tmp)
            board = folder / "big.toml"
            board.write_text(board_toml(server.base_url, pipelines=800, feeds=8, environments=200))
            db = folder / "big.db"
            read = fill_store(board, db)
            print(f"  800 pipelines × 5 stages + 200 environments; {read} items in the store")
            run_once(board, db, folder)  # warm-up: file cache, bytecode cache
            runs = [run_once(board, db, folder) for _ in range(RUNS)]
    finally:
        server.stop()
    print(f"  processes seen: {max(r['processes'] for r in runs)} (the window and its worker)")
    print(_row("window process, peak (VmHWM)", [r["window_mb"] for r in runs]))
    print(_row("fetch worker process, peak (VmHWM)", [r["worker_mb"] for r in runs]))
    print(_row("sum of the two peaks", [r["sum_mb"] for r in runs]))
    print(_row("largest RSS of both at one moment", [r["rss_mb"] for r in runs]))
    print(_row("  their PSS at that moment", [r["pss_mb"] for r in runs]))
    total = statistics.median(r["sum_mb"] for r in runs)
    print(
        f"target: peak RSS with 1,000 items ≤ {TARGET_MB:g} MB, window and worker together "
        f"(sum of peaks) -> {'met' if total <= TARGET_MB else 'MISSED'} ({total:.1f} MB median)"
    )
    print(f"  load average at the end {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
