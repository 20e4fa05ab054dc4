"""Blockers per category over a window: how many were filed, how many closed, how fast.

Pure; used by app.domain.history. A blocker counts in the window it was *filed* in, and as
closed when it was closed by the window's end; its time to close runs from filing to closing.
Every known category is listed (a zero is a figure too), then any category the app does not
know, by name.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from app.domain.model import Blocker
from app.domain.triage import CATEGORIES, Category


@dataclass(frozen=True, slots=True)
class CategoryFigures:
    """Blockers of one category filed in the window."""

    category: str
    label: str
    filed: int
    closed: int
    median_close_s: float | None
    longest_close_s: float | None

    @property
    def still_open(self) -> int:
        return self.filed - self.closed


def category_label(category: str) -> str:
    try:
        return Category(category).label
    except ValueError:
        return category


def blocker_figures(
    blockers: Iterable[Blocker], start: datetime, end: datetime
) -> tuple[CategoryFigures, ...]:
    """Blockers filed in `[start, end)` per category: every known category, then any other."""
    by_category: dict[str, list[Blocker]] = {c.value: [] for c in CATEGORIES}
    for blocker in blockers:
        if start <= blocker.opened_at < end:
            by_category.setdefault(blocker.category, []).append(blocker)
    known = [c.value for c in CATEGORIES]
    others = sorted(k for k, v in by_category.items() if k not in known and v)
    rows = []
    for category in [*known, *others]:
        filed = by_category[category]
        times = [
            max(0.0, (b.closed_at - b.opened_at).total_seconds())
            for b in filed
            if b.closed_at is not None and b.closed_at <= end
        ]
        rows.append(
            CategoryFigures(
                category=category,
                label=category_label(category),
                filed=len(filed),
                closed=len(times),
                median_close_s=statistics.median(times) if times else None,
                longest_close_s=max(times) if times else None,
            )
        )
    return tuple(rows)


__all__ = ["CategoryFigures", "blocker_figures", "category_label"]
