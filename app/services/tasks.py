"""The one way blocking work leaves the GUI thread.

`run_task(func, on_done, on_error)` runs `func()` on a `QThreadPool` and posts its result (or
its exception) back to the thread that called `run_task` — the GUI thread — through a queued
signal. Callbacks therefore may touch widgets; `func` never may. (Picard's `run_task` pattern.)
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)


class _Relay(QObject):
    """Lives in the caller's thread; its signals arrive there whatever thread emits them."""

    finished = Signal(object, object)  # result, exception


class _Task(QRunnable):
    def __init__(self, func: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._func = func
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._func()
        except Exception as err:  # handed to on_error; never lost in a worker thread
            self._relay.finished.emit(None, err)
        else:
            self._relay.finished.emit(result, None)


_pending: set[_Relay] = set()


def run_task(
    func: Callable[[], Any],
    on_done: Callable[[Any], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
    *,
    pool: QThreadPool | None = None,
) -> None:
    """Run `func` off the calling thread; call `on_done(result)` or `on_error(exc)` back here."""
    relay = _Relay()
    _pending.add(relay)

    def finished(result: Any, error: BaseException | None) -> None:
        _pending.discard(relay)
        relay.deleteLater()
        if error is not None:
            if on_error is not None:
                on_error(error)
            else:
                log.error("background task failed", exc_info=error)
        elif on_done is not None:
            on_done(result)

    relay.finished.connect(finished)
    (pool or QThreadPool.globalInstance()).start(_Task(func, relay))


def pending_tasks() -> int:
    """How many tasks have not reported back yet (for tests and the soak check)."""
    return len(_pending)
