"""Which board `releasable` opens with no arguments (issue 12, point 1): `--board`, then
$RELEASABLE_BOARD, then the last board opened or saved in the app, then the config folder's."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config.loader import config_dir, find_board_path, remember_board, remembered_board


def board(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('[board]\nname = "x"\n', encoding="utf-8")
    return path


def test_the_order_of_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert find_board_path(None) is None  # nothing yet: the welcome page
    default = board(config_dir() / "board.toml")
    assert find_board_path(None) == default
    last = board(tmp_path / "team" / "board.toml")
    remember_board(last)
    assert remembered_board() == last.resolve()
    assert find_board_path(None) == last.resolve()
    from_env = tmp_path / "env.toml"
    monkeypatch.setenv("RELEASABLE_BOARD", str(from_env))
    assert find_board_path(None) == from_env
    explicit = tmp_path / "explicit.toml"
    assert find_board_path(explicit) == explicit


def test_a_remembered_board_that_was_deleted_falls_back(tmp_path: Path) -> None:
    last = board(tmp_path / "gone.toml")
    remember_board(last)
    last.unlink()
    assert find_board_path(None) is None
