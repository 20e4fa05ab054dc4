"""The local database's schema: numbered migrations, the version check and write transactions.

The schema version lives in `PRAGMA user_version`. `MIGRATIONS[i]` takes a database from
version `i` to version `i + 1`; `migrate()` applies the missing ones in order inside one
`BEGIN IMMEDIATE` transaction (so two app instances starting at once cannot both migrate, and
a failing migration leaves the file as it was). A database written by a newer app is refused
with `StoreTooNewError` instead of being guessed at.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import cast

import sqlite_utils
from sqlite_utils.db import Table

Migration = Callable[[sqlite_utils.Database], None]
AUTO_VACUUM_INCREMENTAL = 2  # PRAGMA auto_vacuum: 0 none, 1 full, 2 incremental

log = logging.getLogger(__name__)


class StoreTooNewError(Exception):
    """The database was written by a newer Releasable than this one."""

    def __init__(self, path: str, found: int, known: int) -> None:
        super().__init__(
            f"The local database {path} was written by a newer version of Releasable "
            f"(schema {found}; this version knows up to {known}). Update Releasable, or move "
            f"the file away to start with an empty history."
        )
        self.path = path
        self.found = found
        self.known = known


@contextmanager
def immediate_transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """A write transaction that takes the write lock up front (`BEGIN IMMEDIATE`).

    Taking the lock at BEGIN means a read-then-write never fails half way with SQLITE_BUSY
    when another connection writes in between; the busy timeout waits for the lock instead.
    Rolled back on any exception. sqlite-utils calls made inside nest as savepoints.
    """
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    try:
        db.conn.execute("COMMIT")
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise


def enable_incremental_vacuum(db: sqlite_utils.Database) -> bool:
    """Make the file give freed pages back on `incremental_vacuum`; True if it now does.

    On a new, empty file the pragma alone does it (it must come before the first table). An
    existing file needs one `VACUUM`, which rewrites it: done once, on open; if it cannot run
    now (another process is using the file, the disk is full) it is tried at the next open.
    """
    conn = db.conn
    if int(conn.execute("PRAGMA auto_vacuum").fetchone()[0]) == AUTO_VACUUM_INCREMENTAL:
        return True
    conn.execute(f"PRAGMA auto_vacuum = {AUTO_VACUUM_INCREMENTAL}")
    has_tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
    if has_tables:
        try:
            conn.execute("VACUUM")
        except sqlite3.OperationalError as err:
            log.info("the database will be compacted at a later start: %s", err)
            return False
    return int(conn.execute("PRAGMA auto_vacuum").fetchone()[0]) == AUTO_VACUUM_INCREMENTAL


def schema_version(db: sqlite_utils.Database) -> int:
    """The version stored in the file (0 for a new, empty database)."""
    return int(db.conn.execute("PRAGMA user_version").fetchone()[0])


def _table(db: sqlite_utils.Database, name: str) -> Table:
    """`db[name]`: always a table here (a migration never names a view)."""
    return cast(Table, db[name])


def _m1_items_transitions_http_cache(db: sqlite_utils.Database) -> None:
    """Last known state per item, status transitions (history) and the HTTP validator cache."""
    _table(db, "items").create(
        {
            "key": str,
            "kind": str,
            "name": str,
            "reading_json": str,  # app.store.codec; NULL until the first good read
            "read_at": str,  # timestamps: UTC ISO 8601, fixed width, so text order = time order
            "error": str,
            "error_at": str,
            "rate_limited_until": str,
            "status": str,  # Observed.status_word of the stored reading
            "status_since": str,
        },
        pk="key",
        not_null={"kind", "name"},
    )
    transitions = _table(db, "transitions")
    transitions.create(
        {"id": int, "item_key": str, "status": str, "at": str, "detail": str},
        pk="id",
        not_null={"item_key", "status", "at", "detail"},
        defaults={"detail": ""},
    )
    # The board's own verdict is recorded here too, as item_key "board".
    transitions.create_index(["item_key", "at"], index_name="idx_transitions_item_key_at")
    transitions.create_index(["at"], index_name="idx_transitions_at")
    _table(db, "http_cache").create(
        {
            "url": str,
            "etag": str,
            "last_modified": str,
            "body": bytes,
            "content_type": str,
            "stored_at": str,
        },
        pk="url",
        not_null={"body"},
    )


def _m2_drafts_outbox_blockers(db: sqlite_utils.Database) -> None:
    """Report drafts (autosaved as typed), the outbox (delivery state per report) and blockers.

    Queried by app/store/outbox.py. The names start with `drafts`/`outbox` so a damaged
    database's unsent work is salvaged (app/store/recovery.py).
    """
    _table(db, "drafts").create(
        {"key": str, "fields": str, "updated_at": str},  # fields: the dialog's JSON
        pk="key",
        not_null={"fields"},
    )
    outbox = _table(db, "outbox")
    outbox.create(
        {
            "key": str,  # the report's client key, also hidden in the filed issue
            "report_json": str,
            "state": str,  # draft | queued | sending | sent | failed
            "attempts": int,
            "queued_at": str,
            "next_attempt_at": str,
            "not_before": str,  # the tracker's Retry-After: even "send now" waits
            "last_error": str,
            "uncertain": int,  # 1: an attempt may have filed it; look it up before sending
            "sending_started_at": str,
            "sending_pid": int,
            "url": str,
            "ref": str,
            "warnings": str,  # JSON list
            "tracker_kind": str,
            "sent_at": str,
            "updated_at": str,
        },
        pk="key",
        not_null={"report_json", "state", "attempts", "uncertain"},
        defaults={"attempts": 0, "uncertain": 0, "warnings": "[]"},
    )
    outbox.create_index(["state"], index_name="idx_outbox_state")
    blockers = _table(db, "blockers")
    blockers.create(
        {
            "key": str,
            "title": str,
            "category": str,
            "priority": str,
            "opened_at": str,
            "reporter": str,
            "url": str,
            "ref": str,
            "state": str,  # open | closed
            "closed_at": str,
        },
        pk="key",
        not_null={"title", "category", "priority", "opened_at", "state"},
        defaults={"state": "open"},
    )
    blockers.create_index(["state"], index_name="idx_blockers_state")


def _m3_blocker_origin(db: sqlite_utils.Database) -> None:
    """Where each blocker came from: `local` (filed from this machine, or kept on it: the
    outbox and `refresh_blockers` look after it) or `tracker` (read from the team's tracker,
    filed by anyone: app/store/tracker_blockers.py keeps it as the tracker lists it)."""
    _table(db, "blockers").add_column("origin", str, not_null_default="local")
    _table(db, "blockers").create_index(["origin", "state"], index_name="idx_blockers_origin_state")


def _m4_claims(db: sqlite_utils.Database) -> None:
    """Who is on it: a blocker's `assignee` as the tracker lists it, and `claims` — "I'm on
    it" said on this machine, queued until the tracker has it (app/store/claims.py)."""
    _table(db, "blockers").add_column("assignee", str)
    claims = _table(db, "claims")
    claims.create(
        {
            "key": str,  # what is claimed: "blocker:<key>" or "pipeline:<name>"
            "ref": str,  # the tracker's issue reference, for a blocker
            "state": str,  # queued | sent | failed
            "attempts": int,
            "created_at": str,
            "next_attempt_at": str,
            "last_error": str,
            "claimed_by": str,  # the name the tracker gave back
            "sent_at": str,
        },
        pk="key",
        not_null={"state", "attempts", "created_at"},
        defaults={"attempts": 0},
    )
    claims.create_index(["state"], index_name="idx_claims_state")


