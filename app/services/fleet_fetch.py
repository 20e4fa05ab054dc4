"""Fetching shared by every board of a fleet: one client, one session per host, one gate per
host and token, and one fetch per interval of a feed that several boards read.

A platform team watches many boards that mostly read the same few servers: one CI's cctray
feed serves every team's pipelines, one GitHub serves their workflows. Fetched board by board,
the feed would be downloaded once per team each refresh and the GitHub quota spent N times as
fast. Here:

- `FleetHttp` is one `HttpClient` for the whole fleet. Requests to a host go through that
  host's one `requests.Session` (its urllib3 pool is thread-safe and keeps connections alive
  for every worker), and when a server says a quota is spent (Retry-After, x-ratelimit-*),
  every board's next request with the same host and token waits without being sent: the
  quota is per token, not per board.
- `SharedFeeds` fetches a cctray feed (same URL, same credentials) at most once per interval
  however many boards name it; the others read the same parsed projects, or the same failure.
  Concurrent callers wait for the one fetch in flight instead of sending their own.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from app.domain.words import clock_words
from app.sources.errors import SourceError
from app.sources.http import HttpClient, Response, new_session

if TYPE_CHECKING:
    import requests

    from app.sources.cctray_feed import CctrayProject

POOL_SIZE = 16  # connections kept per host: as many as the fleet's worker threads


def _host_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _token_id(headers: Mapping[str, str] | None, auth: tuple[str, str] | None) -> str:
    """Which credentials a request carries, as a short digest (never the token itself)."""
    secret = ""
    for name, value in (headers or {}).items():
        if name.lower() in ("authorization", "private-token", "x-api-key", "x-auth-token"):
            secret += f"{name.lower()}={value};"
    if auth is not None:
        secret += f"basic={auth[0]}:{auth[1]}"
    return hashlib.sha256(secret.encode()).hexdigest()[:16] if secret else ""


class FleetHttp(HttpClient):
    """The fleet's HTTP client: a session per host, and rate limits honoured per host+token."""

    def __init__(self, *args: Any, clock: Callable[[], datetime] | None = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self._clock = clock or (lambda: datetime.now(UTC))
        self._sessions: dict[str, requests.Session] = {}
        self._sessions_lock = threading.Lock()
        self._limits: dict[tuple[str, str], datetime] = {}
        self._limits_lock = threading.Lock()
        self.held_back = 0  # requests not sent because their host+token was rate-limited

    def session_for(self, url: str) -> requests.Session:
        host = _host_of(url)
        with self._sessions_lock:
            session = self._sessions.get(host)
            if session is None:
                # one pool per host (and still every request's total deadline)
                session = new_session(pool_connections=1, pool_maxsize=POOL_SIZE)
                self._sessions[host] = session
        return session

    def close(self) -> None:
        with self._sessions_lock:
            sessions, self._sessions = list(self._sessions.values()), {}
        for session in sessions:
            session.close()
        super().close()

    @property
    def hosts(self) -> int:
        """How many hosts have a session (one each)."""
        with self._sessions_lock:
            return len(self._sessions)

    def request(self, method: str, url: str, **kwargs: Any) -> Response:
        key = (_host_of(url), _token_id(kwargs.get("headers"), kwargs.get("auth")))
        now = self._clock()
        with self._limits_lock:
            until = self._limits.get(key)
        if until is not None and until > now:
            with self._limits_lock:
                self.held_back += 1
            raise SourceError(
                f"rate-limited until {clock_words(until, now)} (not asked: "
                f"{urlsplit(url).hostname} said so to an earlier request with the same token)",
                rate_limited_until=until,
                not_sent=True,
            )
        resp = super().request(method, url, **kwargs)
        limit = resp.rate_limited_until(now)
        if limit is not None:
            with self._limits_lock:
                self._limits[key] = max(limit, self._limits.get(key, limit))
        return resp


@dataclass
class _Feed:
    lock: threading.Lock = field(default_factory=threading.Lock)
    fetched_at: float | None = None
    result: list[CctrayProject] | SourceError | None = None


class SharedFeeds:
    """cctray feeds fetched once per interval for every board that reads them."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._feeds: dict[tuple[str, str], _Feed] = {}
        self._lock = threading.Lock()
        self.fetches = 0

    def fetch(
        self,
        http: HttpClient,
        url: str,
        interval_s: float,
        *,
        auth: tuple[str, str] | None = None,
        ca_bundle: str | None = None,
        timeout_s: float | None = None,
        token_hint: str = "",
    ) -> list[CctrayProject]:
        """The feed's projects, fetched now unless a fetch started less than `interval_s` ago
        (then its result, a failure included, is shared)."""
        from app.sources.cctray import fetch_feed  # with the first poll, not at start-up

        key = (url, _token_id(None, auth))
        with self._lock:
            feed = self._feeds.setdefault(key, _Feed())
        with feed.lock:  # a second board asking meanwhile waits for this fetch
            now = self._clock()
            if feed.fetched_at is None or now - feed.fetched_at >= interval_s * 0.9:
                feed.fetched_at = now
                self.fetches += 1
                try:
                    feed.result = fetch_feed(
                        http,
                        url,
                        auth=auth,
                        ca_bundle=ca_bundle,
                        timeout_s=timeout_s,
                        token_hint=token_hint,
                    )
                except SourceError as err:
                    feed.result = err
            result = feed.result
        if isinstance(result, SourceError):
            raise result
        assert result is not None
        return result


__all__ = ["FleetHttp", "SharedFeeds"]
