"""Claims in the store: "I'm on it", said on this machine, kept until the tracker has it.

A claim is one row per thing claimed (`blocker:<key>`, or `pipeline:<name>`), so saying it
twice queues it once. It is written (committed) before any request, so a claim made offline,
or by a process that then dies, is delivered when the tracker can be reached: `queued` until
the tracker confirms (`sent`, with the name it gave back), or `failed` with the reason when
the tracker refuses for good. The blocker's own row gets the assignee as soon as the tracker
confirms, so this board shows it without waiting for the next read of the team's blockers.

Every write is one committed `BEGIN IMMEDIATE` transaction (`Store.transaction`). Plain
inserts and deletes go through sqlite-utils; none of this is a hot path (a claim is a human
act, the team's claims are read every `[tracker] refresh_seconds`), so the statements still
written by hand are the ones sqlite-utils cannot say: conditional upserts (a claim already
sent stays sent), counters (`attempts = attempts + 1`), a write that must not raise for a
claim that is gone, and reads into `ClaimRecord` in one column order (`_COLUMNS`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from app.store.records import from_db_time, to_db_time
from app.store.store import Store

QUEUED, SENT, FAILED = "queued", "sent", "failed"
BLOCKER_PREFIX = "blocker:"
PIPELINE_PREFIX = "pipeline:"
RELEASE_PREFIX = "release:"  # a pipeline's claim to close on the tracker: it passes again


@dataclass(frozen=True)
class TeamClaim:
    """A pipeline's claim as the tracker lists it: who is on it, and the claim issue."""

    item_key: str  # "pipeline:api"
    claimed_by: str
    ref: str
    url: str = ""


@dataclass(frozen=True)
class ClaimRecord:
    """One claim: what (`key`), the tracker's issue (`ref`), where its delivery stands."""

    key: str
    ref: str | None
    state: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None = None
    last_error: str = ""
    claimed_by: str = ""

    @property
    def blocker_key(self) -> str | None:
        return self.key[len(BLOCKER_PREFIX) :] if self.key.startswith(BLOCKER_PREFIX) else None


_COLUMNS = "key, ref, state, attempts, created_at, next_attempt_at, last_error, claimed_by"


def _record(row: tuple[object, ...]) -> ClaimRecord:
    key, ref, state, attempts, created, next_at, error, by = row
    return ClaimRecord(
        key=str(key),
        ref=str(ref) if ref is not None else None,
        state=str(state),
        attempts=int(attempts) if isinstance(attempts, int) else 0,
        created_at=from_db_time(str(created)) or datetime.min,
        next_attempt_at=from_db_time(str(next_at)) if next_at is not None else None,
        last_error=str(error or ""),
        claimed_by=str(by or ""),
    )


def claim_blocker(store: Store, blocker_key: str, now: datetime) -> ClaimRecord | None:
    """Queue "I'm on it" for a blocker (its tracker reference is taken from its row).

    None when the blocker is not on the board or has no issue on the tracker yet (a report
    still in the outbox: claim it once it is sent). A claim already sent stays sent.
    """
    key = BLOCKER_PREFIX + blocker_key
    with store.transaction() as db:
        conn = db.conn
        found = conn.execute("SELECT ref FROM blockers WHERE key = ?", [blocker_key]).fetchone()
        if found is None or not found[0]:
            return None
        # Hand-written: a conditional upsert (a claim already sent stays sent).
        conn.execute(
            "INSERT INTO claims (key, ref, state, attempts, created_at) VALUES (?, ?, ?, 0, ?) "
            "ON CONFLICT(key) DO UPDATE SET ref = excluded.ref, "
            "state = CASE WHEN claims.state = 'sent' THEN 'sent' ELSE 'queued' END, "
            "next_attempt_at = NULL, last_error = NULL",
            [key, str(found[0]), QUEUED, to_db_time(now)],
        )
        row = conn.execute(f"SELECT {_COLUMNS} FROM claims WHERE key = ?", [key]).fetchone()
    return _record(tuple(row))


def claim_pipeline(store: Store, item_key: str, now: datetime) -> ClaimRecord:
    """Queue "I'm on it" for a failing pipeline (`pipeline:<name>`). Claiming it again after
    its last claim ended queues a new one."""
    with store.transaction() as db:
        table = db.table("claims")
        # A new claim, or a fresh start for an old one: every column of the row is given.
        fresh: dict[str, object] = {"key": item_key, "ref": None, "state": QUEUED}
        fresh |= {"attempts": 0, "next_attempt_at": None, "last_error": None}
        table.upsert(fresh | {"created_at": to_db_time(now)}, pk="key")
        table.delete_where("key = ?", [RELEASE_PREFIX + item_key])
        conn = db.conn
        row = conn.execute(f"SELECT {_COLUMNS} FROM claims WHERE key = ?", [item_key]).fetchone()
    return _record(tuple(row))


