"""`[tracker] refresh_seconds`: how often the tracker's open blockers are read."""

from __future__ import annotations

import pytest

from app.config.loader import BoardFileError, parse_board
from app.config.writer import dump_board

GITHUB = """\
[board]
name = "Payments"

[tracker]
kind = "github"
repo = "acme/platform"
token_env = "GITHUB_TOKEN"
"""


def test_the_tracker_is_read_every_minute_by_default() -> None:
    assert parse_board(GITHUB, "board.toml").tracker.refresh_seconds == 60
    assert parse_board('[board]\nname = "x"\n', "board.toml").tracker.refresh_seconds == 60


def test_refresh_seconds_is_read_and_written_back() -> None:
    board = parse_board(GITHUB + "refresh_seconds = 2.5\n", "board.toml")
    assert board.tracker.refresh_seconds == 2.5
    text = dump_board(board)
    assert "refresh_seconds = 2.5" in text.split("[tracker]")[1]
    assert parse_board(text, "again.toml") == board


def test_the_default_is_not_written() -> None:
    text = dump_board(parse_board(GITHUB + "refresh_seconds = 60\n", "board.toml"))
    assert "refresh_seconds" not in text.split("[tracker]")[1]


@pytest.mark.parametrize("value", ["0", "-5", '"often"'])
def test_refresh_seconds_must_be_a_positive_number(value: str) -> None:
    with pytest.raises(BoardFileError) as caught:
        parse_board(GITHUB + f"refresh_seconds = {value}\n", "board.toml")
    (issue,) = caught.value.issues
    assert issue.path == ("tracker", "refresh_seconds") and issue.line == 8


def test_every_tracker_kind_takes_it() -> None:
    webhook = '[board]\nname = "x"\n[tracker]\nkind = "webhook"\nurl = "https://h.example/x"\n'
    assert parse_board(webhook + "refresh_seconds = 30\n", "b").tracker.refresh_seconds == 30
