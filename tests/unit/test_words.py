"""Durations in the board's short words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.domain.words import ago_words, duration_words, lasted_words, path_words


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


def test_lasted_words_say_just_now_for_a_state_that_has_just_begun() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert lasted_words(now, now) == "just now"
    assert lasted_words(now - timedelta(seconds=4), now) == "just now"
    assert lasted_words(now - timedelta(seconds=5), now) == "for 5 s"
    assert lasted_words(now - timedelta(minutes=12), now) == "for 12 min"
    assert lasted_words(now + timedelta(seconds=3), now) == "just now"  # a clock a bit ahead


def test_a_path_in_the_home_folder_is_shown_from_tilde(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    board = tmp_path / ".config" / "releasable" / "board.toml"
    assert path_words(board) == "~/.config/releasable/board.toml"
    assert path_words(Path("/etc/releasable/board.toml")) == "/etc/releasable/board.toml"
