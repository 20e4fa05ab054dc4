"""Durations and ages in the short plain words the board uses ("12 min", "3 h 5 min")."""

from __future__ import annotations

from datetime import datetime


def duration_words(seconds: float) -> str:
    """A compact human duration: '45 s', '12 min', '3 h 5 min', '2 d 4 h'."""
    s = max(0, int(round(seconds)))
    if s < 60:
        return f"{s} s"
    minutes = s // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def ago_words(then: datetime | None, now: datetime) -> str:
    """'12 min ago', 'just now', or 'never'."""
    if then is None:
        return "never"
    seconds = (now - then).total_seconds()
    if seconds < 5:
        return "just now"
    return f"{duration_words(seconds)} ago"
