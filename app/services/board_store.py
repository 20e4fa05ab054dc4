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
from app.domain.model import Blocker, BoardSnapshot, Observed, VerdictState
from app.domain.verdict import decide
from app.services.board_jobs import board_specs, build_jobs
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
from app.store.outbox import Outbox
from app.store.store import BOARD_KEY, Store

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
            try:
                last = (VerdictState(last_state), since)
            except ValueError:
                last = None
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

    def record_verdict(self, state: VerdictState, at: datetime) -> None:
        self.store.record_verdict(state, at)

    def open_blockers(self) -> list[Blocker]:
        return list(self.outbox.blockers(open_only=True))


def poll_board_once(config: BoardConfig, store: Store) -> BoardSnapshot:
    """Read every source once (concurrently), record it, and judge the board: what
    `releasable status` prints and what the screenshot tools draw, without Qt."""
    adapter = StoreBoard(store)
    specs = board_specs(config)
    http = HttpClient(cache=store)
    poll_once(build_jobs(config), http, adapter.record)
    sync_blockers_once(config, store, http)
    items, _ = adapter.load_board(specs)
    now = datetime.now(UTC)
    board = board_state(config.name, specs, items, adapter.open_blockers())
    verdict = decide(board, now)
    since = store.record_verdict(verdict.state, now)
    return BoardSnapshot(board, dataclasses.replace(verdict, since=since), now)


def sync_blockers_once(config: BoardConfig, store: Store, http: HttpClient) -> None:
    """Bring the team's open blockers from the tracker onto the board, as the running app
    does every `[tracker] refresh_seconds`; a tracker that cannot be read changes nothing."""
    from app.trackers.configured import TrackerSetupError, tracker_from_config
    from app.trackers.team_blockers import sync_team_blockers

    try:
        tracker = tracker_from_config(config.tracker)
    except TrackerSetupError as err:
        log.warning("team blockers not read: %s", err)
        return
    result = sync_team_blockers(store, tracker, http, datetime.now(UTC))
    if result.error:
        log.warning("team blockers not read: %s", result.error)
