"""An item that was never read is said one way everywhere: the window, the kiosk, the CLI and
the verdict all say "not read yet" (app.domain.words), once, with nothing else beside it."""

from __future__ import annotations

from dataclasses import replace

from app.cli.status import status_text
from app.demo.sample import sample_board, snapshot_of
from app.domain.model import BoardSnapshot, Observed
from app.domain.words import NOT_READ_YET, last_read_words
from app.ui.board.items_model import describe_row
from app.ui.kiosk.tiles import tiles_for
from tests.ui.board_helpers import T0


def _never_read(item: Observed) -> Observed:
    return replace(item, reading=None, read_at=None, error=None, error_at=None)


def _snapshot() -> tuple[BoardSnapshot, Observed, Observed]:
    board = sample_board(T0)
    pipeline, environment = _never_read(board.pipelines[0]), _never_read(board.environments[0])
    board = replace(
        board,
        pipelines=(pipeline, *board.pipelines[1:]),
        environments=(environment, *board.environments[1:]),
    )
    return snapshot_of(board, T0), pipeline, environment


def test_the_window_says_not_read_yet_once() -> None:
    _, pipeline, environment = _snapshot()
    for item in (pipeline, environment):
        info = describe_row(item, T0)
        assert info.stale_line == NOT_READ_YET
        assert info.words == ""
        assert info.full_text().count("read") == 1, info.full_text()


def test_the_kiosk_says_not_read_yet() -> None:
    snapshot, pipeline, environment = _snapshot()
    tiles = {tile.key: tile for tile in tiles_for(snapshot, T0)}
    for item in (pipeline, environment):
        detail = tiles[item.key].detail
        assert detail.split(" · ")[0] == NOT_READ_YET, detail
        assert "never" not in detail and "was" not in detail


def test_the_cli_and_the_verdict_say_not_read_yet() -> None:
    snapshot, pipeline, _ = _snapshot()
    text = status_text(snapshot)
    line = next(line for line in text.splitlines() if f" {pipeline.name} " in line)
    assert NOT_READ_YET in line and "never" not in line
    assert any(f"'{pipeline.name}' {NOT_READ_YET}" in r.text for r in snapshot.verdict.reasons)


def test_last_read_words() -> None:
    assert last_read_words(None, T0) == "not read yet"
    assert last_read_words(T0.replace(minute=T0.minute), T0) == "last read just now"
