"""The pre-fill a "Report a blocker…" menu entry hands to the report dialog.

A plain dict, so the dialog (built elsewhere) depends on nothing in the board widgets. It says
what the board shows and never asserts a cause: there is no category (a failing `security-scan`
stage may be a real vulnerability, not a scanner false positive; a red pipeline may be the
code, not CI) — the reporter picks. Keys: `item_key`
("pipeline:api"), `item_name`, `title` (a suggested title), `evidence` (plain words of what the
board shows), `url` (link to the failing run or health endpoint, may be None) and `board`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.domain.model import EnvironmentReading, Health, Observed, Stage
from app.ui.board.describe import environment_words, item_look, stage_look


def stage_context(board: str, item: Observed, stage: Stage, now: datetime) -> dict[str, Any]:
    """Pre-fill for a failing stage: which stage, what it shows, its link."""
    word = stage_look(stage).word
    evidence = f"pipeline '{item.name}' stage '{stage.name}' {word}"
    if stage.note:
        evidence += f" ({stage.note})"
    return {
        "item_key": item.key,
        "item_name": item.name,
        "stage": stage.name,
        "title": f"{item.name}: stage {stage.name} {word}",
        "evidence": evidence,
        "url": stage.url,
        "board": board,
        "at": now,
    }


def pipeline_context(board: str, item: Observed, now: datetime) -> dict[str, Any]:
    return {
        "item_key": item.key,
        "item_name": item.name,
        "title": f"{item.name}: pipeline {item_look(item).word}",
        "evidence": f"pipeline '{item.name}' {item_look(item).word}",
        "url": getattr(item.reading, "url", None),
        "board": board,
        "at": now,
    }


def environment_context(board: str, item: Observed, now: datetime) -> dict[str, Any]:
    """Pre-fill for an unhealthy environment: its health in words and its link."""
    reading = item.reading
    health = reading.health if isinstance(reading, EnvironmentReading) else Health.UNKNOWN
    words = environment_words(item, now)
    return {
        "item_key": item.key,
        "item_name": item.name,
        "title": f"{item.name} environment {health.value}",
        "evidence": f"environment '{item.name}' {health.value}" + (f": {words}" if words else ""),
        "url": getattr(reading, "url", None),
        "board": board,
        "at": now,
    }
