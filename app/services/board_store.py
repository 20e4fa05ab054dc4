"""The store as the board service sees it: load the last board, record polls and verdicts.

A thin adapter over `app.store` so the scheduler speaks in board terms (items by spec, job
results) and the store keeps speaking in rows. Called on worker threads only.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from app.config.board import BoardConfig
from app.domain.history import verdict_state
from app.domain.model import Blocker, BoardSnapshot, Observed, VerdictState
from app.domain.verdict import decide
from app.services.board_jobs import FeedReader, board_specs, build_jobs, tracker_watch
from app.services.polling import (
    FetchResult,
    ItemSpec,
    LoadedBoard,
    PollJob,
    board_state,
    poll_once,
)
from app.sources.errors import SourceError
from app.sources.http import HttpClient
from app.store.claims import team_claims
from app.store.outbox import Outbox
from app.store.store import BOARD_KEY, Store
from app.store.tracker_blockers import last_tracker_read, record_tracker_read

log = logging.getLogger(__name__)

FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)


class StoreBoard:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.outbox = Outbox(store)

    def load_board(self, specs: Sequence[ItemSpec]) -> LoadedBoard:
        stored = self.store.load_items()
        items: dict[str, Observed] = {}
        for spec in specs:
            found = stored.get(spec.key)
            if found is not None:
                items[spec.key] = found.to_observed(
                    delivery_path=spec.delivery_path,
                    stale_after_s=spec.stale_after_s,
                    degraded_ok=spec.degraded_ok,
                )
        last_state = self.store.status_before(BOARD_KEY, FAR_FUTURE)
        since = self.store.verdict_since()
        last = None
        if last_state is not None and since is not None:
            state = verdict_state(last_state)  # "planned" is a NOT RELEASABLE
            last = (state, since) if state is not None else None
        return items, last

    def record(self, job: PollJob, results: Mapping[str, FetchResult], at: datetime) -> None:
        for spec in job.items:
            result = results.get(spec.key)
            if result is None:
                continue
            if isinstance(result, SourceError):
                self.store.record_error(
                    spec.key, spec.kind, spec.name, result.message, at, result.rate_limited_until
                )
            else:
                self.store.record_reading(spec.key, spec.kind, spec.name, result, at)

    def record_verdict(self, state: VerdictState, at: datetime, *, planned: bool = False) -> None:
        self.store.record_verdict(state, at, planned=planned)

    def team_claims(self) -> dict[str, str]:
        """Who is on which failing pipeline (item key -> name), as last read or said here."""
        return team_claims(self.store)

    def open_blockers(self) -> list[Blocker]:
        return list(self.outbox.blockers(open_only=True))

    def tracker_read(self) -> tuple[datetime | None, str | None]:
        return last_tracker_read(self.store)


def poll_board_once(
    config: BoardConfig,
    store: Store,
    *,
    http: HttpClient | None = None,
    feeds: FeedReader | None = None,
    workers: int = 16,
) -> BoardSnapshot:
    """Read every source once (concurrently), record it, and judge the board: what
    `releasable status` prints and what the screenshot tools draw, without Qt. A fleet passes
    its shared `http` client and `feeds` (app/services/fleet_fetch.py)."""
    adapter = StoreBoard(store)
    specs = board_specs(config)
    http = http if http is not None else HttpClient(cache=store.http_cache)
    poll_once(build_jobs(config, feeds), http, adapter.record, workers=workers)
    error = sync_blockers_once(config, store, http)
    items, _ = adapter.load_board(specs)
    now = datetime.now(UTC)
    tracker = tracker_watch(config)
    if tracker is not None:
        # One-shot: only this command's own read counts, never one from an hour ago.
        read_at = None if error is not None else now
        tracker = dataclasses.replace(tracker, read_at=read_at, error=error)
    board = board_state(
        config.name,
        specs,
        items,
        adapter.open_blockers(),
        tracker,
        config.planned,
        adapter.team_claims(),
    )
    verdict = decide(board, now)
    since = store.record_verdict(verdict.state, now, planned=verdict.planned)
    return BoardSnapshot(board, dataclasses.replace(verdict, since=since), now)


def sync_blockers_once(config: BoardConfig, store: Store, http: HttpClient) -> str | None:
    """Bring the tracker's word onto the board, as the running app does every
    `[tracker] refresh_seconds`: which of the P1s filed from here were closed there, and the
    team's open blockers. Returns why the open blockers could not be read (None: read, or no
    tracker); what the board already knew stays either way. That returned line is the message
    (a reason of the verdict, a team's row in the fleet): it is logged at debug level only, so
    `status` does not say it a second time on stderr."""
    from app.trackers.claims import sync_team_claims
    from app.trackers.configured import TrackerSetupError, tracker_from_config
    from app.trackers.outbox import refresh_blockers
    from app.trackers.team_blockers import sync_team_blockers

    try:
        tracker = tracker_from_config(config.tracker)
    except TrackerSetupError as err:
        log.debug("team blockers not read: %s", err)
        record_tracker_read(store, config.tracker.kind, datetime.now(UTC), str(err))
        return str(err)
    if tracker is None:
        return None
    refresh_blockers(store, tracker, http, datetime.now(UTC))
    result = sync_team_blockers(store, tracker, http, datetime.now(UTC))
    sync_team_claims(store, tracker, http, config.name, datetime.now(UTC))
    if result.error:
        log.debug("team blockers not read: %s", result.error)
    return result.error
