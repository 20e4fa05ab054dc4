"""The window's outbox list with the keys behind its rows, so a draft can be reopened.

`outbox_rows(outbox, now)` reads the drafts still being written and the reports not delivered
yet, and returns them as the window's plain-word rows (title, state, when) together with each
row's report key and whether it is a draft the report dialog can reopen. It reads the store, so
call it off the GUI thread (through `run_task`) and hand the rows to `MainWindow.set_outbox_rows`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.domain.triage import Category, triage
from app.domain.words import ago_words
from app.store.outbox import Draft, Outbox, OutboxState

_STATE_WORDS = {
    OutboxState.DRAFT: "kept here (no tracker)",  # a local report, not a draft being written
    OutboxState.QUEUED: "waiting to be sent",
    OutboxState.SENDING: "sending",
    OutboxState.FAILED: "not sent",
}


@dataclass(frozen=True)
class OutboxRow:
    key: str
    title: str
    state: str
    when: str
    draft: Draft | None = None  # set for drafts: what the report dialog reopens

    @property
    def cells(self) -> tuple[str, str, str]:
        return (self.title, self.state, self.when)


def draft_priority(fields: dict[str, object]) -> str:
    """The priority a draft would be sent with, as it stands ("P1" when unsure)."""
    try:
        category = Category(str(fields.get("category")))
    except ValueError:
        return "P1"
    answer = fields.get("prevents_delivery")
    result = triage(
        category,
        prevents_delivery=answer if isinstance(answer, bool) else None,
        has_workaround=fields.get("has_workaround") is True,
        statement=str(fields.get("statement") or ""),
    )
    return result.priority.value


def outbox_rows(outbox: Outbox, now: datetime) -> list[OutboxRow]:
    """Drafts (most recently edited first), then reports waiting to be delivered."""
    rows = []
    for draft in outbox.load_drafts():
        title = " ".join(str(draft.fields.get("title") or "").split()) or "(no title yet)"
        rows.append(
            OutboxRow(
                draft.key,
                f"[{draft_priority(draft.fields)}] {title}",
                "draft, not sent: open to finish it",
                f"saved {ago_words(draft.updated_at, now)}",
                draft,
            )
        )
    for item in outbox.pending():
        state = _STATE_WORDS.get(item.state, item.state.value)
        if item.last_error:
            state = f"{state}: {item.last_error}"
        rows.append(
            OutboxRow(
                item.key,
                f"[{item.priority.value}] {item.title}",
                state,
                ago_words(item.queued_at, now),
            )
        )
    return rows


__all__ = ["OutboxRow", "draft_priority", "outbox_rows"]
