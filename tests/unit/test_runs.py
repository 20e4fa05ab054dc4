"""The reading rules GitHub Actions and GitLab share (app/sources/runs.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from app.domain.model import Outcome, PipelineReading, Stage, StageStatus
from app.sources.runs import (
    first_failed,
    iso_time,
    json_text,
    latest_completed,
    seconds_between,
    with_gate,
)

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def done(run: dict[str, Any]) -> bool:
    return run.get("status") == "completed"


def no_older() -> list[dict[str, Any]]:
    raise AssertionError("asked for older runs")


def test_latest_completed_is_the_newest_completed_run_of_the_page() -> None:
    runs: list[dict[str, Any]] = [
        {"id": 3, "status": "running"},
        {"id": 2, "status": "completed"},
        {"id": 1},
    ]
    assert latest_completed(runs, done, page_size=20, older=no_older) == runs[1]


def test_latest_completed_asks_behind_a_full_page_only() -> None:
    running = [{"id": n, "status": "running"} for n in range(3)]
    assert latest_completed(running, done, page_size=4, older=no_older) is None
    older = [{"id": 99, "status": "completed"}]
    assert latest_completed(running, done, page_size=3, older=lambda: older) == older[0]
    assert latest_completed(running, done, page_size=3, older=list) is None


def test_first_failed_blames_a_failure_before_a_cancel() -> None:
    stages = (
        Stage("build", StageStatus.PASSED),
        Stage("lint", StageStatus.CANCELED),
        Stage("test", StageStatus.FAILED),
        Stage("e2e", StageStatus.FAILED),
    )
    assert first_failed(stages) == "test"
    assert first_failed(stages[:2]) == "lint"
    assert first_failed(stages[:1]) is None


LATEST = {"id": 2, "updated_at": "2026-11-26T12:00:00Z"}
OLDER = {"id": 1, "updated_at": "2026-11-26T11:00:00Z"}
RUNNING = PipelineReading(stages=(Stage("build", StageStatus.FAILED),), outcome=Outcome.UNKNOWN)


def gate(outcome: Outcome, completed: dict[str, Any]) -> tuple[PipelineReading, list[Any]]:
    """`RUNNING` gated by `completed`, and the runs whose stages were read for it."""
    read: list[Any] = []

    def stages_of(run: dict[str, Any]) -> tuple[Stage, ...]:
        read.append(run)
        return (Stage("deploy", StageStatus.FAILED),)

    gated = with_gate(
        RUNNING,
        latest=LATEST,
        completed=completed,
        outcome=outcome,
        detail="words",
        stages_of=stages_of,
    )
    return gated, read


def test_with_gate_blames_a_stage_of_the_completed_run_when_it_failed() -> None:
    gated, read = gate(Outcome.FAILED, OLDER)
    assert read == [OLDER]
    assert gated.stages == RUNNING.stages
    assert (gated.outcome, gated.failed_stage, gated.detail) == (Outcome.FAILED, "deploy", "words")
    assert gated.completed_at == T0 - timedelta(hours=1)
    gated, read = gate(Outcome.FAILED, LATEST)
    assert read == [] and gated.failed_stage == "build" and gated.completed_at == T0


def test_with_gate_reads_no_stages_when_the_gate_did_not_fail() -> None:
    gated, read = gate(Outcome.PASSED, OLDER)
    assert read == [] and gated.failed_stage is None and gated.outcome is Outcome.PASSED


def test_seconds_between_is_never_negative_and_needs_both_ends() -> None:
    assert seconds_between(T0, T0 + timedelta(seconds=90)) == 90.0
    assert seconds_between(T0 + timedelta(seconds=5), T0) == 0.0
    assert seconds_between(None, T0) is None
    assert seconds_between(T0, None) is None


def test_iso_time_and_json_text_take_only_what_they_can_read() -> None:
    assert iso_time("2026-11-26T12:00:00Z") == T0
    assert iso_time("2026-11-26T12:00:00.123") == T0.replace(microsecond=123000)
    assert iso_time("yesterday") is None
    assert iso_time(1700000000) is None
    assert json_text("x") == "x"
    assert json_text("") is None
    assert json_text(3) is None
