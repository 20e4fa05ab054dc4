"""The trackers layer's ports: what a tracker needs (`Http`) and what the outbox sender needs
from a tracker (`Tracker`).

Ports are Protocols owned by the layer that uses them, one `ports.py` per layer (see
app/sources/ports.py). A tracker takes the `Http` protocol, not the concrete `HttpClient`:
the outbox hands it a wrapper that notes whether the tracker answered at all, and tests may
hand it anything of the same shape, with no `type: ignore`. The records a tracker returns
(`Filed`, `RemoteBlocker`) and the error it raises (`TrackerError`) are app/trackers/base.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from app.domain.model import BlockerState
from app.domain.report import Report
from app.sources.http import Response
from app.trackers.base import Filed, RemoteBlocker
from app.trackers.check import Check


class Http(Protocol):
    """One HTTP request: any status comes back; a transport failure raises `SourceError`."""

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        auth: tuple[str, str] | None = None,
        ca_bundle: str | None = None,
        conditional: bool = True,
    ) -> Response: ...


class Tracker(Protocol):
    """Files reports as issues, finds them again, reads their state and the team's blockers."""

    kind: str  # "github" | "gitlab" | "jira" | "webhook"

    def create(self, http: Http, report: Report) -> Filed: ...

    def find(self, http: Http, report: Report, since: datetime) -> Filed | None: ...

    def state(self, http: Http, filed: Filed) -> BlockerState | None: ...

    def open_blockers(self, http: Http) -> list[RemoteBlocker]: ...

    def check(self, http: Http) -> list[Check]: ...


__all__ = ["Http", "Tracker"]
