"""What the demo's fake services speak: a parsed request, a reply, and the demo's time base.

Each fake service (GitHub, GitLab, the cctray feed, health endpoints) is a plain object with
`handle(Request) -> Reply`; `app.demo.servers` does the HTTP around it (keep-alive, ETags,
304s, stopping). The `Timebase` turns the injectable clock into scenario seconds and scenario
seconds into the wall-clock times the vendors' payloads carry.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import escape
from typing import Any, Protocol

Clock = Callable[[], float]


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # as sent, percent-encoding kept (GitLab's "acme%2Fmobile" must stay one segment)
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]  # case-insensitive
    body: bytes
    t: float  # scenario seconds when the request arrived

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

    def int_arg(self, name: str, default: int, *, low: int = 1, high: int = 100) -> int:
        """An integer parameter clamped to [low, high], as the vendors do."""
        try:
            value = int(self.arg(name) or default)
        except ValueError:
            value = default
        return min(max(value, low), high)

    def json(self) -> Any:
        """The body as JSON, or None if it is not JSON."""
        try:
            return json.loads(self.body.decode("utf-8") or "null")
        except (UnicodeDecodeError, ValueError):
            return None


@dataclass
class Reply:
    status: int
    body: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)


class Service(Protocol):
    name: str

    def handle(self, req: Request) -> Reply: ...


def json_reply(
    payload: Any,
    status: int = 200,
    *,
    headers: dict[str, str] | None = None,
    content_type: str = "application/json; charset=utf-8",
) -> Reply:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Reply(status, body, content_type, dict(headers or {}))


def html_reply(title: str, lines: list[str], status: int = 200) -> Reply:
    """A tiny page standing in for a vendor's web page (what a stage's link opens)."""
    items = "".join(f"<li>{escape(line)}</li>" for line in lines)
    page = (
        "<!doctype html><html lang=en><meta charset=utf-8>"
        f"<title>{escape(title)}</title>"
        "<body style='font-family:sans-serif;margin:2em'>"
        f"<h1>{escape(title)}</h1><ul>{items}</ul>"
        "<p><small>Served by the Releasable demo: a stand-in for the real page.</small></p>"
        "</body></html>"
    )
    return Reply(status, page.encode("utf-8"), "text/html; charset=utf-8")


def text_reply(text: str, status: int = 200) -> Reply:
    return Reply(status, text.encode("utf-8"), "text/plain; charset=utf-8")


class Timebase:
    """Scenario time from the clock, and wall-clock times for the payloads.

    `clock()` returns seconds since the demo started; scenario time runs `speed` times faster.
    A scenario moment `t` happened at `origin + t / speed` on the wall clock, so a run that
    failed 40 scenario seconds ago at speed 1 says it failed 40 s ago.
    """

    def __init__(self, clock: Clock | None = None, speed: float = 1.0) -> None:
        if not speed > 0:
            raise ValueError(f"speed must be greater than 0, not {speed!r}")
        if clock is None:
            started = time.monotonic()

            def clock() -> float:
                return time.monotonic() - started

        self.clock = clock
        self.speed = float(speed)
        self.origin = datetime.now(UTC).replace(microsecond=0)

    def now(self) -> float:
        return max(0.0, self.clock() * self.speed)

    def wall(self, t: float) -> datetime:
        return self.origin + timedelta(seconds=t / self.speed)

    def iso(self, t: float | None) -> str | None:
        """GitHub and cctray style: '2024-05-01T10:00:03Z'."""
        if t is None:
            return None
        return self.wall(t).strftime("%Y-%m-%dT%H:%M:%SZ")

    def iso_ms(self, t: float | None) -> str | None:
        """GitLab style: '2024-05-01T10:00:03.250Z'."""
        if t is None:
            return None
        when = self.wall(t)
        return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"

    def seconds(self, scenario_seconds: float) -> float:
        """A scenario duration as wall-clock seconds."""
        return scenario_seconds / self.speed


__all__ = [
    "Clock",
    "Reply",
    "Request",
    "Service",
    "Timebase",
    "html_reply",
    "json_reply",
    "text_reply",
]
