"""The outbox's records: a report's delivery state (`OutboxState`), a report being written
(`Draft`) and a finished report waiting for, or past, delivery (`OutboxItem`).

Plain data shared by the store (which keeps them, app/store/outbox.py), the delivery engine
(app/trackers/outbox.py), the outbox service and the window. No I/O here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from app.domain.model import Priority
from app.domain.report import Report


class OutboxState(StrEnum):
    DRAFT = "draft"  # kept locally: no tracker configured, or not sent yet
    QUEUED = "queued"  # waiting for the tracker (maybe until next_attempt_at)
    SENDING = "sending"  # claimed by a sender; found like this after a crash = uncertain
    SENT = "sent"
    FAILED = "failed"  # permanent error: editable and re-sendable with requeue()


@dataclass(frozen=True)
class Draft:
    key: str
    fields: dict[str, Any]
    updated_at: datetime | None


@dataclass(frozen=True)
class OutboxItem:
    key: str
    report: Report
    state: OutboxState
    attempts: int = 0
    queued_at: datetime | None = None
    next_attempt_at: datetime | None = None
    not_before: datetime | None = None  # the tracker's Retry-After: even "send now" waits
    last_error: str | None = None
    uncertain: bool = False  # an attempt may have created the issue: look it up first
    sending_started_at: datetime | None = None
    sending_pid: int | None = None
    url: str | None = None
    ref: str | None = None
    warnings: tuple[str, ...] = ()
    tracker_kind: str = ""
    sent_at: datetime | None = None

    @property
    def title(self) -> str:
        return self.report.title

    @property
    def priority(self) -> Priority:
        return self.report.priority


__all__ = ["Draft", "OutboxItem", "OutboxState"]
