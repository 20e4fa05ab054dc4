"""Loopback HTTP servers for the demo: one fake service per 127.0.0.1 port, stopped cleanly.

Each `LoopbackServer` is a stdlib `ThreadingHTTPServer` on 127.0.0.1, port 0 (the OS picks a
free one), answering HTTP/1.1 with keep-alive like the real vendors, from a daemon thread.
Around the service's answer it adds what every real API does and the app relies on: an `ETag`
on each 200 to a GET, and `304 Not Modified` when `If-None-Match` matches, so the app's
conditional requests work against the demo as they do against GitHub.

Bounded: at most `max_connections` connections are served at once (a new one waits briefly,
then gets a 503 with `Retry-After`), idle keep-alive connections close after
`IDLE_TIMEOUT_S`, and request bodies over `MAX_BODY_BYTES` are refused. `stop()` stops the
accept loop, closes open connections, joins every thread and frees the port.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import socket
import socketserver
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from requests.structures import CaseInsensitiveDict

from app.demo.wire import Reply, Request, Service, Timebase, text_reply

log = logging.getLogger("app.demo")

IDLE_TIMEOUT_S = 15.0
POLL_INTERVAL_S = 0.05  # how soon stop() is noticed by the accept loop
BUSY_WAIT_S = 2.0
MAX_BODY_BYTES = 1024 * 1024
DEFAULT_MAX_CONNECTIONS = 32
_BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n"
    b"Retry-After: 1\r\nConnection: close\r\n\r\nbusy\n"
)


def etag_of(body: bytes) -> str:
    return 'W/"' + hashlib.sha256(body).hexdigest()[:40] + '"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 §13.1.2: weak comparison, a list of tags, or `*`."""
    if not if_none_match:
        return False
    wanted = etag.removeprefix("W/")
    for tag in if_none_match.split(","):
        tag = tag.strip()
        if tag == "*" or tag.removeprefix("W/") == wanted:
            return True
    return False


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "releasable-demo"
    sys_version = ""
    timeout = IDLE_TIMEOUT_S
    # Headers and body go out in two writes: with Nagle's algorithm and the client's delayed
    # ACK, each keep-alive answer would wait ~40 ms, and the board would show that as latency.
    disable_nagle_algorithm = True
    server: _DemoHTTPServer

    def do_GET(self) -> None:
        self._serve()

    do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("demo %s: " + format, self.server.name, *args)

    def _serve(self) -> None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY_BYTES:
            self.close_connection = True
            self._write(text_reply("request body too large or malformed\n", 413), head=False)
            return
        body = self.rfile.read(length) if length else b""
        split = urlsplit(self.path)
        req = Request(
            method=self.command,
            path=split.path,
            query=parse_qs(split.query, keep_blank_values=True),
            headers=CaseInsensitiveDict(self.headers.items()),
            body=body,
            t=self.server.timebase.now(),
        )
        service = self.server.service
        try:
            reply = service.handle(req) if service else text_reply("not ready\n", 503)
        except Exception:
            log.exception("demo %s failed to answer %s %s", self.server.name, req.method, req.path)
            reply = text_reply("internal error in the demo server\n", 500)
        self._answer(req, reply)

    def _answer(self, req: Request, reply: Reply) -> None:
        headers = dict(reply.headers)
        not_modified = False
        if req.method in ("GET", "HEAD") and reply.status == 200:
            etag = etag_of(reply.body)
            headers["ETag"] = etag
            headers.setdefault("Cache-Control", "no-cache")
            not_modified = etag_matches(req.headers.get("If-None-Match"), etag)
        rate_headers = getattr(self.server.service, "rate_headers", None)
        if callable(rate_headers):
            headers.update(rate_headers(billable=not not_modified))
        if not_modified:
            self.send_response(304)
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            return
        self._write(
            Reply(reply.status, reply.body, reply.content_type, headers), head=req.method == "HEAD"
        )

    def _write(self, reply: Reply, *, head: bool) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if not head:
            self.wfile.write(reply.body)


class _DemoHTTPServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer that bounds its connection threads and can close them all."""

    daemon_threads = True
    block_on_close = False  # our own connection threads are joined in join_connections()

    def __init__(
        self, name: str, timebase: Timebase, max_connections: int, busy_wait_s: float
    ) -> None:
        self.name = name
        self.busy_wait_s = busy_wait_s
        self.timebase = timebase
        self.service: Service | None = None
        self._slots = threading.BoundedSemaphore(max_connections)
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._connection_threads: list[threading.Thread] = []
        super().__init__(("127.0.0.1", 0), _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks up the host's FQDN, which can hang without a network.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = "127.0.0.1", self.server_address[1]

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(timeout=self.busy_wait_s):
            with contextlib.suppress(OSError):
                request.sendall(_BUSY)
            self.shutdown_request(request)
            return
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name=f"releasable-demo-{self.name}-connection",
            daemon=True,
        )
        with self._lock:
            self._open.add(request)
            self._connection_threads = [t for t in self._connection_threads if t.is_alive()]
            self._connection_threads.append(thread)
        thread.start()

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._lock:
                self._open.discard(request)
            self._slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up mid-answer is normal (the app stops, a poll times out).
        log.debug(
            "demo %s: connection from %s ended badly", self.name, client_address, exc_info=True
        )

    def close_connections(self) -> None:
        with self._lock:
            sockets = list(self._open)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def join_connections(self, deadline: float) -> None:
        with self._lock:
            threads = list(self._connection_threads)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))


class LoopbackServer:
    """One fake service on its own loopback port; `base_url` is known as soon as it exists."""

    def __init__(
        self,
        name: str,
        timebase: Timebase,
        *,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        busy_wait_s: float = BUSY_WAIT_S,
    ) -> None:
        self.name = name
        self._httpd = _DemoHTTPServer(name, timebase, max_connections, busy_wait_s)
        self.port: int = self._httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._thread: threading.Thread | None = None

    @property
    def service(self) -> Service | None:
        return self._httpd.service

    def serve(self, service: Service) -> None:
        """Start answering with `service`, from a daemon thread."""
        if self._thread is not None:
            raise RuntimeError(f"demo server {self.name} is already serving")
        self._httpd.service = service
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": POLL_INTERVAL_S},
            name=f"releasable-demo-{self.name}",
            daemon=True,
        )
        self._thread.start()

    def threads(self) -> list[threading.Thread]:
        """The threads this server runs now (accept loop and live connections)."""
        with self._httpd._lock:
            connections = [t for t in self._httpd._connection_threads if t.is_alive()]
        loop = [self._thread] if self._thread is not None and self._thread.is_alive() else []
        return loop + connections

    def stop(self, timeout_s: float = 5.0) -> None:
        """Stop accepting, close open connections, join every thread, free the port."""
        deadline = time.monotonic() + timeout_s
        if self._thread is not None:
            self._httpd.shutdown()  # returns once the accept loop has exited
        self._httpd.close_connections()
        self._httpd.server_close()
        self._httpd.join_connections(deadline)
        if self._thread is not None:
            self._thread.join(max(0.0, deadline - time.monotonic()))
        leftover = self.threads()
        if leftover:
            log.warning("demo %s: %d thread(s) still running after stop", self.name, len(leftover))


__all__ = ["LoopbackServer", "etag_matches", "etag_of"]
