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


def make_nine_unsent(path: Path, history: int = 0) -> None:
    """The issue's file: 5 drafts and 4 queued reports (a page each), between `history`
    items read before and after them, so they sit mid-file."""
    from app.domain.model import Verdict, VerdictState
    from app.domain.report_body import Evidence, build_report
    from app.store.outbox import Outbox

    with open_store(path) as store:
        outbox = Outbox(store)
        for i in range(history):
            store.record_reading(f"pipeline:a{i}", ItemKind.PIPELINE, f"a{i}", READING, NOW)
        for i in range(1, 6):
            fields = {"title": f"<draft {i}>" + "x" * 1500, "impact": "y" * 1500}
            outbox.save_draft(f"rls-d{i}", fields, NOW)
        for i in range(1, 5):
            report = build_report(
                key=f"rls-q{i}",
                title=f"<queued {i}>",
                category="other",
                prevents_delivery=True,
                statement="",
                trying_to="t" * 1500,
                impact="i" * 1500,
                reporter="Dana",
                board_name="Payments",
                evidence=Evidence(verdict=Verdict(VerdictState.UNKNOWN), taken_at=NOW),
                created_at=NOW,
                app_version="test",
            )
            outbox.queue_report(report, tracker_kind="github", now=NOW)
        for i in range(history):
            store.record_reading(f"pipeline:b{i}", ItemKind.PIPELINE, f"b{i}", READING, NOW)


def damage_message(caplog: pytest.LogCaptureFixture, path: Path) -> str:
    with caplog.at_level(logging.WARNING), open_store(path):
        pass
    (message,) = [r.getMessage() for r in caplog.records if "was damaged" in r.getMessage()]
    return message


def test_8_kib_of_damage_mid_file_recovers_every_whole_row_and_names_the_lost(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 9.9: 8 KiB damaged mid-file among 9 drafts/outbox rows. Before, 5 of 9 came back
    and the message did not say that 4 were lost (one still readable by rowid)."""
    path = tmp_path / "releasable.db"
    make_nine_unsent(path, history=100)
    data = path.read_bytes()
    page_size, _ = page_size_and_roots(path)
    at = {f"rls-d{i}": data.index(f"<draft {i}>".encode()) for i in range(1, 6)}
    start = at["rls-d2"] // page_size * page_size  # the page of draft 2, and the next one
    assert len(data) // 4 < start < len(data) * 3 // 4, "mid-file"
    with path.open("r+b") as f:
        f.seek(start)
        f.write(b"\xa5" * 8192)
    lost = sorted(k for k, offset in at.items() if start <= offset < start + 8192)
    assert lost == ["rls-d2", "rls-d3"]
    message = damage_message(caplog, path)
    assert (
        "7 unsent row(s) were recovered, 2 could not be. "
        "drafts: 3 of 5 row(s) recovered; lost: rls-d2, rls-d3; outbox: all 4 row(s) recovered."
    ) in message
    with open_store(path) as store:
        assert [r["key"] for r in store.db["drafts"].rows] == ["rls-d1", "rls-d4", "rls-d5"]
        assert [r["key"] for r in store.db["outbox"].rows] == [f"rls-q{i}" for i in range(1, 5)]


def test_the_first_100_bytes_damaged_a_rebuilt_header_recovers_all_nine(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 9.9: only the header damaged, every data page whole: all 9 rows come back."""
    path = tmp_path / "releasable.db"
    make_nine_unsent(path)
    with path.open("r+b") as f:
        f.write(b"\xa5" * 100)
    tables = {t.name: t for t in salvage(path)}
    assert [r["key"] for r in tables["drafts"].rows] == [f"rls-d{i}" for i in range(1, 6)]
    assert [r["key"] for r in tables["outbox"].rows] == [f"rls-q{i}" for i in range(1, 5)]
    message = damage_message(caplog, path)
    assert (
        "9 unsent row(s) were recovered. "
        "drafts: all 5 row(s) recovered; outbox: all 4 row(s) recovered."
    ) in message
    with open_store(path) as store:
        assert len(list(store.db["drafts"].rows)) == 5
        assert len(list(store.db["outbox"].rows)) == 4


def index_root(path: Path, name: str) -> int:
    conn = sqlite3.connect(path)
    (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", [name]).fetchone()
    conn.close()
    return int(root)


def test_when_nothing_can_count_the_lost_rows_the_message_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The drafts' table and its key index both damaged: not 'all 0 row(s) recovered'."""
    path = tmp_path / "releasable.db"
    make_nine_unsent(path)
    page_size, roots = page_size_and_roots(path)
    smash_page(path, roots["drafts"], page_size)
    smash_page(path, index_root(path, "sqlite_autoindex_drafts_1"), page_size)
    (drafts,) = [t for t in salvage(path) if t.name == "drafts"]
    assert drafts.rows == [] and drafts.uncounted
    message = damage_message(caplog, path)
    assert "4 unsent row(s) were recovered, others may have been lost." in message
    assert (
        "drafts: 0 row(s) recovered; the table was damaged and how many other rows it held "
        "cannot be told; outbox: all 4 row(s) recovered."
    ) in message


def test_lost_rows_are_named_by_their_key_never_by_a_state(tmp_path: Path) -> None:
    """The outbox's key index damaged, its state index whole: the lost are counted by the
    state index but named by rowid, not 'queued, queued, …'."""
    path = tmp_path / "releasable.db"
    make_nine_unsent(path)
    page_size, roots = page_size_and_roots(path)
    smash_page(path, roots["outbox"], page_size)
    smash_page(path, index_root(path, "sqlite_autoindex_outbox_1"), page_size)
    (outbox,) = [t for t in salvage(path) if t.name == "outbox"]
    assert outbox.rows == [] and not outbox.uncounted
    assert outbox.lost == [f"row {i} (queued)" for i in range(1, 5)]
    assert outbox.words() == (
        "outbox: 0 of 4 row(s) recovered; lost: "
        "row 1 (queued), row 2 (queued), row 3 (queued), row 4 (queued)"
    )
