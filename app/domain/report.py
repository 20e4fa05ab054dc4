"""A blocker report as it travels from the dialog to a tracker.

The report is built once, in the domain, from the user's answers and the board's evidence; the
trackers only translate it into their own request. `key` is generated on the client so that a
re-send after an uncertain outcome can find the issue it already created.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from app.domain.model import Priority


@dataclass(frozen=True)
class Report:
    key: str  # client-generated, e.g. "rls-3f2a…" (uuid4 hex); travels hidden in the issue
    title: str
    category: str  # production-outage | environment-instability | ... | other
    priority: Priority
    body: str  # Markdown, generated (impact, category, priority and why, evidence, marker)
    reporter: str
    board: str
    created_at: datetime
    prevents_delivery: bool = True
    statement: str = ""  # the reporter's words when production delivery is still possible
    labels: tuple[str, ...] = field(default_factory=tuple)  # extra labels from the board file
