"""The delivery engine: sends queued reports to the tracker, each exactly once as it sees it.

Per item: claim it (`sending`, committed BEFORE the request), POST, then commit `sent` with the
link and open its blocker. A crash between the claim and that commit leaves the item in
`sending`; a timeout after the request went out leaves it `uncertain`. Either way the next
delivery first looks the report's key up on the tracker (exact look-ups, retried briefly because
Jira's JQL index lags) and, if the issue is there, records it as sent without a second POST.

Retries: network errors, 5xx and 429 go back to `queued` with exponential backoff and jitter,
never before the tracker's `Retry-After`; when the tracker could not be reached at all the
retry comes back within a few seconds, so the running app delivers soon after the network
returns. A permanent error (401, 403, 404, 410, 422) marks the item `failed` with the reason;
`Outbox.requeue()` sends it again after an edit or a fixed token.

No Qt and no threads here: `OutboxService` calls `deliver_due()` on its worker thread and the
CLI calls it directly.
"""

from __future__ import annotations

import logging
import os
import random
import sys
import threading
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from app.domain.model import BlockerState
from app.sources.http import Response
from app.store.outbox import Outbox, OutboxItem, OutboxState
from app.store.store import Store
from app.trackers.base import Filed, TrackerError
from app.trackers.ports import Http, Tracker

log = logging.getLogger(__name__)

# Reports being delivered by this process right now (the app's worker and a CLI call in the
# same process must not both pick the same `sending` item as "left over from a crash").
_in_flight: set[str] = set()
_in_flight_lock = threading.Lock()


@dataclass(frozen=True)
class DeliveryPolicy:
    """How hard and how often to try. Defaults suit the real app; tests shrink them."""

    base_backoff_s: float = 10.0  # first retry after a 5xx / 429 / uncertain outcome
    max_backoff_s: float = 300.0
    unreachable_backoff_s: float = 4.0  # tracker not reached at all: try again soon
    lookup_margin: timedelta = timedelta(minutes=15)  # clock skew between us and the tracker
    # Pauses between look-ups after an uncertain outcome. Jira's JQL index lags behind creates
    # by seconds; GitHub and GitLab are read by exact listing (one short second look is
    # cheap insurance); a webhook cannot be asked at all (its receiver dedupes by key).
    lookup_delays_s: Mapping[str, tuple[float, ...]] = field(
        default_factory=lambda: {"jira": (1.0, 2.0, 4.0), "webhook": (), "default": (0.5,)}
    )
    sending_lease_s: float = 120.0  # a live process's `sending` claim is trusted this long


@dataclass(frozen=True)
class DeliveryResult:
    """What one delivery attempt did to one outbox item."""

    key: str
    title: str
    priority: str
    state: OutboxState  # sent, queued (will retry) or failed
    url: str | None = None
    ref: str | None = None
    warnings: tuple[str, ...] = ()
    error: str | None = None
    next_attempt_at: datetime | None = None
    found_existing: bool = False  # delivered by finding the issue an earlier attempt filed
    unreachable: bool = False  # the tracker gave no answer at all
    not_before: datetime | None = None  # the tracker's Retry-After

    @classmethod
    def of(cls, item: OutboxItem, state: OutboxState, **details: Any) -> DeliveryResult:
        """The result for `item` (its key, title and priority) in `state`, with `details`."""
        return cls(
            key=item.key, title=item.title, priority=item.priority.value, state=state, **details
        )


class _WatchedHttp:
    """The shared client, noting whether the tracker answered anything at all.

    "Not reached" (refused, DNS, connect timeout) and "answered 503" both arrive as retryable
    TrackerErrors; only the first one is worth retrying within seconds.
    """

    def __init__(self, inner: Http) -> None:
        self._inner = inner
        self.answers = 0

    def request(self, method: str, url: str, **kwargs: Any) -> Response:
        resp = self._inner.request(method, url, **kwargs)
        self.answers += 1
        return resp


