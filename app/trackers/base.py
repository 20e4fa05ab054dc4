"""What trackers return and raise: `Filed`, `RemoteBlocker`, `TrackerError`.

The interface every tracker implements (`Tracker`) and the HTTP port it is given (`Http`)
are app/trackers/ports.py.

A tracker files a `Report` as an issue, finds an issue it may already have filed (by the
report's client key, with an exact look-up rather than a lagging search index), reads whether a
filed issue is still open, and lists the team's open blockers (issues carrying the board's
labels, whoever filed them, from whichever machine) as `RemoteBlocker`s. The outbox decides
when to call which; trackers own no state and no thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.domain.model import Priority
from app.domain.redact import scrub


@dataclass(frozen=True)
class Filed:
    """An issue on the tracker: its link, its tracker reference and anything to tell the user."""

    url: str
    ref: str  # "123" (GitHub/GitLab iid), "OPS-42" (Jira), webhook's id or the key
    warnings: tuple[str, ...] = ()  # e.g. "labels were dropped: the token lacks push access"


@dataclass(frozen=True)
class RemoteBlocker:
    """An open blocker as the tracker lists it, whoever filed it.

    `key` is the report's client key when the issue carries Releasable's key (a body marker on
    GitHub and GitLab, a `releasable-<key>` label on Jira), so a report filed from this machine
    is recognised as ours; otherwise a key made from the tracker reference ("gh-acme/platform#431",
    "gl-acme/platform#12", "jira-OPS-42"), stable for as long as the issue exists.
    """

    ref: str  # "431" (GitHub/GitLab iid), "OPS-42" (Jira)
    url: str
    title: str
    priority: Priority
    category: str  # an app.domain.triage.Category value, or "other"
    opened_at: datetime
    reporter: str
    key: str
    assignee: str = ""  # who is on it, as the tracker names them ("" when nobody)


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
        message = scrub(message)  # a tracker or a proxy may echo the token it was sent
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.retry_at = retry_at
        self.uncertain = uncertain
