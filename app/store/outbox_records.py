"""The outbox's records and how they are kept in the store: `OutboxState`, `Draft`,
`OutboxItem`, a finished `Report` as JSON, and an outbox row read back as an `OutboxItem`.

Timestamps are stored as ISO 8601 UTC text (app/store/records.py); a missing one is NULL.
The queries themselves are app/store/outbox.py.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from app.domain.model import Priority
from app.domain.report import Report
from app.store.records import from_db_time, to_db_time


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


def db_time_or_null(when: datetime | None) -> str | None:
    """`when` as the store keeps it, or None (NULL) for no time."""
    return None if when is None else to_db_time(when)


def report_to_json(report: Report) -> str:
    return json.dumps(
        {
            "key": report.key,
            "title": report.title,
            "category": report.category,
            "priority": report.priority.value,
            "body": report.body,
            "reporter": report.reporter,
            "board": report.board,
            "created_at": db_time_or_null(report.created_at),
            "prevents_delivery": report.prevents_delivery,
            "statement": report.statement,
            "labels": list(report.labels),
        },
        ensure_ascii=False,
    )


def report_from_json(text: str) -> Report:
    data = json.loads(text)
    return Report(
        key=data["key"],
        title=data["title"],
        category=data["category"],
        priority=Priority(data["priority"]),
        body=data["body"],
        reporter=data.get("reporter", ""),
        board=data.get("board", ""),
        created_at=from_db_time(data["created_at"]) or datetime.now(UTC),
        prevents_delivery=bool(data.get("prevents_delivery", True)),
        statement=data.get("statement", ""),
        labels=tuple(data.get("labels", ())),
    )


def item_from_row(row: Mapping[str, Any]) -> OutboxItem:
    return OutboxItem(
        key=row["key"],
        report=report_from_json(row["report_json"]),
        state=OutboxState(row["state"]),
        attempts=int(row["attempts"] or 0),
        queued_at=from_db_time(row["queued_at"]),
        next_attempt_at=from_db_time(row["next_attempt_at"]),
        not_before=from_db_time(row["not_before"]),
        last_error=row["last_error"],
        uncertain=bool(row["uncertain"]),
        sending_started_at=from_db_time(row["sending_started_at"]),
        sending_pid=row["sending_pid"],
        url=row["url"],
        ref=row["ref"],
        warnings=tuple(json.loads(row["warnings"] or "[]")),
        tracker_kind=row["tracker_kind"] or "",
        sent_at=from_db_time(row["sent_at"]),
    )


__all__ = [
    "Draft",
    "OutboxItem",
    "OutboxState",
    "db_time_or_null",
    "item_from_row",
    "report_from_json",
    "report_to_json",
]
