"""Timings of the history figures on a year of history: 1,200 items plus the board's verdict.

A script, not a test (no asserts); run from the project root:

    .venv/bin/python -m tests.bench.bench_history [--per-day N] [--runs N] [--keep DIR]

It builds a real store in a temporary directory (transitions and blockers are bulk-inserted),
then times the history figures end to end (query + compute, median of several runs) for each
window, the way the history view loads them: the board's own rows only (`item_key="board"`).
For comparison it also times the same 30-day figures computed from a query over all items.
Target: 30-day figures <= 20 ms.
"""

from __future__ import annotations

import argparse
import functools
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from app.domain.history import (
    Window,
    compute_figures,
    load_figures,
)
from app.domain.model import Blocker, VerdictState
from app.domain.triage import CATEGORIES
from app.store import BOARD_KEY, Store
from app.store.outbox import Outbox, _blocker
from app.store.records import to_db_time

ITEMS = 1200
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
YEAR_S = 365 * 86400
TARGET_MS = 20.0


@dataclass
class Timing:
    wall_ms: float  # median wall time
    cpu_ms: float  # median CPU time of this process (less sensitive to a busy machine)
    result: Any


def timed(fn: Callable[[], Any], runs: int) -> Timing:
    walls, cpus = [], []
    result: Any = None
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return Timing(statistics.median(walls), statistics.median(cpus), result)


def show(label: str, timing: Timing, note: str = "") -> None:
    print(f"{label:<62} {timing.wall_ms:8.2f} ms wall {timing.cpu_ms:8.2f} ms CPU  {note}")


def fill(store: Store, per_day: float, board_per_day: float, blockers: int) -> tuple[int, int]:
    """Bulk-insert a year of item and board transitions and some blockers."""
    rng = random.Random(11)
    start = NOW - timedelta(days=365)
    keys = [f"{'pipeline' if i % 3 else 'environment'}:item{i}" for i in range(ITEMS)]
    rows = [
        (
            rng.choice(keys),
            rng.choice(("passed", "failed", "up", "down", "unknown")),
            to_db_time(start + timedelta(seconds=rng.uniform(0, YEAR_S))),
            "",
        )
        for _ in range(int(ITEMS * 365 * per_day))
    ]
    board_times = sorted(rng.uniform(0, YEAR_S) for _ in range(int(365 * board_per_day)))
    releasable = True
    for offset in board_times:
        releasable = not releasable
        state = VerdictState.RELEASABLE
        if not releasable:
            state = VerdictState.UNKNOWN if rng.random() < 0.3 else VerdictState.NOT_RELEASABLE
        at = to_db_time(start + timedelta(seconds=offset))
        rows.append((BOARD_KEY, state.value, at, "verdict"))
    rows.sort(key=lambda r: r[2])
    blocker_rows = []
    for n in range(blockers):
        opened = start + timedelta(seconds=rng.uniform(0, YEAR_S))
        closed = opened + timedelta(hours=rng.expovariate(1 / 6))
        still_open = closed > NOW
        blocker_rows.append(
            (
                f"b{n}",
                f"blocker {n}",
                rng.choice(CATEGORIES).value,
                "P1",
                to_db_time(opened),
                "open" if still_open else "closed",
                None if still_open else to_db_time(closed),
            )
        )
    with store.transaction() as db:
        db.conn.executemany(
            "INSERT INTO transitions (item_key, status, at, detail) VALUES (?, ?, ?, ?)", rows
        )
        db.conn.executemany(
            "INSERT INTO blockers (key, title, category, priority, opened_at, state, closed_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            blocker_rows,
        )
    return len(rows), len(board_times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-day", type=float, default=2.0, help="transitions/item/day")
    parser.add_argument("--board-per-day", type=float, default=12.0, help="verdict changes/day")
    parser.add_argument("--blockers", type=int, default=400, help="blockers in the year")
    parser.add_argument("--runs", type=int, default=15, help="runs per timing (median)")
    parser.add_argument("--keep", type=Path, help="build the database in DIR and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = (args.keep or Path(tmp)) / "releasable.db"
        if not path.exists():
            store = Store.open(path)
            started = time.perf_counter()
            total, board = fill(store, args.per_day, args.board_per_day, args.blockers)
            print(
                f"bulk-inserted {total:,} transitions ({board:,} of the board verdict) and "
                f"{args.blockers} blockers in {time.perf_counter() - started:.1f} s"
            )
            store.close()
        print(f"database {path.stat().st_size / 1e6:.0f} MB")
        store = Store.open(path, check_integrity=False)
        outbox = Outbox(store)

        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; medians of runs")

        def figures(window: Window) -> Any:
            return load_figures(window, NOW, store, outbox.blockers(open_only=False))

        results = {}
        for window in Window:
            t = timed(functools.partial(figures, window), args.runs)
            results[window] = t
            note = f"({len(t.result.segments)} segments, {len(t.result.restores)} restores)"
            show(f"{window.words} figures (board rows + all blockers)", t, note)

        start = NOW - Window.MONTH.duration
        t = timed(lambda: store.transitions(start, NOW, item_key=BOARD_KEY), args.runs)
        show("  part: transitions(30 d, item_key='board')", t, f"({len(t.result):,} rows)")
        t = timed(lambda: outbox.blockers(open_only=False), args.runs)
        blockers = t.result
        show("  part: Outbox.blockers(open_only=False)", t, f"({len(blockers):,} rows)")
        changes = [(r.status, r.at) for r in store.transitions(start, NOW, item_key=BOARD_KEY)]
        before = store.status_before(BOARD_KEY, start)
        t = timed(lambda: compute_figures(changes, before, start, NOW, blockers), args.runs)
        show("  part: compute_figures", t)

        def filed_since(since: datetime) -> list[Blocker]:
            # What a window-filtered Outbox query would cost (not in app.store.outbox yet).
            sql = "SELECT * FROM blockers WHERE opened_at >= ? ORDER BY opened_at, key"
            return [_blocker(r) for r in outbox._rows(sql, [to_db_time(since)])]

        t = timed(lambda: load_figures(Window.MONTH, NOW, store, filed_since(start)), args.runs)
        show("last 30 days figures (board rows + blockers filed in window)", t)

        def from_all_items() -> int:
            every = store.transitions(start, NOW)
            changes = [(t.status, t.at) for t in every if t.item_key == BOARD_KEY]
            before = store.status_before(BOARD_KEY, start)
            compute_figures(changes, before, start, NOW, blockers, window=Window.MONTH)
            return len(every)

        t = timed(from_all_items, max(3, args.runs // 5))
        show("last 30 days figures from an all-items query (comparison)", t, f"({t.result:,} rows)")
        month = results[Window.MONTH].wall_ms
        verdict = "meets" if month <= TARGET_MS else "MISSES"
        print(
            f"30-day figures as wired: {month:.2f} ms wall, {verdict} the {TARGET_MS:.0f} ms target"
        )
        store.close()


if __name__ == "__main__":
    main()
