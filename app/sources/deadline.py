"""A total deadline for one HTTP exchange, which `requests` does not have.

`requests` applies its read timeout to each receive, so a server that sends one byte a second
keeps a read alive for ever. Here one watchdog thread holds the deadlines of the requests in
flight; when one passes, it shuts down that request's socket, so the blocked receive returns at
once and the request fails. `DeadlineAdapter` (app/sources/session.py, mounted on every
session of the shared client) builds connections that hand their socket to the calling thread's
current `Deadline` whenever they wait for an answer (every redirect hop too);
`HttpClient.request` opens the deadline around the whole exchange, body included, and turns an
expired one into "no complete answer within N s". This module needs no requests: the app can
arm `abort_all` at start without loading it.

`abort_all()` ends every exchange in flight at once, and every one that starts after it: the
process calls it when it is ending (SIGTERM or SIGINT in the window or a command, the fetch
worker process told to stop), so no worker thread stuck on a slow server holds up the exit,
nor one that was about to start its request, nor one that makes one request after another.

A SOCKS proxy's connections are not watched (they keep the per-receive timeout).
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import socket
import threading
import time
from types import TracebackType


class Deadline:
    """One exchange's deadline; `with Deadline(3.0) as d:` arms it for the calling thread."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds
        self.expired = False
        self.aborted = False  # ended by `abort_all()` / `HttpClient.abort()`, not by the time
        self._done = False
        self._sock: socket.socket | None = None
        # Re-entrant: `abort_all()` runs in a signal handler, maybe inside this very lock.
        self._lock = threading.RLock()

    def remaining(self) -> float:
        return max(0.0, self.at - time.monotonic())

    def attach(self, sock: socket.socket | None) -> None:
        """The socket the exchange now waits on (shut at once if the deadline has passed)."""
        with self._lock:
            self._sock = sock
            if not self.expired:
                return
        _shut(sock)

    def expire(self, *, aborted: bool = False) -> None:
        """End the exchange unless it finished meanwhile (the watchdog, or an abort)."""
        with self._lock:
            if self._done:
                return
            self.expired = True
            self.aborted = self.aborted or aborted
            sock = self._sock
        _shut(sock)

    def __enter__(self) -> Deadline:
        _local.deadline = self
        _WATCHDOG.watch(self)
        if _stopping:
            self.expire(aborted=True)  # the process is ending: this exchange ends at once
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        with self._lock:
            self._done = True
            self._sock = None
        _local.deadline = None


def _shut(sock: socket.socket | None) -> None:
    if sock is None:
        return
    # The plain socket's shutdown, also for an SSLSocket: the reading thread still holds the
    # TLS object, and its receive returns as the connection ends under it.
    with contextlib.suppress(OSError, ValueError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _Watchdog:
    """One daemon thread that expires deadlines in time order."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Deadline]] = []
        self._seq = itertools.count()
        self._wake = threading.Condition(threading.RLock())  # re-entrant: see Deadline
        self._thread: threading.Thread | None = None

    def watch(self, deadline: Deadline) -> None:
        with self._wake:
            heapq.heappush(self._heap, (deadline.at, next(self._seq), deadline))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="http-deadlines", daemon=True
                )
                self._thread.start()
            if self._heap[0][2] is deadline:
                self._wake.notify()

    def expire_all(self) -> None:
        with self._wake:
            pending = [deadline for _at, _seq, deadline in self._heap]
        for deadline in pending:
            deadline.expire(aborted=True)

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._heap:
                    self._wake.wait()
                at, _seq, deadline = self._heap[0]
                wait = at - time.monotonic()
                if wait > 0:
                    self._wake.wait(wait)
                    continue
                heapq.heappop(self._heap)
            deadline.expire()


_WATCHDOG = _Watchdog()
_local = threading.local()


_stopping = False  # abort_all() was called: the process is ending


def abort_all() -> None:
    """The process is ending: end every HTTP exchange in flight now, and every later one at
    once (safe in a signal handler: one assignment, then the watchdog's re-entrant lock)."""
    global _stopping
    _stopping = True
    _WATCHDOG.expire_all()


def stopping() -> bool:
    """Whether `abort_all()` was called: no request should be sent any more."""
    return _stopping


def current_deadline() -> Deadline | None:
    """The deadline of the exchange this thread is in, if any (app/sources/session.py)."""
    return getattr(_local, "deadline", None)


__all__ = ["Deadline", "abort_all", "current_deadline", "stopping"]
