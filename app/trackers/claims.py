"""Delivering "I'm on it": each queued claim reaches the tracker, once as the team sees it.

Claims wait in the store (app/store/claims.py) like reports wait in the outbox, so one made
offline goes out when the tracker can be reached, and one whose answer was lost goes out
again — harmless: a blocker's claim assigns its issue (assigning the same person twice changes
nothing on GitHub, GitLab or Jira); a failing pipeline's claim first looks for the board's
open claim issue for that pipeline and joins it, so a lost answer never files a second one;
closing it when the pipeline passes (a release) is the same whenever it is done. Network
errors, 5xx and 429 retry with the outbox's backoff (never before the
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
    PIPELINE_PREFIX,
    QUEUED,
    RELEASE_PREFIX,
    SENT,
    ClaimRecord,
    TeamClaim,
    claim_failed,
    claim_retry,
    claim_sent,
    due_claims,
    set_team_claims,
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
    board: str = "",
    policy: DeliveryPolicy | None = None,
    rand: Callable[[], float] = random.random,
) -> list[ClaimResult]:
    """Send every due claim; with no tracker they wait, with one that cannot do it they fail.

    A blocker's claim assigns its issue; a pipeline's files (or joins) `board`'s claim issue
    for it (app/trackers/claim_issues.py); a release closes that issue.
    """
    if tracker is None:
        return []
    policy = policy or DeliveryPolicy()
    results: list[ClaimResult] = []
    for claim in due_claims(store, now):
        send = _sender(tracker, claim, board)
        if send is None:
            what = "claim failing pipelines" if claim.blocker_key is None else "assign issues"
            why = f"the {tracker.kind} tracker cannot {what}: nobody is told who is on it"
            claim_failed(store, claim, why)
            results.append(ClaimResult(claim.key, FAILED, error=why))
            continue
        results.append(_deliver_one(store, claim, send, http, now, policy, rand))
    return results


Send = Callable[[Http], tuple[str, str | None]]  # -> (who is on it, the claim issue's ref)


def _sender(tracker: Tracker, claim: ClaimRecord, board: str) -> Send | None:
    """How `claim` is told to `tracker` (None when this tracker cannot do it)."""
    ref = claim.ref
    if claim.key.startswith(RELEASE_PREFIX):
        release = getattr(tracker, "release_claim", None)
        if release is None or ref is None:
            return None

        def close(http: Http) -> tuple[str, str | None]:
            release(http, ref)
            return "", None

        return close
    if claim.key.startswith(PIPELINE_PREFIX):
        file_claim = getattr(tracker, "claim_pipeline", None)
        if file_claim is None:
            return None

        def pipeline(http: Http) -> tuple[str, str | None]:
            filed: TeamClaim = file_claim(http, board, claim.key)
            return filed.claimed_by, filed.ref

        return pipeline
    assign = getattr(tracker, "assign", None)
    if assign is None or ref is None:
        return None

    def blocker(http: Http) -> tuple[str, str | None]:
        return str(assign(http, ref)), None

    return blocker


def _deliver_one(
    store: Store,
    claim: ClaimRecord,
    send: Send,
    http: Http,
    now: datetime,
    policy: DeliveryPolicy,
    rand: Callable[[], float],
) -> ClaimResult:
    try:
        who, ref = send(http)
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
    claim_sent(store, claim, who, now, ref)
    return ClaimResult(claim.key, SENT, claimed_by=who)


def sync_team_claims(
    store: Store, tracker: Tracker | None, http: Http, board: str, now: datetime
) -> str | None:
    """Read `board`'s open claim issues (who is on which failing pipeline) into the store.

    A tracker that cannot list claims (Jira, a webhook) changes nothing; one that cannot be
    read keeps what the board knew and says why.
    """
    list_claims = getattr(tracker, "open_claims", None)
    if list_claims is None:
        return None
    try:
        listed = list_claims(http, board)
    except TrackerError as err:
        log.info("could not read the team's claims: %s", err.message)
        return err.message
    set_team_claims(store, listed, now)
    return None


__all__ = ["ClaimResult", "deliver_claims", "sync_team_claims"]
