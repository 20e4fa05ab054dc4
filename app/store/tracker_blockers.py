"""The team's blockers as the tracker lists them, kept in the store's `blockers` table.

Every blocker row has an `origin` (migration 3). `local` rows are the ones this machine filed or
keeps (the outbox writes them, `refresh_blockers` closes them when their issue closes); this
module never changes their state or text. `tracker` rows are read from the tracker, filed by
anyone on the team from any machine; after each complete listing they are exactly the open
blockers the tracker listed: new ones are added, changed ones updated (the platform team may
relabel a P1 as P2), reopened ones opened again, and the ones no longer listed closed.

A listed issue is recognised as ours, and never added a second time, by its key (the report's
key, which the issue carries) or, if the marker was edited out of it, by its link.
All of it is one `BEGIN IMMEDIATE` transaction: the window never sees half a sync.

How the last read went (`record_tracker_read`) is kept too, so the verdict can treat the list
like a source: not read within its staleness limit, nobody knows that no teammate filed a P1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from app.domain.model import Blocker
from app.store.records import from_db_time, to_db_time
from app.store.store import Store

LOCAL = "local"
TRACKER = "tracker"


@dataclass(frozen=True)
class TrackerSync:
    """What one sync changed, by blocker key."""

    opened: tuple[str, ...] = ()  # new on the board, or reopened on the tracker
    updated: tuple[str, ...] = ()  # title, priority, category, reporter, link or assignee changed
    closed: tuple[str, ...] = ()  # no longer listed as open by the tracker

    @property
    def changed(self) -> bool:
        return bool(self.opened or self.updated or self.closed)


def sync_tracker_blockers(
    store: Store, listed: Sequence[tuple[Blocker, str]], now: datetime
) -> TrackerSync:
    """Make the `tracker` rows match the open blockers the tracker listed.

    `listed` is every open blocker the tracker has (with its tracker reference), so a
    `tracker` row missing from it is closed at `now`. Call it only after a complete listing.
    """
    opened: list[str] = []
    updated: list[str] = []
    closed: list[str] = []
    seen: set[str] = set()
    with store.transaction() as db:
        conn, table = db.conn, db.table("blockers")
        own_links = {
            row[0]
            for row in conn.execute(
                "SELECT url FROM blockers WHERE origin = ? AND url IS NOT NULL", [LOCAL]
            )
        }
        for blocker, ref in listed:
            if blocker.key in seen:
                continue  # the same report filed twice: the first (oldest) one stands for it
            row = conn.execute(
                "SELECT origin, state, title, category, priority, reporter, url, ref, assignee "
                "FROM blockers WHERE key = ?",
                [blocker.key],
            ).fetchone()
            if row is None and blocker.url is not None and blocker.url in own_links:
                continue  # ours, with the key marker edited out of the issue
            seen.add(blocker.key)
            listed_row = {
                "title": blocker.title,
                "category": blocker.category,
                "priority": blocker.priority.value,
                "reporter": blocker.reporter,
                "url": blocker.url,
                "ref": ref,
                "assignee": blocker.assignee or None,
            }
            if row is None:
                opened_at = to_db_time(blocker.opened_at)
                new = {"key": blocker.key, "opened_at": opened_at, "origin": TRACKER}
                table.insert(listed_row | new | {"state": "open"})
                opened.append(blocker.key)
                continue
            origin, state, *current = row
            if origin != TRACKER:
                # Ours: the outbox and refresh_blockers look after it; only fill a missing link,
                # and say who is on it as the tracker does. Hand-written: COALESCE keeps a link
                # already known.
                conn.execute(
                    "UPDATE blockers SET url = COALESCE(url, ?), ref = COALESCE(ref, ?), "
                    "assignee = ? WHERE key = ?",
                    [blocker.url, ref, blocker.assignee or None, blocker.key],
                )
                continue
            if state == "open" and current == list(listed_row.values()):
                continue
            table.update(blocker.key, listed_row | {"state": "open", "closed_at": None})
            (opened if state != "open" else updated).append(blocker.key)
        for (key,) in conn.execute(
            "SELECT key FROM blockers WHERE origin = ? AND state = 'open' ORDER BY opened_at, key",
            [TRACKER],
        ).fetchall():
            if key not in seen:
                closed.append(key)
        for key in closed:
            table.update(key, {"state": "closed", "closed_at": to_db_time(now)})
    return TrackerSync(tuple(opened), tuple(updated), tuple(closed))


TRACKER_ITEM_KEY = "tracker:open-blockers"


def record_tracker_read(store: Store, name: str, at: datetime, error: str | None = None) -> None:
    """Keep how the last read of the tracker's open blockers went (an `items` row of kind
    `tracker`): a complete listing moves `read_at`; a failure keeps it and says why."""
    at_s = to_db_time(at)
    # Hand-written: the first read sets the row's status and since when; later ones keep
    # them (ON CONFLICT updates only some columns; sqlite-utils' upsert() sets all it is given).
    with store.transaction() as db:
        if error is None:
            db.execute(
                "INSERT INTO items (key, kind, name, read_at, status, status_since) "
                "VALUES (?, 'tracker', ?, ?, 'read', ?) ON CONFLICT (key) DO UPDATE SET "
                "name = excluded.name, read_at = excluded.read_at, error = NULL, error_at = NULL",
                [TRACKER_ITEM_KEY, name, at_s, at_s],
            )
        else:
            db.execute(
                "INSERT INTO items (key, kind, name, error, error_at, status, status_since) "
                "VALUES (?, 'tracker', ?, ?, ?, 'unknown', ?) ON CONFLICT (key) DO UPDATE SET "
                "name = excluded.name, error = excluded.error, error_at = excluded.error_at",
                [TRACKER_ITEM_KEY, name, error, at_s, at_s],
            )


def last_tracker_read(store: Store) -> tuple[datetime | None, str | None]:
    """When the tracker's open blockers were last listed completely, and the last error."""
    with store.connection() as db:
        row = db.conn.execute(
            "SELECT read_at, error FROM items WHERE key = ?", [TRACKER_ITEM_KEY]
        ).fetchone()
    if row is None:
        return None, None
    return from_db_time(row[0]), row[1]


def blocker_origin(store: Store, key: str) -> str | None:
    """`local` or `tracker` for a known blocker, None for an unknown key."""
    with store.connection() as db:
        row = db.conn.execute("SELECT origin FROM blockers WHERE key = ?", [key]).fetchone()
    return row[0] if row else None


__all__ = [
    "LOCAL",
    "TRACKER",
    "TRACKER_ITEM_KEY",
    "TrackerSync",
    "blocker_origin",
    "last_tracker_read",
    "record_tracker_read",
    "sync_tracker_blockers",
]
