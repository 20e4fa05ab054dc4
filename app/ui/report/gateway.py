"""How the report dialog reaches the store without writing from the GUI thread.

`DraftGateway` is the small port the dialog talks to: save a draft, delete it, queue a finished
report. Each call returns at once and reports back through optional callbacks on the GUI thread.
A gateway must finish its calls *in the order they were made*: the dialog relies on it so that
an autosave issued before "Send" can never bring a draft back after the report was queued.

`OutboxGateway` is that port over the store's `Outbox`: every call runs through `run_task` (the
app's one way off the GUI thread) on a private one-thread pool, which is what keeps the order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from PySide6.QtCore import QThreadPool

from app.domain.report import Report
from app.services.tasks import run_task
from app.store.outbox import Outbox

Done = Callable[[], None]
Failed = Callable[[BaseException], None]


class DraftGateway(Protocol):
    """Drafts and the outbox, as the report dialog sees them (calls complete in order)."""

    def save_draft(
        self,
        key: str,
        fields: Mapping[str, Any],
        on_done: Done | None = None,
        on_error: Failed | None = None,
    ) -> None:
        """Save (or replace) the draft `key` with `fields`."""

    def delete_draft(
        self, key: str, on_done: Done | None = None, on_error: Failed | None = None
    ) -> None:
        """Forget the draft `key` (nothing happens if there is none)."""

    def queue(
        self, report: Report, on_done: Done | None = None, on_error: Failed | None = None
    ) -> None:
        """Put a finished report in the outbox for delivery."""


class OutboxGateway:
    """`DraftGateway` over an `Outbox`, off the GUI thread and in call order.

    `tracker_kind()` names the board's tracker when a report is queued ("none" keeps it
    local); `on_queued(key)` runs on the GUI thread once a report is in the outbox (wake the
    delivery service and refresh the window's outbox there).
    """

    def __init__(
        self,
        outbox: Outbox,
        tracker_kind: Callable[[], str] = lambda: "none",
        on_queued: Callable[[str], None] | None = None,
        on_drafts_changed: Callable[[], None] | None = None,
    ) -> None:
        self.outbox = outbox
        self._tracker_kind = tracker_kind
        self._on_queued = on_queued
        self._on_drafts_changed = on_drafts_changed
        self.pool = QThreadPool()
        self.pool.setMaxThreadCount(1)  # one writer, calls in the order they were made
        self.pool.setExpiryTimeout(-1)

    def _run(
        self,
        work: Callable[[], object],
        on_done: Done | None,
        on_error: Failed | None,
        after: Callable[[], None] | None = None,
    ) -> None:
        def done(_result: object) -> None:
            if after is not None:
                after()
            if on_done is not None:
                on_done()

        run_task(work, done, on_error, pool=self.pool)

    def save_draft(
        self,
        key: str,
        fields: Mapping[str, Any],
        on_done: Done | None = None,
        on_error: Failed | None = None,
    ) -> None:
        copy = dict(fields)  # the worker never sees a dict the GUI thread may still change
        self._run(
            lambda: self.outbox.save_draft(key, copy), on_done, on_error, self._on_drafts_changed
        )

    def delete_draft(
        self, key: str, on_done: Done | None = None, on_error: Failed | None = None
    ) -> None:
        self._run(lambda: self.outbox.delete_draft(key), on_done, on_error, self._on_drafts_changed)

    def queue(
        self, report: Report, on_done: Done | None = None, on_error: Failed | None = None
    ) -> None:
        kind = self._tracker_kind()
        on_queued = self._on_queued

        def after() -> None:
            if on_queued is not None:
                on_queued(report.key)

        self._run(
            lambda: self.outbox.queue_report(report, tracker_kind=kind), on_done, on_error, after
        )

    def wait(self, timeout_ms: int = 10_000) -> bool:
        """Block until every call so far has been written (at exit, after closing dialogs)."""
        return self.pool.waitForDone(timeout_ms)


__all__ = ["DraftGateway", "OutboxGateway"]
