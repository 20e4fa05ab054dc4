"""The live board: schedules polls off the GUI thread and publishes `BoardSnapshot`s.

`BoardService` owns the in-memory picture of the board (one `Observed` per item). It opens
with the last known state from the store (each item keeps its age, so a board read yesterday
shows as stale, never green), then polls each job on its own interval on a thread pool. Workers
fetch and write to the store; results come back to the GUI thread through signals, where the
picture is updated and the verdict recomputed. Many results arriving at once are coalesced into
one snapshot, so a 1,000-item refresh never stalls the event loop.

Due jobs wait in a queue and are handed to the pool only as it has threads free (and for at
most `DISPATCH_BUDGET_S` of GUI time per pass): handing 200 jobs over in one pass took 15 ms
of GUI-thread CPU and blocked the event loop for 30-400 ms on a loaded 2-core machine (each
hand-over is Qt calls that release the GIL, and the first workers already compete for it);
one hand-over per finished job keeps every pass short (tests/bench/bench_board_refresh.py).
"""

from __future__ import annotations

import dataclasses
import logging
import random
import time
from collections import deque
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThreadPool, QTimer, Signal

from app.domain.model import (
    Blocker,
    BoardSnapshot,
    BoardState,
    Observed,
    Outcome,
    PipelineReading,
    TrackerRead,
    Verdict,
    VerdictState,
)
from app.domain.planned import PlannedTime
from app.domain.verdict import decide
from app.services.fetch_child import ALL
from app.services.polling import (
    FetchResult,
    ItemSpec,
    LoadedBoard,
    PollJob,
    board_state,
    next_due_after,
    observed_from_spec,
    run_job,
)
from app.services.ports import BoardStore
from app.services.tasks import run_task
from app.sources.errors import SourceError
from app.sources.http import HttpClient

if TYPE_CHECKING:
    from app.config.board import BoardConfig
    from app.services.fetch_process import FetchProcess
    from app.store.store import Store

log = logging.getLogger(__name__)

DISPATCH_BUDGET_S = 0.002  # GUI-thread time one pass may spend handing jobs to the pool


# The last known board, its open blockers and how the tracker's last read went: loaded
# together, since judged without its blockers a board with an open P1 would restart as
# RELEASABLE for a moment and lose its "since".
# And the team's claims ("on it: …"), so the first picture already says who is on what.
Preloaded = tuple[LoadedBoard, list[Blocker], tuple[datetime | None, str | None], dict[str, str]]


def load_last_known(store: BoardStore, specs: Sequence[ItemSpec]) -> Preloaded:
    """What `BoardService.start` shows first (call it on a worker: it reads the store)."""
    return (
        store.load_board(specs),
        store.open_blockers(),
        store.tracker_read(),
        store.team_claims(),
    )


def utc_now() -> datetime:
    return datetime.now(UTC)


def apply_result(previous: Observed, result: FetchResult, at: datetime) -> Observed:
    """The item after one poll: a reading refreshes it; an error keeps the last good reading."""
    if isinstance(result, SourceError):
        return dataclasses.replace(
            previous,
            error=result.message,
            error_at=at,
            rate_limited_until=result.rate_limited_until,
        )
    updated = dataclasses.replace(
        previous, reading=result, read_at=at, error=None, error_at=None, rate_limited_until=None
    )
    if updated.status_word != previous.status_word or previous.status_since is None:
        updated = dataclasses.replace(updated, status_since=at)
    return updated


