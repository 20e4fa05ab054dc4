"""The pre-fill a "Report a blocker…" menu entry hands to the report dialog.

A plain dict, so the dialog (built elsewhere) depends on nothing in the board widgets. Keys:
`category` (a DESIGN.md blocker category, a best guess the reporter can change), `item_key`
("pipeline:api"), `item_name`, `title` (a suggested title), `evidence` (plain words of what the
board shows), `url` (link to the failing run or health endpoint, may be None) and `board`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.domain.model import EnvironmentReading, Health, Observed, Stage
from app.ui.board.describe import environment_words, item_look, stage_look

_SCANNER_WORDS = ("scan", "security", "sast", "dast", "snyk", "trivy", "audit", "dependency")
_PROD_WORDS = ("prod", "live")


def stage_context(board: str, item: Observed, stage: Stage, now: datetime) -> dict[str, Any]:
    """Pre-fill for a failing stage: a scanner stage suggests a false positive, else CI."""
    name = stage.name.casefold()
    scanner = any(word in name for word in _SCANNER_WORDS)
    category = "security-false-positive" if scanner else "ci-instability"
    word = stage_look(stage).word
    evidence = f"pipeline '{item.name}' stage '{stage.name}' {word}"
    if stage.note:
        evidence += f" ({stage.note})"
    return {
        "category": category,
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
        "category": "ci-instability",
        "item_key": item.key,
        "item_name": item.name,
        "title": f"{item.name}: pipeline {item_look(item).word}",
        "evidence": f"pipeline '{item.name}' {item_look(item).word}",
        "url": getattr(item.reading, "url", None),
        "board": board,
        "at": now,
    }


def environment_context(board: str, item: Observed, now: datetime) -> dict[str, Any]:
    """Pre-fill for an unhealthy environment: production suggests an outage."""
    reading = item.reading
    health = reading.health if isinstance(reading, EnvironmentReading) else Health.UNKNOWN
    production = any(word in item.name.casefold() for word in _PROD_WORDS)
    down = health is Health.DOWN
    category = "production-outage" if production and down else "environment-instability"
    words = environment_words(item, now)
    return {
        "category": category,
        "item_key": item.key,
        "item_name": item.name,
        "title": f"{item.name} environment {health.value}",
        "evidence": f"environment '{item.name}' {health.value}" + (f": {words}" if words else ""),
        "url": getattr(reading, "url", None),
        "board": board,
        "at": now,
    }
