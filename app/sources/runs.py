"""Reading a CI that lists runs newest first (GitHub Actions' workflow runs, GitLab's pipelines).

The rules both follow (DESIGN.md, "Reading rules that keep the verdict honest"): the stages
shown are those of the *latest* run, even while it runs; the gate is the outcome of the latest
*completed* run, looked for behind a full page of running ones; when that gate failed, the
stage to blame is the completed run's first failed stage, else its first canceled one. Each
vendor's module keeps its own status words and how it asks for runs and jobs; runs here are
the JSON objects the API returned.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from app.domain.model import Outcome, PipelineReading, Stage, StageStatus

Run = dict[str, Any]


def latest_completed(
    runs: list[Run],
    is_completed: Callable[[Run], bool],
    *,
    page_size: int,
    older: Callable[[], list[Run]],
) -> Run | None:
    """The newest completed run of `runs` (a page, newest first). When a full page has none,
    `older()` asks the API for the newest completed run alone."""
    completed = next((run for run in runs if is_completed(run)), None)
    if completed is None and len(runs) >= page_size:
        found = older()
        completed = found[0] if found else None
    return completed


def with_gate(
    reading: PipelineReading,
    *,
    latest: Run,
    completed: Run,
    outcome: Outcome,
    detail: str,
    stages_of: Callable[[Run], tuple[Stage, ...]],
    completed_label: str | None = None,
) -> PipelineReading:
    """`reading` (the latest run's stages) gated by the latest completed run: its outcome, when
    it completed (`updated_at`) and, when it failed, the stage to blame — from its own stages,
    which `stages_of` reads unless it is the latest run; `completed_label` names that run."""
    failed_stage = None
    if outcome is Outcome.FAILED:
        done_stages = reading.stages if completed is latest else stages_of(completed)
        failed_stage = first_failed(done_stages)
    return replace(
        reading,
        outcome=outcome,
        failed_stage=failed_stage,
        completed_at=iso_time(completed.get("updated_at")),
        completed_label=completed_label,
        detail=detail,
    )


def first_failed(stages: tuple[Stage, ...]) -> str | None:
    """The stage to blame: the first failed one (a failure that was not allowed), else the
    first canceled one."""
    for wanted in (StageStatus.FAILED, StageStatus.CANCELED):
        for stage in stages:
            if stage.status is wanted:
                return stage.name
    return None


def seconds_between(start: datetime | None, end: datetime | None) -> float | None:
    """How long from `start` to `end`, never negative; None when either is not known."""
    if start is None or end is None:
        return None
    return max(0.0, (end - start).total_seconds())


def json_text(value: Any) -> str | None:
    """A JSON field that should be text: the string, or None when missing, empty or not text."""
    return value if isinstance(value, str) and value else None


def iso_time(value: Any) -> datetime | None:
    """An ISO 8601 time as the APIs write it ('2024-05-01T10:00:03.123Z'), or None; a time
    without a zone is taken as UTC."""
    if not isinstance(value, str) or not value:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)
