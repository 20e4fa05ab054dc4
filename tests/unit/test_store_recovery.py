"""A damaged database is moved aside and rebuilt; unsent drafts/outbox rows are salvaged."""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlite_utils

from app.domain.model import ItemKind, Outcome, PipelineReading, Stage, StageStatus
from app.store import MIGRATIONS, Store, schema
from app.store import store as store_module
from app.store.recovery import DatabaseDamaged, is_damage, move_aside, salvage

NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
ASIDE = "releasable.db.damaged-20240501T120000Z"
READING = PipelineReading(stages=(Stage("build", StageStatus.PASSED),), outcome=Outcome.PASSED)


def open_store(path: Path) -> Store:
    return Store.open(path, clock=lambda: NOW)


def page_size_and_roots(path: Path) -> tuple[int, dict[str, int]]:
    conn = sqlite3.connect(path)
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    roots = dict(conn.execute("SELECT name, rootpage FROM sqlite_master WHERE type = 'table'"))
    conn.close()
    return size, roots


def smash_page(path: Path, page: int, page_size: int) -> None:
    with path.open("r+b") as f:
        f.seek((page - 1) * page_size)
        f.write(b"\xde\xad\xbe\xef" * (page_size // 4))


def child_pages(path: Path, root: int, page_size: int) -> list[int]:
    """The children of an interior table b-tree page, in key order (SQLite file format 1.6)."""
    data = path.read_bytes()[(root - 1) * page_size : root * page_size]
    assert data[0] == 0x05, "expected an interior table page"
    cells = int.from_bytes(data[3:5], "big")
    pointers = [int.from_bytes(data[12 + 2 * i : 14 + 2 * i], "big") for i in range(cells)]
    children = [int.from_bytes(data[p : p + 4], "big") for p in pointers]
    return [*children, int.from_bytes(data[8:12], "big")]


def make_store_with_drafts(path: Path, drafts: int, items: int) -> None:
    with open_store(path) as store:
        with store.transaction() as db:
            db.table("drafts_probe").create({"id": int, "body": str}, pk="id")
            db.table("drafts_probe").insert_all(
                {"id": i, "body": f"draft {i}: " + "x" * 300} for i in range(1, drafts + 1)
            )
            db.table("outbox_probe").insert({"id": 1, "report": "unsent report"}, pk="id")
            db.table("cache_probe").insert({"id": 1, "junk": "not salvaged"}, pk="id")
        for i in range(items):
            store.record_reading(f"pipeline:p{i}", ItemKind.PIPELINE, f"p{i}", READING, NOW)
    assert not path.with_name(path.name + "-wal").exists()  # checkpointed on close


def test_a_garbage_file_is_moved_aside_and_a_fresh_store_opens(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "releasable.db"
    garbage = b"this is not a database, just some bytes\n" * 300
    path.write_bytes(garbage)
    with caplog.at_level(logging.WARNING), open_store(path) as store:
        assert store.load_items() == {}
        store.record_reading("pipeline:api", ItemKind.PIPELINE, "api", READING, NOW)
        assert set(store.load_items()) == {"pipeline:api"}
        assert store.db.journal_mode == "wal"
    assert (tmp_path / ASIDE).read_bytes() == garbage
    assert any("damaged" in r.getMessage() and ASIDE in r.getMessage() for r in caplog.records)


def test_a_truncated_database_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "releasable.db"
    make_store_with_drafts(path, drafts=5, items=200)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    with open_store(path) as store:
        assert store.load_items() == {}
    assert (tmp_path / ASIDE).exists()


def test_companion_files_move_with_the_damaged_file(tmp_path: Path) -> None:
    """A leftover -wal must not be replayed into the new database: it moves along."""
    path = tmp_path / "releasable.db"
    path.write_bytes(b"garbage")
    path.with_name("releasable.db-wal").write_bytes(b"old log")
    path.with_name("releasable.db-shm").write_bytes(b"old index")
    aside = move_aside(path, NOW)
    assert aside.name == ASIDE
    assert sorted(p.name for p in tmp_path.iterdir()) == [ASIDE, ASIDE + "-shm", ASIDE + "-wal"]
    assert (tmp_path / (ASIDE + "-wal")).read_bytes() == b"old log"
    assert move_aside(tmp_path / ASIDE, NOW).name == ASIDE + ".damaged-20240501T120000Z"


def test_a_second_damage_in_the_same_second_gets_its_own_name(tmp_path: Path) -> None:
    path = tmp_path / "releasable.db"
    for _ in range(2):
        path.write_bytes(b"garbage" * 1000)
        open_store(path).close()
    assert (tmp_path / ASIDE).exists()
    assert (tmp_path / (ASIDE + "-2")).exists()


def test_damaged_pages_elsewhere_keep_the_drafts(tmp_path: Path) -> None:
    path = tmp_path / "releasable.db"
    make_store_with_drafts(path, drafts=3, items=300)
    page_size, roots = page_size_and_roots(path)
    smash_page(path, roots["items"], page_size)
    with open_store(path) as store:
        rows = list(store.db["drafts_probe"].rows)
        assert [r["id"] for r in rows] == [1, 2, 3]
        assert rows[0]["body"].startswith("draft 1: ")
        assert list(store.db["outbox_probe"].rows) == [{"id": 1, "report": "unsent report"}]
        assert "cache_probe" not in store.db.table_names()  # only drafts*/outbox* are kept
        assert store.load_items() == {}  # the cache is rebuilt by the next poll
    assert (tmp_path / ASIDE).exists()


def placeholder_row(table: sqlite_utils.db.Table) -> dict[str, object]:
    """A row giving every required column a value, whatever the drafts schema looks like."""
    samples = {"INTEGER": 1, "REAL": 1.0, "BLOB": b"x"}
    return {
        c.name: samples.get(c.type, "{}")
        for c in table.columns
        if c.notnull and c.default_value is None
    }


def test_the_apps_own_drafts_and_outbox_survive(tmp_path: Path) -> None:
    path = tmp_path / "releasable.db"
    with open_store(path) as store, store.transaction() as db:
        for name in ("drafts", "outbox"):
            table = db.table(name)
            if not table.exists():  # before the drafts/outbox migration exists
                table.create({"key": str, "text": str}, pk="key")
            table.insert({**placeholder_row(table), "key": f"{name}-1"}, alter=True)
        for i in range(300):
            db.table("items").insert({"key": f"pipeline:p{i}", "kind": "pipeline", "name": "p"})
    page_size, roots = page_size_and_roots(path)
    smash_page(path, roots["items"], page_size)
    with open_store(path) as store:
        assert [r["key"] for r in store.db["drafts"].rows] == ["drafts-1"]
        assert [r["key"] for r in store.db["outbox"].rows] == ["outbox-1"]
        assert store.load_items() == {}


def test_a_damaged_page_inside_the_drafts_loses_only_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "releasable.db"
    total = 200
    make_store_with_drafts(path, drafts=total, items=0)
    page_size, roots = page_size_and_roots(path)
    leaves = child_pages(path, roots["drafts_probe"], page_size)
    assert len(leaves) >= 5
    smash_page(path, leaves[len(leaves) // 2], page_size)
    with open_store(path) as store:
        ids = [r["id"] for r in store.db["drafts_probe"].rows]
    per_page = total / len(leaves)
    assert ids[0] == 1 and ids[-1] == total  # rows before and after the bad page
    assert total - 2 * per_page <= len(ids) < total


def test_salvaged_rows_join_a_table_the_new_schema_has(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "releasable.db"
    make_store_with_drafts(path, drafts=2, items=300)
    page_size, roots = page_size_and_roots(path)
    smash_page(path, roots["items"], page_size)

    def drafts_table(db: sqlite_utils.Database) -> None:
        db.table("drafts_probe").create({"id": int, "title": str}, pk="id")

    monkeypatch.setattr(schema, "MIGRATIONS", [*MIGRATIONS, drafts_table])
    with open_store(path) as store:
        rows = list(store.db["drafts_probe"].rows)
    assert [(r["id"], r["title"], r["body"][:7]) for r in rows] == [
        (1, None, "draft 1"),
        (2, None, "draft 2"),
    ]


def test_a_locked_database_is_not_treated_as_damaged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "releasable.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE drafts (body TEXT)")
    holder.execute("INSERT INTO drafts VALUES ('keep me')")
    holder.execute("BEGIN EXCLUSIVE")
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_S", 0.05)
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            Store.open(path)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["releasable.db"]


def test_only_corruption_counts_as_damage(tmp_path: Path) -> None:
    path = tmp_path / "garbage.db"
    path.write_bytes(b"garbage" * 1000)
    conn = sqlite3.connect(path)
    with pytest.raises(sqlite3.DatabaseError) as not_a_db:
        conn.execute("PRAGMA user_version").fetchone()
    conn.close()
    assert is_damage(not_a_db.value)
    assert is_damage(DatabaseDamaged("*** in database main ***"))
    assert not is_damage(sqlite3.OperationalError("database is locked"))
    assert not is_damage(sqlite3.OperationalError("unable to open database file"))
    assert not is_damage(OSError("disk full"))


def test_salvage_of_an_unreadable_file_finds_nothing(tmp_path: Path) -> None:
    path = tmp_path / "garbage.db"
    path.write_bytes(b"\x00garbage" * 1000)
    assert salvage(path) == []


def make_drafts(path: Path, count: int) -> None:
    from app.store.outbox import Outbox

    with open_store(path) as store:
        outbox = Outbox(store)
        for i in range(1, count + 1):
            outbox.save_draft(f"rls-{i:03d}", {"title": f"draft {i} " + "x" * 300}, NOW)


def test_salvage_reads_row_by_row_between_damaged_pages_and_names_the_lost(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "releasable.db"
    make_drafts(path, 200)
    page_size, roots = page_size_and_roots(path)
    leaves = child_pages(path, roots["drafts"], page_size)
    assert len(leaves) >= 7
    smash_page(path, leaves[3], page_size)
    smash_page(path, leaves[5], page_size)  # leaves[4], between them, is whole
    (table,) = [t for t in salvage(path) if t.name == "drafts"]
    assert len(table.rows) + len(table.lost) == 200
    assert table.lost  # named by key: the drafts' primary-key index is whole
    found = {r["key"] for r in table.rows}
    assert found.isdisjoint(table.lost) and len(found) == len(table.rows)
    assert "rls-001" in found and "rls-200" in found
    # The rows of the whole page between the two damaged ones were read one by one.
    assert len(table.lost) <= 2 * (200 // len(leaves) + 2)  # two pages' rows, not three
    with caplog.at_level(logging.WARNING), open_store(path):
        pass
    message = " ".join(r.getMessage() for r in caplog.records)
    assert f"drafts: {len(table.rows)} of 200 row(s) recovered; lost: " in message
    assert table.lost[0] in message


def test_a_damaged_header_is_rebuilt_and_every_row_recovered(tmp_path: Path) -> None:
    path = tmp_path / "releasable.db"
    make_drafts(path, 9)
    with path.open("r+b") as f:
        f.write(b"\x00" * 100)
    tables = salvage(path)
    (drafts,) = [t for t in tables if t.name == "drafts"]
    assert [r["key"] for r in drafts.rows] == [f"rls-{i:03d}" for i in range(1, 10)]
    assert drafts.lost == []
    with open_store(path) as store:
        assert len(list(store.db["drafts"].rows)) == 9
