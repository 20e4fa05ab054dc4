"""A bounded loopback HTTP server for the benchmarks (not a test fixture; no pytest here).

It serves fixed documents (with a strong ETag, answering `If-None-Match` with 304) and
health endpoints (`/health/<anything>` answers `{"status":"UP"}`), each request after an
added latency, as a real CI server or service on the network would. Everything is bounded:

- connections are served by a fixed pool of threads (ThreadingHTTPServer's thread per
  connection is unbounded); idle keep-alive connections give their thread back after 5 s;
- the server stops after `max_requests` requests or `max_seconds`, whichever comes first;
- it listens on 127.0.0.1 only.

Benchmarks that measure the app's own event loop run it in a separate process
(`serve_in_subprocess`), so serving costs no GIL time in the process being measured.
Run as a script it is that subprocess: `python loopback.py MANIFEST.json` prints
`port N` and serves until its stdin closes (or a bound is hit).
"""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import json
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HEALTH_PREFIX = "/health/"
HEALTH_BODY = b'{"status":"UP"}'


@dataclass(frozen=True)
class Document:
    body: bytes
    content_type: str = "application/xml"

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest()[:16] + '"'


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like real CI servers
    timeout = 5  # an idle keep-alive connection gives its pool thread back
    # Headers and body go out in two writes; without TCP_NODELAY, Nagle's algorithm and the
    # client's delayed ACK add ~40 ms to every answer (a loopback artefact, not latency).
    disable_nagle_algorithm = True
    server: LoopbackServer

    def do_GET(self) -> None:
        srv = self.server
        if not srv.count_request():
            self._send(503, b"request budget spent", "text/plain", None)
            return
        if srv.latency_s:
            time.sleep(srv.latency_s)  # the simulated network + server time
        if self.path.startswith(HEALTH_PREFIX):
            self._send(200, HEALTH_BODY, "application/json", None)
            return
        doc = srv.documents.get(self.path)
        if doc is None:
            self._send(404, b"not found", "text/plain", None)
            return
        etag = doc.etag
        if self.headers.get("If-None-Match") == etag:
            srv.count_not_modified()
            self._send(304, b"", None, etag)
        else:
            self._send(200, doc.body, doc.content_type, etag)

    def _send(self, status: int, body: bytes, ctype: str | None, etag: str | None) -> None:
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        if etag:
            self.send_header("ETag", etag)
        self.send_header("Content-Length", "0" if status == 304 else str(len(body)))
        self.end_headers()
        if status != 304:
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class LoopbackServer(http.server.HTTPServer):
    """Serves `documents` by path on 127.0.0.1 with a fixed pool of `workers` threads."""

    request_queue_size = 256

    def __init__(
        self,
        documents: Mapping[str, Document],
        *,
        latency_s: float = 0.0,
        workers: int = 64,
        max_requests: int = 100_000,
        max_seconds: float = 300.0,
    ) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.documents = dict(documents)
        self.latency_s = latency_s
        self.max_requests = max_requests
        self.deadline = time.monotonic() + max_seconds
        self.requests = 0
        self.not_modified = 0
        self._lock = threading.Lock()
        self.pool = ThreadPoolExecutor(workers, thread_name_prefix="loopback")
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def count_request(self) -> bool:
        with self._lock:
            self.requests += 1
            return self.requests <= self.max_requests and time.monotonic() < self.deadline

    def count_not_modified(self) -> None:
        with self._lock:
            self.not_modified += 1

    def process_request(self, request: Any, client_address: Any) -> None:
        self.pool.submit(self._serve_one, request, client_address)

    def _serve_one(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:  # a client that hung up: nothing to report in a benchmark
            pass
        finally:
            self.shutdown_request(request)

    def start(self) -> LoopbackServer:
        """Serve on a background thread (in this process) until `stop()` or the deadline."""
        self._thread = threading.Thread(target=self._serve, name="loopback-accept", daemon=True)
        self._thread.start()
        return self

    def _serve(self) -> None:
        watchdog = threading.Timer(max(0.0, self.deadline - time.monotonic()), self.shutdown)
        watchdog.daemon = True
        watchdog.start()
        try:
            self.serve_forever(poll_interval=0.1)
        finally:
            watchdog.cancel()

    def stop(self) -> None:
        if self._thread is not None:
            self.shutdown()
            self._thread.join(5)
        self.server_close()
        self.pool.shutdown(wait=False, cancel_futures=True)


@contextlib.contextmanager
def serve_in_subprocess(
    documents: Mapping[str, Document],
    *,
    latency_s: float = 0.0,
    workers: int = 64,
    max_requests: int = 100_000,
    max_seconds: float = 300.0,
) -> Iterator[str]:
    """Run a `LoopbackServer` in a child process; yields its base URL, stops it after."""
    with tempfile.TemporaryDirectory(prefix="releasable-loopback-") as tmp:
        folder = Path(tmp)
        routes = {}
        for i, (path, doc) in enumerate(documents.items()):
            file = folder / f"doc{i}"
            file.write_bytes(doc.body)
            routes[path] = {"file": str(file), "content_type": doc.content_type}
        manifest = folder / "manifest.json"
        manifest.write_text(
            json.dumps(
                {
                    "routes": routes,
                    "latency_s": latency_s,
                    "workers": workers,
                    "max_requests": max_requests,
                    "max_seconds": max_seconds,
                }
            )
        )
        child = subprocess.Popen(
            [sys.executable, __file__, str(manifest)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert child.stdout is not None
            line = child.stdout.readline().split()
            if len(line) != 2 or line[0] != "port":
                raise RuntimeError(f"loopback server did not start: {line!r}")
            yield f"http://127.0.0.1:{int(line[1])}"
        finally:
            with contextlib.suppress(OSError):
                assert child.stdin is not None
                child.stdin.close()  # the child stops when its stdin closes
            try:
                child.wait(10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait(5)


# -- shared generated boards ------------------------------------------------------------------


def cctray_feed(pipelines: range, stages: int) -> bytes:
    """A GoCD-style feed: `pipe-NNNN :: stage-S` for each pipeline, a few failing stages."""
    rows = ['<?xml version="1.0" encoding="utf-8"?>', "<Projects>"]
    for p in pipelines:
        for s in range(stages):
            status = "Failure" if (p * 7 + s) % 23 == 0 else "Success"
            rows.append(
                f'  <Project name="pipe-{p:04d} :: stage-{s}" activity="Sleeping" '
                f'lastBuildStatus="{status}" lastBuildLabel="{1000 + p}" '
                f'lastBuildTime="2024-05-14T09:{(p + s) % 60:02d}:00Z" '
                f'webUrl="https://gocd.example.com/go/pipelines/pipe-{p:04d}/{1000 + p}/'
                f'stage-{s}/1" />'
            )
    rows.append("</Projects>")
    return "\n".join(rows).encode()


def feed_documents(pipelines: int, stages: int, feeds: int) -> dict[str, Document]:
    """`feeds` feeds at /feed-F.xml sharing the pipelines out evenly."""
    per_feed = -(-pipelines // feeds)
    return {
        f"/feed-{f}.xml": Document(
            cctray_feed(range(f * per_feed, min(pipelines, (f + 1) * per_feed)), stages)
        )
        for f in range(feeds)
    }


def board_toml(
    base: str, *, pipelines: int, feeds: int, environments: int, refresh_seconds: int = 60
) -> str:
    """A board file: `pipelines` cctray pipelines over `feeds` feeds, `environments` health
    checks at `base`/health/N. Pipeline p reads the projects prefixed `pipe-p :: `."""
    per_feed = -(-pipelines // feeds)
    lines = [
        "[board]",
        f'name = "Bench board ({pipelines} pipelines, {environments} environments)"',
        f"refresh_seconds = {refresh_seconds}",
        "",
    ]
    for p in range(pipelines):
        lines += [
            "[[pipelines]]",
            f'name = "pipe-{p:04d}"',
            'source = "cctray"',
            f'url = "{base}/feed-{p // per_feed}.xml"',
            f'project_prefix = "pipe-{p:04d} :: "',
            "",
        ]
    for e in range(environments):
        lines += ["[[environments]]", f'name = "env-{e:03d}"', f'url = "{base}/health/{e}"', ""]
    return "\n".join(lines)


def dead_port() -> int:
    """A loopback port nobody listens on (connections are refused at once)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _main(manifest_path: str) -> int:
    spec = json.loads(Path(manifest_path).read_text())
    documents = {
        path: Document(Path(r["file"]).read_bytes(), r["content_type"])
        for path, r in spec["routes"].items()
    }
    server = LoopbackServer(
        documents,
        latency_s=spec["latency_s"],
        workers=spec["workers"],
        max_requests=spec["max_requests"],
        max_seconds=spec["max_seconds"],
    ).start()
    print(f"port {server.server_address[1]}", flush=True)

    def stop_on_eof() -> None:
        sys.stdin.read()
        server.shutdown()

    stopper = threading.Thread(target=stop_on_eof, daemon=True)
    stopper.start()
    assert server._thread is not None
    server._thread.join(spec["max_seconds"] + 5)
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1]))
