"""Keeping the database small on a wall that runs for months: what is old is deleted, and the
freed pages go back to the file system.

`prune(store, now, keep_days)` deletes, in short transactions, what is older than the board's
`history_days` (default 400): status transitions (each item keeps its last one before the cut,
so its state at the cut is still known), delivered outbox rows whose blocker is closed or
gone, and closed blockers; cached HTTP answers go after `HTTP_CACHE_DAYS` without a refresh. Then
`PRAGMA incremental_vacuum` hands the freed pages back, so the file stops growing once the
history window is full. The database is created with `auto_vacuum = INCREMENTAL`; an older
file is converted once, by a `VACUUM` when it is opened (app/store/schema.py,
`enable_incremental_vacuum`).

Called off the GUI thread only: `app.services.maintenance` runs it periodically.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from app.store.records import to_db_time

if TYPE_CHECKING:
    from app.store.store import Store

log = logging.getLogger(__name__)

DEFAULT_KEEP_DAYS = 400
# A cached answer not stored again for a week belongs to a URL no longer read (an old run's
# page); one still read and pruned costs one full answer instead of a 304.
HTTP_CACHE_DAYS = 7


@dataclass(frozen=True)
class Pruned:
    """What one pruning deleted, and the file's size afterwards."""

    transitions: int = 0
    http_cache: int = 0
    outbox: int = 0
    blockers: int = 0
    freed_pages: int = 0

    @property
    def rows(self) -> int:
        return self.transitions + self.http_cache + self.outbox + self.blockers


def prune(store: Store, now: datetime, keep_days: int = DEFAULT_KEEP_DAYS) -> Pruned:
    """Delete what is older than `keep_days` (at least 1) and give the space back."""
    cut = to_db_time(now - timedelta(days=max(1, keep_days)))
    transitions = store.prune_transitions(datetime.fromisoformat(cut))
    cache_days = min(max(1, keep_days), HTTP_CACHE_DAYS)
    http_cache = store.http_cache.forget_stored_before(now - timedelta(days=cache_days))
    with store.transaction() as db:
        # A delivered report whose blocker is still open stays: the outbox follows its issue.
        # Hand-written: subqueries, and the rowcounts (sqlite-utils' delete_where() gives none).
        outbox = db.execute(
            "DELETE FROM outbox WHERE state = 'sent' AND sent_at < ? AND key NOT IN "
            "(SELECT key FROM blockers WHERE state = 'open')",
            [cut],
        ).rowcount
        blockers = db.execute(
            "DELETE FROM blockers WHERE state = 'closed' AND closed_at < ? AND key NOT IN "
            "(SELECT key FROM outbox)",
            [cut],
        ).rowcount
    with store.connection() as db:
        before = int(db.execute("PRAGMA freelist_count").fetchone()[0])
        # executescript steps the pragma to the end; execute() would free one page only.
        db.conn.executescript("PRAGMA incremental_vacuum;")
        after = int(db.execute("PRAGMA freelist_count").fetchone()[0])
        # Copy the WAL back so the main file actually shrinks (no-op while a reader holds it).
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    result = Pruned(transitions, http_cache, outbox, blockers, before - after)
    if result.rows:
        log.info(
            "history older than %d days deleted: %d status changes, %d cached answers, "
            "%d delivered reports, %d closed blockers",
            keep_days,
            transitions,
            http_cache,
            outbox,
            blockers,
        )
    return result


__all__ = ["DEFAULT_KEEP_DAYS", "HTTP_CACHE_DAYS", "Pruned", "prune"]
