"""The store's records and how their times are kept: `StoredItem`, `Transition`, UTC text.

Times are stored as fixed-width UTC ISO 8601 text (always with microseconds), so text order is
time order and the indexes answer range queries. Naive datetimes are refused: an item's age
computed across time zones would be silently wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from app.domain.model import (
    EnvironmentReading,
    ItemKind,
    Observed,
    PipelineReading,
    Reading,
)

BOARD_KEY = "board"  # item_key of the board's own verdict in `transitions`


def utc_now() -> datetime:
    return datetime.now(UTC)


def to_db_time(at: datetime) -> str:
    """`at` as stored: UTC, ISO 8601, always with microseconds (fixed width sorts right)."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"the store needs timezone-aware times, got naive {at.isoformat()}")
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def from_db_time(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None


def status_word(reading: Reading | None) -> str:
    """The status transitions are recorded on: exactly `Observed.status_word`."""
    return Observed(key="", kind=ItemKind.PIPELINE, name="", reading=reading).status_word


def transition_detail(reading: Reading) -> str:
    """A few plain words kept with a transition: which run, which stage, what was seen."""
    if isinstance(reading, PipelineReading):
        parts = [
            f"run {reading.label}" if reading.label else "",
            f"failed at {reading.failed_stage}" if reading.failed_stage else "",
            reading.detail,
        ]
        return "; ".join(p for p in parts if p)
    if isinstance(reading, EnvironmentReading):
        if reading.detail:
            return reading.detail
        return f"HTTP {reading.http_status}" if reading.http_status is not None else ""
    return ""


@dataclass(frozen=True, slots=True)
class Transition:
    """An item's (or the board's) status changed to `status` at `at`."""

    item_key: str
    status: str
    at: datetime
    detail: str = ""


@dataclass(frozen=True, slots=True)
class StoredItem:
    """An item as stored: everything `Observed` needs except the board's configuration."""

    key: str
    kind: ItemKind
    name: str
    reading: Reading | None = None
    read_at: datetime | None = None
    error: str | None = None
    error_at: datetime | None = None
    rate_limited_until: datetime | None = None
    status: str = "unknown"
    status_since: datetime | None = None

    def to_observed(
        self, *, delivery_path: bool, stale_after_s: float, degraded_ok: bool
    ) -> Observed:
        """The board item, with the configuration fields the board file supplies."""
        return Observed(
            key=self.key,
            kind=self.kind,
            name=self.name,
            reading=self.reading,
            read_at=self.read_at,
            error=self.error,
            error_at=self.error_at,
            rate_limited_until=self.rate_limited_until,
            status_since=self.status_since,
            delivery_path=delivery_path,
            stale_after_s=stale_after_s,
            degraded_ok=degraded_ok,
        )


def to_observed(
    stored: StoredItem, *, delivery_path: bool, stale_after_s: float, degraded_ok: bool
) -> Observed:
    """Same as `stored.to_observed(...)`."""
    return stored.to_observed(
        delivery_path=delivery_path, stale_after_s=stale_after_s, degraded_ok=degraded_ok
    )


__all__ = [
    "BOARD_KEY",
    "StoredItem",
    "Transition",
    "from_db_time",
    "status_word",
    "to_db_time",
    "to_observed",
    "transition_detail",
    "utc_now",
]
