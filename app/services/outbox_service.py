"""The running app's outbox: every read and write of drafts, the outbox and the board's
blockers that the window makes, and the delivery of queued reports, off the GUI thread.

One service per open board; the desktop layer only wires it to the window:
- the report dialog's `DraftGateway` (save/delete a draft, queue a report): on a private
  one-thread pool, so calls finish in the order they were made;
- the window's outbox list (`rows_changed` with `OutboxRow`s) and "Send now" (everything
  waiting, or one report, also one saved here before the board had a tracker) with its
  progress and result in words (`send_progress`, `send_result`);
- resolving a blocker here, a report as Markdown, every blocker for History;
- *live*: every `watch_ms` a worker reads SQLite's `PRAGMA data_version` (one cheap pragma,
  it changes only when another connection commits), so a report queued by `releasable
  report` or a second window appears, and is delivered, without a restart.

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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal

from app.domain.model import Blocker
from app.domain.outbox import OutboxState
from app.domain.report import Report
from app.services.outbox_rows import OutboxRow, outbox_rows
from app.services.ports import Done, Failed
from app.services.tasks import run_task
from app.store.claims import (
    BLOCKER_PREFIX,
    FAILED,
    QUEUED,
    SENT,
    ClaimRecord,
    claim_blocker,
    claim_pipeline,
    claims,
    release_claims,
)
from app.store.outbox import Outbox
from app.store.store import Store
from app.store.tracker_blockers import record_tracker_read
from app.trackers.claims import ClaimResult, deliver_claims, sync_team_claims
from app.trackers.outbox import DeliveryPolicy, DeliveryResult, deliver_due, refresh_blockers
from app.trackers.ports import Http, Tracker
from app.trackers.team_blockers import TeamSync, sync_team_blockers

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_MS = 5000
DEFAULT_WATCH_MS = 1000  # how often another process's changes are looked for
DEFAULT_BLOCKER_POLL_MS = 60_000
MIN_INTERVAL_MS = 250


NO_TRACKER_WORDS = "No tracker on this board: reports stay here (copy them as Markdown)."


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class _Round:
    results: list[DeliveryResult]
    next_due: datetime | None  # the earliest retry still waiting
    closed: list[str]  # blockers the tracker says were closed
    team: TeamSync = TeamSync()  # the team's open blockers, read from the tracker
    polled: bool = False  # the tracker was read (or tried): the verdict watches that read
    forced: bool = False  # a "send now" round: its result is shown in words
    waiting: int = 0  # reports still queued after the round
    claims: tuple[ClaimResult, ...] = ()  # "I'm on it" claims sent (or tried) this round


def read_outbox_rows(store: Store) -> list[OutboxRow]:
    """The window's outbox list as the store holds it now: drafts, then reports not sent.

    Blocking: call it on a worker (`OutboxService.refresh_rows` does; so does `--screenshot`,
    which draws the outbox as the window would).
    """
    outbox = Outbox(store)
    return outbox_rows(outbox.load_drafts(), outbox.pending())


def send_words(done: _Round) -> str:
    """What a "send now" did, in words, for the window."""
    sent = sum(1 for r in done.results if r.state is OutboxState.SENT)
    failed = [r for r in done.results if r.state is OutboxState.FAILED]
    retry = [r for r in done.results if r.state is OutboxState.QUEUED and r.error]
    parts = []
    if sent:
        parts.append(f"Sent {sent} report{'s' if sent != 1 else ''}.")
    if failed:
        parts.append(f"{len(failed)} not sent: {failed[0].error}.")
    if retry:
        parts.append(f"Not sent yet: {retry[0].error}. It is tried again by itself.")
    if not parts:
        if done.waiting:
            return "Nothing could be sent now: the tracker asked to wait. It is tried again later."
        return "Nothing is waiting to be sent."
    return " ".join(parts)


class OutboxService(QObject):
    """The outbox of one open board: drafts, queue, delivery, rows, blockers; never blocking.

    Shares the app's `Store` (its lock makes that safe) and `HttpClient`. Implements the
    report dialog's `DraftGateway` (app/services/ports.py). `tracker_kind` is the kind the
    board file names ("none" keeps reports local); without it the tracker's own kind is used.
    On shutdown call `stop()`, then `wait()` and wait for the pool
    (`QThreadPool.waitForDone`) so a round under way can commit what it sent.
    """

    changed = Signal()  # the outbox or the blockers changed: re-read them
    rows_changed = Signal(object)  # list[OutboxRow]: what the window's outbox list shows
    queued = Signal(str)  # key: a report was put in the outbox (or back in it)
    send_progress = Signal(str)  # "Sending 2 reports…": a "send now" is under way
    send_result = Signal(str)  # what the "send now" did, in words
    delivered = Signal(str, str)  # key, issue link
    failed = Signal(str, str)  # key, reason (a permanent error: the report needs a fix)
    retrying = Signal(str, str)  # key, reason (will be retried by itself)
    blocker_closed = Signal(str)  # key: its issue was closed on the tracker
    blocker_opened = Signal(str)  # key: a blocker filed by anyone appeared (or was reopened)
    warned = Signal(str, str)  # key, e.g. "labels were not applied — the token needs push …"
    claim_result = Signal(str, str, str)  # claim key, state (sent/queued/failed), words
    round_finished = Signal(object)  # list[DeliveryResult]

    def __init__(
        self,
        store: Store,
        tracker: Tracker | None,
        http: Http,
        *,
        tracker_kind: str | None = None,
        interval_ms: int = DEFAULT_INTERVAL_MS,
        watch_ms: int = DEFAULT_WATCH_MS,
        blocker_poll_ms: int = DEFAULT_BLOCKER_POLL_MS,
        clock: Callable[[], datetime] = utc_now,
        policy: DeliveryPolicy | None = None,
        pool: QThreadPool | None = None,
        board_name: str = "",
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.board_name = board_name  # names this board in its pipelines' claim issues
        self.outbox = Outbox(store)
        self._store = store
        self._tracker = tracker
        self._tracker_kind = tracker_kind
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
        self._send_now_pending = False
        # Drafts and queuing: one writer thread, so calls finish in the order they were made.
        self._writer = QThreadPool(self)
        self._writer.setMaxThreadCount(1)
        self._writer.setExpiryTimeout(-1)
        # Another process's commits: polled cheaply on a worker.
        self._data_version: int | None = None
        self._watching = False
        self._watch = QTimer(self)
        self._watch.setInterval(max(MIN_INTERVAL_MS, watch_ms))
        self._watch.timeout.connect(self._look_for_changes)
        self._watch_enabled = watch_ms > 0

    # -- control --------------------------------------------------------------------------

    def start(self) -> None:
        """Deliver now and then every interval; show the rows; watch for other processes."""
        self.refresh_rows()
        if self._watch_enabled:
            self._watch.start()
        self.wake()

    def stop(self) -> None:
        """No more rounds (a round under way still finishes and reports)."""
        self._timer.stop()
        self._watch.stop()
        self._again = False
        self._stopped = True

    def wait(self, timeout_ms: int = 10_000) -> bool:
        """Block until every draft write and queuing so far is committed (at exit)."""
        return self._writer.waitForDone(timeout_ms)

    @property
    def busy(self) -> bool:
        return self._running

    @property
    def tracker(self) -> Tracker | None:
        return self._tracker

    def set_tracker(self, tracker: Tracker | None) -> None:
        """The board's tracker changed (or was configured): use it from the next round, which
        reads its blockers at once (the verdict waits on that read, not on the next period)."""
        self._tracker = tracker
        self._last_blocker_poll = None
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

    # -- the report dialog's DraftGateway (in call order) ---------------------------------

    def _write(
        self,
        work: Callable[[], object],
        on_done: Done | None,
        on_error: Failed | None,
        after: Callable[[], None],
    ) -> None:
        def done(_result: object) -> None:
            after()
            if on_done is not None:
                on_done()

        run_task(work, done, on_error, pool=self._writer)

    def save_draft(
        self,
        key: str,
        fields: Mapping[str, Any],
        on_done: Done | None = None,
        on_error: Failed | None = None,
    ) -> None:
        copy = dict(fields)  # the worker never sees a dict the GUI thread may still change
        outbox = self.outbox
        self._write(lambda: outbox.save_draft(key, copy), on_done, on_error, self.refresh_rows)

    def delete_draft(
        self, key: str, on_done: Done | None = None, on_error: Failed | None = None
    ) -> None:
        outbox = self.outbox
        self._write(lambda: outbox.delete_draft(key), on_done, on_error, self.refresh_rows)

    def queue(
        self, report: Report, on_done: Done | None = None, on_error: Failed | None = None
    ) -> None:
        """Move a finished report into the outbox and deliver it at once if possible."""
        kind = self.tracker_kind
        outbox, now = self.outbox, self._clock()
        self._write(
            lambda: outbox.queue_report(report, tracker_kind=kind, now=now),
            on_done,
            on_error,
            lambda: self._queued(report.key),
        )

    def _queued(self, key: str) -> None:
        self.queued.emit(key)
        self._changed()
        self.wake()

    @property
    def tracker_kind(self) -> str:
        """The kind reports are queued for: the board file's, else the tracker's."""
        if self._tracker_kind is not None:
            return self._tracker_kind
        return self._tracker.kind if self._tracker is not None else "none"

    # -- the window's other outbox actions ------------------------------------------------

    def send_report(self, key: str) -> None:
        """The user's "Send now" on one report row: a report waiting, failed, or saved here
        before the board had a tracker. The same code as `releasable outbox send KEY`:
        `Outbox.requeue` commits it as queued (so it is sent even if the app quits or the
        network is down now), then a forced round (`deliver_due`) files it, exactly once.
        Progress and result come as for `send_now`."""
        if self.tracker_kind == "none":
            self.send_result.emit(NO_TRACKER_WORDS)
            return
        self.send_progress.emit("Sending…")
        outbox, now = self.outbox, self._clock()

        def done(requeued: bool) -> None:
            if not requeued:  # being sent right now, sent meanwhile, or gone
                self.send_result.emit("That report is being sent, or was sent already.")
                self.refresh_rows()
                return
            self.queued.emit(key)
            self._changed()
            if self._tracker is None:
                self.send_result.emit(self._not_set_up_words())
                return
            self._send_now_pending = True
            self.wake(force=True)

        def failed(error: BaseException) -> None:
            _log_error(error)
            self.send_result.emit(f"Not sent: {type(error).__name__}. Details are in the log.")

        run_task(lambda: outbox.requeue(key, now=now), done, failed, pool=self._writer)

    def send_now(self) -> None:
        """The user's "Send now": deliver everything queued at once, then say what happened."""
        if self._tracker is None:
            kind = self.tracker_kind
            self.send_result.emit(NO_TRACKER_WORDS if kind == "none" else self._not_set_up_words())
            return
        self._send_now_pending = True
        self.send_progress.emit("Sending…")
        self.wake(force=True)

    def _not_set_up_words(self) -> str:
        return f"The {self.tracker_kind} tracker is not set up yet: reports wait here until it is."

    def claim_blocker(self, key: str) -> None:
        """I'm on it, for blocker `key`: queued (committed) at once, then sent to the tracker
        by the next round, offline-safe; every teammate's board shows it at its next read."""
        store, now = self._store, self._clock()

        def done(claim: ClaimRecord | None) -> None:
            if claim is None:
                self.claim_result.emit(
                    BLOCKER_PREFIX + key, FAILED, "Only a blocker on the tracker can be claimed."
                )
                return
            self.claim_result.emit(claim.key, claim.state, "On it: telling the tracker…")
            self._changed()
            self.wake()

        run_task(lambda: claim_blocker(store, key, now), done, _log_error, pool=self._writer)

    def claim_pipeline(self, item_key: str) -> None:
        """I'm on it, for a failing pipeline (`pipeline:<name>`): queued at once, then filed
        as the board's claim issue for it; it ends when the pipeline passes."""
        store, now = self._store, self._clock()

        def done(claim: ClaimRecord) -> None:
            self.claim_result.emit(claim.key, claim.state, "On it: telling the tracker…")
            self._changed()
            self.wake()

        run_task(lambda: claim_pipeline(store, item_key, now), done, _log_error, pool=self._writer)

    def release_claims(self, item_keys: list[str]) -> None:
        """These pipelines pass again: their claims end, here at once and on the tracker."""
        store, now = self._store, self._clock()

        def done(released: list[str]) -> None:
            if released:
                self._changed()
                self.wake()

        run_task(lambda: release_claims(store, item_keys, now), done, _log_error, pool=self._writer)

    def resolve_blocker(self, key: str) -> None:
        """Close a blocker in the app (its issue, if any, is left to the tracker's owners);
        the same code as `releasable outbox resolve KEY` (`Outbox.resolve_here`)."""
        outbox, now = self.outbox, self._clock()
        run_task(
            lambda: outbox.resolve_here(key, now),
            lambda _r: self._changed(),
            _log_error,
        )

    def tracker_unreadable(self, words: str) -> None:
        """The tracker could not be set up: record that its blockers were not read (`words`
        say why), so the verdict says so; `changed` follows."""
        store, kind, now = self._store, self.tracker_kind, self._clock()
        run_task(
            lambda: record_tracker_read(store, kind, now, words),
            lambda _r: self._changed(),
            _log_error,
        )

    def markdown(self, key: str, on_done: Callable[[str], None]) -> None:
        """The report `key` as Markdown, handed to `on_done` on the GUI thread."""
        outbox = self.outbox
        run_task(lambda: outbox.export_markdown(key), on_done, _log_error)

    def all_blockers(self) -> tuple[Blocker, ...]:
        """Every blocker, open or closed (for History). Blocking: call it on a worker."""
        return self.outbox.blockers(open_only=False)

    def refresh_rows(self) -> None:
        """Re-read the outbox list (off the GUI thread); `rows_changed` brings it."""
        store = self._store
        run_task(lambda: read_outbox_rows(store), self._rows_read, _log_error)

    def _rows_read(self, rows: list[OutboxRow]) -> None:
        self.rows_changed.emit(rows)

    def _changed(self) -> None:
        self.changed.emit()
        self.refresh_rows()

    # -- another process's changes ----------------------------------------------------------

    def _look_for_changes(self) -> None:
        if self._watching:
            return
        self._watching = True
        run_task(self._store.data_version, self._version_read, self._version_failed)

    def _version_read(self, version: int) -> None:
        self._watching = False
        before, self._data_version = self._data_version, version
        if before is not None and version != before:
            self._changed()  # a report queued by the CLI or a second window, a blocker closed
            self.wake()

    def _version_failed(self, error: BaseException) -> None:
        self._watching = False
        log.debug("could not look for changes by other processes: %s", error)

    # -- rounds ---------------------------------------------------------------------------

    def _tick(self) -> None:
        if not self._running:
            self._begin()

    def _begin(self) -> None:
        self._running = True
        force, self._force_next = self._force_next, False
        tracker, http, policy, clock = self._tracker, self._http, self._policy, self._clock
        outbox, board = self.outbox, self.board_name
        now = clock()
        # Only a round with a tracker uses up the period: the desktop starts this service
        # before its tracker is set up, and that first round must not push the first read of
        # the team's blockers a whole `[tracker] refresh_seconds` away.
        poll_blockers = tracker is not None and self._blocker_poll_in(now) <= 0
        if poll_blockers:
            self._last_blocker_poll = now

        def work() -> _Round:  # on a pool thread: no Qt objects, no widgets
            results = deliver_due(outbox, tracker, http, clock(), force=force, policy=policy)
            claimed = deliver_claims(
                outbox.store, tracker, http, clock(), board=board, policy=policy
            )
            closed: list[str] = []
            team = TeamSync()
            if poll_blockers:
                closed = refresh_blockers(outbox, tracker, http, clock())
                team = sync_team_blockers(outbox, tracker, http, clock())
                sync_team_claims(outbox.store, tracker, http, board, clock())
            waiting = outbox.items([OutboxState.QUEUED])
            times = [i.next_attempt_at for i in waiting if i.next_attempt_at is not None]
            times += [
                c.next_attempt_at or clock()
                for c in claims(outbox.store)
                if c.state == QUEUED and tracker is not None
            ]
            polled = poll_blockers and tracker is not None
            due = min(times) if times else None
            return _Round(
                results,
                due,
                closed,
                team,
                polled,
                forced=force,
                waiting=len(waiting),
                claims=tuple(claimed),
            )

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
        for claim in done.claims:
            words = {
                SENT: f"On it: the tracker now shows {claim.claimed_by}.",
                QUEUED: f"Not sent yet: {claim.error}. It is tried again by itself.",
            }.get(claim.state, f"Not claimed: {claim.error}.")
            self.claim_result.emit(claim.key, claim.state, words)
        if done.results or done.closed or done.team.changed or done.polled or done.claims:
            self._changed()
        if done.forced and self._send_now_pending:
            self._send_now_pending = False
            self.send_result.emit(send_words(done))
        self.round_finished.emit(done.results)
        self._schedule(done.next_due)

    def _failed_round(self, error: BaseException) -> None:
        self._running = False
        log.error("outbox delivery round failed", exc_info=error)
        if self._send_now_pending:
            self._send_now_pending = False
            name = type(error).__name__
            self.send_result.emit(f"Sending failed: {name}. Details are in the log.")
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


def _log_error(error: BaseException) -> None:
    log.error("outbox task failed", exc_info=error)


__all__ = [
    "DEFAULT_INTERVAL_MS",
    "DEFAULT_WATCH_MS",
    "NO_TRACKER_WORDS",
    "OutboxService",
    "read_outbox_rows",
    "send_words",
]
