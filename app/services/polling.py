"""One poll of one source, from fetch to store, without Qt.

A `PollJob` reads one or more board items with one fetch (a cctray feed shared by several
pipelines is fetched once). `run_job` calls the source on the current thread and turns every
failure into words; `record_results` writes the outcome to the store and returns what changed.
The scheduler (`board_service`) runs these on worker threads; `poll_once` runs them all once,
concurrently, for `releasable status` and the screenshot command.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from app.domain.model import (
    Blocker,
    BoardState,
    ItemKind,
    Observed,
    Outcome,
    PipelineReading,
    Reading,
    TrackerRead,
    VerdictState,
)
from app.domain.planned import PlannedTime
from app.sources.errors import SourceError
from app.sources.http import HttpClient
from app.sources.loading import load_network_stack

log = logging.getLogger(__name__)

# A failing source is asked again at least this often (or every interval, if longer): backing
# off further would leave the board UNKNOWN long after the server came back.
MAX_BACKOFF_S = 60.0


@dataclass(frozen=True)
class ItemSpec:
    """A board item as the board file defines it (what the verdict needs beyond the reading)."""

    key: str
    kind: ItemKind
    name: str
    delivery_path: bool = True
    stale_after_s: float = 300.0
    degraded_ok: bool = False


FetchResult = Reading | SourceError
# The last known board from the store: items by key, and (verdict state, since when).
LoadedBoard = tuple[dict[str, Observed], tuple[VerdictState, datetime] | None]


def observed_from_spec(spec: ItemSpec) -> Observed:
    """An item the app has never read: no reading, so unknown (and stale) until it is."""
    return Observed(
        key=spec.key,
        kind=spec.kind,
        name=spec.name,
        delivery_path=spec.delivery_path,
        stale_after_s=spec.stale_after_s,
        degraded_ok=spec.degraded_ok,
    )


def board_state(
    name: str,
    specs: Sequence[ItemSpec],
    items: Mapping[str, Observed],
    blockers: Sequence[Blocker] = (),
    tracker: TrackerRead | None = None,
    planned: PlannedTime | None = None,
    claims: Mapping[str, str] | None = None,
) -> BoardState:
    """The board in board-file order, with never-read items as unknown. `claims` says who is
    on which pipeline; a claim shows only while its pipeline does not pass."""
    observed = [items.get(s.key) or observed_from_spec(s) for s in specs]
    if claims:
        observed = [_claimed(i, claims.get(i.key, "")) for i in observed]
    return BoardState(
        name=name,
        pipelines=tuple(i for i in observed if i.kind is ItemKind.PIPELINE),
        environments=tuple(i for i in observed if i.kind is ItemKind.ENVIRONMENT),
        blockers=tuple(blockers),
        tracker=tracker,
        planned=planned or PlannedTime(),
    )


def _claimed(item: Observed, who: str) -> Observed:
    passed = isinstance(item.reading, PipelineReading) and item.reading.outcome is Outcome.PASSED
    who = "" if passed else who
    return item if who == item.claimed_by else replace(item, claimed_by=who)


@dataclass
class PollJob:
    """One fetch that yields readings for `items`; scheduled every `interval_s`."""

    id: str
    items: tuple[ItemSpec, ...]
    interval_s: float
    fetch: Callable[[HttpClient], Mapping[str, FetchResult]]
    # Scheduling state, owned by the scheduler's thread.
    next_due: datetime | None = None
    failures: int = 0
    in_flight: bool = False
    rate_limited_until: datetime | None = None
    extra: dict[str, object] = field(default_factory=dict)


def run_job(job: PollJob, http: HttpClient) -> dict[str, FetchResult]:
    """Fetch once; any failure (even a bug in a source) becomes a SourceError per item."""
    load_network_stack()  # the first poll's threads must not import it side by side
    try:
        results = dict(job.fetch(http))
    except SourceError as err:
        return {item.key: err for item in job.items}
    except Exception as err:  # a source bug must not kill the poller; say it plainly
        log.exception("source %s failed unexpectedly", job.id)
        failure = SourceError(f"internal error while reading: {type(err).__name__}: {err}")
        return {item.key: failure for item in job.items}
    for item in job.items:
        results.setdefault(item.key, SourceError("the source returned nothing for this item"))
    return results


def next_due_after(
    job: PollJob, results: Mapping[str, FetchResult], now: datetime, rng: random.Random
) -> datetime:
    """When to poll again: the interval, backed off with jitter after failures, never before
    a rate limit ends. Updates the job's failure count and rate limit.

    The backoff stops at `backoff_cap(job)`: a server that comes back shows on the board
    within its items' staleness limit (at most a minute, or one interval if that is longer).
    A server that asks for a longer wait says so (Retry-After, rate limits), and is obeyed."""
    errors = [r for r in results.values() if isinstance(r, SourceError)]
    limits = [e.rate_limited_until for e in errors if e.rate_limited_until is not None]
    job.rate_limited_until = max(limits) if limits else None
    if errors and len(errors) == len(results):
        job.failures += 1
        cap = backoff_cap(job)
        doubled = job.interval_s * 2 ** min(job.failures - 1, 32)
        delay = min(max(doubled * rng.uniform(0.8, 1.2), job.interval_s), cap)
    else:
        job.failures = 0
        delay = job.interval_s
    due = now + timedelta(seconds=delay)
    if job.rate_limited_until is not None:
        due = max(due, job.rate_limited_until)
    return due


def backoff_cap(job: PollJob) -> float:
    """The longest wait between two reads of a failing job: the shortest staleness limit of
    its items, at most MAX_BACKOFF_S, and never less than its interval."""
    stale = min((item.stale_after_s for item in job.items), default=job.interval_s)
    return max(job.interval_s, min(stale, MAX_BACKOFF_S))


def poll_once(
    jobs: Sequence[PollJob],
    http: HttpClient,
    record: Callable[[PollJob, Mapping[str, FetchResult], datetime], object],
    *,
    workers: int = 16,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> None:
    """Run every job once, concurrently, recording each result as it arrives."""
    if not jobs:
        return
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(jobs)))) as pool:
        futures = {pool.submit(run_job, job, http): job for job in jobs}
        for future, job in futures.items():
            record(job, future.result(), clock())
