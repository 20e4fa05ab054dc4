"""A real X server for end-to-end tests: Xvfb, with or without a window manager (openbox).

The app runs in a child process on it (`QT_QPA_PLATFORM=xcb`), as people run it on a team-room
wall (`xinit` + the app) or a desktop. The root window is painted one loud colour (magenta), so
a grab of the root window shows at a glance which pixels no window covers. Everything it needs
comes from Debian (`bash tools/system-deps.sh --with-xvfb` installs it; `make test` does): a
missing program fails the test with that line, never skips it.

Waiting is on conditions with a deadline (the server's display number on `-displayfd`, the
window manager's `_NET_SUPPORTING_WM_CHECK`, a window's geometry), never a fixed sleep.
"""

from __future__ import annotations

import json
import os
import queue
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAGENTA = "#FF00FF"
INSTALL = "bash tools/system-deps.sh --with-xvfb  (as root; `make test` runs it)"
T = TypeVar("T")


def require(*programs: str) -> None:
    missing = [p for p in programs if shutil.which(p) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} not installed: run {INSTALL}", pytrace=False)


def wait_for(
    what: str | Callable[[], str], probe: Callable[[], T | None], timeout_s: float = 30.0
) -> T:
    """Poll `probe` until it gives a value (not None/False); fail naming `what` at the deadline
    (a callable is asked then, so it can say what was last seen)."""
    deadline = time.monotonic() + timeout_s
    delay = 0.02
    while True:
        found = probe()
        if found:
            return found
        if time.monotonic() > deadline:
            said = what() if callable(what) else what
            pytest.fail(f"timed out after {timeout_s:.0f} s waiting for {said}", pytrace=False)
        time.sleep(delay)  # polling an outside process: there is no signal to wait on
        delay = min(delay * 2, 0.25)


@dataclass(frozen=True)
class Geometry:
    x: int
    y: int
    width: int
    height: int


@dataclass
class XServer:
    display: str
    screens: tuple[tuple[int, int], ...]
    window_manager: bool

    @property
    def env(self) -> dict[str, str]:
        """The environment for a child process on this display (real xcb, not offscreen)."""
        env = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY", "XAUTHORITY")}
        env.update(DISPLAY=self.display, QT_QPA_PLATFORM="xcb")
        return env

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            args, env=self.env, capture_output=True, text=True, timeout=30, check=check
        )

    def window_id(self, name: str) -> str | None:
        """The visible top-level window whose title matches the regular expression `name`."""
        found = self.run("xdotool", "search", "--onlyvisible", "--name", name, check=False)
        ids = found.stdout.split()
        return ids[-1] if ids else None

    def press(self, name: str, key: str) -> None:
        """Give the window whose title matches `name` the keyboard (as a click would); press
        `key`."""
        window = wait_for(f"a window called {name!r}", lambda: self.window_id(name))
        self.run("xdotool", "windowfocus", "--sync", window)
        self.run("xdotool", "key", "--clearmodifiers", key)

    def type_text(self, name: str, text: str) -> None:
        """Give the window whose title matches `name` the keyboard; type `text` key by key."""
        window = wait_for(f"a window called {name!r}", lambda: self.window_id(name))
        self.run("xdotool", "windowfocus", "--sync", window)
        self.run("xdotool", "type", "--clearmodifiers", text)

    def window_geometry(self, name: str) -> Geometry | None:
        """Where the visible top-level window whose title matches `name` is (root coordinates)."""
        window = self.window_id(name)
        if window is None:
            return None
        info = self.run("xwininfo", "-id", window, check=False).stdout
        values: dict[str, int] = {}
        for line in info.splitlines():
            key, _, value = line.strip().partition(":")
            if key in ("Absolute upper-left X", "Absolute upper-left Y", "Width", "Height"):
                values[key] = int(value)
        if len(values) < 4:
            return None
        return Geometry(
            values["Absolute upper-left X"],
            values["Absolute upper-left Y"],
            values["Width"],
            values["Height"],
        )

    def uncovered_share(self) -> float:
        """The share of the root window's pixels still showing the root's magenta."""
        return float(self.run(sys.executable, str(ROOT / "tests" / "grab_root.py")).stdout)


