"""How the outbox's records are kept in the store: a finished `Report` as JSON, and an outbox
row read back as an `OutboxItem` (the records themselves are app/domain/outbox.py).

Timestamps are stored as ISO 8601 UTC text (app/store/records.py); a missing one is NULL.
The queries themselves are app/store/outbox.py.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from app.domain.model import Priority
from app.domain.outbox import OutboxItem, OutboxState
from app.domain.report import Report
from app.store.records import from_db_time, to_db_time


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
    "db_time_or_null",
    "item_from_row",
    "report_from_json",
    "report_to_json",
]
