"""A generic JSON webhook: POST the report as a documented, versioned payload.

The payload schema (`releasable.blocker/v1`) is documented in docs/webhook.md; keep the two in
step. Every POST carries `Idempotency-Key: <report key>`, so a receiver that honours it makes a
re-send after an uncertain outcome harmless. A webhook cannot be asked "did you already get
this?" or "is it still open?", so `find` and `state` answer None, and it cannot list the team's
open blockers: `open_blockers` answers an empty list (a board whose tracker is a webhook shows
only the blockers filed from its own machine).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from app.domain.model import BlockerState
from app.domain.report import Report
from app.domain.report_body import safe_url, utc_iso
from app.sources.http import Response
from app.trackers.base import Filed, RemoteBlocker, TrackerError
from app.trackers.check import Check
from app.trackers.ports import Http
from app.trackers.transport import Clock, error_for, is_success, maybe_json, send, utc_now

SCHEMA = "releasable.blocker/v1"
_OWN_HEADERS = frozenset({"content-type", "accept", "idempotency-key", "content-length", "host"})


def payload_for(report: Report) -> dict[str, Any]:
    """The JSON body of the POST (schema `releasable.blocker/v1`)."""
    return {
        "schema": SCHEMA,
        "key": report.key,
        "title": report.title,
        "category": report.category,
        "priority": report.priority.value,
        "prevents_delivery": report.prevents_delivery,
        "statement": report.statement,
        "body": report.body,
        "reporter": report.reporter,
        "board": report.board,
        "created_at": utc_iso(report.created_at),
        "labels": list(report.labels),
    }


class WebhookTracker:
    kind = "webhook"

    def __init__(
        self,
        *,
        url: str,
        token: str | None = None,
        token_hint: str = "",
        headers: Mapping[str, str] | None = None,
        ca_bundle: str | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self.url = url.strip()
        self.token = token or None
        # Extra headers from the board file; they never replace the ones the protocol needs.
        self.headers = {
            str(k): str(v) for k, v in (headers or {}).items() if str(k).lower() not in _OWN_HEADERS
        }
        self.token_hint = token_hint
        self.ca_bundle = ca_bundle
        self.clock = clock

    def __repr__(self) -> str:  # the URL may hold a secret: show the host only
        return f"WebhookTracker(host={urlsplit(self.url).hostname!r})"

    def create(self, http: Http, report: Report) -> Filed:
        headers = {**self.headers, "Accept": "application/json", "Idempotency-Key": report.key}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        resp = send(
            http,
            "POST",
            self.url,
            headers=headers,
            json_body=payload_for(report),
            ca_bundle=self.ca_bundle,
        )
        if not is_success(resp):
            raise self._error(resp)
        data = maybe_json(resp)
        data = data if isinstance(data, dict) else {}
        link = safe_url(data.get("url")) if isinstance(data.get("url"), str) else None
        ref = data.get("id")
        ref_text = str(ref) if isinstance(ref, (str, int)) and str(ref) else report.key
        return Filed(link or self.public_url, ref_text)

    def check(self, http: Http) -> list[Check]:
        """A webhook has nothing to read: nothing is sent, and that is said."""
        return [
            Check(
                "webhook",
                None,
                f"not checked: a webhook can only be tested by sending a report to "
                f"{urlsplit(self.url).hostname}; nothing was sent",
            )
        ]

    def find(self, http: Http, report: Report, since: datetime) -> Filed | None:
        """A webhook cannot be asked: None (the Idempotency-Key makes a re-send safe)."""
        return None

    def state(self, http: Http, filed: Filed) -> BlockerState | None:
        return None

    def open_blockers(self, http: Http) -> list[RemoteBlocker]:
        """A webhook cannot be read back: no blockers of others (nothing is requested)."""
        return []

    @property
    def public_url(self) -> str:
        """The webhook URL without credentials, query or fragment (they may hold secrets)."""
        parts = urlsplit(self.url)
        host = parts.hostname or ""
        netloc = f"{host}:{parts.port}" if parts.port else host
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))

    def _error(self, resp: Response) -> TrackerError:
        if resp.status == 401 and not self.token:
            return TrackerError("the webhook asks for a token (401)", permanent=True)
        if resp.status == 409:
            return TrackerError(
                "the webhook is still processing an earlier send of this report (409); will retry"
            )
        return error_for(
            resp,
            vendor="webhook",
            token_hint=self.token_hint,
            forbidden="the webhook refused the token",
            not_found=f"no webhook at {self.public_url}",
            refused="the webhook refused the report",
            details=error_details(maybe_json(resp)),
            now=self.clock(),
        )


def error_details(data: Any) -> str:
    """A receiver's `{"message": …}` / `{"error": …}` / `{"errors": [...]}` in words."""
    if not isinstance(data, dict):
        return ""
    for key in ("message", "error", "detail", "title"):
        value = data.get(key)
        if isinstance(value, str) and value:
            return value
    errors = data.get("errors")
    if isinstance(errors, list):
        return "; ".join(
            str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors
        )
    return ""


__all__ = ["SCHEMA", "WebhookTracker", "error_details", "payload_for"]
