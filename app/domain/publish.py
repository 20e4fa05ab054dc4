"""The verdict in the formats other tools already read: a cctray feed, a JSON document and a
shields.io endpoint badge.

Pure rendering of one `BoardSnapshot` (no I/O): `releasable status --format …` prints or writes
what these functions return, so CCMenu, BuildNotify, Nevergreen, a shields.io badge or any
script can watch a team's releasability without running the app.

- cctray (https://cctray.org/v1/): one `<Project>` for the board (name = the board's name,
  `lastBuildStatus` Success / Failure / Unknown for releasable / not releasable / unknown,
  `lastBuildTime` = since when) and one per item named `board :: item`. Every attribute the
  standard makes mandatory is always written.
- json: the `status --json` document, versioned by its `schema` field and documented in
  docs/status-json.md.
- badge: https://shields.io/badges/endpoint-badge (`schemaVersion` 1, `label`, `message`,
  `color`).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from app.domain.model import (
    BlockerState,
    BoardSnapshot,
    EnvironmentReading,
    Health,
    Observed,
    Outcome,
    PipelineReading,
    VerdictState,
)

STATUS_SCHEMA = 1  # bump on any change that is not purely additive (docs/status-json.md)

FORMATS = ("text", "json", "cctray", "badge")

_CCTRAY_STATUS = {
    VerdictState.RELEASABLE: "Success",
    VerdictState.NOT_RELEASABLE: "Failure",
    VerdictState.UNKNOWN: "Unknown",
}

_BADGE_COLOR = {
    VerdictState.RELEASABLE: "brightgreen",
    VerdictState.NOT_RELEASABLE: "red",
    VerdictState.UNKNOWN: "lightgrey",
}

# XML 1.0 allows tab, newline and carriage return, and nothing else below U+0020.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def item_status(item: Observed, now: datetime) -> str:
    """The item's status word as published: stale data is 'unknown', never its old value."""
    return "unknown" if item.is_stale(now) else item.status_word


def item_verdict(item: Observed, now: datetime) -> VerdictState:
    """Does this one item, on its own, allow a release? (Its own colour in a feed.)"""
    if item.is_stale(now):
        return VerdictState.UNKNOWN
    r = item.reading
    if isinstance(r, PipelineReading):
        return {
            Outcome.PASSED: VerdictState.RELEASABLE,
            Outcome.FAILED: VerdictState.NOT_RELEASABLE,
        }.get(r.outcome, VerdictState.UNKNOWN)
    if isinstance(r, EnvironmentReading):
        if r.health is Health.UP or (r.health is Health.DEGRADED and item.degraded_ok):
            return VerdictState.RELEASABLE
        if r.health in (Health.DOWN, Health.DEGRADED):
            return VerdictState.NOT_RELEASABLE
    return VerdictState.UNKNOWN


def _iso(when: datetime | None) -> str | None:
    return None if when is None else when.astimezone(UTC).isoformat(timespec="seconds")


def status_document(snapshot: BoardSnapshot) -> dict[str, Any]:
    """The `status --json` document (schema `STATUS_SCHEMA`, see docs/status-json.md)."""
    board, verdict, now = snapshot.board, snapshot.verdict, snapshot.taken_at
    return {
        "schema": STATUS_SCHEMA,
        "board": board.name,
        "verdict": verdict.state.value,
        "planned": verdict.planned,
        "since": _iso(verdict.since or now),
        "generated_at": _iso(now),
        "reasons": [
            {"text": r.text, "state": r.state.value, "item": r.item_key, "planned": r.planned}
            for r in verdict.reasons
        ],
        "items": [
            {
                "key": i.key,
                "kind": i.kind.value,
                "name": i.name,
                "status": item_status(i, now),
                "since": _iso(i.status_since),
                "read_at": _iso(i.read_at),
                "error": i.error,
                "delivery_path": i.delivery_path,
                "url": i.reading.url if i.reading is not None else None,
                "culprits": _culprits(i),
                "claimed_by": i.claimed_by or None,
            }
            for i in (*board.pipelines, *board.environments)
        ],
        "blockers": [
            {
                "key": b.key,
                "title": b.title,
                "category": b.category,
                "priority": b.priority.value,
                "opened_at": _iso(b.opened_at),
                "reporter": b.reporter or None,
                "assignee": b.assignee or None,
                "url": b.url,
                "sent": not b.pending,
            }
            for b in board.blockers
            if b.state is BlockerState.OPEN
        ],
        "source_errors": list(snapshot.source_errors),
    }


