"""The wall puts what blocks delivery first; a failure off the delivery path comes after."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from app.domain.model import (
    BoardSnapshot,
    BoardState,
    ItemKind,
    Observed,
    Outcome,
    PipelineReading,
    Stage,
    StageStatus,
)
from app.domain.verdict import decide
from app.ui.kiosk.tiles import tiles_for

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def pipeline(name: str, outcome: Outcome, *, delivery_path: bool = True) -> Observed:
    status = StageStatus.PASSED if outcome is Outcome.PASSED else StageStatus.FAILED
    return Observed(
        key=f"pipeline:{name}",
        kind=ItemKind.PIPELINE,
        name=name,
        reading=PipelineReading((Stage("build", status),), outcome),
        read_at=NOW - timedelta(seconds=5),
        delivery_path=delivery_path,
    )


def test_off_path_failure_ranks_after_delivery_path_failure_and_says_so() -> None:
    docs = pipeline("docs", Outcome.FAILED, delivery_path=False)
    api = pipeline("api", Outcome.PASSED)
    web = pipeline("web", Outcome.FAILED)
    board = BoardState("Payments", pipelines=(docs, api, web))
    snapshot = BoardSnapshot(board, decide(board, NOW), NOW)
    tiles = tiles_for(snapshot, NOW)
    assert [t.title for t in tiles] == ["web", "docs", "api"]
    assert "not on the delivery path" in tiles[1].detail
    on_path = dataclasses.replace(docs, delivery_path=True)
    board = BoardState("Payments", pipelines=(on_path, api, web))
    tiles = tiles_for(BoardSnapshot(board, decide(board, NOW), NOW), NOW)
    assert [t.title for t in tiles] == ["docs", "web", "api"]