def backoff_delay_s(attempts: int, policy: DeliveryPolicy, rand: Callable[[], float]) -> float:
    """Exponential backoff with "equal jitter": half fixed, half random, capped."""
    ceiling = min(policy.max_backoff_s, policy.base_backoff_s * 2.0 ** max(0, attempts - 1))
    return ceiling / 2 + rand() * ceiling / 2


def _pid_alive(pid: int | None) -> bool:
    if pid is None:
        return False
    if pid == os.getpid():
        return True
    if sys.platform == "win32":
        return True  # os.kill(pid, 0) would terminate it there: trust the lease instead
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _is_due(item: OutboxItem, now: datetime, force: bool, policy: DeliveryPolicy) -> bool:
    if item.not_before is not None and item.not_before > now:
        return False  # the tracker asked us to wait: even "send now" does
    if item.state is OutboxState.QUEUED:
        return force or item.next_attempt_at is None or item.next_attempt_at <= now
    if item.state is OutboxState.SENDING:
        with _in_flight_lock:
            if item.key in _in_flight:
                return False
        started = item.sending_started_at
        lease_over = started is None or now - started > timedelta(seconds=policy.sending_lease_s)
        return lease_over or item.sending_pid == os.getpid() or not _pid_alive(item.sending_pid)
    return False


def due_items(
    outbox: Outbox,
    now: datetime,
    *,
    force: bool = False,
    policy: DeliveryPolicy | None = None,
    keys: Collection[str] | None = None,
) -> list[OutboxItem]:
    """Items to deliver now: queued and due (or all queued with `force`), plus `sending` items
    whose sender died (crash between send and commit)."""
    policy = policy or DeliveryPolicy()
    items = outbox.items([OutboxState.QUEUED, OutboxState.SENDING])
    return [i for i in items if (keys is None or i.key in keys) and _is_due(i, now, force, policy)]


def deliver_due(
    store: Store | Outbox,
    tracker: Tracker | None,
    http: Http,
    now: datetime,
    *,
    force: bool = False,
    keys: Collection[str] | None = None,
    policy: DeliveryPolicy | None = None,
    sleep: Callable[[float], None] = time.sleep,
    rand: Callable[[], float] = random.random,
) -> list[DeliveryResult]:
    """Deliver every due outbox item once; return what happened to each one tried.

    `force` ignores our own backoff (a user's "send now"), never the tracker's Retry-After.
    `keys` limits the round to those reports. With no tracker (kind none) nothing is sent:
    those reports were recorded as local blockers when queued. The round stops early when
    the tracker is unreachable or rate-limits us: the other items would only fail the same way.
    """
    if tracker is None:
        return []
    policy = policy or DeliveryPolicy()
    outbox = store if isinstance(store, Outbox) else Outbox(store)
    results: list[DeliveryResult] = []
    for item in due_items(outbox, now, force=force, policy=policy, keys=keys):
        with _in_flight_lock:
            if item.key in _in_flight:
                continue
            _in_flight.add(item.key)
        try:
            result = _deliver_one(outbox, tracker, http, item, now, policy, sleep, rand)
        finally:
            with _in_flight_lock:
                _in_flight.discard(item.key)
        if result is None:
            continue  # another sender claimed it first
        results.append(result)
        if result.unreachable or result.not_before is not None:
            break
    return results


def _look_up(
    tracker: Tracker,
    http: Http,
    item: OutboxItem,
    *,
    persistent: bool,
    policy: DeliveryPolicy,
    sleep: Callable[[float], None],
) -> Filed | None:
    """Find the issue an earlier attempt may have filed; retried while indexes catch up."""
    since = (item.queued_at or item.report.created_at) - policy.lookup_margin
    delays = policy.lookup_delays_s.get(tracker.kind, policy.lookup_delays_s.get("default", ()))
    pauses = list(delays) if persistent else []
    while True:
        found = tracker.find(http, item.report, since)
        if found is not None or not pauses:
            return found
        sleep(pauses.pop(0))


