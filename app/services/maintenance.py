"""Periodic upkeep of the local database, off the GUI thread: delete what is older than the
board's `history_days` and give the space back (app/store/retention.py).

`Maintenance` runs `prune` through `run_task` a minute after start and then every few hours,
so a wall that runs for months keeps a database of bounded size without anyone restarting it.
A failed run is logged and tried again at the next interval.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal

from app.services.tasks import run_task
from app.store.retention import DEFAULT_KEEP_DAYS, Pruned, prune
from app.store.store import Store

log = logging.getLogger(__name__)

FIRST_RUN_MS = 60_000  # not during start-up
INTERVAL_MS = 6 * 3600 * 1000


def utc_now() -> datetime:
    return datetime.now(UTC)


class Maintenance(QObject):
    """Prunes the store now and then; `pruned(Pruned)` says what each run deleted."""

    pruned = Signal(object)  # Pruned

    def __init__(
        self,
        store: Store,
        keep_days: int = DEFAULT_KEEP_DAYS,
        *,
        first_ms: int = FIRST_RUN_MS,
        interval_ms: int = INTERVAL_MS,
        clock: Callable[[], datetime] = utc_now,
        pool: QThreadPool | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._keep_days = keep_days
        self._first_ms = first_ms
        self._interval_ms = interval_ms
        self._clock = clock
        self._pool = pool
        self._running = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.run_now)

    def start(self) -> None:
        self._timer.start(self._first_ms)

    def stop(self) -> None:
        self._timer.stop()

    def run_now(self) -> None:
        """Prune now (on a worker); the next run is one interval after this one ends."""
        if self._running:
            return
        self._running = True
        store, now, keep = self._store, self._clock(), self._keep_days
        run_task(lambda: prune(store, now, keep), self._done, self._failed, pool=self._pool)

    def _done(self, result: Pruned) -> None:
        self._running = False
        self.pruned.emit(result)
        self._timer.start(self._interval_ms)

    def _failed(self, error: BaseException) -> None:
        self._running = False
        log.warning("old history could not be deleted this time: %s", error)
        self._timer.start(self._interval_ms)


__all__ = ["Maintenance"]