def _m5_team_claims(db: sqlite_utils.Database) -> None:
    """Claims of failing pipelines as the tracker lists them (anyone's, from any machine):
    replaced at each complete read (app/store/claims.py)."""
    _table(db, "team_claims").create(
        {"item_key": str, "claimed_by": str, "ref": str, "url": str, "read_at": str},
        pk="item_key",
        not_null={"claimed_by", "read_at"},
    )


# The schema, in order: MIGRATIONS[i] upgrades version i to i + 1.
# To change the schema, APPEND a new function to this list (other parts of the app, e.g.
# blockers/outbox as migration 2, add their tables this way). Never edit, reorder or remove a
# migration that has shipped: users' files already went through it.
MIGRATIONS: list[Migration] = [
    _m1_items_transitions_http_cache,
    _m2_drafts_outbox_blockers,
    _m3_blocker_origin,
    _m4_claims,
    _m5_team_claims,
]


def migrate(
    db: sqlite_utils.Database, path: str = "", migrations: Sequence[Migration] | None = None
) -> int:
    """Bring the database to the latest version and return it.

    Raises `StoreTooNewError` if the file's version is newer than the last migration known.
    All pending migrations and the new `user_version` commit together or not at all.
    """
    steps = MIGRATIONS if migrations is None else migrations
    known = len(steps)
    found = schema_version(db)
    if found > known:
        raise StoreTooNewError(path, found, known)
    if found == known:
        return found
    with immediate_transaction(db):
        # Read again under the write lock: another process may have migrated meanwhile.
        current = schema_version(db)
        if current > known:
            raise StoreTooNewError(path, current, known)
        for version in range(current, known):
            steps[version](db)
        # PRAGMA cannot take a bound parameter; `known` is an int we computed.
        db.conn.execute(f"PRAGMA user_version = {int(known)}")
    return known


__all__ = [
    "AUTO_VACUUM_INCREMENTAL",
    "MIGRATIONS",
    "Migration",
    "StoreTooNewError",
    "enable_incremental_vacuum",
    "immediate_transaction",
    "migrate",
    "schema_version",
]