def _culprits(item: Observed) -> list[dict[str, Any]]:
    r = item.reading
    if not isinstance(r, PipelineReading) or r.outcome is not Outcome.FAILED:
        return []
    return [
        {
            "author": c.author or None,
            "sha": c.sha or None,
            "message": c.message or None,
            "url": c.url,
        }
        for c in r.culprits
    ]


def render_json(snapshot: BoardSnapshot) -> str:
    return json.dumps(status_document(snapshot), indent=2, ensure_ascii=False) + "\n"


def render_badge(snapshot: BoardSnapshot) -> str:
    """A shields.io endpoint badge: `https://img.shields.io/endpoint?url=<where this is served>`."""
    state = snapshot.verdict.state
    doc = {
        "schemaVersion": 1,
        "label": snapshot.board.name or "releasable",
        "message": state.headline.lower(),
        "color": _BADGE_COLOR[state],
    }
    return json.dumps(doc, ensure_ascii=False) + "\n"


def _attr(value: str) -> str:
    # Imported here: xml.sax.saxutils pulls in urllib.request (30 ms), which every start of
    # the app would pay for through the command line's imports.
    from xml.sax.saxutils import quoteattr

    return quoteattr(_NOT_XML.sub("", value))


def _project(
    name: str, status: str, label: str, when: datetime, url: str, building: bool = False
) -> str:
    attrs = (
        f"name={_attr(name)}",
        f"activity={_attr('Building' if building else 'Sleeping')}",
        f"lastBuildStatus={_attr(status)}",
        f"lastBuildLabel={_attr(label)}",
        f"lastBuildTime={_attr(_iso(when) or '')}",
        f"webUrl={_attr(url)}",
    )
    return f"  <Project {' '.join(attrs)} />"


def render_cctray(snapshot: BoardSnapshot, web_url: str = "") -> str:
    """A cctray feed: the board as one project, then each item as `board :: item`.

    `web_url` is where a person sees the board (the board's own project and any item with no
    link of its own); the standard requires the attribute, so it is written even when empty.
    """
    board, verdict, now = snapshot.board, snapshot.verdict, snapshot.taken_at
    lines = ['<?xml version="1.0" encoding="utf-8"?>', "<Projects>"]
    lines.append(
        _project(
            board.name,
            _CCTRAY_STATUS[verdict.state],
            verdict.state.headline,
            verdict.since or now,
            web_url,
        )
    )
    for item in (*board.pipelines, *board.environments):
        reading = item.reading
        status = _CCTRAY_STATUS[item_verdict(item, now)]
        label = item_status(item, now)
        when = item.status_since or item.read_at or now
        building = False
        if isinstance(reading, PipelineReading):
            label = reading.label or label
            when = item.status_since or reading.completed_at or item.read_at or now
            building = reading.running and not item.is_stale(now)
        url = (reading.url if reading is not None else None) or web_url
        lines.append(_project(f"{board.name} :: {item.name}", status, label, when, url, building))
    lines.append("</Projects>")
    return "\n".join(lines) + "\n"


def render(snapshot: BoardSnapshot, fmt: str, web_url: str = "") -> str:
    """The snapshot in one of `FORMATS` other than text."""
    if fmt == "json":
        return render_json(snapshot)
    if fmt == "badge":
        return render_badge(snapshot)
    if fmt == "cctray":
        return render_cctray(snapshot, web_url)
    raise ValueError(f"unknown format {fmt!r}")


__all__ = [
    "FORMATS",
    "STATUS_SCHEMA",
    "item_status",
    "item_verdict",
    "render",
    "render_badge",
    "render_cctray",
    "render_json",
    "status_document",
]
