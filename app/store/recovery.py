"""What happens to a damaged local database: recognise it, move it aside, salvage the user's rows.

The database is mostly a cache (last readings, history, HTTP validators) and a damaged one is
rebuilt rather than fatal. But tables whose names start with one of `SALVAGE_PREFIXES` hold
what the user wrote and has not sent yet (drafts, the outbox): every row that can still be
read from the damaged file is carried into the new one. The damaged file itself is kept next
to the new one (`releasable.db.damaged-<timestamp>`) for anyone who wants to dig further.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils.db import quote_identifier

from app.store.schema import immediate_transaction

log = logging.getLogger(__name__)

# Tables whose rows must survive a damaged database. Add a prefix here for any new table that
# holds the user's own unsent work.
SALVAGE_PREFIXES: tuple[str, ...] = ("drafts", "outbox")

# SQLite keeps a database's write-ahead log and shared memory next to it under these suffixes;
# they move with the file, or the new database would replay the old log.
_COMPANION_SUFFIXES = ("-wal", "-shm", "-journal")


class DatabaseDamaged(sqlite3.DatabaseError):
    """The integrity check found the file damaged although it could be opened."""


def is_damage(err: BaseException) -> bool:
    """True when `err` says the file is not a database or is corrupt.

    Everything else (locked, read-only, disk full, no permission) is NOT damage: a healthy
    file that is merely busy must never be moved aside.
    """
    if isinstance(err, DatabaseDamaged):
        return True
    if not isinstance(err, sqlite3.DatabaseError):
        return False
    code = getattr(err, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)
    text = str(err).lower()
    return "malformed" in text or "not a database" in text


def check_integrity(conn: sqlite3.Connection) -> None:
    """Raise `DatabaseDamaged` unless `PRAGMA quick_check` says ok."""
    problems = [row[0] for row in conn.execute("PRAGMA quick_check(5)").fetchall()]
    if problems != ["ok"]:
        raise DatabaseDamaged("; ".join(str(p) for p in problems))


def move_aside(path: Path, when: datetime) -> Path:
    """Rename the damaged file (and its -wal/-shm) to `<name>.damaged-<timestamp>`."""
    stamp = when.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    path.rename(aside)
    for suffix in _COMPANION_SUFFIXES:
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            companion.rename(aside.with_name(aside.name + suffix))
    return aside


@dataclass
class SalvagedTable:
    """Rows read back from one table of a damaged database, and what could not be."""

    name: str
    create_sql: str | None
    rows: list[dict[str, Any]] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)  # rows known (from an index) but unreadable
    # The table was damaged and no intact index lists its rows: more may have been lost
    # than `lost` names, and how many cannot be told.
    uncounted: bool = False

    def words(self) -> str:
        """'outbox: 5 of 9 row(s) recovered; lost: rls-a, rls-b' (or 'drafts: all 3 row(s)
        recovered'; or, when nothing says how many rows the damaged table held, so)."""
        found = len(self.rows)
        if self.uncounted:
            named = f"; lost: {', '.join(self.lost)}" if self.lost else ""
            return (
                f"{self.name}: {found} row(s) recovered{named}; the table was damaged and "
                "how many other rows it held cannot be told"
            )
        if not self.lost:
            return f"{self.name}: all {found} row(s) recovered"
        return (
            f"{self.name}: {found} of {found + len(self.lost)} row(s) recovered; "
            f"lost: {', '.join(self.lost)}"
        )


MAX_PROBES = 100_000  # rowids tried one by one between two damaged pages


def _scan(
    conn: sqlite3.Connection, sql: str, columns: list[str], into: dict[Any, dict[str, Any]]
) -> bool:
    """Read rows `(rowid, *columns)` into `into` until the end or the first damaged page.

    Returns True if the scan reached the end.
    """
    try:
        for row in conn.execute(sql):
            into.setdefault(row[0], dict(zip(columns, row[1:], strict=True)))
    except sqlite3.DatabaseError as err:
        log.debug("salvage scan stopped: %s", err)
        return False
    return True


def _indexed_rowids(conn: sqlite3.Connection, name: str) -> tuple[dict[int, str], bool]:
    """Every rowid an index of the table lists, with words naming the row: the rows that
    existed, even on a damaged page; and whether one index was read whole (then it lists
    every row). A row is named by a unique index (its key, e.g. the report's), else by its
    rowid and what another index holds ("row 3 (queued)"): a state names no report."""
    known: dict[int, str] = {}
    unique: set[int] = set()
    intact = False
    try:
        indexes = [
            (str(r[1]), bool(r[2]))
            for r in conn.execute(f"PRAGMA index_list({quote_identifier(name)})")
        ]
    except sqlite3.DatabaseError:
        return known, intact
    for index, is_unique in sorted(indexes, key=lambda i: not i[1]):  # unique ones first
        try:
            cols = [r[2] for r in conn.execute(f"PRAGMA index_info({quote_identifier(index)})")]
            if not cols or None in cols:
                continue
            shown = ", ".join(quote_identifier(c) for c in cols)
            sql = (
                f"SELECT _rowid_, {shown} FROM {quote_identifier(name)} "
                f"INDEXED BY {quote_identifier(index)}"
            )
            for rowid, *values in conn.execute(sql):
                words = " ".join(str(v) for v in values)
                if is_unique and rowid not in unique:
                    known[rowid] = words
                    unique.add(rowid)
                elif rowid not in known:
                    known[rowid] = f"row {rowid} ({words})"
            intact = True
        except sqlite3.DatabaseError as err:
            log.debug("salvage: index %s unreadable: %s", index, err)
    return known, intact


def _read_table(conn: sqlite3.Connection, name: str, sql: str | None) -> SalvagedTable:
    """The readable rows of table `name`, words for each row known to be lost, and whether
    more may be lost than those (no intact index says how many rows there were)."""
    quoted = quote_identifier(name)
    try:
        columns = [row[1] for row in conn.execute(f"PRAGMA table_info({quoted})").fetchall()]
    except sqlite3.DatabaseError as err:
        log.warning("could not read the columns of %s in the damaged database: %s", name, err)
        return SalvagedTable(name, sql, uncounted=True)
    names = ", ".join(quote_identifier(c) for c in columns)
    rows: dict[Any, dict[str, Any]] = {}
    try:
        conn.execute(f"SELECT _rowid_ FROM {quoted} LIMIT 0")
    except sqlite3.DatabaseError:
        # WITHOUT ROWID table: one pass, as far as it goes.
        complete = _scan(conn, f"SELECT NULL, {names} FROM {quoted}", columns, rows)
        return SalvagedTable(name, sql, list(rows.values()), uncounted=not complete)
    # Read from both ends so a damaged page in the middle loses only the rows on it.
    complete = _scan(conn, f"SELECT _rowid_, {names} FROM {quoted} ORDER BY _rowid_", columns, rows)
    if complete:
        return SalvagedTable(name, sql, [rows[k] for k in sorted(rows)])
    low = max(rows, default=0)
    _scan(conn, f"SELECT _rowid_, {names} FROM {quoted} ORDER BY _rowid_ DESC", columns, rows)
    high = min((k for k in rows if k > low), default=low + 1)
    # Then row by row: the rowids an intact index lists, and every rowid between the two
    # damaged places (a page between them may be whole).
    known, intact = _indexed_rowids(conn, name)
    candidates = set(known) | set(range(low + 1, min(high, low + 1 + MAX_PROBES)))
    for rowid in sorted(candidates - set(rows)):
        try:
            found = conn.execute(f"SELECT {names} FROM {quoted} WHERE _rowid_ = ?", [rowid])
            row = found.fetchone()
        except sqlite3.DatabaseError:
            continue
        if row is not None:
            rows[rowid] = dict(zip(columns, row, strict=True))
    lost = [known[k] or f"row {k}" for k in sorted(known) if k not in rows]
    return SalvagedTable(name, sql, [rows[k] for k in sorted(rows)], lost, uncounted=not intact)


def salvage(path: Path, prefixes: Iterable[str] = SALVAGE_PREFIXES) -> list[SalvagedTable]:
    """Every readable row of the tables named with one of `prefixes` in the file at `path`.

    Reads a temporary copy (with its -wal and -journal), because merely opening a database
    may replay or delete its log: the damaged file set aside stays exactly as it was found.
    """
    with tempfile.TemporaryDirectory(prefix="releasable-salvage-") as tmp:
        copy = Path(tmp) / "damaged.db"
        try:
            shutil.copyfile(path, copy)
            for suffix in ("-wal", "-journal"):
                companion = path.with_name(path.name + suffix)
                if companion.exists():
                    shutil.copyfile(companion, copy.with_name(copy.name + suffix))
        except OSError as err:
            log.warning("could not copy %s to salvage it: %s", path, err)
            return []
        return _salvage_copy(copy, tuple(prefixes))


HEADER_MAGIC = b"SQLite format 3\x00"
PAGE_SIZES = (4096, 1024, 2048, 8192, 16384, 32768, 65536, 512)


def rebuilt_header(page_size: int, pages: int) -> bytes:
    """A plain 100-byte database header (file format 1.3) for a file whose own is damaged:
    legacy journal, UTF-8, no free list; page 1's b-tree after it is the file's own."""
    header = bytearray(100)
    header[0:16] = HEADER_MAGIC
    header[16:18] = (1 if page_size == 65536 else page_size).to_bytes(2, "big")
    header[18], header[19], header[21], header[22], header[23] = 1, 1, 64, 32, 32
    header[24:28] = (1).to_bytes(4, "big")  # change counter
    header[28:32] = pages.to_bytes(4, "big")
    header[40:44] = (1).to_bytes(4, "big")  # schema cookie
    header[44:48] = (4).to_bytes(4, "big")  # schema format
    header[56:60] = (1).to_bytes(4, "big")  # UTF-8
    header[92:96] = (1).to_bytes(4, "big")  # version-valid-for = change counter
    header[96:100] = (
        sqlite3.sqlite_version_info[0] * 1_000_000
        + sqlite3.sqlite_version_info[1] * 1000
        + sqlite3.sqlite_version_info[2]
    ).to_bytes(4, "big")
    return bytes(header)


def _with_rebuilt_header(path: Path, wanted: tuple[str, ...]) -> list[SalvagedTable]:
    """Try each likely page size under a rebuilt header; the first that reads tables wins."""
    data = path.read_bytes()
    best: list[SalvagedTable] = []
    for size in PAGE_SIZES:
        if len(data) < size or len(data) % size:
            continue
        trial = path.with_name(f"rebuilt-{size}.db")
        trial.write_bytes(rebuilt_header(size, len(data) // size) + data[100:])
        tables = _salvage_tables(trial, wanted)
        if sum(len(t.rows) for t in tables) > sum(len(t.rows) for t in best):
            best = tables
    return best


def _salvage_copy(path: Path, wanted: tuple[str, ...]) -> list[SalvagedTable]:
    tables = _salvage_tables(path, wanted)
    if tables or path.read_bytes()[:16] == HEADER_MAGIC and _master_readable(path):
        return tables
    log.info("salvage: the file's header is damaged; trying a rebuilt one")
    return _with_rebuilt_header(path, wanted)


def _master_readable(path: Path) -> bool:
    try:
        conn = sqlite3.connect(path)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return True
        finally:
            conn.close()
    except sqlite3.Error:
        return False


def _salvage_tables(path: Path, wanted: tuple[str, ...]) -> list[SalvagedTable]:
    try:
        conn = sqlite3.connect(path)
    except sqlite3.Error as err:
        log.debug("salvage: cannot open %s: %s", path, err)
        return []
    try:
        master = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall()
        virtual = [n for n, sql in master if (sql or "").upper().startswith("CREATE VIRTUAL")]
        tables = []
        for name, sql in master:
            if not name.startswith(wanted) or name in virtual:
                continue
            if any(name.startswith(v + "_") for v in virtual):
                continue  # a full-text index's shadow table: rebuilt, not user data
            tables.append(_read_table(conn, name, sql))
        return tables
    except sqlite3.DatabaseError as err:
        log.debug("salvage: the table list is unreadable: %s", err)
        return []
    finally:
        conn.close()


def restore(db: sqlite_utils.Database, tables: Iterable[SalvagedTable]) -> int:
    """Insert salvaged rows into the (new, migrated) database; returns how many went in.

    A table the new schema lacks is created as it was; columns the new table lacks are added,
    so nothing the user wrote is dropped.
    """
    restored = 0
    with immediate_transaction(db):
        for table in tables:
            if not table.rows:
                continue
            target = db.table(table.name)
            if not target.exists() and table.create_sql:
                try:
                    db.execute(table.create_sql)
                except sqlite3.DatabaseError as err:
                    log.warning("could not recreate %s as it was (%s)", table.name, err)
            before = target.count if target.exists() else 0
            target.insert_all(table.rows, alter=True, ignore=True)
            restored += target.count - before
    return restored


__all__ = [
    "SALVAGE_PREFIXES",
    "DatabaseDamaged",
    "SalvagedTable",
    "check_integrity",
    "is_damage",
    "move_aside",
    "restore",
    "salvage",
]