class BoardService(QObject):
    """Polls a board's jobs and emits `updated(BoardSnapshot)` whenever the picture changes."""

    updated = Signal(object)  # BoardSnapshot
    loaded = Signal()  # the last known board came from the store
    claims_passed = Signal(object)  # list of item keys: claimed pipelines that pass again

    def __init__(
        self,
        board_name: str,
        specs: Sequence[ItemSpec],
        jobs: Sequence[PollJob],
        store: BoardStore,
        http: HttpClient,
        *,
        clock: Callable[[], datetime] = utc_now,
        pool: QThreadPool | None = None,
        tick_ms: int = 250,
        coalesce_ms: int = 100,
        rng: random.Random | None = None,
        tracker: TrackerRead | None = None,
        planned: PlannedTime | None = None,
        fetcher: FetchProcess | None = None,
        first_poll_after_ms: int = 0,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        # A fleet starts a hundred boards at once: their first polls are spread out, so the
        # last known fleet is drawn before 300 reads compete with it (and servers see no herd).
        self.first_poll_after_ms = first_poll_after_ms
        # With a fetcher, jobs run in its worker process instead of this process's pool.
        self.fetcher = fetcher
        if fetcher is not None:
            fetcher.setParent(self)
            fetcher.finished.connect(self._on_fetched)
        self.board_name = board_name
        self.planned = planned or PlannedTime()
        self.claims: dict[str, str] = {}  # who is on which pipeline (item key -> name)
        self.jobs = list(jobs)
        self.store = store
        self.http = http
        self.clock = clock
        self.pool = pool or QThreadPool(self)
        if pool is None:
            self.pool.setMaxThreadCount(16)
        self.rng = rng or random.Random()
        self.specs = list(specs)
        self.items: dict[str, Observed] = {s.key: observed_from_spec(s) for s in self.specs}
        self.blockers: tuple[Blocker, ...] = ()
        self.tracker = tracker  # the tracker's list of open blockers, read like a source
        self.verdict_state: VerdictState | None = None
        self.verdict_since: datetime | None = None
        self.verdict_planned = False
        self.source_errors: tuple[str, ...] = ()
        self._last_verdict: tuple[VerdictState, datetime] | None = None
        self._running = False
        self._queue: deque[PollJob] = deque()  # due, marked in flight, not yet on the pool
        self._jobs_on_pool = 0
        self._tick = QTimer(self)
        self._tick.setInterval(tick_ms)
        self._tick.timeout.connect(self.tick)
        self._coalesce = QTimer(self)
        self._coalesce.setSingleShot(True)
        self._coalesce.setInterval(coalesce_ms)
        self._coalesce.timeout.connect(self.publish)
        self._drain_later = QTimer(self)
        self._drain_later.setSingleShot(True)
        self._drain_later.setInterval(0)
        self._drain_later.timeout.connect(self._drain)
        # Fires when the next job is due (the periodic tick alone would add up to tick_ms).
        self._due_timer = QTimer(self)
        self._due_timer.setSingleShot(True)
        self._due_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._due_timer.timeout.connect(self.tick)

    # --- life cycle ---------------------------------------------------------------------

    def start(self, preloaded: Preloaded | None = None) -> None:
        """Show the last known board at once (loaded off the GUI thread), then poll.

        `preloaded` is that load already done on a worker (`load_last_known`): a fleet reads
        a hundred teams' stores side by side before it starts their services."""
        self._running = True
        if self.fetcher is not None:
            self.fetcher.start()  # it starts up (at a lower priority) while the store loads
        if preloaded is not None:
            self._on_loaded(preloaded)
            return
        specs, store = list(self.specs), self.store
        run_task(
            lambda: load_last_known(store, specs),
            self._on_loaded,
            self._on_load_failed,
            pool=self.pool,
        )

    def stop(self) -> None:
        """Stop polling, end the requests in flight, and wait for the work in flight; its
        results are delivered, then dropped (nobody waits for a slow server to quit).

        Delivering them now (rather than leaving queued signals behind) matters: a queued
        signal still holding Python objects when the interpreter exits crashes PySide.
        """
        self._running = False
        self._tick.stop()
        self._coalesce.stop()
        self._drain_later.stop()
        self._due_timer.stop()
        for job in self._queue:
            job.in_flight = False
        self._queue.clear()
        if self.fetcher is not None:
            self.fetcher.stop()
        self.http.abort()
        self.pool.waitForDone(15_000)
        QCoreApplication.sendPostedEvents()

    def refresh_now(self) -> None:
        """Poll every job now (jobs in flight or rate-limited keep their turn)."""
        now = self.clock()
        for job in self.jobs:
            if job.rate_limited_until is None or job.rate_limited_until <= now:
                job.next_due = now
        self.tick()

    def _on_loaded(self, loaded: Preloaded) -> None:
        (stored, last_verdict), blockers, tracker_read, claims = loaded
        self.blockers = tuple(blockers)
        self.claims = claims
        if self.tracker is not None:
            self.tracker = dataclasses.replace(
                self.tracker, read_at=tracker_read[0], error=tracker_read[1]
            )
        for key, item in stored.items():
            if key in self.items:
                spec_item = self.items[key]
                self.items[key] = dataclasses.replace(
                    item,
                    delivery_path=spec_item.delivery_path,
                    stale_after_s=spec_item.stale_after_s,
                    degraded_ok=spec_item.degraded_ok,
                )
        self._last_verdict = last_verdict
        self.publish()
        self.loaded.emit()
        self._begin_polling()

    def _on_load_failed(self, error: BaseException) -> None:
        log.error("could not load the last known board", exc_info=error)
        self.source_errors = (f"could not read the local store: {error}",)
        self.publish()
        self._begin_polling()

    def _begin_polling(self) -> None:
        if not self._running:
            return
        if self.first_poll_after_ms > 0:
            delay, self.first_poll_after_ms = self.first_poll_after_ms, 0
            QTimer.singleShot(delay, self, self._begin_polling)
            return
        self._tick.start()
        self.refresh_now()

    # --- polling ------------------------------------------------------------------------

    def tick(self) -> None:
        """Dispatch due jobs; re-judge staleness so an unread board turns UNKNOWN on time."""
        if not self._running:
            return
        now = self.clock()
        for job in self.jobs:
            if job.in_flight or (job.next_due is not None and now < job.next_due):
                continue
            job.in_flight = True
            self._queue.append(job)
        self._drain()
        self._arm_due_timer()
        verdict = self._decide(now)
        if verdict.state is not self.verdict_state or verdict.planned != self.verdict_planned:
            self.publish()  # a freeze or maintenance window began or ended on the clock

    def _arm_due_timer(self) -> None:
        """Wake up when the earliest waiting job is due."""
        dues = [j.next_due for j in self.jobs if not j.in_flight and j.next_due is not None]
        if not dues or not self._running:
            return
        wait_s = (min(dues) - self.clock()).total_seconds()
        self._due_timer.start(max(0, min(60_000, int(wait_s * 1000) + 1)))

    def _drain(self) -> None:
        """Hand queued jobs to the pool while it has free threads, within the time budget."""
        if not self._running:
            return
        limit = self.fetcher.capacity if self.fetcher else max(1, self.pool.maxThreadCount())
        started = time.perf_counter()
        while self._queue and self._jobs_on_pool < limit:
            self._dispatch(self._queue.popleft())
            if time.perf_counter() - started > DISPATCH_BUDGET_S:
                break
        if self._queue and self._jobs_on_pool < limit:
            self._drain_later.start()  # the budget ran out: go on after pending events

    def _dispatch(self, job: PollJob) -> None:
        self._jobs_on_pool += 1
        if self.fetcher is not None:
            self.fetcher.submit(job)
            return
        http, store, clock = self.http, self.store, self.clock

        def work() -> tuple[PollJob, dict[str, FetchResult], datetime, datetime]:
            started = clock()
            results = run_job(job, http)
            at = clock()
            try:
                store.record(job, results, at)
            except Exception:  # a full disk must not stop the board; the picture stays live
                log.exception("could not record results of %s", job.id)
            return job, results, at, started

        run_task(work, self._on_job_done, self._on_job_crashed, pool=self.pool)

    def _on_job_done(
        self, done: tuple[PollJob, dict[str, FetchResult], datetime, datetime]
    ) -> None:
        job, results, at, started = done
        job.in_flight = False
        self._jobs_on_pool -= 1
        if not self._running:
            return
        self._drain()
        # The next read is due one interval after this read STARTED: the time the read took
        # (and any wait for a free thread) must not stretch the interval (issue 12 point 12).
        job.next_due = next_due_after(job, results, started, self.rng)
        self._arm_due_timer()
        for key, result in results.items():
            if key in self.items:
                self.items[key] = apply_result(self.items[key], result, at)
        if not self._coalesce.isActive():
            self._coalesce.start()

    def _on_fetched(self, done: tuple[str, dict[str, FetchResult], datetime, datetime]) -> None:
        """A job's results from the worker process (see `_on_job_done`)."""
        job_id, results, at, started = done
        job = next((j for j in self.jobs if j.id == job_id), None)
        if job is None:
            return
        if ALL in results:  # the worker process died with this job in flight
            results = {item.key: results[ALL] for item in job.items}
        self._on_job_done((job, results, at, started))

    def _on_job_crashed(self, error: BaseException) -> None:  # pragma: no cover - run_job catches
        log.error("poll job crashed", exc_info=error)
        self._jobs_on_pool -= 1
        self._drain()

    # --- publishing ---------------------------------------------------------------------

    def set_blockers(
        self,
        blockers: Sequence[Blocker],
        tracker_read: tuple[datetime | None, str | None] | None = None,
    ) -> None:
        """New open blockers and, with a tracker, how its last read of them went."""
        blockers = tuple(blockers)
        tracker = self.tracker
        if tracker is not None and tracker_read is not None:
            tracker = dataclasses.replace(tracker, read_at=tracker_read[0], error=tracker_read[1])
        if blockers == self.blockers and tracker == self.tracker:
            return  # unchanged (the usual answer to `reload_blockers`): no new snapshot to draw
        self.blockers, self.tracker = blockers, tracker
        self.publish()

    def reload_blockers(self) -> None:
        """Re-read the open blockers and who is on which pipeline (off the GUI thread), e.g.
        after the outbox delivered."""
        store = self.store

        def read() -> tuple[list[Blocker], tuple[datetime | None, str | None], dict[str, str]]:
            return store.open_blockers(), store.tracker_read(), store.team_claims()

        def done(
            found: tuple[list[Blocker], tuple[datetime | None, str | None], dict[str, str]],
        ) -> None:
            blockers, tracker_read, claims = found
            claims_changed = claims != self.claims
            self.claims = claims
            self.set_blockers(blockers, tracker_read)
            if claims_changed:
                self.publish()

        run_task(read, done, _log_error, pool=self.pool)

    def _board(self) -> BoardState:
        return board_state(
            self.board_name,
            self.specs,
            self.items,
            self.blockers,
            self.tracker,
            self.planned,
            self.claims,
        )

    def _decide(self, now: datetime) -> Verdict:
        return decide(self._board(), now)

    def snapshot(self) -> BoardSnapshot:
        now = self.clock()
        board = self._board()
        verdict = decide(board, now)
        changed = verdict.planned != self.verdict_planned
        if verdict.state is not self.verdict_state or changed:
            last = self._last_verdict
            if self.verdict_state is None and last is not None and last[0] is verdict.state:
                self.verdict_since = last[1]  # the state continues from before the restart
            else:
                self.verdict_since = now
            self.verdict_state = verdict.state
            store, state, planned = self.store, verdict.state, verdict.planned
            run_task(
                lambda: store.record_verdict(state, now, planned=planned),
                None,
                _log_error,
                pool=self.pool,
            )
        self.verdict_planned = verdict.planned
        self._end_claims(board)
        verdict = dataclasses.replace(verdict, since=self.verdict_since)
        return BoardSnapshot(board, verdict, now, self.source_errors)

    def _end_claims(self, board: BoardState) -> None:
        """A claimed pipeline that passes again ends its claim: `claims_passed` asks for it
        (once per claim)."""
        passed = [
            item.key
            for item in board.pipelines
            if item.key in self.claims
            and isinstance(item.reading, PipelineReading)
            and item.reading.outcome is Outcome.PASSED
        ]
        if passed:
            for key in passed:
                self.claims.pop(key, None)
            self.claims_passed.emit(passed)

    def publish(self) -> None:
        self.updated.emit(self.snapshot())


def _log_error(error: BaseException) -> None:
    log.error("could not record the verdict", exc_info=error)


def make_board_service(
    config: BoardConfig, store: Store, *, worker_process: bool = False
) -> BoardService:
    """The live board for a board file, polling into `store`: the one way every mode builds it.

    `worker_process` fetches and parses in a worker process (`FetchProcess`), for the window:
    its GUI thread then never waits for the GIL behind a fetching thread.
    """
    from app.services.board_jobs import board_specs, build_jobs, tracker_watch
    from app.services.board_store import StoreBoard

    return BoardService(
        config.name,
        board_specs(config),
        build_jobs(config),
        StoreBoard(store),
        HttpClient(cache=store.http_cache),
        tracker=tracker_watch(config),
        planned=config.planned,
        fetcher=_fetcher(config, store) if worker_process else None,
    )


def _fetcher(config: BoardConfig, store: Store) -> FetchProcess | None:
    from app.services.fetch_process import FetchProcess, available

    if store.read_only is not None:
        # The store is an in-memory copy of a file that cannot be written: a worker process
        # could not open it (it opens the file by its path), so this process fetches.
        return None
    return FetchProcess(config, store.path) if available() else None
