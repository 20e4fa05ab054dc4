"""The window's outbox list: one plain-word row per draft being written or report not sent.

`outbox_rows(drafts, items)` turns the drafts still being written and the reports not
delivered yet into `OutboxRow`s: title, priority, state in words, when it was saved or queued,
the last error in words and the next try. A row keeps *times*, not words, so the window can
age them on its clock ("queued 3 min ago" keeps counting). Pure: the outbox service reads the
store on a worker and hands the rows to the window, which imports this module only for them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from app.domain.outbox import Draft, OutboxItem, OutboxState
from app.domain.triage import Category, triage
from app.domain.words import OUTBOX_STATE_WORDS, ago_words, duration_words

DRAFT_WORDS = "draft, not sent yet: double-click to finish it"


@dataclass(frozen=True)
class OutboxRow:
    key: str
    title: str  # one line; "(no title yet)" for a draft without one
    priority: str  # "P1" | "P2" | "P3"
    state: str  # in words
    since: datetime | None  # when it was saved (a draft) or queued: the window ages it
    since_verb: str = "queued"  # "saved" for a draft
    error: str | None = None  # the last failed attempt, in words
    next_try: datetime | None = None  # when it is tried again by itself
    draft: Draft | None = None  # set for drafts: what the report dialog reopens
    saved_here: bool = False  # a report saved with no tracker: sent only when asked to

    def age(self, now: datetime) -> str:
        """'queued 3 min ago', 'saved just now': computed at `now`, so it ages."""
        return f"{self.since_verb} {ago_words(self.since, now)}"

    def status(self, now: datetime) -> str:
        """Where it stands: state, age and next try, in words."""
        parts = [self.state, self.age(now)]
        if self.next_try is not None and self.next_try > now:
            parts.append(f"next try in {duration_words((self.next_try - now).total_seconds())}")
        return " · ".join(parts)

    def error_words(self) -> str | None:
        """'last try: <why>', or None when no attempt failed."""
        return f"last try: {self.error}" if self.error else None

    def detail(self, now: datetime) -> str:
        """Everything after the title on one line: state, age, next try and the last error."""
        error = self.error_words()
        return f"{self.status(now)} · {error}" if error else self.status(now)


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


def _one_line(text: str) -> str:
    return " ".join(text.split())


def draft_row(draft: Draft) -> OutboxRow:
    title = _one_line(str(draft.fields.get("title") or "")) or "(no title yet)"
    return OutboxRow(
        draft.key,
        title,
        draft_priority(draft.fields),
        DRAFT_WORDS,
        draft.updated_at,
        since_verb="saved",
        draft=draft,
    )


def item_row(item: OutboxItem) -> OutboxRow:
    waiting = item.state is OutboxState.QUEUED
    saved_here = item.state is OutboxState.DRAFT
    next_try = max(
        (t for t in (item.next_attempt_at, item.not_before) if t is not None), default=None
    )
    return OutboxRow(
        item.key,
        _one_line(item.title),
        item.priority.value,
        OUTBOX_STATE_WORDS[item.state],
        item.queued_at,
        since_verb="saved" if saved_here else "queued",
        error=_one_line(item.last_error) if item.last_error else None,
        next_try=next_try if waiting else None,
        saved_here=saved_here,
    )


def outbox_rows(drafts: Iterable[Draft], items: Iterable[OutboxItem]) -> list[OutboxRow]:
    """Drafts (in the order given: most recently edited first), then the unsent reports."""
    return [*(draft_row(d) for d in drafts), *(item_row(i) for i in items)]


__all__ = ["DRAFT_WORDS", "OutboxRow", "draft_priority", "outbox_rows"]
