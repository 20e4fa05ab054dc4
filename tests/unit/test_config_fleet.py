"""The fleet file: boards by path or url, and errors that name file, line and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config.errors import BoardFileError
from app.config.fleet import load_fleet, parse_fleet

GOOD = """\
[fleet]
name = "Platform team"

[[boards]]
url = "https://raw.githubusercontent.com/acme/payments/main/board.toml"
token_env = "GITHUB_TOKEN"

[[boards]]
path = "../checkout/board.toml"
"""


def _errors(text: str) -> list[str]:
    with pytest.raises(BoardFileError) as caught:
        parse_fleet(text, "fleet.toml", Path("/platform"))
    return caught.value.errors


def test_the_issue_example_reads_with_paths_relative_to_the_fleet_file(tmp_path: Path) -> None:
    (tmp_path / "platform").mkdir()
    fleet_file = tmp_path / "platform" / "fleet.toml"
    fleet_file.write_text(GOOD, encoding="utf-8")
    fleet = load_fleet(fleet_file)
    assert fleet.name == "Platform team"
    assert fleet.refresh_seconds == 300
    first, second = fleet.boards
    assert first.url == "https://raw.githubusercontent.com/acme/payments/main/board.toml"
    assert first.token_env == "GITHUB_TOKEN"
    assert first.label == "payments"
    assert second.path == (tmp_path / "checkout" / "board.toml").resolve()
    assert second.label == "checkout"


def test_a_board_with_both_path_and_url_is_named_by_line_and_key() -> None:
    errors = _errors(GOOD + '\n[[boards]]\npath = "a.toml"\nurl = "https://x.example/b.toml"\n')
    assert errors == ["fleet.toml:11: boards[3]: give either path or url (one of them, not both)"]


def test_plain_http_is_refused_except_on_loopback() -> None:
    errors = _errors('[fleet]\nname = "P"\n[[boards]]\nurl = "http://git.example/board.toml"\n')
    assert errors == ["fleet.toml:4: boards[1].url: board files are read over https:// only"]
    fleet = parse_fleet(
        '[fleet]\nname = "P"\n[[boards]]\nurl = "http://127.0.0.1:8080/board.toml"\n',
        "fleet.toml",
        Path("/p"),
    )
    assert fleet.boards[0].url == "http://127.0.0.1:8080/board.toml"


def test_every_mistake_is_reported_at_once() -> None:
    text = (
        "[fleet]\n"
        "nmae = 'P'\n"
        "[[boards]]\n"
        "url = 'ftp://x/board.toml'\n"
        "[[boards]]\n"
        "token = 'ghp_abc'\n"
        "path = 'b.toml'\n"
        "[teams]\n"
        "x = 1\n"
    )
    errors = _errors(text)
    assert "fleet.toml:2: fleet.nmae: unknown key 'nmae' (did you mean 'name'?)" in errors
    assert any(
        e.startswith("fleet.toml:4: boards[1].url: only http:// and https://") for e in errors
    )
    secret = next(e for e in errors if e.startswith("fleet.toml:6: boards[2].token:"))
    assert "ghp_abc" not in secret and "token_env" in secret
    assert any(e.startswith("fleet.toml:8: teams: unknown table 'teams'") for e in errors)
    # 'nmae' is taken for 'name': one mistake, one error (name is not also "missing")
    assert not any("fleet.name: is required but missing" in e for e in errors)
    assert len(errors) == 4, errors


def test_the_same_board_twice_and_no_boards_are_mistakes() -> None:
    twice = '[fleet]\nname = "P"\n[[boards]]\npath = "a.toml"\n[[boards]]\npath = "a.toml"\n'
    assert _errors(twice) == ["fleet.toml:5: boards[2]: the same board as boards[1]"]
    assert _errors('[fleet]\nname = "P"\n') == [
        "fleet.toml:1: boards: no [[boards]] listed: add one per team board (path or url)"
    ]


def test_not_toml_and_missing_file_say_where(tmp_path: Path) -> None:
    assert _errors('[fleet]\nname = "P\n')[0].startswith("fleet.toml:2: not valid TOML")
    with pytest.raises(BoardFileError) as caught:
        load_fleet(tmp_path / "nope.toml")
    assert caught.value.errors == [f"{tmp_path / 'nope.toml'}: no such file"]
