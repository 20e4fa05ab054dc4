"""Planned time: change freezes and maintenance windows, and whether one covers a moment.

A `[[freeze]]` makes the team not releasable on purpose: the verdict says "change freeze until
… (reason)" and is shown as planned, not as an alarm. A `[[maintenance]]` window covers one
environment (or all): while it lasts, that environment being down or unreachable reads as
"maintenance until …", is not announced and does not count against time to restore. A window
is one-off (`start`/`end`) or recurring (weekdays, a local time range, a time zone; a range
whose end is before its start runs past midnight into the next day).

Pure: the board file's values arrive already checked (app.config); time zones are `tzinfo`
objects, so this module does no look-ups of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_WORDS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTH_WORDS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Freeze:
    """No changes go to production in `[start, end)`."""

    start: datetime
    end: datetime
    reason: str = ""

    def covers(self, now: datetime) -> bool:
        return self.start <= now < self.end


@dataclass(frozen=True)
class Maintenance:
    """An environment's planned downtime: one-off (`start`, `end`) or recurring (`weekdays`,
    `start_time`, `end_time` in `zone`). `environment` None means every environment."""

    environment: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    weekdays: tuple[int, ...] = ()  # 0 = Monday
    start_time: time | None = None
    end_time: time | None = None
    zone: tzinfo = UTC
    zone_name: str = "UTC"
    reason: str = ""

    def applies_to(self, environment: str) -> bool:
        return self.environment is None or self.environment == environment

    def window_at(self, now: datetime) -> tuple[datetime, datetime] | None:
        """The window `[start, end)` that covers `now`, or None."""
        if self.start is not None and self.end is not None:
            return (self.start, self.end) if self.start <= now < self.end else None
        if self.start_time is None or self.end_time is None:
            return None
        local = now.astimezone(self.zone)
        # A window that crosses midnight may have begun yesterday.
        for days_back in (0, 1):
            day = local.date() - timedelta(days=days_back)
            if self.weekdays and day.weekday() not in self.weekdays:
                continue
            begin = datetime.combine(day, self.start_time, self.zone)
            end_day = day if self.end_time > self.start_time else day + timedelta(days=1)
            end = datetime.combine(end_day, self.end_time, self.zone)
            if begin <= local < end:
                return begin, end
        return None


@dataclass(frozen=True)
class PlannedTime:
    """Every freeze and maintenance window of a board."""

    freezes: tuple[Freeze, ...] = ()
    maintenance: tuple[Maintenance, ...] = ()

    def freeze_at(self, now: datetime) -> Freeze | None:
        """The freeze covering `now` that ends last (the one worth naming), or None."""
        current = [f for f in self.freezes if f.covers(now)]
        return max(current, key=lambda f: f.end) if current else None

    def maintenance_at(
        self, environment: str, now: datetime
    ) -> tuple[Maintenance, datetime] | None:
        """The window covering `environment` at `now` and when it ends (the latest), or None."""
        best: tuple[Maintenance, datetime] | None = None
        for window in self.maintenance:
            if not window.applies_to(environment):
                continue
            found = window.window_at(now)
            if found is not None and (best is None or found[1] > best[1]):
                best = (window, found[1])
        return best


def until_words(end: datetime, now: datetime) -> str:
    """When a planned period ends, in its own time zone: '04:00 CET' today, 'Mon 08:00 CET'
    within a week, '4 Jan 2027 08:00 CET' beyond."""
    local_now = now.astimezone(end.tzinfo)
    zone = end.tzname() or ""
    clock = f"{end.hour:02d}:{end.minute:02d}" + (f" {zone}" if zone else "")
    if end.date() == local_now.date():
        return clock
    if timedelta(0) < end - now < timedelta(days=6):
        return f"{_DAY_WORDS[end.weekday()]} {clock}"
    return f"{end.day} {_MONTH_WORDS[end.month - 1]} {end.year} {clock}"


__all__ = ["WEEKDAYS", "Freeze", "Maintenance", "PlannedTime", "until_words"]
