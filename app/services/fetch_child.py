"""The worker process of `app.services.fetch_process.FetchProcess`: no Qt in here.

`python -m app.services.fetch_child FD` lowers its own CPU priority first, then receives
(board configuration, database path, workers) on the socket FD, builds the board's poll jobs
and runs each job id it is sent on one of its threads (`run_job`, then `StoreBoard.record`),
sending back `(job id, results, read at, read started)`. It ends when it is sent None or the
socket closes (the app quit or crashed); either way its requests in flight end at once.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.sources.errors import SourceError

if TYPE_CHECKING:
    from app.config.board import BoardConfig
    from app.services.polling import FetchResult, PollJob

log = logging.getLogger(__name__)

NICE = 10
_ERROR = "source-error"
ALL = "*"  # in a lost job's results: the error of every item of the job


def encode(results: Mapping[str, FetchResult]) -> dict[str, Any]:
    """Results as they cross the pipe (a SourceError keeps its attributes)."""
    out: dict[str, Any] = {}
    for key, result in results.items():
        if isinstance(result, SourceError):
            out[key] = (_ERROR, type(result), result.message, dict(vars(result)))
        else:
            out[key] = result
    return out


def decode(results: Mapping[str, Any]) -> dict[str, FetchResult]:
    out: dict[str, FetchResult] = {}
    for key, value in results.items():
        if isinstance(value, tuple) and len(value) == 4 and value[0] == _ERROR:
            _tag, cls, message, attributes = value
            error = cls.__new__(cls)
            Exception.__init__(error, message)
            error.__dict__.update(attributes)
            out[key] = error
        else:
            out[key] = value
    return out


def serve(config: BoardConfig, db_path: str, conn: Connection, workers: int) -> None:
    """The child process: run the jobs the GUI asks for, send back their results."""
    from app.services.board_jobs import build_jobs
    from app.services.board_store import StoreBoard
    from app.services.polling import run_job
    from app.sources.http import HttpClient
    from app.sources.loading import load_network_stack
    from app.store.store import Store

    load_network_stack()  # here, before the pool's threads: this process's start is off-screen
    store = Store.open(Path(db_path), check_integrity=False)
    http = HttpClient(cache=store.http_cache)
    board = StoreBoard(store)
    jobs = {job.id: job for job in build_jobs(config)}
    sending = threading.Lock()
    stopping = threading.Event()

    def run(job: PollJob) -> None:
        started = datetime.now(UTC)
        results = run_job(job, http)
        if stopping.is_set():
            return  # ended by the stop below: not a reading, nobody waits for it
        at = datetime.now(UTC)
        try:
            board.record(job, results, at)
        except Exception:  # a full disk must not stop the board; the picture stays live
            log.exception("could not record results of %s", job.id)
        with sending, contextlib.suppress(OSError):  # OSError: the app has gone
            conn.send((job.id, encode(results), at, started))

    pool = ThreadPoolExecutor(workers, thread_name_prefix="fetch")
    try:
        while True:
            try:
                job_id = conn.recv()
            except (EOFError, OSError):
                break
            if job_id is None:
                break
            job = jobs.get(job_id)
            if job is not None:
                pool.submit(run, job)
    finally:
        # Told to stop, or the app has gone: requests in flight end at once (as the app's own
        # do when it quits), jobs not started are dropped.
        from app.sources.deadline import abort_all

        abort_all()
        pool.shutdown(wait=True, cancel_futures=True)
        store.close()


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is for the app, which stops us
    with contextlib.suppress(OSError):
        os.nice(NICE)  # the window's thread gets the CPU first when both want it
    _conn = Connection(int(sys.argv[1]))
    _config, _db_path, _workers = _conn.recv()
    serve(_config, _db_path, _conn, _workers)
