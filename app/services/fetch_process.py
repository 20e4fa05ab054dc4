"""Fetching and parsing in a worker process, so they never hold the GUI's GIL.

With the window attached, a refresh of a big board on threads stalled the GUI event loop by
40–60 ms (tests/bench/bench_board_refresh.py): every worker thread parsing a response or
writing the store holds the one GIL the GUI thread needs to run a single line of Python, and
more threads (needed to read 200 checks with 50 ms latency in 0.6 s) made it worse. A worker
process has a GIL of its own.

`FetchProcess` starts a child process (`app.services.fetch_child`): `python -m`, a new
interpreter (never forked from the Qt process, and never re-running the app's main module as
multiprocessing's spawn would). It receives the board configuration and builds the same poll
jobs, with its own `HttpClient` and store connection (SQLite serializes the two processes'
writes). The GUI side sends a job id; the child runs the job on one of its threads
(`run_job`, then `StoreBoard.record`) and sends back `(job id, results, read at, read
started)`. The GUI thread learns of results through a `QSocketNotifier` on the socket: no
thread of the GUI process waits on it. Results are plain dataclasses; a `SourceError`
crosses as its class, message and attributes. The child runs at a lower CPU priority, so on a
busy machine the window's thread gets a core first.

The child exits when told to, or when the socket closes (the app quit or crashed). A frozen
bundle (PyInstaller) cannot start `python -m`: there the jobs stay on threads.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import subprocess
import sys
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSocketNotifier, Signal

from app.services.fetch_child import ALL, decode
from app.sources.errors import SourceError

if TYPE_CHECKING:
    from app.config.board import BoardConfig
    from app.services.polling import PollJob

log = logging.getLogger(__name__)

WORKERS = 32  # requests in flight at once: 200 checks × 50 ms in ≈ 0.35 s


class FetchProcess(QObject):
    """Runs poll jobs in a child process; emits `finished((job id, results, at, started))`."""

    finished = Signal(object)

    def __init__(
        self,
        config: BoardConfig,
        db_path: Path,
        workers: int = WORKERS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.capacity = workers
        self._config = config
        self._db_path = db_path
        self._process: subprocess.Popen[bytes] | None = None
        self._conn: Connection | None = None
        self._notifier: QSocketNotifier | None = None
        self._in_flight: set[str] = set()

    def start(self) -> None:
        if self._process is not None and self._conn is not None:
            return
        ours, theirs = socket.socketpair()
        self._process = subprocess.Popen(
            [sys.executable, "-m", "app.services.fetch_child", str(theirs.fileno())],
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
            # Two malloc arenas, not one per thread: 2 MB less for a process whose threads
            # mostly wait on sockets (bench_memory.py: worker peak 47.8 -> 45.9 MB).
            env={**os.environ, "MALLOC_ARENA_MAX": "2"},
        )
        theirs.close()
        self._conn = Connection(ours.detach())
        self._conn.send((self._config, str(self._db_path), self.capacity))
        self._notifier = QSocketNotifier(self._conn.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._read)

    def submit(self, job: PollJob) -> None:
        self.start()
        assert self._conn is not None
        self._in_flight.add(job.id)
        try:
            self._conn.send(job.id)
        except OSError:
            self._lost()

    def _read(self) -> None:
        conn = self._conn
        if conn is None:
            return
        try:
            while conn.poll():
                job_id, results, at, started = conn.recv()
                self._in_flight.discard(job_id)
                self.finished.emit((job_id, decode(results), at, started))
        except (EOFError, OSError):
            self._lost()

    def _lost(self) -> None:
        """The child died: its jobs end in an error (and the next job starts a new child)."""
        log.error("the fetch process ended unexpectedly")
        self._close()
        if self._process is not None:
            try:
                self._process.wait(1.0)
            except subprocess.TimeoutExpired:
                self._process.kill()
            self._process = None
        now = datetime.now(UTC)
        lost, self._in_flight = self._in_flight, set()
        for job_id in sorted(lost):
            error = SourceError("internal error while reading: the fetch process ended")
            self.finished.emit((job_id, {ALL: error}, now, now))

    def stop(self, timeout_s: float = 0.5) -> None:
        """Tell the child to finish (it ends its requests in flight at once) and wait for it
        briefly, then end it: it holds nothing that could be lost (each reading it records is
        one SQLite transaction, and the next start reads again). Idle, it is gone in ≈ 0.1 s;
        on a busy machine the niced child got no CPU for 5 s (the window took 6–7 s to quit
        on SIGTERM at load average 9–12)."""
        if self._conn is not None:
            with contextlib.suppress(OSError):
                self._conn.send(None)
        if self._process is not None:
            try:
                self._process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(1.0)
        self._close()
        self._process = None

    def _close(self) -> None:
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier.deleteLater()
            self._notifier = None
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def available() -> bool:
    """Whether a worker process can be started here (not from a frozen bundle)."""
    return not getattr(sys, "frozen", False)
