"""Drafts, the outbox and blockers in the store: every query the report path needs.

A *draft* is what the report dialog holds while someone types (autosaved, one row per report
key). "Send" turns it into an *outbox item*: the finished `Report` plus its delivery state
(draft, queued, sending, sent, failed). Delivered reports (and local ones, with no tracker)
become *blockers*, which the board shows and the verdict judges.

Every write here is its own committed transaction, so a crash or SIGKILL never loses what was
typed or what was sent. The state changes that must be atomic (claiming an item for sending,
recording it sent together with its blocker) are single statements or one `BEGIN IMMEDIATE`
transaction.
Timestamps are stored as ISO 8601 UTC text. The records (`OutboxItem`, `Draft`, `OutboxState`)
and how an outbox row is encoded are app/store/outbox_records.py.

Plain reads and writes by key go through sqlite-utils (`rows_where`, `update`, `upsert`,
`delete_where`). None of this is a hot path (a report is a human act); the statements still
written by hand are the ones sqlite-utils cannot say, each with its reason: a conditional
write (compare-and-set, an upsert that keeps a report being sent), a join, or a write that
must not raise for a key that is gone (sqlite-utils' `update()` raises `NotFoundError`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlite_utils import Database

from app.domain.model import Blocker, BlockerState, Priority
from app.domain.outbox import Draft, OutboxItem, OutboxState
from app.domain.report import Report
from app.store.outbox_records import (
    db_time_or_null,
    item_from_row,
    report_from_json,
    report_to_json,
)
from app.store.records import from_db_time
from app.store.store import Store

DRAFT_FIELDS = (
    "category",
    "title",
    "trying_to",
    "impact",
    "prevents_delivery",
    "statement",
    "has_workaround",
    "reporter",
)


def _blocker(row: Mapping[str, Any]) -> Blocker:
    return Blocker(
        key=row["key"],
        title=row["title"],
        category=row["category"],
        priority=Priority(row["priority"]),
        opened_at=from_db_time(row["opened_at"]) or datetime.now(UTC),
        reporter=row["reporter"] or "",
        url=row["url"],
        state=BlockerState(row["state"]),
        closed_at=from_db_time(row["closed_at"]),
        from_tracker=row.get("origin") == "tracker",
        pending=bool(row.get("pending")),
        assignee=row.get("assignee") or "",
    )


class Outbox:
    """Draft, outbox and blocker queries over the store's database.

    Every call holds the store's lock for its statements only (never across a network call),
    so the GUI thread and the delivery worker can share one `Store`. Each write is one
    committed `BEGIN IMMEDIATE` transaction.
    """

    def __init__(self, store: Store) -> None:
        self.store = store

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self.store.connection() as db:
            return list(db.query(sql, list(params)))

    def _where(
        self, table: str, where: str | None = None, params: Sequence[Any] = (), **kw: Any
    ) -> list[dict[str, Any]]:
        """`rows_where` on `table` under the store's lock."""
        with self.store.connection() as db:
            return list(db.table(table).rows_where(where, list(params), **kw))

    def _write(self, sql: str, params: Sequence[Any]) -> int:
        """Run one write statement in its own committed transaction; returns rows changed."""
        with self.store.transaction() as db:
            return db.execute(sql, list(params)).rowcount

    # -- drafts ---------------------------------------------------------------------------

    def save_draft(self, key: str, fields: Mapping[str, Any], now: datetime | None = None) -> None:
        """Autosave what the dialog holds; committed before this returns."""
        kept = {name: fields[name] for name in DRAFT_FIELDS if name in fields}
        row = {
            "key": key,
            "fields": json.dumps(kept, ensure_ascii=False),
            "updated_at": db_time_or_null(now or datetime.now(UTC)),
        }
        with self.store.transaction() as db:
            db.table("drafts").upsert(row, pk="key")

    def load_drafts(self) -> list[Draft]:
        """Drafts not sent yet, most recently edited first."""
        drafts = []
        for row in self._where("drafts", order_by="updated_at DESC, key"):
            try:
                loaded = json.loads(row["fields"] or "{}")
            except ValueError:
                loaded = {}
            fields = loaded if isinstance(loaded, dict) else {}
            drafts.append(Draft(row["key"], fields, from_db_time(row["updated_at"])))
        return drafts

    def delete_draft(self, key: str) -> None:
        with self.store.transaction() as db:
            db.table("drafts").delete_where("key = ?", [key])

    # -- the outbox -----------------------------------------------------------------------

    def queue_report(
        self, report: Report, *, tracker_kind: str, now: datetime | None = None
    ) -> OutboxItem:
        """Move a finished report into the outbox and drop its draft, in one transaction.

        With no tracker (`tracker_kind` "none" or empty) the report stays local: it is kept in
        the outbox as a draft (exportable, sendable later). Either way its blocker is recorded
        at once: a queued P1 counts ("not sent yet") until it is resolved.
        Queuing a key again replaces the report unless it is being sent or was sent.
        """
        now = now or datetime.now(UTC)
        local = tracker_kind in ("", "none")
        with self.store.transaction() as db:
            # Hand-written: queuing again replaces a report only while it is not being sent
            # (the ON CONFLICT ... WHERE); sqlite-utils' upsert() has no such condition.
            db.execute(
                "INSERT INTO outbox (key, report_json, state, attempts, queued_at, "
                "tracker_kind, warnings, uncertain, updated_at) "
                "VALUES (?, ?, ?, 0, ?, ?, '[]', 0, ?) "
                "ON CONFLICT(key) DO UPDATE SET report_json = excluded.report_json, "
                "state = excluded.state, tracker_kind = excluded.tracker_kind, "
                "next_attempt_at = NULL, updated_at = excluded.updated_at "
                "WHERE outbox.state IN ('draft', 'failed', 'queued')",
                [
                    report.key,
                    report_to_json(report),
                    (OutboxState.DRAFT if local else OutboxState.QUEUED).value,
                    db_time_or_null(now),
                    tracker_kind or "none",
                    db_time_or_null(now),
                ],
            )
            db.table("drafts").delete_where("key = ?", [report.key])
            # A P1 counts from the moment it is reported, sent or still queued.
            self._upsert_blocker(db, report, url=None, ref=None)
        item = self.get(report.key)
        assert item is not None
        return item

    def get(self, key: str) -> OutboxItem | None:
        rows = self._where("outbox", "key = ?", [key])
        return item_from_row(rows[0]) if rows else None

    def items(self, states: Iterable[OutboxState] | None = None) -> list[OutboxItem]:
        """Outbox items, oldest first; all of them, or those in `states`."""
        wanted = None if states is None else {OutboxState(s) for s in states}
        found = [item_from_row(r) for r in self._where("outbox", order_by="queued_at, key")]
        return [i for i in found if wanted is None or i.state in wanted]

    def pending(self) -> list[OutboxItem]:
        """Everything not delivered yet: what the board's outbox list shows. A report saved
        here (no tracker) whose blocker was resolved here waits for nothing and is left out."""
        resolved = self.resolved_here()
        return [
            i
            for i in self.items()
            if i.state is not OutboxState.SENT
            and not (i.state is OutboxState.DRAFT and i.key in resolved)
        ]

    def resolved_here(self) -> set[str]:
        """Keys of the reports saved here (never on a tracker) whose blocker is closed."""
        return {
            b.key
            for b in self.blockers(open_only=False)
            if b.state is BlockerState.CLOSED and b.url is None and not b.from_tracker
        }

    def claim(self, item: OutboxItem, now: datetime, *, tracker_kind: str) -> bool:
        """Mark the item `sending` (committed) unless someone else changed it meanwhile.

        One conditional UPDATE on the state and attempt count it was read with: two senders
        (the app and `releasable outbox send`) can never both claim the same attempt.
        """
        # Hand-written: a compare-and-set (WHERE state = ? AND attempts = ?, rowcount 1).
        return (
            self._write(
                "UPDATE outbox SET state = 'sending', sending_started_at = ?, sending_pid = ?, "
                "attempts = attempts + 1, tracker_kind = ?, updated_at = ? "
                "WHERE key = ? AND state = ? AND attempts = ?",
                [
                    db_time_or_null(now),
                    os.getpid(),
                    tracker_kind,
                    db_time_or_null(now),
                    item.key,
                    item.state.value,
                    item.attempts,
                ],
            )
            == 1
        )

    def mark_sent(
        self,
        key: str,
        *,
        url: str,
        ref: str,
        warnings: Iterable[str] = (),
        now: datetime | None = None,
    ) -> None:
        """Record the issue's link and open its blocker, in one transaction."""
        at = db_time_or_null(now or datetime.now(UTC))
        with self.store.transaction() as db:
            outbox = db.table("outbox")
            found = list(outbox.rows_where("key = ?", [key], select="report_json"))
            if not found:
                return
            outbox.update(
                key,
                {
                    "state": "sent",
                    "url": url,
                    "ref": ref,
                    "warnings": json.dumps(list(warnings)),
                    "last_error": None,
                    "uncertain": 0,
                    "next_attempt_at": None,
                    "not_before": None,
                    "sent_at": at,
                    "updated_at": at,
                },
            )
            report = report_from_json(found[0]["report_json"])
            self._upsert_blocker(db, report, url=url, ref=ref)

    def mark_retry(
        self,
        key: str,
        *,
        error: str,
        next_attempt_at: datetime,
        uncertain: bool,
        not_before: datetime | None = None,
        now: datetime | None = None,
    ) -> None:
        """Back to `queued` until `next_attempt_at`; `uncertain` only ever turns on here."""
        # Hand-written: `uncertain = MAX(uncertain, ?)` keeps a flag already on, in one step.
        self._write(
            "UPDATE outbox SET state = 'queued', last_error = ?, next_attempt_at = ?, "
            "not_before = ?, uncertain = MAX(uncertain, ?), updated_at = ? WHERE key = ?",
            [
                error,
                db_time_or_null(next_attempt_at),
                db_time_or_null(not_before),
                int(uncertain),
                db_time_or_null(now or datetime.now(UTC)),
                key,
            ],
        )

    def mark_failed(self, key: str, *, error: str, now: datetime | None = None) -> None:
        """A permanent error: stop retrying, keep the report editable and re-sendable.

        The `uncertain` flag is kept: if an earlier attempt may have filed the issue, the
        next send after `requeue()` still looks it up first.
        """
        # Hand-written: a report discarded meanwhile is no error (update() would raise).
        self._write(
            "UPDATE outbox SET state = 'failed', last_error = ?, next_attempt_at = NULL, "
            "updated_at = ? WHERE key = ?",
            [error, db_time_or_null(now or datetime.now(UTC)), key],
        )

    def requeue(self, key: str, report: Report | None = None, now: datetime | None = None) -> bool:
        """Send again (after a permanent error, or a local draft once a tracker exists).

        `report`, when given, replaces the edited report; the key never changes. The wait is
        cleared, so the next delivery round sends it at once (after a look-up: an earlier
        attempt counts). False when there is nothing to requeue (unknown key, already sent,
        or being sent right now).
        """
        if report is not None and report.key != key:
            raise ValueError("an edited report keeps its key")
        now = now or datetime.now(UTC)
        with self.store.transaction() as db:
            outbox = db.table("outbox")
            found = list(outbox.rows_where("key = ?", [key], select="state"))
            if not found or found[0]["state"] in (OutboxState.SENT, OutboxState.SENDING):
                return False
            changes: dict[str, Any] = {
                "state": "queued",
                "next_attempt_at": None,
                "updated_at": db_time_or_null(now),
            }
            if report is not None:
                changes["report_json"] = report_to_json(report)
            outbox.update(key, changes)
        return True

    def discard(self, key: str) -> bool:
        """Throw away a report that was never delivered (a local draft or a failed one); its
        blocker, never filed anywhere, is closed with it."""
        # Hand-written: conditional writes (only an undelivered report, only a local blocker
        # never filed), and the rowcount says whether it went.
        with self.store.transaction() as db:
            gone = db.execute(
                "DELETE FROM outbox WHERE key = ? AND state IN ('draft', 'failed')", [key]
            ).rowcount
            if gone:
                db.execute(
                    "UPDATE blockers SET state = 'closed', closed_at = ? "
                    "WHERE key = ? AND url IS NULL AND origin = 'local'",
                    [db_time_or_null(datetime.now(UTC)), key],
                )
        return gone == 1

    def export_markdown(self, key: str) -> str:
        """The report as Markdown, to paste anywhere (with no tracker, or as a copy)."""
        item = self.get(key)
        if item is None:
            raise KeyError(key)
        report = item.report
        return f"# [{report.priority.value}] {report.title}\n\n{report.body.rstrip()}\n"

    # -- blockers -------------------------------------------------------------------------

    @staticmethod
    def _upsert_blocker(db: Database, report: Report, *, url: str | None, ref: str | None) -> None:
        # Hand-written: on conflict a link already known is kept (COALESCE) and the rest of the
        # row left as it is; sqlite-utils' upsert() would overwrite every column it is given.
        db.execute(
            "INSERT INTO blockers (key, title, category, priority, opened_at, reporter, url, "
            "ref, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open') "
            "ON CONFLICT(key) DO UPDATE SET url = COALESCE(excluded.url, blockers.url), "
            "ref = COALESCE(excluded.ref, blockers.ref), origin = 'local'",
            [
                report.key,
                report.title,
                report.category,
                report.priority.value,
                db_time_or_null(report.created_at),
                report.reporter,
                url,
                ref,
            ],
        )

    def blockers(self, *, open_only: bool = True) -> tuple[Blocker, ...]:
        """Blockers for the board (open ones by default), oldest first."""
        where = " WHERE b.state = 'open'" if open_only else ""
        # Hand-written: a join (is its report still waiting in the outbox?).
        rows = self._rows(
            "SELECT b.*, (b.url IS NULL AND o.state IN ('queued', 'sending', 'failed')) "
            f"AS pending FROM blockers b LEFT JOIN outbox o ON o.key = b.key{where} "
            "ORDER BY b.opened_at, b.key"
        )
        return tuple(_blocker(r) for r in rows)

    def tracked_blockers(self, tracker_kind: str) -> list[tuple[Blocker, str]]:
        """Open blockers filed on a tracker of `tracker_kind`, with their tracker reference."""
        # Hand-written: a join (the tracker kind is the outbox row's).
        rows = self._rows(
            "SELECT b.* FROM blockers b JOIN outbox o ON o.key = b.key WHERE b.state = 'open' "
            "AND b.ref IS NOT NULL AND o.tracker_kind = ? ORDER BY b.opened_at, b.key",
            [tracker_kind],
        )
        return [(_blocker(r), r["ref"]) for r in rows]

    def blocker_ref(self, key: str) -> str | None:
        """The tracker's reference of a delivered blocker ("123", "OPS-42")."""
        rows = self._where("blockers", "key = ?", [key], select="ref")
        return rows[0]["ref"] if rows else None

    def resolve_here(self, key: str, now: datetime | None = None) -> Blocker | None:
        """Mark the blocker of report `key` resolved here: the window's "Mark resolved here"
        and `releasable outbox resolve KEY`. It stops counting at once (every board opened
        with this database). Returns the blocker as it was before (its state says whether it
        was still open), or None when there is no blocker of ours by that key: a teammate's,
        read from the tracker, is resolved by closing its issue there, never here.
        """
        found = [b for b in self.blockers(open_only=False) if b.key == key]
        if not found or found[0].from_tracker:
            return None
        if found[0].state is BlockerState.OPEN:
            self.set_blocker_state(key, BlockerState.CLOSED, now)
        return found[0]

    def set_blocker_state(self, key: str, state: BlockerState, now: datetime | None = None) -> None:
        """Close (or reopen) a blocker: closed on the tracker, or closed in the app."""
        closed_at = (
            db_time_or_null(now or datetime.now(UTC)) if state is BlockerState.CLOSED else None
        )
        # Hand-written: a blocker gone meanwhile is no error (update() would raise).
        self._write(
            "UPDATE blockers SET state = ?, closed_at = ? WHERE key = ?",
            [state.value, closed_at, key],
        )


__all__ = [
    "DRAFT_FIELDS",
    "Draft",
    "Outbox",
    "OutboxItem",
    "OutboxState",
    "report_from_json",
    "report_to_json",
]
