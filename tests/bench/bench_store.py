"""Timings of the store at board scale: 1,200 items with a year of history.

A script, not a test (no asserts); run from the project root:

    .venv/bin/python -m tests.bench.bench_store [--per-day N] [--keep DIR]

It builds a database in a temporary directory (history is bulk-inserted, then the store's
own methods are timed) and prints one line per operation.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from app.domain.model import (
    EnvironmentReading,
    Health,
    ItemKind,
    Outcome,
    PipelineReading,
    Stage,
    StageStatus,
    VerdictState,
)
from app.sources.ports import CachedResponse
from app.store import BOARD_KEY, Store
from app.store.records import to_db_time

ITEMS = 1200
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def timed(label: str, fn: Callable[[], Any], repeat: int = 5) -> Any:
    best = float("inf")
    result: Any = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    size = f" ({len(result):,} rows)" if hasattr(result, "__len__") else ""
    print(f"{label:<52} {best * 1000:9.2f} ms{size}")
    return result


def pipeline(i: int, outcome: Outcome) -> PipelineReading:
    stages = tuple(
        Stage(f"stage-{s}", StageStatus.PASSED, started_at=NOW, duration_s=12.5, url="https://ci/")
        for s in range(8)
    )
    return PipelineReading(stages=stages, outcome=outcome, completed_at=NOW, label=str(i))


def keys() -> list[tuple[str, ItemKind, str]]:
    out = []
    for i in range(ITEMS):
        kind = ItemKind.PIPELINE if i % 3 else ItemKind.ENVIRONMENT
        out.append((f"{kind.value}:item{i}", kind, f"item{i}"))
    return out


def fill_history(store: Store, per_day: float) -> int:
    """Bulk-insert a year of transitions (status flips at random times)."""
    rng = random.Random(7)
    start = NOW - timedelta(days=365)
    total = int(ITEMS * 365 * per_day)
    all_keys = [k for k, _, _ in keys()]
    rows = []
    for _ in range(total):
        at = start + timedelta(seconds=rng.uniform(0, 365 * 86400))
        rows.append((rng.choice(all_keys), rng.choice(("passed", "failed")), to_db_time(at), ""))
    rows.sort(key=lambda r: r[2])
    with store.transaction() as db:
        db.conn.executemany(
            "INSERT INTO transitions (item_key, status, at, detail) VALUES (?, ?, ?, ?)", rows
        )
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-day", type=float, default=2.0, help="transitions/item/day")
    parser.add_argument("--keep", type=Path, help="build the database in DIR and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = (args.keep or Path(tmp)) / "releasable.db"
        store = Store.open(path)
        items = keys()
        started = time.perf_counter()
        total = fill_history(store, args.per_day)
        print(f"bulk-inserted {total:,} transitions in {time.perf_counter() - started:.1f} s")

        def poll(outcome: Outcome) -> list[bool]:
            changed = []
            for i, (key, kind, name) in enumerate(items):
                reading = (
                    pipeline(i, outcome)
                    if kind is ItemKind.PIPELINE
                    else EnvironmentReading(Health.UP, latency_ms=20.0, http_status=200)
                )
                changed.append(store.record_reading(key, kind, name, reading, NOW))
            return changed

        timed("record_reading x1200 (first poll)", lambda: poll(Outcome.PASSED), repeat=1)
        timed("record_reading x1200 (no change)", lambda: poll(Outcome.PASSED), repeat=3)
        timed(
            "record_error x1200",
            lambda: [store.record_error(k, kind, n, "timed out", NOW) for k, kind, n in items],  # type: ignore[func-returns-value]
            repeat=3,
        )
        store.close()
        print(f"database size: {path.stat().st_size / 1e6:.1f} MB")

        store = timed("Store.open (with quick_check)", lambda: Store.open(path), repeat=1)
        store.close()
        store = timed(
            "Store.open (no integrity check)",
            lambda: Store.open(path, check_integrity=False),
            repeat=1,
        )
        timed("load_items", store.load_items)
        since = NOW - timedelta(days=30)
        timed("transitions(30 days), all items", lambda: store.transitions(since))
        timed(
            "transitions(30 days, item_key)", lambda: store.transitions(since, item_key=items[5][0])
        )
        timed("transitions(30 days, board)", lambda: store.transitions(since, item_key=BOARD_KEY))
        timed("status_before x1200", lambda: [store.status_before(k, since) for k, _, _ in items])
        timed(
            "record_verdict (unchanged)",
            lambda: [store.record_verdict(VerdictState.RELEASABLE, NOW)],
        )
        timed("verdict_since", lambda: [store.verdict_since()])
        body = b"x" * 50_000
        cache = store.http_cache
        timed(
            "http_cache.remember x100 (50 KB bodies)",
            lambda: [
                cache.remember(f"https://ci.example/{i}", CachedResponse("e", None, body))
                for i in range(100)
            ],
            repeat=3,
        )
        urls = [f"https://ci.example/{i}" for i in range(100)]
        timed("http_cache.lookup x100", lambda: [cache.lookup(url) for url in urls])
        cut = NOW - timedelta(days=335)
        timed("prune_transitions(first month)", lambda: [store.prune_transitions(cut)], repeat=1)
        store.close()


if __name__ == "__main__":
    main()
