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
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from app.domain.history import (
    Window,
    compute_figures,
    load_figures,
    lookback_start,
)
from app.domain.model import VerdictState
from app.domain.triage import CATEGORIES
from app.store import BOARD_KEY, Store
from app.store.outbox import Outbox
from app.store.records import to_db_time

ITEMS = 1200
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
YEAR_S = 365 * 86400
TARGET_MS = 20.0


def median_ms(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    """Median wall time of `runs` calls, in ms, and the last result."""
    times = []
    result: Any = None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


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

        def figures(window: Window) -> Any:
            return load_figures(window, NOW, store, outbox.blockers(open_only=False))

        results = {}
        for window in Window:
            ms, result = median_ms(lambda w=window: figures(w), args.runs)
            results[window] = ms
            print(
                f"{window.words + ' figures, board rows (query+compute)':<58} {ms:8.2f} ms "
                f"({len(result.segments)} segments, {len(result.restores)} restores)"
            )

        start = NOW - Window.MONTH.duration
        since = lookback_start(Window.MONTH, start)
        ms, rows = median_ms(lambda: store.transitions(since, NOW, item_key=BOARD_KEY), args.runs)
        print(f"{'  of which transitions(60 d lookback, board)':<58} {ms:8.2f} ms ({len(rows):,})")
        ms, blockers = median_ms(lambda: outbox.blockers(open_only=False), args.runs)
        print(f"{'  of which blockers(all)':<58} {ms:8.2f} ms ({len(blockers):,})")

        def from_all_items() -> tuple[Any, int]:
            every = store.transitions(start, NOW)
            changes = [(t.status, t.at) for t in every if t.item_key == BOARD_KEY]
            before = store.status_before(BOARD_KEY, start)
            figures = compute_figures(changes, before, start, NOW, blockers, window=Window.MONTH)
            return figures, len(every)

        ms, (_, count) = median_ms(from_all_items, max(3, args.runs // 3))
        label = "last 30 days figures, all-items query (for comparison)"
        print(f"{label:<58} {ms:8.2f} ms ({count:,} rows read)")
        verdict = "meets" if results[Window.MONTH] <= TARGET_MS else "MISSES"
        month = results[Window.MONTH]
        print(f"30-day figures: {month:.2f} ms, {verdict} the {TARGET_MS:.0f} ms target")
        store.close()


if __name__ == "__main__":
    main()
