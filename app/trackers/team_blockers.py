"""The team's open blockers, read from the tracker into the board: what anyone filed, anywhere.

The outbox puts on the board what this machine filed. The team-room kiosk and every
teammate's window must also show the P1 Dana filed from a colleague's laptop, so
`sync_team_blockers` asks the tracker for its open blockers (`Tracker.open_blockers`) and
makes the store's `tracker` rows match them (app/store/tracker_blockers.py): added, updated,
reopened, or closed when the tracker no longer lists them. Reports sent from this machine are
recognised by their key and stay the outbox's rows, never shown twice.

Polled like a source, by `OutboxService` every `[tracker] refresh_seconds`, and each read is
recorded (`record_tracker_read`): a list not read within its staleness limit makes the verdict
UNKNOWN. A tracker that cannot be reached changes no blocker (the board keeps what it last
knew: a P1 never disappears because the network did). No Qt and no threads here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from app.domain.model import Blocker
from app.store.outbox import Outbox
from app.store.store import Store
from app.store.tracker_blockers import TrackerSync, record_tracker_read, sync_tracker_blockers
from app.trackers.base import RemoteBlocker, TrackerError
from app.trackers.ports import Http, Tracker

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TeamSync:
    """One sync: what changed on the board, or why the tracker could not be read."""

    changes: TrackerSync = TrackerSync()
    listed: int = 0  # open blockers the tracker listed
    error: str | None = None  # the tracker could not be read: nothing was changed

    @property
    def changed(self) -> bool:
        return self.changes.changed


def as_blocker(remote: RemoteBlocker) -> Blocker:
    """A listed blocker in the board's vocabulary (an empty link becomes no link)."""
    return Blocker(
        key=remote.key,
        title=remote.title,
        category=remote.category,
        priority=remote.priority,
        opened_at=remote.opened_at,
        reporter=remote.reporter,
        url=remote.url or None,
        assignee=remote.assignee,
    )


def sync_team_blockers(
    store: Store | Outbox, tracker: Tracker | None, http: Http, now: datetime
) -> TeamSync:
    """Read the tracker's open blockers and make the board's `tracker` rows match them.

    With no tracker (kind none, or one that could not be set up) nothing is read and nothing
    changes: what the board knew stays until a tracker can say otherwise.
    """
    if tracker is None:
        return TeamSync()
    list_open = getattr(tracker, "open_blockers", None)
    if list_open is None:  # an adapter that cannot list (a test double, a plug-in)
        return TeamSync()
    db = store.store if isinstance(store, Outbox) else store
    try:
        listed = list_open(http)
    except TrackerError as err:
        log.info("could not read the team's open blockers: %s", err.message)
        record_tracker_read(db, tracker.kind, now, err.message)
        return TeamSync(error=err.message)
    changes = sync_tracker_blockers(db, [(as_blocker(b), b.ref) for b in listed], now)
    record_tracker_read(db, tracker.kind, now)
    if changes.changed:
        log.info(
            "team blockers: %d opened, %d updated, %d closed",
            len(changes.opened),
            len(changes.updated),
            len(changes.closed),
        )
    return TeamSync(changes=changes, listed=len(listed))


__all__ = ["TeamSync", "as_blocker", "sync_team_blockers"]