def release_claims(store: Store, item_keys: Sequence[str], now: datetime) -> list[str]:
    """The pipelines in `item_keys` pass again: queue closing their claims on the tracker
    (once per claim) and stop showing them here at once. Returns the keys released."""
    released: list[str] = []
    with store.transaction() as db:
        team, own_claims = db.table("team_claims"), db.table("claims")
        for key in item_keys:
            listed = list(team.rows_where("item_key = ?", [key], select="ref"))
            own = list(own_claims.rows_where("key = ?", [key], select="ref"))
            if not listed and not own:
                continue
            ref = (listed[0]["ref"] if listed else None) or (own[0]["ref"] if own else None)
            team.delete_where("item_key = ?", [key])
            own_claims.delete_where("key = ?", [key])
            if ref:
                release: dict[str, object] = {"key": RELEASE_PREFIX + key, "ref": ref}
                release |= {"state": QUEUED, "attempts": 0, "created_at": to_db_time(now)}
                own_claims.insert(release, ignore=True)
            released.append(key)
    return released


def set_team_claims(store: Store, listed: Sequence[TeamClaim], now: datetime) -> None:
    """After a complete read of the tracker: the pipelines' claims are exactly `listed`."""
    read_at = to_db_time(now)
    with store.transaction() as db:
        table = db.table("team_claims")
        table.delete_where()
        rows = [
            {"item_key": c.item_key, "claimed_by": c.claimed_by, "ref": c.ref, "url": c.url}
            for c in listed
        ]
        table.insert_all([r | {"read_at": read_at} for r in rows], replace=True)


def team_claims(store: Store) -> dict[str, str]:
    """Who is on each claimed pipeline: the team's claims as last read, and this machine's
    claims the tracker has not listed yet (said here, shown here at once)."""
    with store.connection() as db:
        found = {
            str(k): str(v)
            for k, v in db.execute("SELECT item_key, claimed_by FROM team_claims").fetchall()
        }
        for key, state, by in db.execute(
            "SELECT key, state, claimed_by FROM claims WHERE key LIKE 'pipeline:%' "
            "AND state != 'failed'"
        ).fetchall():
            found.setdefault(str(key), str(by) if by else ("you" if state == QUEUED else ""))
    return {k: v for k, v in found.items() if v}


def due_claims(store: Store, now: datetime) -> list[ClaimRecord]:
    """Queued claims whose next attempt is due, oldest first."""
    with store.connection() as db:
        rows = db.execute(
            f"SELECT {_COLUMNS} FROM claims WHERE state = ? "
            "AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY created_at, key",
            [QUEUED, to_db_time(now)],
        ).fetchall()
    return [_record(tuple(r)) for r in rows]


def claims(store: Store) -> list[ClaimRecord]:
    """Every claim made here, oldest first."""
    with store.connection() as db:
        rows = db.execute(f"SELECT {_COLUMNS} FROM claims ORDER BY created_at, key").fetchall()
    return [_record(tuple(r)) for r in rows]


def claim_sent(
    store: Store, claim: ClaimRecord, claimed_by: str, now: datetime, ref: str | None = None
) -> None:
    """The tracker has it: the claim is done and the blocker says who is on it. `ref` is the
    claim issue a pipeline's claim created."""
    with store.transaction() as db:
        conn = db.conn
        # Hand-written: a counter and COALESCE; the blocker may be gone (update() would raise).
        conn.execute(
            "UPDATE claims SET state = ?, attempts = attempts + 1, claimed_by = ?, sent_at = ?, "
            "last_error = NULL, next_attempt_at = NULL, ref = COALESCE(?, ref) WHERE key = ?",
            [SENT, claimed_by, to_db_time(now), ref, claim.key],
        )
        if claim.blocker_key is not None:
            conn.execute(
                "UPDATE blockers SET assignee = ? WHERE key = ?", [claimed_by, claim.blocker_key]
            )


def claim_retry(store: Store, claim: ClaimRecord, error: str, next_at: datetime) -> None:
    # Hand-written: a counter, and only while the claim is still queued.
    with store.transaction() as db:
        db.conn.execute(
            "UPDATE claims SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? "
            "WHERE key = ? AND state = ?",
            [error, to_db_time(next_at), claim.key, QUEUED],
        )


def claim_failed(store: Store, claim: ClaimRecord, error: str) -> None:
    # Hand-written: a counter (attempts = attempts + 1).
    with store.transaction() as db:
        db.conn.execute(
            "UPDATE claims SET state = ?, attempts = attempts + 1, last_error = ? WHERE key = ?",
            [FAILED, error, claim.key],
        )


__all__ = [
    "FAILED",
    "QUEUED",
    "SENT",
    "ClaimRecord",
    "TeamClaim",
    "claim_blocker",
    "claim_pipeline",
    "release_claims",
    "set_team_claims",
    "team_claims",
    "claim_failed",
    "claim_retry",
    "claim_sent",
    "claims",
    "due_claims",
]