def _deliver_one(
    outbox: Outbox,
    tracker: Tracker,
    http: Http,
    item: OutboxItem,
    now: datetime,
    policy: DeliveryPolicy,
    sleep: Callable[[float], None],
    rand: Callable[[], float],
) -> DeliveryResult | None:
    report = item.report
    # A crash mid-send, or a timeout after the request went out: the issue may exist.
    uncertain = item.uncertain or item.state is OutboxState.SENDING
    # Any earlier attempt at all: one cheap look-up costs less than a duplicate P1.
    look_first = uncertain or item.attempts > 0
    if not outbox.claim(item, now, tracker_kind=tracker.kind):
        return None
    watched = _WatchedHttp(http)
    sent_request = False
    try:
        found = None
        if look_first:
            found = _look_up(
                tracker, watched, item, persistent=uncertain, policy=policy, sleep=sleep
            )
        if found is not None:
            filed, found_existing = found, True
        else:
            sent_request = True
            filed, found_existing = tracker.create(watched, report), False
    except TrackerError as err:
        return _after_error(outbox, item, err, watched, now, policy, rand)
    except Exception as err:  # a bug or a surprise: we cannot know whether it was filed
        log.exception("delivering report %s failed unexpectedly", item.key)
        wrapped = TrackerError(
            f"unexpected error while sending: {type(err).__name__}", uncertain=sent_request
        )
        return _after_error(outbox, item, wrapped, watched, now, policy, rand)
    outbox.mark_sent(item.key, url=filed.url, ref=filed.ref, warnings=filed.warnings, now=now)
    return DeliveryResult.of(
        item,
        OutboxState.SENT,
        url=filed.url,
        ref=filed.ref,
        warnings=tuple(filed.warnings),
        found_existing=found_existing,
    )


def _after_error(
    outbox: Outbox,
    item: OutboxItem,
    err: TrackerError,
    watched: _WatchedHttp,
    now: datetime,
    policy: DeliveryPolicy,
    rand: Callable[[], float],
) -> DeliveryResult:
    """Record a failed attempt: `failed` if permanent, else back to `queued` with backoff."""
    if err.permanent:
        outbox.mark_failed(item.key, error=err.message, now=now)
        return DeliveryResult.of(item, OutboxState.FAILED, error=err.message)
    unreachable = watched.answers == 0 and not err.uncertain
    attempts = item.attempts + 1
    if err.retry_at is not None:
        next_at = max(err.retry_at, now)
    elif unreachable:
        next_at = now + timedelta(seconds=policy.unreachable_backoff_s * (0.5 + rand() / 2))
    else:
        next_at = now + timedelta(seconds=backoff_delay_s(attempts, policy, rand))
    outbox.mark_retry(
        item.key,
        error=err.message,
        next_attempt_at=next_at,
        uncertain=err.uncertain,
        not_before=err.retry_at,
        now=now,
    )
    return DeliveryResult.of(
        item,
        OutboxState.QUEUED,
        error=err.message,
        next_attempt_at=next_at,
        unreachable=unreachable,
        not_before=err.retry_at,
    )


def refresh_blockers(
    store: Store | Outbox, tracker: Tracker | None, http: Http, now: datetime
) -> list[str]:
    """Close the open blockers that were closed on the tracker; returns their keys.

    Polled like a source: a blocker stays open (and a P1 keeps the verdict NOT RELEASABLE)
    until the tracker says its issue is closed. A tracker that cannot be asked (a webhook)
    answers None and changes nothing; an unreachable one ends the pass early.
    """
    if tracker is None:
        return []
    outbox = store if isinstance(store, Outbox) else Outbox(store)
    closed = []
    for blocker, ref in outbox.tracked_blockers(tracker.kind):
        try:
            state = tracker.state(http, Filed(blocker.url or "", ref))
        except TrackerError as err:
            log.info("could not read the state of %s: %s", blocker.key, err.message)
            if not err.permanent:
                break
            continue
        if state is BlockerState.CLOSED:
            outbox.set_blocker_state(blocker.key, BlockerState.CLOSED, now)
            closed.append(blocker.key)
    return closed


__all__ = [
    "DeliveryPolicy",
    "DeliveryResult",
    "backoff_delay_s",
    "deliver_due",
    "refresh_blockers",
    "due_items",
]