@contextmanager
def xvfb(
    screens: Sequence[tuple[int, int]] = ((1366, 768),), *, window_manager: bool = False
) -> Iterator[XServer]:
    """Xvfb with these screens side by side (Xinerama: one X screen, one QScreen each)."""
    require("Xvfb", "xdotool", "xwininfo", "xsetroot", "xprop")
    if window_manager:
        require("openbox")
    read_end, write_end = os.pipe()
    command = ["Xvfb", "-displayfd", str(write_end), "-nolisten", "tcp", "-noreset"]
    if len(screens) > 1:
        command.append("+xinerama")
    for index, (width, height) in enumerate(screens):
        command += ["-screen", str(index), f"{width}x{height}x24"]
    server = subprocess.Popen(
        command, pass_fds=(write_end,), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    os.close(write_end)
    processes = [server]
    try:
        ready, _, _ = select.select([read_end], [], [], 30)
        number = os.read(read_end, 64).decode().strip() if ready else ""
        if not number:
            stderr = server.stderr.read() if server.stderr is not None and server.poll() else b""
            err = stderr.decode(errors="replace")
            pytest.fail(f"Xvfb did not start: {err.strip()[-500:]}", pytrace=False)
        x = XServer(f":{number}", tuple(screens), window_manager)
        x.run("xsetroot", "-solid", MAGENTA)
        if window_manager:
            processes.append(
                subprocess.Popen(
                    ["openbox", "--sm-disable"],
                    env=x.env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            wait_for(
                "openbox to manage the display",
                lambda: "window id" in x.run("xprop", "-root", "_NET_SUPPORTING_WM_CHECK").stdout,
            )
        yield x
    finally:
        os.close(read_end)
        for process in reversed(processes):
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if server.stderr is not None:
            server.stderr.close()


class Watched:
    """The app started by tests/drive_app.py `watch`: `seen` holds one dict per change of what
    the window shows (verdict banner, open blockers, an open report dialog), in order."""

    def __init__(self, child: subprocess.Popen[str]) -> None:
        self.child = child
        self.seen: list[dict[str, Any]] = []
        self.stderr: list[str] = []
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._stderr_reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._stderr_reader.start()

    @classmethod
    def start(
        cls, x: XServer, env: dict[str, str], cwd: Path, seconds: float, *args: str
    ) -> Watched:
        """`releasable ARGS` on `x`, watched for `seconds` at most, with `env` on top of the
        display's environment (never the caller's $RELEASABLE_BOARD)."""
        full = {**x.env, "PYTHONPATH": str(ROOT), **env}
        full.pop("RELEASABLE_BOARD", None)
        child = subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "drive_app.py"), "watch", str(seconds), "--",
             *args],
            cwd=cwd, env=full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        return cls(child)

    def _read(self) -> None:
        assert self.child.stdout is not None
        for line in self.child.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def _read_stderr(self) -> None:  # drained, so a chatty log never blocks the app
        assert self.child.stderr is not None
        for line in self.child.stderr:
            self.stderr.append(line)

    @property
    def last(self) -> dict[str, Any] | None:
        return self.seen[-1] if self.seen else None

    def wait_for(
        self, what: str, shows: Callable[[dict[str, Any]], bool], within_s: float = 40
    ) -> tuple[dict[str, Any], float]:
        """The first observation from now on that `shows` accepts (the current one counts),
        and how long it took."""
        started = time.monotonic()
        if self.seen and shows(self.seen[-1]):
            return self.seen[-1], 0.0
        while True:
            left = within_s - (time.monotonic() - started)
            try:
                line = self._lines.get(timeout=max(0.01, left))
            except queue.Empty:
                line = ""
            if line is None or time.monotonic() - started > within_s:
                ended = "" if line is not None else f" (the app ended: {self.child.poll()})"
                err = "".join(self.stderr)[-3000:]
                pytest.fail(
                    f"the window did not show {what} within {within_s} s{ended}; "
                    f"last seen: {self.last}\n{err}",
                    pytrace=False,
                )
            if not line.startswith("{"):
                continue
            seen = json.loads(line)
            if "timeout" in seen:
                pytest.fail(f"the robot timed out waiting for {what}")
            self.seen.append(seen)
            if shows(seen):
                return seen, time.monotonic() - started

    def terminate(self, within_s: float = 30) -> float:
        """SIGTERM, as a session ending does; the app must end cleanly. How long it took."""
        sent = time.monotonic()
        self.child.send_signal(signal.SIGTERM)
        self.child.wait(within_s)
        took = time.monotonic() - sent
        self._stderr_reader.join(10)
        err = "".join(self.stderr)
        assert self.child.returncode == 0, err[-3000:]
        assert "Traceback" not in err, err[-3000:]
        return took

    def kill(self) -> None:
        """End it whatever it is doing (after a failure), and close its pipes."""
        if self.child.poll() is None:
            self.child.kill()
        self.child.wait()
        for reader in (self._reader, self._stderr_reader):
            reader.join(10)
        for stream in (self.child.stdout, self.child.stderr):
            if stream is not None:
                stream.close()


@contextmanager
def app_on(
    x: XServer, *args: str, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[str]]:
    """`releasable ARGS` (as `python -m app`) on the X server; ended with SIGTERM after."""
    child = subprocess.Popen(
        [sys.executable, "-m", "app", *args],
        cwd=ROOT,
        env={**x.env, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield child
    finally:
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(20)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        for stream in (child.stdout, child.stderr):
            if stream is not None:
                stream.close()
