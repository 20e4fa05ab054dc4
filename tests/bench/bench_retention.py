"""The database file's size over months on a wall: a 100-item board, with and without pruning.

A script, not a test (no asserts); run from the project root:

    .venv/bin/python -m tests.bench.bench_retention [--days 730] [--flips 6] [--keep 400]

Simulates `--days` days of a 100-item board: each item changes status `--flips` times a day
(busy CI), 100 polled URLs plus 50 new ones a day stay in the HTTP cache (5 KB answers), and
three reports a week are filed and closed. Once a day the store is pruned with the board's
`history_days` (app/store/retention.py), as the running app does. Prints the file size at
each quarter, for the pruned database and for one that never deletes anything.
"""

from __future__ import annotations

import argparse
import random
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.domain.model import BlockerState, Priority
from app.domain.report import Report
from app.sources.ports import CachedResponse
from app.store.http_cache import HttpValidatorCache
from app.store.outbox import Outbox
from app.store.records import to_db_time
from app.store.retention import prune
from app.store.store import Store

ITEMS = 100
START = datetime(2025, 1, 1, tzinfo=UTC)


def report(key: str, at: datetime) -> Report:
    return Report(
        key=key,
        title="Staging deploys hang after the migration step",
        category="ci-instability",
        priority=Priority.P2,
        body="Team cannot deploy.\n" * 40,
        reporter="Dana",
        board="Payments",
        created_at=at,
    )


def simulate_day(store: Store, day: int, flips: int, rng: random.Random) -> None:
    at = START + timedelta(days=day)
    rows = []
    for item in range(ITEMS):
        for _ in range(flips):
            when = at + timedelta(seconds=rng.uniform(0, 86400))
            status = rng.choice(("passed", "failed"))
            rows.append((f"pipeline:item{item}", status, to_db_time(when), f"run #{day} {status}"))
    rows.sort(key=lambda r: r[2])
    with store.transaction() as db:
        db.conn.executemany(
            "INSERT INTO transitions (item_key, status, at, detail) VALUES (?, ?, ?, ?)", rows
        )
    cache = HttpValidatorCache(store, lambda: at)
    body = bytes(rng.getrandbits(8) for _ in range(5000))
    for url in range(ITEMS):
        cache.remember(f"https://ci.example/item{url}", CachedResponse("e", None, body))
    for n in range(50):
        cache.remember(f"https://ci.example/runs/{day}/{n}", CachedResponse("e", None, body))
    if day % 7 in (1, 3, 5):
        outbox = Outbox(store)
        key = f"rls-{day}"
        outbox.queue_report(report(key, at), tracker_kind="github", now=at)
        outbox.mark_sent(key, url=f"https://t/{key}", ref=str(day), now=at)
        outbox.set_blocker_state(key, BlockerState.CLOSED, at + timedelta(hours=5))


def size_mb(path: Path) -> float:
    total = sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    return total / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--flips", type=int, default=6, help="status changes per item per day")
    parser.add_argument("--keep", type=int, default=400, help="history_days")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        pruned_path, kept_path = Path(tmp) / "pruned.db", Path(tmp) / "kept.db"
        pruned, kept = Store.open(pruned_path), Store.open(kept_path)
        rng_a, rng_b = random.Random(1), random.Random(1)
        print(f"{'day':>5} {'pruned MB':>10} {'never pruned MB':>16}")
        for day in range(args.days):
            simulate_day(pruned, day, args.flips, rng_a)
            simulate_day(kept, day, args.flips, rng_b)
            prune(pruned, START + timedelta(days=day + 1), args.keep)
            if (day + 1) % 91 == 0 or day + 1 in (365, args.days):
                kept.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
                print(f"{day + 1:>5} {size_mb(pruned_path):>10.1f} {size_mb(kept_path):>16.1f}")
        pruned.close()
        kept.close()


if __name__ == "__main__":
    main()
