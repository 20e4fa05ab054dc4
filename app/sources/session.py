"""requests' side of every exchange: the `Session` each request goes through and the adapter
whose connections obey a `Deadline` (app/sources/deadline.py).

The session never sends a token to another host on a redirect, reads the environment's proxy
settings once per host rather than on every request, and follows at most a few redirects. The
adapter's connections hand their socket to the calling thread's current `Deadline` whenever
they wait for an answer (every redirect hop too), so the watchdog can end a trickling read.

Kept apart from `app.sources.http` so that requests and urllib3 load with the first request
(on a worker), not with the app: they are about a tenth of a second of a start whose first
picture comes from the store (the fleet's 100 teams, a board's last known state).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, cast
from urllib.parse import urlparse

import requests
from requests.adapters import DEFAULT_POOLSIZE, HTTPAdapter
from requests.exceptions import InvalidSchema, InvalidURL, MissingSchema
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.poolmanager import PoolManager

from app.sources.deadline import current_deadline

# The errors of a URL requests cannot send at all (no scheme, a scheme it has no adapter for).
INVALID_URL_ERRORS = (MissingSchema, InvalidSchema, InvalidURL)


class _WatchedHTTPConnection(HTTPConnection):
    def getresponse(self) -> Any:
        deadline = current_deadline()
        if deadline is not None:
            deadline.attach(self.sock)
        return super().getresponse()


class _WatchedHTTPSConnection(HTTPSConnection):
    def getresponse(self) -> Any:
        deadline = current_deadline()
        if deadline is not None:
            deadline.attach(self.sock)
        return super().getresponse()


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_POOLS = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


class DeadlineAdapter(HTTPAdapter):
    """An HTTPAdapter whose connections (direct or through an HTTP proxy) obey `Deadline`."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if type(manager).__name__ == "ProxyManager" and isinstance(manager, PoolManager):
            manager.pool_classes_by_scheme = _POOLS
        return manager


class _Session(requests.Session):
    """A Session that never sends a token to another host on a redirect, and reads the proxy
    settings of the environment once per host rather than on every request."""

    def __init__(self, secret_headers: tuple[str, ...]) -> None:
        super().__init__()
        self._secret_headers = secret_headers
        self._environment_settings: dict[tuple[Any, ...], dict[str, Any]] = {}

    def merge_environment_settings(
        self, url: str | None, proxies: Any, stream: Any, verify: Any, cert: Any
    ) -> dict[str, Any]:
        # requests scans the whole of os.environ twice per request for *_PROXY / NO_PROXY
        # (about a fifth of the CPU of a small request). The answer depends only on the
        # URL's scheme and host and on arguments that are the same on every poll, so it is
        # kept per session (a session lives on one worker thread).
        if proxies or not url or not self.trust_env:
            # requests passes `PreparedRequest.url` (Optional) here; its stub says `str`
            return super().merge_environment_settings(cast(str, url), proxies, stream, verify, cert)
        parts = urlparse(url)
        key = (parts.scheme, parts.netloc, stream, verify, cert)
        settings = self._environment_settings.get(key)
        if settings is None:
            settings = super().merge_environment_settings(url, proxies, stream, verify, cert)
            if len(self._environment_settings) < 1024:
                self._environment_settings[key] = settings
        return {**settings, "proxies": dict(settings["proxies"])}

    def rebuild_auth(
        self, prepared_request: requests.PreparedRequest, response: requests.Response
    ) -> None:
        original = response.request.url or ""
        if prepared_request.url and self.should_strip_auth(original, prepared_request.url):
            for name in self._secret_headers:
                prepared_request.headers.pop(name, None)
        super().rebuild_auth(prepared_request, response)


def new_session(
    user_agent: str,
    max_redirects: int,
    secret_headers: tuple[str, ...],
    *,
    pool_connections: int = DEFAULT_POOLSIZE,
    pool_maxsize: int = DEFAULT_POOLSIZE,
) -> requests.Session:
    """A session as every request is sent, its adapter keeping `pool_connections` pools of at
    most `pool_maxsize` connections (requests' defaults)."""
    session = _Session(secret_headers)
    session.max_redirects = max_redirects
    session.headers["User-Agent"] = user_agent
    session.trust_env = True
    # every request's total deadline
    adapter = DeadlineAdapter(pool_connections=pool_connections, pool_maxsize=pool_maxsize)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def sent_url(method: str, url: str, params: Mapping[str, Any] | None) -> str:
    """The URL as requests will send it (the validator cache's key); raises as requests does
    (`INVALID_URL_ERRORS` for one it cannot send)."""
    items = tuple(params.items()) if params else ()
    try:
        return _prepared_url(method, url, items)
    except TypeError:  # a list among the params: not hashable, prepare it every time
        return requests.Request(method, url, params=params).prepare().url or url


@functools.lru_cache(maxsize=4096)
def _prepared_url(method: str, url: str, items: tuple[tuple[str, Any], ...]) -> str:
    # A board asks for the same few URLs every poll; preparing a request just to learn its
    # URL costs as much as a tenth of a small request's CPU.
    return requests.Request(method, url, params=dict(items) or None).prepare().url or url


__all__ = ["INVALID_URL_ERRORS", "DeadlineAdapter", "new_session", "sent_url"]
