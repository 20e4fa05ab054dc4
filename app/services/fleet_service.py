"""The live fleet: every team's board polled on one pool, published as ordered `TeamRow`s.

`FleetService` runs one `BoardService` per team — the same scheduler, store and verdict as a
team's own window — but all of them share one thread pool, one `FleetHttp` (a session per
host, rate limits per host and token) and one `SharedFeeds` (a feed several boards name is
fetched once per interval). Each team keeps its own store (app/services/fleet_boards.py).

Start-up paints from what is on disk: board files by path are read, board files by URL are
parsed from the HTTP cache (no network), each team's last known items come from its store,
all on workers. Then every `[fleet] refresh_seconds` the board files are read again on a
worker: by URL conditionally (an unchanged file costs a 304), on disk only when their
modification time or size changed (one stat each), so a team editing its board file, or a
board file appearing or going away, shows without a restart. One that cannot be fetched or
read turns its team UNKNOWN, saying why, and a changed one restarts its team's polling.
Each team's tracker is synced every `[tracker] refresh_seconds`, as the team's own app does,
so a P1 filed by anyone shows.

Team snapshots arrive on the GUI thread; they are coalesced into one `updated(list[TeamRow])`
in the platform order (app/domain/fleet.py), so 100 teams refreshing at once cost one redraw.
`team_updated(key, BoardSnapshot)` carries each team's full board (the open team board and
the notifications follow it).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal

from app.config.board import BoardConfig
from app.config.errors import BoardFileError
from app.config.fleet import FleetBoard, FleetConfig
from app.config.loader import parse_board
from app.domain.fleet import TeamRow, fleet_order, team_row, unreadable_row
from app.domain.history import Window
from app.domain.model import Blocker, BoardSnapshot
from app.services.board_jobs import board_specs, build_jobs, tracker_watch
from app.services.board_service import BoardService, Preloaded, load_last_known
from app.services.board_store import StoreBoard
from app.services.fleet_boards import (
    FLEET_DB,
    TeamBoard,
    read_changed_boards,
    read_team_board,
    team_db_path,
)
from app.services.fleet_fetch import FleetHttp, SharedFeeds
from app.services.tasks import run_task

if TYPE_CHECKING:
    from app.domain.fleet_history import FleetHistory
    from app.store.store import Store

log = logging.getLogger(__name__)

POOL_THREADS = 16
PREPARE_THREADS = 8
FIRST_POLLS_AFTER_MS = 300  # the fleet from the stores is drawn first, then teams poll,
FIRST_POLLS_SPREAD_MS = 10  # a few at a time (100 teams over a second)
TEAM_TICK_MS = 1000  # a team's scheduler checks for due jobs once a second (not 4×): 100 teams


# A team read from disk: its board file, its store, and its last known board from the store.
_Prepared = tuple[TeamBoard, "Store | None", Preloaded | None]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class _Team:
    """One team of the fleet, as the service keeps it."""

    entry: FleetBoard
    board: TeamBoard
    store: Store | None = None
    service: BoardService | None = None
    snapshot: BoardSnapshot | None = None
    unreadable_since: datetime | None = None
    tracker_due: float = 0.0
    tracker_in_flight: bool = False


def _from_disk(entry: FleetBoard, http: FleetHttp) -> TeamBoard:
    """The board file without the network: from disk, or the cached copy of its URL."""
    if entry.path is not None:
        return read_team_board(entry, http)
    assert entry.url is not None
    cached = http.cache.lookup(entry.url)
    if cached is None:
        return TeamBoard(entry, error="board file not read yet")
    try:
        return TeamBoard(entry, parse_board(cached.body.decode("utf-8-sig"), entry.url))
    except (BoardFileError, UnicodeDecodeError):
        return TeamBoard(entry, error="board file not read yet")


class FleetService(QObject):
    """Polls every team of a fleet; emits `updated(list[TeamRow])` in the platform order."""

    updated = Signal(object)  # list[TeamRow]
    team_updated = Signal(str, object)  # team key, BoardSnapshot

    def __init__(
        self,
        fleet: FleetConfig,
        db_dir: Path,
        *,
        clock: Callable[[], datetime] = utc_now,
        coalesce_ms: int = 50,
        sync_trackers: bool = True,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.fleet = fleet
        self.db_dir = db_dir
        self.clock = clock
        self.sync_trackers = sync_trackers
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(POOL_THREADS)
        self.feeds = SharedFeeds()
        self.rng = random.Random()
        self.http: FleetHttp | None = None
        self._fleet_store: Store | None = None
        self.teams: dict[str, _Team] = {}
        self.rows: list[TeamRow] = []
        self._running = False
        self._boards_due = 0.0
        self._boards_in_flight = False
        self._coalesce = QTimer(self)
        self._coalesce.setSingleShot(True)
        self._coalesce.setInterval(coalesce_ms)
        self._coalesce.timeout.connect(self.publish)
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self.tick)

    # --- life cycle ---------------------------------------------------------------------

    def start(self) -> None:
        """Paint from disk at once (read on a worker), then poll and re-read board files."""
        self._running = True
        db_dir, fleet = self.db_dir, self.fleet

        def prepare() -> tuple[Store, FleetHttp, list[_Prepared]]:
            from app.store.store import Store

            fleet_store = Store.open(db_dir / FLEET_DB, check_integrity=False)
            http = FleetHttp(cache=fleet_store.http_cache)

            def one(entry: FleetBoard) -> _Prepared:
                board = _from_disk(entry, http)
                if board.config is None:
                    return board, None, None
                try:
                    store = Store.open(team_db_path(db_dir, entry), check_integrity=False)
                    specs = board_specs(board.config)
                    return board, store, load_last_known(StoreBoard(store), specs)
                except Exception as err:  # this team only: its row says why
                    return (
                        TeamBoard(entry, error=f"local store cannot be opened: {err}"),
                        None,
                        None,
                    )

            # Side by side: opening a store waits on the disk with the GIL released.
            with ThreadPoolExecutor(max_workers=PREPARE_THREADS) as pool:
                return fleet_store, http, list(pool.map(one, fleet.boards))

        run_task(prepare, self._on_prepared, self._on_prepare_failed, pool=self.pool)

    def _on_prepared(self, prepared: tuple[Store, FleetHttp, list[_Prepared]]) -> None:
        self._fleet_store, self.http, teams = prepared
        for board, store, preloaded in teams:
            team = _Team(board.entry, board, store)
            if board.config is None:
                team.unreadable_since = self.clock()
            self.teams[board.key] = team
            if not self._running:
                continue
            if board.config is not None:
                self._start_team(team, board.config, preloaded)
        if not self._running:
            self._close_stores()
            return
        self.publish()
        self._boards_due = 0.0  # board files by URL (and any changed on disk): read them now
        self._tick.start()
        self.tick()

    def _on_prepare_failed(self, error: BaseException) -> None:
        log.error("the fleet could not be opened", exc_info=error)
        now = self.clock()
        words = f"the fleet's local store cannot be opened: {error}"
        self.rows = [unreadable_row(e.where, e.label, words, now) for e in self.fleet.boards]
        self.updated.emit(self.rows)

    def stop(self) -> None:
        self._running = False
        self._tick.stop()
        self._coalesce.stop()
        for team in self.teams.values():
            if team.service is not None:
                team.service.stop()
        self.pool.waitForDone(15_000)
        self._close_stores()
        if self.http is not None:
            self.http.close()

    def _close_stores(self) -> None:
        for team in self.teams.values():
            if team.store is not None:
                team.store.close()
                team.store = None
        if self._fleet_store is not None:
            self._fleet_store.close()
            self._fleet_store = None

    # --- teams --------------------------------------------------------------------------

    def _start_team(
        self, team: _Team, config: BoardConfig, preloaded: Preloaded | None = None
    ) -> None:
        assert team.store is not None and self.http is not None
        service = BoardService(
            config.name,
            board_specs(config),
            build_jobs(config, self.feeds),
            StoreBoard(team.store),
            self.http,
            clock=self.clock,
            pool=self.pool,
            tick_ms=TEAM_TICK_MS,
            rng=self.rng,
            first_poll_after_ms=FIRST_POLLS_AFTER_MS + len(self.teams) * FIRST_POLLS_SPREAD_MS
            if preloaded is not None
            else 0,
            tracker=tracker_watch(config),
            planned=config.planned,
            parent=self,
        )
        key = team.board.key
        service.updated.connect(lambda snapshot, key=key: self._on_team_snapshot(key, snapshot))
        team.service = service
        team.unreadable_since = None
        team.tracker_due = 0.0
        service.start(preloaded)

    def _stop_team(self, team: _Team) -> None:
        if team.service is not None:
            team.service.updated.disconnect()
            team.service.stop()
            team.service.deleteLater()
            team.service = None
        team.snapshot = None

    def _on_team_snapshot(self, key: str, snapshot: BoardSnapshot) -> None:
        team = self.teams.get(key)
        if team is None or team.service is None:
            return
        team.snapshot = snapshot
        self.team_updated.emit(key, snapshot)
        if not self._coalesce.isActive():
            self._coalesce.start()

    def snapshot_of(self, key: str) -> BoardSnapshot | None:
        team = self.teams.get(key)
        return team.snapshot if team is not None else None

    # --- periodic work ------------------------------------------------------------------

    def tick(self) -> None:
        """Re-read board files and sync trackers when they are due."""
        if not self._running or self.http is None:
            return
        now = time.monotonic()
        if not self._boards_in_flight and now >= self._boards_due:
            self._refetch_boards()
        if self.sync_trackers:
            for team in self.teams.values():
                if (
                    team.service is not None
                    and not team.tracker_in_flight
                    and now >= team.tracker_due
                    and team.board.config is not None
                    and team.board.config.tracker.kind != "none"
                ):
                    self._sync_tracker(team, team.board.config)

    def _refetch_boards(self) -> None:
        teams = [t.board for t in self.teams.values()]
        self._boards_due = time.monotonic() + self.fleet.refresh_seconds
        if not teams:
            return
        self._boards_in_flight = True
        http = self.http
        assert http is not None
        run_task(
            lambda: read_changed_boards(teams, http),
            self._on_boards_read,
            self._on_boards_failed,
            pool=self.pool,
        )

    def _on_boards_failed(self, error: BaseException) -> None:
        self._boards_in_flight = False
        log.error("board files could not be read", exc_info=error)

    def _on_boards_read(self, boards: list[TeamBoard]) -> None:
        self._boards_in_flight = False
        if not self._running:
            return
        for board in boards:
            team = self.teams.get(board.key)
            if team is None:
                continue
            before = team.board.config
            team.board = board
            if board.config is None:
                if team.service is not None or team.unreadable_since is None:
                    self._stop_team(team)
                    team.unreadable_since = self.clock()
                continue
            if board.config == before and team.service is not None:
                continue
            self._stop_team(team)
            self._open_store_then_start(team, board.config)
        self._schedule_publish()

    def _open_store_then_start(self, team: _Team, config: BoardConfig) -> None:
        if team.store is not None:
            self._start_team(team, config)
            return
        path = team_db_path(self.db_dir, team.entry)

        def open_store() -> Store:
            from app.store.store import Store

            return Store.open(path, check_integrity=False)

        def opened(store: Store) -> None:
            team.store = store
            if self._running and team.board.config is config:
                self._start_team(team, config)

        run_task(open_store, opened, lambda err: log.error("store: %s", err), pool=self.pool)

    def _sync_tracker(self, team: _Team, config: BoardConfig) -> None:
        from app.services.board_store import sync_blockers_once

        store, http = team.store, self.http
        assert store is not None and http is not None
        team.tracker_in_flight = True
        team.tracker_due = time.monotonic() + config.tracker.refresh_seconds

        def done(_: object = None) -> None:
            team.tracker_in_flight = False
            if team.service is not None:
                team.service.reload_blockers()

        def failed(error: BaseException) -> None:
            log.warning("tracker of %s not read: %s", config.name, error)
            done()

        run_task(lambda: sync_blockers_once(config, store, http), done, failed, pool=self.pool)

    # --- publishing ---------------------------------------------------------------------

    def _schedule_publish(self) -> None:
        if not self._coalesce.isActive():
            self._coalesce.start()

    def current_rows(self) -> list[TeamRow]:
        rows = []
        for key, team in self.teams.items():
            if team.snapshot is not None and team.service is not None:
                rows.append(team_row(key, team.snapshot))
            else:
                words = team.board.error or "not read yet"
                rows.append(unreadable_row(key, team.board.name, words, team.unreadable_since))
        return fleet_order(rows)

    def publish(self) -> None:
        self.rows = self.current_rows()
        self.updated.emit(self.rows)

    # --- history ------------------------------------------------------------------------

    def load_history(
        self,
        window: Window,
        on_done: Callable[[FleetHistory], None],
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """The fleet's history over `window`, read from the teams' stores on a worker."""
        teams = [(t.board.name, t.store) for t in self.teams.values() if t.store is not None]
        now = self.clock()
        run_task(lambda: load_fleet_history(window, now, teams), on_done, on_error, pool=self.pool)


__all__ = ["FleetService"]


def load_fleet_history(
    window: Window, now: datetime, teams: Sequence[tuple[str, Store]]
) -> FleetHistory:
    """The platform team's history from every team's own store (blocking: on a worker)."""
    from app.domain.fleet_history import fleet_history  # not needed for the first picture
    from app.domain.history import load_figures
    from app.store.outbox import Outbox

    figures = []
    blockers: list[Blocker] = []
    for name, store in teams:
        every = Outbox(store).blockers(open_only=False)
        figures.append((name, load_figures(window, now, store, every, board_name=name)))
        blockers.extend(every)
    return fleet_history(window, figures, blockers)
