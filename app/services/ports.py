"""The services layer's ports: what a service needs from the store, and what the window's
report dialog needs from the outbox service.

Ports are Protocols owned by the layer that uses them, one `ports.py` per layer (see
app/sources/ports.py for the rule). `BoardStore` is what the board service needs to load and
record a board (`app.services.board_store.StoreBoard` provides it). `DraftGateway` is what
the report dialog (app/ui/report) needs to keep a report while it is typed and to queue it
when sent; `OutboxService` provides it, and a test may hand the dialog anything of its shape.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from app.domain.model import Blocker, VerdictState
from app.domain.report import Report
from app.services.polling import FetchResult, ItemSpec, LoadedBoard, PollJob

Done = Callable[[], None]
Failed = Callable[[BaseException], None]


class BoardStore(Protocol):
    """What the board service needs from the store (`StoreBoard` provides it)."""

    def load_board(self, specs: Sequence[ItemSpec]) -> LoadedBoard: ...

    def record(self, job: PollJob, results: Mapping[str, FetchResult], at: datetime) -> None: ...

    def record_verdict(
        self, state: VerdictState, at: datetime, *, planned: bool = False
    ) -> None: ...

    def open_blockers(self) -> list[Blocker]: ...

    def team_claims(self) -> dict[str, str]: ...

    def tracker_read(self) -> tuple[datetime | None, str | None]: ...


class DraftGateway(Protocol):
    """Drafts and the outbox as the report dialog sees them.

    Each call returns at once and reports back through the optional callbacks, on the GUI
    thread. Calls complete *in the order they were made*: an autosave issued before "Send"
    can never bring a draft back after the report was queued.
    """

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


__all__ = ["BoardStore", "DraftGateway", "Done", "Failed"]
