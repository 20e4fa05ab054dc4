"""Hand-written SQL against sqlite-utils on the store's hot statements: the figures cited by
the comments in app/store/store.py and app/store/http_cache.py.

A script, not a test (no asserts); run from the project root:

    .venv/bin/python -m tests.bench.bench_store_sql

Prints the best of 5 runs of each statement: a transition insert (inside a poll's
transaction), an HTTP validator lookup (one per GET), and History's read of 20,000
transitions.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from app.store.store import Store

CALLS = 2000
STAMP = "2024-01-01T00:00:00.000000+00:00"


def best(work: Callable[[], object], calls: int = CALLS) -> float:
    """Seconds per call, the best of 5 runs of `work` (which makes `calls` calls)."""
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        work()
        runs.append(time.perf_counter() - start)
    return min(runs) / calls


def main() -> None:
    with tempfile.TemporaryDirectory() as folder, Store.open(Path(folder) / "b.db") as store:
        row = {"item_key": "k", "status": "passed", "at": STAMP, "detail": "d"}

        def raw_insert() -> None:
            with store.transaction() as db:
                for _ in range(CALLS):
                    db.execute(
                        "INSERT INTO transitions (item_key, status, at, detail) "
                        "VALUES (?, ?, ?, ?)",
                        list(row.values()),
                    )

        def utils_insert() -> None:
            with store.transaction() as db:
                table = db.table("transitions")
                for _ in range(CALLS):
                    table.insert(row)

        raw, utils = best(raw_insert) * 1e6, best(utils_insert) * 1e6
        print(f"transition insert: hand-written {raw:.1f} us, sqlite-utils insert {utils:.1f} us")

        with store.transaction() as db:
            db.table("http_cache").insert_all(
                ({"url": f"u{i}", "body": b"x" * 100, "stored_at": STAMP} for i in range(1000)),
                replace=True,
            )
        columns = "etag, last_modified, body, content_type"

        def raw_lookup() -> None:
            with store.connection() as db:
                for i in range(CALLS):
                    db.execute(
                        f"SELECT {columns} FROM http_cache WHERE url = ?", [f"u{i % 1000}"]
                    ).fetchone()

        def utils_lookup() -> None:
            with store.connection() as db:
                table = db.table("http_cache")
                for i in range(CALLS):
                    next(table.rows_where("url = ?", [f"u{i % 1000}"], select=columns), None)

        raw, utils = best(raw_lookup) * 1e6, best(utils_lookup) * 1e6
        print(f"http cache lookup: hand-written {raw:.1f} us, rows_where {utils:.1f} us")

        with store.transaction() as db:
            db.table("transitions").delete_where()  # the inserts above
            db.table("transitions").insert_all(
                {
                    "item_key": f"k{i % 100}",
                    "status": "passed",
                    "at": f"2024-01-01T00:{i % 60:02d}:00.000000+00:00",
                    "detail": "d",
                }
                for i in range(20_000)
            )
        count = store.db.table("transitions").count

        def raw_history() -> None:
            with store.connection() as db:
                db.execute(
                    "SELECT item_key, status, at, detail FROM transitions WHERE at >= ? "
                    "ORDER BY at, id",
                    ["2000"],
                ).fetchall()

        def utils_history() -> None:
            with store.connection() as db:
                rows = db.table("transitions").rows_where(
                    "at >= ?", ["2000"], order_by="at, id", select="item_key, status, at, detail"
                )
                list(rows)

        raw, utils = best(raw_history, 1) * 1e3, best(utils_history, 1) * 1e3
        print(
            f"History read of {count:,} transitions: hand-written tuples {raw:.1f} ms, "
            f"sqlite-utils rows_where dicts {utils:.1f} ms"
        )


if __name__ == "__main__":
    main()
