"""Schema migrations: from empty, appended later, refused when newer, atomic when failing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from app.sources.ports import CachedResponse
from app.store import MIGRATIONS, Store, StoreTooNewError, schema
from app.store.schema import migrate, schema_version

CACHED = CachedResponse("etag", None, b"body", "text/plain")


def test_migrations_from_empty_create_the_tables(tmp_path: Path) -> None:
    with Store.open(tmp_path / "releasable.db") as store:
        db = store.db
        assert schema_version(db) == len(MIGRATIONS) >= 1
        assert {"items", "transitions", "http_cache"} <= set(db.table_names())
        assert set(db["items"].columns_dict) == {
            "key",
            "kind",
            "name",
            "reading_json",
            "read_at",
            "error",
            "error_at",
            "rate_limited_until",
            "status",
            "status_since",
        }
        assert db.table("items").pks == ["key"]
        assert db.table("transitions").pks == ["id"]
        assert set(db["transitions"].columns_dict) == {"id", "item_key", "status", "at", "detail"}
        assert db.table("http_cache").pks == ["url"]
        body = next(c for c in db["http_cache"].columns if c.name == "body")
        assert body.type == "BLOB"
        indexes = {tuple(i.columns) for i in db.table("transitions").indexes}
        assert {("item_key", "at"), ("at",)} <= indexes


def test_reopening_does_not_migrate_again(tmp_path: Path) -> None:
    path = tmp_path / "releasable.db"
    Store.open(path).close()
    calls: list[int] = []
    db = sqlite_utils.Database(path)
    assert migrate(db, migrations=[lambda d: calls.append(1)] * len(MIGRATIONS)) == len(MIGRATIONS)
    assert calls == []
    db.close()


def test_history_queries_use_the_indexes(tmp_path: Path) -> None:
    with Store.open(tmp_path / "releasable.db") as store:
        plans = [
            " ".join(str(r[-1]) for r in store.db.execute("EXPLAIN QUERY PLAN " + sql, args))
            for sql, args in [
                (
                    "SELECT * FROM transitions WHERE at >= ? AND at < ? ORDER BY at, id",
                    ["a", "b"],
                ),
                (
                    "SELECT * FROM transitions WHERE at >= ? AND item_key = ? ORDER BY at, id",
                    ["a", "k"],
                ),
            ]
        ]
    assert "idx_transitions_at" in plans[0]
    assert "idx_transitions_item_key_at" in plans[1]
    assert all("TEMP B-TREE" not in p for p in plans)  # no sorting step


def test_a_newer_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "releasable.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE drafts_from_the_future (x)")
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreTooNewError, match="newer version of Releasable") as caught:
        Store.open(path)
    assert caught.value.found == len(MIGRATIONS) + 1
    assert caught.value.known == len(MIGRATIONS)
    assert str(path) in str(caught.value)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["releasable.db"]


def test_an_appended_migration_upgrades_an_existing_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "releasable.db"
    with Store.open(path) as store:
        store.http_cache.remember("https://a.example/", CACHED)

    def add_notes(db: sqlite_utils.Database) -> None:
        db.table("notes").create({"id": int, "text": str}, pk="id")

    monkeypatch.setattr(schema, "MIGRATIONS", [*MIGRATIONS, add_notes])
    with Store.open(path) as store:
        assert schema_version(store.db) == len(MIGRATIONS) + 1
        assert "notes" in store.db.table_names()
        assert store.http_cache.lookup("https://a.example/") == CACHED


def test_a_failing_migration_changes_nothing(tmp_path: Path) -> None:
    db = sqlite_utils.Database(tmp_path / "releasable.db")

    def broken(db: sqlite_utils.Database) -> None:
        db.table("half_done").create({"id": int}, pk="id")
        raise RuntimeError("migration bug")

    with pytest.raises(RuntimeError, match="migration bug"):
        migrate(db, migrations=[*MIGRATIONS, broken])
    assert schema_version(db) == 0
    assert db.table_names() == []
    assert not db.conn.in_transaction
    assert migrate(db) == len(MIGRATIONS)
    db.close()
