"""The one small interface every tracker implements, and the error trackers raise.

A tracker files a `Report` as an issue, finds an issue it may already have filed (by the
report's client key, with an exact look-up rather than a lagging search index), and reads
whether a filed issue is still open. The outbox decides when to call which; trackers own no
state and no thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from app.domain.model import BlockerState
from app.domain.report import Report
from app.sources.http import HttpClient


@dataclass(frozen=True)
class Filed:
    """An issue on the tracker: its link, its tracker reference and anything to tell the user."""

    url: str
    ref: str  # "123" (GitHub/GitLab iid), "OPS-42" (Jira), webhook's id or the key
    warnings: tuple[str, ...] = ()  # e.g. "labels were dropped: the token lacks push access"


class TrackerError(Exception):
    """A delivery failed; `message` is shown to the user as is.

    `permanent` errors (401, 403, 404, 410, 422 …) stop retries and keep the draft editable;
    others (network, 5xx, 429) are retried with backoff, not before `retry_at` when given.
    `uncertain` means the request may have reached the tracker (timeout after sending): the
    outbox must look the key up before sending again.
    """

    def __init__(
        self,
        message: str,
        *,
        permanent: bool = False,
        retry_at: datetime | None = None,
        uncertain: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.retry_at = retry_at
        self.uncertain = uncertain


class Tracker(Protocol):
    kind: str  # "github" | "gitlab" | "jira" | "webhook"

    def create(self, http: HttpClient, report: Report) -> Filed: ...

    def find(self, http: HttpClient, report: Report, since: datetime) -> Filed | None: ...

    def state(self, http: HttpClient, filed: Filed) -> BlockerState | None: ...
