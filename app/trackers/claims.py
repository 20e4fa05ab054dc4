"""Delivering "I'm on it": each queued claim assigns its issue to the token's user, once.

Claims wait in the store (app/store/claims.py) like reports wait in the outbox, so one made
offline goes out when the tracker can be reached, and one whose answer was lost goes out
again — harmless, because assigning the same person twice changes nothing on GitHub, GitLab
or Jira. Network errors, 5xx and 429 retry with the outbox's backoff (never before the
tracker's Retry-After); a permanent refusal (401, 403, 404, a tracker that cannot assign)
fails the claim with the reason in words.

Every teammate's board and the kiosk then show it at their next read of the team's blockers
(app/trackers/team_blockers.py reads the assignee back). No Qt and no threads here:
`OutboxService` calls `deliver_claims()` in its delivery round.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.store.claims import (
    FAILED,
    QUEUED,
    SENT,
    ClaimRecord,
    claim_failed,
    claim_retry,
    claim_sent,
    due_claims,
)
from app.store.store import Store
from app.trackers.base import TrackerError
from app.trackers.outbox import DeliveryPolicy, backoff_delay_s
from app.trackers.ports import Http, Tracker

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClaimResult:
    """What one attempt did to one claim."""

    key: str
    state: str  # sent, queued (will retry) or failed
    claimed_by: str = ""
    error: str | None = None


def deliver_claims(
    store: Store,
    tracker: Tracker | None,
    http: Http,
    now: datetime,
    *,
    policy: DeliveryPolicy | None = None,
    rand: Callable[[], float] = random.random,
) -> list[ClaimResult]:
    """Send every due claim; with no tracker (or one that cannot assign) they wait or fail."""
    if tracker is None:
        return []
    policy = policy or DeliveryPolicy()
    assign = getattr(tracker, "assign", None)
    results: list[ClaimResult] = []
    for claim in due_claims(store, now):
        if assign is None or claim.ref is None:
            why = f"the {tracker.kind} tracker cannot assign issues: nobody is told who is on it"
            claim_failed(store, claim, why)
            results.append(ClaimResult(claim.key, FAILED, error=why))
            continue
        results.append(_deliver_one(store, claim, assign, http, now, policy, rand))
    return results


def _deliver_one(
    store: Store,
    claim: ClaimRecord,
    assign: Callable[[Http, str], str],
    http: Http,
    now: datetime,
    policy: DeliveryPolicy,
    rand: Callable[[], float],
) -> ClaimResult:
    assert claim.ref is not None
    try:
        who = assign(http, claim.ref)
    except TrackerError as err:
        if err.permanent:
            claim_failed(store, claim, err.message)
            return ClaimResult(claim.key, FAILED, error=err.message)
        wait = timedelta(seconds=backoff_delay_s(claim.attempts + 1, policy, rand))
        next_at = now + wait
        if err.retry_at is not None and err.retry_at > next_at:
            next_at = err.retry_at
        claim_retry(store, claim, err.message, next_at)
        log.info("claim %s not delivered yet: %s", claim.key, err.message)
        return ClaimResult(claim.key, QUEUED, error=err.message)
    claim_sent(store, claim, who, now)
    return ClaimResult(claim.key, SENT, claimed_by=who)


__all__ = ["ClaimResult", "deliver_claims"]
