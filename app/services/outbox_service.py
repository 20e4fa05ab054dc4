"""The running app's outbox: delivers queued reports off the GUI thread, on a timer.

`OutboxService` runs `deliver_due()` on the thread pool (through `run_task`, the app's one way
off the GUI thread) every few seconds, and at once on `wake()` (a report was just queued,
the user pressed "send now", the network came back). Rounds never overlap: a wake during a
round runs one more round right after it. After each round the next one is timed for the
earliest retry the outbox asked for, so a report waiting for an unreachable tracker goes out
within seconds of the tracker coming back. Every `blocker_poll_ms` (the board's
`[tracker] refresh_seconds`) a round also reads the tracker's blockers: which of ours were
closed there (`refresh_blockers`), and the team's open blockers, filed by anyone from any
machine (`sync_team_blockers`). Results reach the GUI only through signals.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal

from app.domain.report import Report
from app.services.tasks import run_task
from app.sources.http import HttpClient
from app.store.outbox import Outbox, OutboxItem, OutboxState
from app.store.store import Store
from app.trackers.outbox import DeliveryPolicy, DeliveryResult, deliver_due, refresh_blockers
from app.trackers.ports import Tracker
from app.trackers.team_blockers import TeamSync, sync_team_blockers

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_MS = 5000
DEFAULT_BLOCKER_POLL_MS = 60_000
MIN_INTERVAL_MS = 250


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class _Round:
    results: list[DeliveryResult]
    next_due: datetime | None  # the earliest retry still waiting
    closed: list[str]  # blockers the tracker says were closed
    team: TeamSync = TeamSync()  # the team's open blockers, read from the tracker
    polled: bool = False  # the tracker was read (or tried): the verdict watches that read


class OutboxService(QObject):
    """Delivers the outbox in the background; tells the window what happened.

    Shares the app's `Store` (its lock makes that safe) and `HttpClient`. On shutdown call
    `stop()` and then wait for the pool (`QThreadPool.waitForDone`) so a round under way can
    commit what it sent.
    """

    changed = Signal()  # the outbox or the blockers changed: re-read them
    delivered = Signal(str, str)  # key, issue link
    failed = Signal(str, str)  # key, reason (a permanent error: the report needs a fix)
    retrying = Signal(str, str)  # key, reason (will be retried by itself)
    blocker_closed = Signal(str)  # key: its issue was closed on the tracker
    blocker_opened = Signal(str)  # key: a blocker filed by anyone appeared (or was reopened)
    warned = Signal(str, str)  # key, e.g. "labels were not applied — the token needs push …"
    round_finished = Signal(object)  # list[DeliveryResult]

    def __init__(
        self,
        store: Store,
        tracker: Tracker | None,
        http: HttpClient,
        *,
        interval_ms: int = DEFAULT_INTERVAL_MS,
        blocker_poll_ms: int = DEFAULT_BLOCKER_POLL_MS,
        clock: Callable[[], datetime] = utc_now,
        policy: DeliveryPolicy | None = None,
        pool: QThreadPool | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.outbox = Outbox(store)
        self._tracker = tracker
        self._http = http
        self._interval_ms = max(MIN_INTERVAL_MS, interval_ms)
        self._blocker_poll_s = blocker_poll_ms / 1000
        self._last_blocker_poll: datetime | None = None
        self._clock = clock
        self._policy = policy or DeliveryPolicy()
        self._pool = pool
        self._running = False
        self._again = False
        self._force_next = False
        self._stopped = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._tick)

    # -- control --------------------------------------------------------------------------

    def start(self) -> None:
        """Deliver now and then every interval."""
        self.wake()

    def stop(self) -> None:
        """No more rounds (a round under way still finishes and reports)."""
        self._timer.stop()
        self._again = False
        self._stopped = True

    @property
    def busy(self) -> bool:
        return self._running

    @property
    def tracker(self) -> Tracker | None:
        return self._tracker

    def set_tracker(self, tracker: Tracker | None) -> None:
        """The board's tracker changed (or was configured): use it from the next round."""
        self._tracker = tracker
        self.wake()

    def wake(self, *, force: bool = False) -> None:
        """Run a round now; `force` also sends reports that are waiting out their backoff."""
        self._stopped = False
        self._force_next = self._force_next or force
        if self._running:
            self._again = True
            return
        self._timer.stop()
        self._begin()

    # -- the outbox, from the GUI thread -------------------------------------------------

    def queue(self, report: Report) -> OutboxItem:
        """Move a finished report into the outbox and deliver it at once if possible."""
        kind = self._tracker.kind if self._tracker is not None else "none"
        item = self.outbox.queue_report(report, tracker_kind=kind, now=self._clock())
        self.changed.emit()
        self.wake()
        return item

    def requeue(self, key: str, report: Report | None = None) -> bool:
        """Send a failed (or local) report again, edited or not."""
        done = self.outbox.requeue(key, report, self._clock())
        if done:
            self.changed.emit()
            self.wake()
        return done

    # -- rounds ---------------------------------------------------------------------------

    def _tick(self) -> None:
        if not self._running:
            self._begin()

    def _begin(self) -> None:
        self._running = True
        force, self._force_next = self._force_next, False
        tracker, http, policy, clock = self._tracker, self._http, self._policy, self._clock
        outbox = self.outbox
        now = clock()
        poll_blockers = self._blocker_poll_in(now) <= 0
        if poll_blockers:
            self._last_blocker_poll = now

        def work() -> _Round:  # on a pool thread: no Qt objects, no widgets
            results = deliver_due(outbox, tracker, http, clock(), force=force, policy=policy)
            closed: list[str] = []
            team = TeamSync()
            if poll_blockers:
                closed = refresh_blockers(outbox, tracker, http, clock())
                team = sync_team_blockers(outbox, tracker, http, clock())
            waiting = outbox.items([OutboxState.QUEUED])
            times = [i.next_attempt_at for i in waiting if i.next_attempt_at is not None]
            polled = poll_blockers and tracker is not None
            return _Round(results, min(times) if times else None, closed, team, polled)

        run_task(work, self._finished, self._failed_round, pool=self._pool)

    def _finished(self, done: _Round) -> None:
        self._running = False
        for result in done.results:
            if result.state is OutboxState.SENT and result.url:
                self.delivered.emit(result.key, result.url)
                for warning in result.warnings:
                    self.warned.emit(result.key, warning)
            elif result.state is OutboxState.FAILED:
                self.failed.emit(result.key, result.error or "")
            elif result.error:
                self.retrying.emit(result.key, result.error)
        for key in (*done.closed, *done.team.changes.closed):
            self.blocker_closed.emit(key)
        for key in done.team.changes.opened:
            self.blocker_opened.emit(key)
        if done.results or done.closed or done.team.changed or done.polled:
            self.changed.emit()
        self.round_finished.emit(done.results)
        self._schedule(done.next_due)

    def _failed_round(self, error: BaseException) -> None:
        self._running = False
        log.error("outbox delivery round failed", exc_info=error)
        self.round_finished.emit([])
        self._schedule(None)

    def _schedule(self, next_due: datetime | None) -> None:
        if self._stopped:
            return
        if self._again:
            self._again = False
            self._begin()
            return
        now = self._clock()
        wait_ms = min(self._interval_ms, self._blocker_poll_in(now) * 1000)
        if next_due is not None:
            wait_ms = min(wait_ms, (next_due - now).total_seconds() * 1000)
        self._timer.start(int(max(MIN_INTERVAL_MS, wait_ms)))

    def _blocker_poll_in(self, now: datetime) -> float:
        """Seconds until the tracker's blockers are due to be read again (<= 0: now).

        A timer may fire a few milliseconds early; that counts as on time.
        """
        last = self._last_blocker_poll
        if last is None:
            return 0.0
        left = self._blocker_poll_s - (now - last).total_seconds()
        return 0.0 if left < MIN_INTERVAL_MS / 4000 else left


__all__ = ["DEFAULT_INTERVAL_MS", "OutboxService"]
