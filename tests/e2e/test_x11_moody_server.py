"""The server misbehaves while the window is up (a real board file, a real X server).

One loopback server serves the board's cctray feed and health check. While `releasable
--board FILE` runs on Xvfb, it answers 500, then an HTML page, then trickles its answers, then
goes away (connection refused), then comes back. Each time the window's verdict banner must
leave RELEASABLE with words that name the item and the error, its event loop must keep turning
(no freeze while a read hangs), and when the server is back the verdict must be RELEASABLE
again without a restart, within the items' staleness limit and a margin — not after a backoff
of many refresh intervals. Then SIGTERM ends the window promptly.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.xserver import Watched, XServer, xvfb

FEED = b"""<Projects>
  <Project name="api :: build" activity="Sleeping" lastBuildStatus="Success"
           lastBuildLabel="12" lastBuildTime="2026-11-26T08:00:00Z" webUrl="http://ci/api/12"/>
  <Project name="api :: deploy" activity="Sleeping" lastBuildStatus="Success"
           lastBuildLabel="12" lastBuildTime="2026-11-26T08:04:00Z" webUrl="http://ci/api/12"/>
</Projects>"""
STALE_S = 3
TIMEOUT_S = 2
WATCH_S = 150.0
LONGEST_STALL_MS = 1500  # a read that hangs must never hold the window up


class MoodyServer:
    """A cctray feed at /cc.xml and a health check at /health, on one port, in a mood:
    "ok", "500", "html", "trickle" (headers, then a byte now and then) or "down" (closed)."""

    def __init__(self) -> None:
        self.mood = "ok"
        self.port = 0
        self.stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        moody = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                mood = moody.mood
                if mood == "500":
                    self.answer(500, b"internal error", "text/plain")
                elif mood == "html":
                    self.answer(200, b"<html><body>Sign in</body></html>", "text/html")
                elif mood == "trickle":
                    self.trickle()
                elif self.path == "/cc.xml":
                    self.answer(200, FEED, "application/xml")
                else:
                    self.answer(200, b'{"status": "UP"}', "application/json")

            def answer(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def trickle(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "100000")
                self.end_headers()
                with contextlib.suppress(OSError):
                    while not moody.stopping.wait(0.2):
                        self.wfile.write(b" ")
                        self.wfile.flush()

        self.stopping.clear()
        server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        server.daemon_threads = True
        self.port = server.server_address[1]
        self._server = server
        threading.Thread(target=server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """Close the port: connections are refused until `start()` again."""
        self.stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def set_mood(self, mood: str) -> None:
        if mood == "down":
            self.stop()
            return
        self.stopping.set()  # let any trickle go
        if self._server is None:
            self.start()
        self.stopping.clear()
        self.mood = mood


@pytest.fixture
def server() -> Iterator[MoodyServer]:
    moody = MoodyServer()
    yield moody
    moody.stop()


@pytest.fixture
def x() -> Iterator[XServer]:
    with xvfb(((1366, 768),)) as display:
        yield display


def says(pipeline: str, environment: str) -> Callable[[dict[str, Any]], bool]:
    """Not RELEASABLE, with a reason naming the pipeline and one naming the environment, each
    with its error's words."""

    def check(banner: dict[str, Any]) -> bool:
        reasons: list[str] = banner["reasons"]
        return (
            banner["verdict"] != "RELEASABLE"
            and any("pipeline 'api'" in r and pipeline in r for r in reasons)
            and any("environment 'staging'" in r and environment in r for r in reasons)
        )

    return check


def releasable(banner: dict[str, Any]) -> bool:
    return bool(banner["verdict"] == "RELEASABLE")


def test_the_window_names_each_misbehaviour_stays_responsive_and_recovers(
    x: XServer, server: MoodyServer, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    board = tmp_path / "board.toml"
    board.write_text(
        f"""[board]
name = "Payments"
refresh_seconds = 1
stale_after_seconds = {STALE_S}

[[pipelines]]
name = "api"
source = "cctray"
url = "{server.url}/cc.xml"
project_prefix = "api :: "
timeout_seconds = {TIMEOUT_S}

[[environments]]
name = "staging"
url = "{server.url}/health"
timeout_seconds = {TIMEOUT_S}
""",
        encoding="utf-8",
    )
    env = {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
    }
    window = Watched.start(x, env, tmp_path, WATCH_S, "--board", str(board))
    try:
        window.wait_for("RELEASABLE at start", releasable, within_s=60)
        host = f"127.0.0.1:{server.port}"
        for mood, pipeline_words, environment_words in [
            ("500", f"server error 500 from {host}", "server error 500"),
            ("html", "feed is not cctray XML (root is <html>)", "got an HTML page"),
            ("trickle", f"no complete answer within {TIMEOUT_S} s", "no complete answer"),
            ("down", f"connection refused by {host}", f"connection refused by {host}"),
        ]:
            server.set_mood(mood)
            window.wait_for(f"naming {mood!r}", says(pipeline_words, environment_words))

        server.set_mood("ok")
        _banner, took = window.wait_for("RELEASABLE again", releasable)
        # back within the staleness limit (the longest a failing source waits between reads)
        # plus a read and a margin for a busy machine
        assert took < STALE_S + TIMEOUT_S + 3, took

        longest = max(b["stall_ms"] for b in window.seen[1:])
        assert longest < LONGEST_STALL_MS, [b["stall_ms"] for b in window.seen]

        assert window.terminate() < 5
    finally:
        window.kill()
