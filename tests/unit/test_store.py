"""The store against real SQLite files: items, transitions, the verdict, the HTTP cache."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

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
from app.sources.http import HttpClient
from app.sources.ports import CachedResponse, ValidatorCache
from app.store import BOARD_KEY, Store, StoredItem, Transition, default_path, to_observed

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
API = "pipeline:api"
STAGING = "environment:staging"


def passed(label: str = "41") -> PipelineReading:
    return PipelineReading(
        stages=(Stage("build", StageStatus.PASSED), Stage("test", StageStatus.PASSED)),
        outcome=Outcome.PASSED,
        completed_at=T0,
        label=label,
    )


def failed(label: str = "42") -> PipelineReading:
    return PipelineReading(
        stages=(Stage("build", StageStatus.PASSED), Stage("test", StageStatus.FAILED)),
        outcome=Outcome.FAILED,
        failed_stage="test",
        label=label,
    )


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "releasable.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    with Store.open(db_path) as opened:
        yield opened


def test_open_creates_parent_dirs_and_uses_wal(db_path: Path) -> None:
    with Store.open(db_path) as store:
        assert db_path.exists()
        assert store.db.journal_mode == "wal"
        assert store.db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
        assert store.db.execute("PRAGMA busy_timeout").fetchone()[0] > 0


def test_opening_a_store_writes_nothing_to_it(db_path: Path) -> None:
    """Opening checks that the file can be written without committing a write: a commit
    syncs the new WAL to disk (10 ms a store), and a fleet opens a hundred before it paints."""
    with Store.open(db_path) as store:
        store.record_reading(API, ItemKind.PIPELINE, "api", passed(), T0)
    wal = db_path.with_name(db_path.name + "-wal")
    assert not wal.exists()  # the last close checkpointed it away
    with Store.open(db_path, check_integrity=False) as store:
        assert wal.stat().st_size == 0  # read in WAL mode, nothing written
        assert API in store.load_items()


def test_default_path_is_in_the_user_data_dir(tmp_path: Path) -> None:
    path = default_path()
    assert path.name == "releasable.db"
    assert "releasable" in path.parent.parts


def test_first_reading_records_a_transition(store: Store) -> None:
    assert store.record_reading(API, ItemKind.PIPELINE, "api", passed(), at(0)) is True
    assert store.transitions(at(-1)) == [Transition(API, "passed", at(0), "run 41")]
    item = store.load_items()[API]
    assert item.status == "passed"
    assert item.status_since == at(0)


def test_transitions_only_on_status_change(store: Store) -> None:
    results = [
        store.record_reading(API, ItemKind.PIPELINE, "api", passed("1"), at(0)),
        store.record_reading(API, ItemKind.PIPELINE, "api", passed("2"), at(1)),
        store.record_reading(API, ItemKind.PIPELINE, "api", passed("3"), at(2)),
        store.record_reading(API, ItemKind.PIPELINE, "api", failed("4"), at(3)),
        store.record_reading(API, ItemKind.PIPELINE, "api", failed("5"), at(4)),
        store.record_reading(API, ItemKind.PIPELINE, "api", passed("6"), at(5)),
    ]
    assert results == [True, False, False, True, False, True]
    got = [(t.status, t.at) for t in store.transitions(at(-1))]
    assert got == [("passed", at(0)), ("failed", at(3)), ("passed", at(5))]
    assert store.transitions(at(-1))[1].detail == "run 4; failed at test"
    item = store.load_items()[API]
    assert item.status_since == at(5)
    assert item.read_at == at(5)
    assert item.reading == passed("6")


def test_environment_status_is_its_health(store: Store) -> None:
    up = EnvironmentReading(Health.UP, latency_ms=30.0, http_status=200)
    down = EnvironmentReading(Health.DOWN, http_status=503, detail="actuator status DOWN")
    assert store.record_reading(STAGING, ItemKind.ENVIRONMENT, "staging", up, at(0))
    assert not store.record_reading(STAGING, ItemKind.ENVIRONMENT, "staging", up, at(1))
    assert store.record_reading(STAGING, ItemKind.ENVIRONMENT, "staging", down, at(2))
    assert [t.status for t in store.transitions(at(-1), item_key=STAGING)] == ["up", "down"]
    assert store.transitions(at(-1))[-1].detail == "actuator status DOWN"


def test_error_keeps_the_last_good_reading(store: Store) -> None:
    store.record_reading(API, ItemKind.PIPELINE, "api", passed(), at(0))
    until = at(30)
    store.record_error(
        API, ItemKind.PIPELINE, "api", "rate-limited until 12:30 (429)", at(5), until
    )
    item = store.load_items()[API]
    assert item.reading == passed()
    assert item.read_at == at(0)
    assert item.error == "rate-limited until 12:30 (429)"
    assert item.error_at == at(5)
    assert item.rate_limited_until == until
    assert item.status == "passed"
    assert item.status_since == at(0)
    assert len(store.transitions(at(-1))) == 1  # an error is not a status change


def test_good_reading_clears_error_and_rate_limit(store: Store) -> None:
    store.record_reading(API, ItemKind.PIPELINE, "api", passed(), at(0))
    store.record_error(API, ItemKind.PIPELINE, "api", "timed out", at(1), at(10))
    store.record_reading(API, ItemKind.PIPELINE, "api", passed(), at(11))
    item = store.load_items()[API]
    assert (item.error, item.error_at, item.rate_limited_until) == (None, None, None)
    assert item.read_at == at(11)


def test_error_on_a_new_item_records_unknown(store: Store) -> None:
    store.record_error(API, ItemKind.PIPELINE, "api", "connection refused by ci", at(0))
    item = store.load_items()[API]
    assert item.reading is None and item.read_at is None
    assert item.status == "unknown" and item.status_since == at(0)
    assert store.transitions(at(-1)) == [
        Transition(API, "unknown", at(0), "connection refused by ci")
    ]
    assert store.record_reading(API, ItemKind.PIPELINE, "api", passed(), at(1)) is True


def test_stored_item_becomes_observed_with_board_config(store: Store) -> None:
    store.record_reading(API, ItemKind.PIPELINE, "api", failed(), at(0))
    store.record_error(API, ItemKind.PIPELINE, "api", "timed out", at(2))
    stored = store.load_items()[API]
    observed = to_observed(stored, delivery_path=False, stale_after_s=60.0, degraded_ok=True)
    assert observed.key == API and observed.kind is ItemKind.PIPELINE and observed.name == "api"
    assert observed.reading == failed()
    assert observed.read_at == at(0) and observed.status_since == at(0)
    assert observed.error == "timed out" and observed.error_at == at(2)
    assert (observed.delivery_path, observed.stale_after_s, observed.degraded_ok) == (
        False,
        60.0,
        True,
    )
    assert observed.status_word == stored.status


def test_forget_items_keeps_their_history(store: Store) -> None:
    store.record_reading(API, ItemKind.PIPELINE, "api", passed(), at(0))
    store.record_reading(
        STAGING, ItemKind.ENVIRONMENT, "staging", EnvironmentReading(Health.UP), at(0)
    )
    assert store.forget_items([STAGING]) == 1
    assert set(store.load_items()) == {STAGING}
    assert [t.item_key for t in store.transitions(at(-1), item_key=API)] == [API]


def test_verdict_recorded_only_on_change(store: Store) -> None:
    assert store.verdict_since() is None
    assert store.record_verdict(VerdictState.UNKNOWN, at(0)) == at(0)
    assert store.record_verdict(VerdictState.RELEASABLE, at(1)) == at(1)
    assert store.record_verdict(VerdictState.RELEASABLE, at(2)) == at(1)
    assert store.record_verdict(VerdictState.RELEASABLE, at(3)) == at(1)
    assert store.verdict_since() == at(1)
    assert store.record_verdict(VerdictState.NOT_RELEASABLE, at(4), "api failed") == at(4)
    board = store.transitions(at(-1), item_key=BOARD_KEY)
    assert [(t.status, t.at) for t in board] == [
        ("unknown", at(0)),
        ("releasable", at(1)),
        ("not-releasable", at(4)),
    ]
    assert board[-1].detail == "api failed"


def test_transitions_window_and_status_before(store: Store) -> None:
    for minute, reading in [(0, passed()), (10, failed()), (20, passed()), (30, failed())]:
        store.record_reading(API, ItemKind.PIPELINE, "api", reading, at(minute))
    store.record_reading(
        STAGING, ItemKind.ENVIRONMENT, "staging", EnvironmentReading(Health.UP), at(15)
    )
    window = store.transitions(at(10), at(30))  # since inclusive, until exclusive
    assert [(t.item_key, t.at) for t in window] == [(API, at(10)), (STAGING, at(15)), (API, at(20))]
    assert [t.at for t in store.transitions(at(10), at(30), item_key=API)] == [at(10), at(20)]
    assert store.status_before(API, at(10)) == "passed"
    assert store.status_before(API, at(10.5)) == "failed"
    assert store.status_before(API, at(0)) is None
    assert store.status_before("pipeline:nobody", at(100)) is None


def test_times_in_any_offset_compare_as_instants(store: Store) -> None:
    plus_two = timezone(timedelta(hours=2))
    store.record_reading(API, ItemKind.PIPELINE, "api", passed(), at(0).astimezone(plus_two))
    store.record_reading(API, ItemKind.PIPELINE, "api", failed(), at(1))
    assert [t.at for t in store.transitions(at(0).astimezone(plus_two))] == [at(0), at(1)]
    assert store.transitions(at(0.5).astimezone(plus_two))[0].status == "failed"


def test_naive_times_are_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        store.record_reading(API, ItemKind.PIPELINE, "api", passed(), datetime(2024, 5, 1))
    assert store.load_items() == {}


def test_garbled_reading_json_loads_as_no_reading(store: Store) -> None:
    store.record_reading(API, ItemKind.PIPELINE, "api", passed(), at(0))
    with store.transaction() as db:
        db.execute("UPDATE items SET reading_json = '{broken' WHERE key = ?", [API])
    item = store.load_items()[API]
    assert item.reading is None
    assert item.read_at == at(0)


def test_prune_transitions_keeps_the_state_at_the_cut(store: Store) -> None:
    for minute, reading in [(0, passed()), (10, failed()), (20, passed()), (30, failed())]:
        store.record_reading(API, ItemKind.PIPELINE, "api", reading, at(minute))
    store.record_verdict(VerdictState.RELEASABLE, at(5))
    store.record_reading(
        STAGING, ItemKind.ENVIRONMENT, "staging", EnvironmentReading(Health.UP), at(40)
    )
    assert store.prune_transitions(at(25)) == 2  # api at 0 and 10; api@20 and board@5 stay
    assert [(t.item_key, t.at) for t in store.transitions(at(-100))] == [
        (BOARD_KEY, at(5)),
        (API, at(20)),
        (API, at(30)),
        (STAGING, at(40)),
    ]
    assert store.status_before(API, at(25)) == "passed"
    assert store.verdict_since() == at(5)
    assert store.prune_transitions(at(25), keep_latest=False) == 2
    assert [t.at for t in store.transitions(at(-100))] == [at(30), at(40)]


def test_http_cache_round_trip(store: Store) -> None:
    assert store.http_cache.lookup("https://ci.example/api") is None
    body = bytes(range(256)) * 4
    entry = CachedResponse('W/"abc"', "Wed, 01 May 2024 12:00:00 GMT", body, "application/json")
    store.http_cache.remember("https://ci.example/api", entry)
    assert store.http_cache.lookup("https://ci.example/api") == entry
    newer = CachedResponse(None, "Thu, 02 May 2024 12:00:00 GMT", b"", "")
    store.http_cache.remember("https://ci.example/api", newer)
    assert store.http_cache.lookup("https://ci.example/api") == newer
    typ = store.db.execute("SELECT typeof(body) FROM http_cache").fetchone()[0]
    assert typ == "blob"


def test_the_stores_http_cache_is_a_validator_cache(store: Store) -> None:
    cache: ValidatorCache = store.http_cache
    client = HttpClient(cache)
    assert client.cache is store.http_cache
    assert not hasattr(store, "get") and not hasattr(store, "put")  # names that say what it is


def test_prune_http_cache_forgets_old_entries(db_path: Path) -> None:
    now = [T0]
    with Store.open(db_path, clock=lambda: now[0]) as store:
        store.http_cache.remember("https://a.example/", CachedResponse("1", None, b"a"))
        now[0] = at(60)
        store.http_cache.remember("https://b.example/", CachedResponse("2", None, b"b"))
        assert store.http_cache.forget_stored_before(at(30)) == 1
        assert store.http_cache.lookup("https://a.example/") is None
        assert store.http_cache.lookup("https://b.example/") is not None


def test_reopen_after_close_keeps_everything(db_path: Path) -> None:
    with Store.open(db_path) as store:
        store.record_reading(API, ItemKind.PIPELINE, "api", passed(), at(0))
        store.record_reading(API, ItemKind.PIPELINE, "api", failed(), at(1))
        store.record_error(API, ItemKind.PIPELINE, "api", "timed out", at(2), at(3))
        store.record_verdict(VerdictState.NOT_RELEASABLE, at(1))
        store.http_cache.remember("https://ci.example/", CachedResponse("e", None, b"\x00body"))
        before_items = store.load_items()
        before_transitions = store.transitions(at(-1))
    with Store.open(db_path) as store:
        assert store.load_items() == before_items
        assert store.transitions(at(-1)) == before_transitions
        assert store.verdict_since() == at(1)
        cached = store.http_cache.lookup("https://ci.example/")
        assert cached == CachedResponse("e", None, b"\x00body")
        assert isinstance(store.load_items()[API], StoredItem)


def test_close_is_idempotent(db_path: Path) -> None:
    store = Store.open(db_path)
    store.close()
    store.close()
    with pytest.raises(sqlite3.ProgrammingError):
        store.load_items()


def test_concurrent_writes_from_several_threads(store: Store) -> None:
    threads, rounds = 8, 60
    start = threading.Barrier(threads)

    def worker(n: int) -> int:
        start.wait()
        changes = 0
        for i in range(rounds):
            when = at(i)
            reading = passed(str(i)) if (i // 10) % 2 == 0 else failed(str(i))
            changes += store.record_reading(
                f"pipeline:p{n}", ItemKind.PIPELINE, f"p{n}", reading, when
            )
            # Every thread also writes the same shared item and the same cache entry.
            store.record_reading("pipeline:shared", ItemKind.PIPELINE, "shared", passed(), when)
            store.record_error(f"environment:e{n}", ItemKind.ENVIRONMENT, f"e{n}", "down", when)
            entry = CachedResponse(str(n), None, bytes([n]))
            store.http_cache.remember("https://shared.example/", entry)
            store.record_verdict(VerdictState.RELEASABLE, when)
            store.load_items()
        return changes

    with ThreadPoolExecutor(threads) as pool:
        changes = list(pool.map(worker, range(threads)))

    assert changes == [6] * threads  # passed/failed flips every 10 rounds
    items = store.load_items()
    assert len(items) == 2 * threads + 1
    assert all(items[f"pipeline:p{n}"].reading == failed(str(rounds - 1)) for n in range(threads))
    shared = store.transitions(at(-1), item_key="pipeline:shared")
    assert [t.status for t in shared] == ["passed"]
    assert len(store.transitions(at(-1), item_key=BOARD_KEY)) == 1
    for n in range(threads):
        assert len(store.transitions(at(-1), item_key=f"environment:e{n}")) == 1
        assert len(store.transitions(at(-1), item_key=f"pipeline:p{n}")) == 6
    assert store.http_cache.lookup("https://shared.example/") is not None


def test_a_failed_write_leaves_nothing_behind(store: Store) -> None:
    store.record_reading(API, ItemKind.PIPELINE, "api", passed(), at(0))
    with pytest.raises(RuntimeError), store.transaction() as db:
        db.execute("DELETE FROM items")
        raise RuntimeError("boom")
    assert set(store.load_items()) == {API}
    assert not store.db.conn.in_transaction


def test_nested_transactions_use_savepoints(store: Store) -> None:
    with store.transaction():
        store.record_reading(API, ItemKind.PIPELINE, "api", passed(), at(0))
        with pytest.raises(RuntimeError), store.transaction() as db:
            db.execute("DELETE FROM items")
            raise RuntimeError("inner")
    assert set(store.load_items()) == {API}
