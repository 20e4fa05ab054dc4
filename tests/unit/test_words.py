"""Durations in the board's short words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.domain.words import ago_words, duration_words


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0, "0 s"),
        (45, "45 s"),
        (60, "1 min"),
        (719, "11 min"),
        (3600, "1 h"),
        (3900, "1 h 5 min"),
        (86400, "1 d"),
        (90000, "1 d 1 h"),
    ],
)
def test_duration_words(seconds: float, words: str) -> None:
    assert duration_words(seconds) == words


def test_ago_words() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert ago_words(None, now) == "never"
    assert ago_words(now - timedelta(seconds=2), now) == "just now"
    assert ago_words(now - timedelta(minutes=12), now) == "12 min ago"
