"""Old data is deleted and the file gives the space back: retention over a real SQLite file."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlite_utils
from pytestqt.qtbot import QtBot

from app.domain.model import BlockerState, ItemKind, Outcome, PipelineReading
from app.services.maintenance import Maintenance
from app.sources.ports import CachedResponse
from app.store.outbox import Outbox
from app.store.retention import prune
from app.store.schema import AUTO_VACUUM_INCREMENTAL, migrate
from app.store.store import Store
from tests.unit.test_outbox_store import make_report

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
OLD = NOW - timedelta(days=500)
RECENT = NOW - timedelta(days=10)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "releasable.db") as s:
        yield s


def reading(outcome: Outcome) -> PipelineReading:
    return PipelineReading(stages=(), outcome=outcome, completed_at=OLD, label="1")


def fill(store: Store) -> None:
    """A flip every day for 500 days, an old and a new cached answer, old and new reports."""
    for day in range(500):
        outcome = Outcome.PASSED if day % 2 else Outcome.FAILED
        at = OLD + timedelta(days=day)
        store.record_reading("pipeline:api", ItemKind.PIPELINE, "api", reading(outcome), at)
    now = [OLD]
    cache = type(store.http_cache)(store, lambda: now[0])
    cache.remember("https://ci.example/old", CachedResponse("1", None, b"x" * 10_000))
    now[0] = NOW - timedelta(days=1)
    cache.remember("https://ci.example/new", CachedResponse("2", None, b"y"))
    outbox = Outbox(store)
    reports = (("rls-old", OLD, True), ("rls-open", OLD, False), ("rls-new", RECENT, True))
    for key, when, closed in reports:
        outbox.queue_report(make_report(key=key, created_at=when), tracker_kind="github", now=when)
        outbox.mark_sent(key, url=f"https://t/{key}", ref="1", now=when)
        if closed:
            outbox.set_blocker_state(key, BlockerState.CLOSED, when)


def test_a_new_database_gives_freed_pages_back(store: Store) -> None:
    assert store.db.execute("PRAGMA auto_vacuum").fetchone()[0] == AUTO_VACUUM_INCREMENTAL


def test_an_older_file_is_converted_once_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    migrate(sqlite_utils.Database(conn))  # tables made without auto_vacuum, as before
    assert conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 0
    conn.close()
    with Store.open(path) as store:
        assert store.db.execute("PRAGMA auto_vacuum").fetchone()[0] == AUTO_VACUUM_INCREMENTAL


def test_prune_deletes_what_is_older_than_the_history_period(store: Store) -> None:
    fill(store)
    result = prune(store, NOW, keep_days=400)
    assert result.transitions == 99  # 100 days before the cut; the last one before it stays
    kept = store.transitions(NOW - timedelta(days=1000), item_key="pipeline:api")
    assert len(kept) == 401
    assert kept[0].at < NOW - timedelta(days=400) <= kept[1].at
    assert result.http_cache == 1  # cached answers go after a week without a refresh
    assert store.http_cache.lookup("https://ci.example/old") is None
    assert store.http_cache.lookup("https://ci.example/new") is not None
    outbox = Outbox(store)
    # A delivered report whose blocker is still open is kept; so is everything recent.
    assert {i.key for i in outbox.items()} == {"rls-open", "rls-new"}
    assert {b.key for b in outbox.blockers(open_only=False)} == {"rls-open", "rls-new"}
    assert (result.outbox, result.blockers) == (1, 1)
    assert prune(store, NOW, keep_days=400).rows == 0  # nothing more to do


def test_the_file_shrinks_after_pruning(tmp_path: Path) -> None:
    path = tmp_path / "releasable.db"
    with Store.open(path) as store:
        with store.transaction() as db:
            db.conn.executemany(
                "INSERT INTO transitions (item_key, status, at, detail) VALUES (?, ?, ?, ?)",
                [
                    (
                        f"pipeline:{i % 100}",
                        "passed",
                        f"2024-01-01T00:00:{i % 60:02d}.000000+00:00",
                        "x" * 200,
                    )
                    for i in range(20_000)
                ],
            )
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        before = path.stat().st_size
        result = prune(store, NOW, keep_days=400)
        assert result.freed_pages > 0
        assert path.stat().st_size < before / 4


def test_maintenance_prunes_off_the_gui_thread_with_the_boards_period(
    qtbot: QtBot, store: Store
) -> None:
    fill(store)
    maintenance = Maintenance(store, 30, first_ms=0, clock=lambda: NOW)
    with qtbot.waitSignal(maintenance.pruned, timeout=10_000) as done:
        maintenance.start()
    maintenance.stop()
    assert done.args[0].transitions == 469  # 500 days, less the last 30 and the one at the cut
    assert store.http_cache.lookup("https://ci.example/new") is not None
