"""An item whose last answer was 'unknown' and whose reads fail since then is unknown for the
newer reason: seen for real, the banner kept saying "got an HTML page" for a server that had
since started to hang, until the staleness limit passed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.domain.model import (
    BoardState,
    EnvironmentReading,
    Health,
    ItemKind,
    Observed,
    Outcome,
    PipelineReading,
)
from app.domain.verdict import decide

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
HTML = "got an HTML page, not a health report (sign-in page?)"
HANGS = "no complete answer within 3 s from 127.0.0.1:8080"


def environment(error: str | None) -> Observed:
    return Observed(
        key="environment:staging",
        kind=ItemKind.ENVIRONMENT,
        name="staging",
        reading=EnvironmentReading(health=Health.UNKNOWN, detail=HTML),
        read_at=NOW - timedelta(seconds=5),
        error=error,
        error_at=NOW - timedelta(seconds=1) if error else None,
        stale_after_s=15,
    )


def pipeline(error: str | None) -> Observed:
    return Observed(
        key="pipeline:api",
        kind=ItemKind.PIPELINE,
        name="api",
        reading=PipelineReading(stages=(), outcome=Outcome.UNKNOWN, detail="no runs yet"),
        read_at=NOW - timedelta(seconds=5),
        error=error,
        error_at=NOW - timedelta(seconds=1) if error else None,
        stale_after_s=15,
    )


def reasons(*items: Observed) -> list[str]:
    board = BoardState(
        name="Payments",
        pipelines=tuple(i for i in items if i.kind is ItemKind.PIPELINE),
        environments=tuple(i for i in items if i.kind is ItemKind.ENVIRONMENT),
    )
    return [r.text for r in decide(board, NOW).reasons]


def test_a_failed_read_after_an_unknown_answer_is_the_reason_given() -> None:
    assert reasons(environment(HANGS), pipeline(HANGS)) == [
        f"pipeline 'api' state unknown: {HANGS}",
        f"environment 'staging' state unknown ({HANGS})",
    ]


def test_without_a_failed_read_the_answer_is_the_reason() -> None:
    assert reasons(environment(None), pipeline(None)) == [
        "pipeline 'api' state unknown: no runs yet",
        f"environment 'staging' state unknown ({HTML})",
    ]
