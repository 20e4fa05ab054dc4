"""JSON for readings: how a `PipelineReading` or `EnvironmentReading` is kept in the database.

Lossless: enums as their values, datetimes as ISO 8601 with their UTC offset, stages in order.
Decoding is forgiving in one direction only: a missing optional field takes the model's
default (so a field added later with a default still reads old rows), but anything unknown or
garbled (wrong type, unknown enum value, a newer format, not JSON at all) decodes to None and
never raises: the item then simply shows no reading until the next poll.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from app.domain.model import (
    Culprit,
    EnvironmentReading,
    Health,
    Outcome,
    PipelineReading,
    Reading,
    Stage,
    StageStatus,
)

FORMAT = 1  # bump if the encoding changes incompatibly; newer formats decode to None

log = logging.getLogger(__name__)


class _Garbled(ValueError):
    """A decoded value does not have the shape the model needs."""


def _dt(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _stage_json(stage: Stage) -> dict[str, Any]:
    return {
        "name": stage.name,
        "status": stage.status.value,
        "started_at": _dt(stage.started_at),
        "duration_s": stage.duration_s,
        "url": stage.url,
        "label": stage.label,
        "note": stage.note,
        "finished_at": _dt(stage.finished_at),
    }


def reading_to_json(reading: Reading) -> dict[str, Any]:
    """The reading as plain JSON-ready data."""
    if isinstance(reading, PipelineReading):
        return {
            "format": FORMAT,
            "type": "pipeline",
            "outcome": reading.outcome.value,
            "stages": [_stage_json(s) for s in reading.stages],
            "completed_at": _dt(reading.completed_at),
            "failed_stage": reading.failed_stage,
            "running": reading.running,
            "url": reading.url,
            "label": reading.label,
            "completed_label": reading.completed_label,
            "detail": reading.detail,
            "culprits": [
                {"author": c.author, "sha": c.sha, "message": c.message, "url": c.url}
                for c in reading.culprits
            ],
        }
    if isinstance(reading, EnvironmentReading):
        return {
            "format": FORMAT,
            "type": "environment",
            "health": reading.health.value,
            "latency_ms": reading.latency_ms,
            "http_status": reading.http_status,
            "detail": reading.detail,
            "tls_days_left": reading.tls_days_left,
            "url": reading.url,
        }
    raise TypeError(f"not a reading: {type(reading).__name__}")


def encode_reading(reading: Reading) -> str:
    """The reading as a compact JSON string (ASCII only, so any text survives storage)."""
    return json.dumps(reading_to_json(reading), separators=(",", ":"))


def _opt_str(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None or isinstance(value, str):
        return value
    raise _Garbled(key)


def _str(data: dict[str, Any], key: str) -> str:
    value = data.get(key, "")
    if isinstance(value, str):
        return value
    raise _Garbled(key)


def _opt_number(data: dict[str, Any], key: str) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Garbled(key)
    return value


def _opt_int(data: dict[str, Any], key: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Garbled(key)
    return value


def _opt_datetime(data: dict[str, Any], key: str) -> datetime | None:
    value = _opt_str(data, key)
    return None if value is None else datetime.fromisoformat(value)


def _bool(data: dict[str, Any], key: str) -> bool:
    value = data.get(key, False)
    if isinstance(value, bool):
        return value
    raise _Garbled(key)


def _raw(data: dict[str, Any], key: str) -> Any:
    """The value at `key` as stored (None if absent): the enum it feeds rejects a bad one."""
    return data.get(key)


def _dict(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    raise _Garbled("object expected")


def _stage(value: Any) -> Stage:
    data = _dict(value)
    name = data.get("name")
    if not isinstance(name, str):
        raise _Garbled("stage name")
    return Stage(
        name=name,
        status=StageStatus(_raw(data, "status")),
        started_at=_opt_datetime(data, "started_at"),
        duration_s=_opt_number(data, "duration_s"),
        url=_opt_str(data, "url"),
        label=_opt_str(data, "label"),
        note=_str(data, "note"),
        finished_at=_opt_datetime(data, "finished_at"),
    )


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key, [])
    if isinstance(value, list):
        return value
    raise _Garbled(key)


def _culprit(value: Any) -> Culprit:
    data = _dict(value)
    return Culprit(
        author=_str(data, "author"),
        sha=_str(data, "sha"),
        message=_str(data, "message"),
        url=_opt_str(data, "url"),
    )


def reading_from_json(value: Any) -> Reading:
    """The reading described by `value`; raises ValueError/TypeError if it is not one."""
    data = _dict(value)
    fmt = data.get("format")
    if isinstance(fmt, bool) or not isinstance(fmt, int) or not 1 <= fmt <= FORMAT:
        raise _Garbled("format")
    kind = data.get("type")
    if kind == "pipeline":
        stages = data.get("stages")
        if not isinstance(stages, list):
            raise _Garbled("stages")
        return PipelineReading(
            stages=tuple(_stage(s) for s in stages),
            outcome=Outcome(_raw(data, "outcome")),
            completed_at=_opt_datetime(data, "completed_at"),
            failed_stage=_opt_str(data, "failed_stage"),
            running=_bool(data, "running"),
            url=_opt_str(data, "url"),
            label=_opt_str(data, "label"),
            completed_label=_opt_str(data, "completed_label"),
            detail=_str(data, "detail"),
            culprits=tuple(_culprit(c) for c in _list(data, "culprits")),
        )
    if kind == "environment":
        return EnvironmentReading(
            health=Health(_raw(data, "health")),
            latency_ms=_opt_number(data, "latency_ms"),
            http_status=_opt_int(data, "http_status"),
            detail=_str(data, "detail"),
            tls_days_left=_opt_int(data, "tls_days_left"),
            url=_opt_str(data, "url"),
        )
    raise _Garbled("type")


def decode_reading(text: str | bytes | None) -> Reading | None:
    """The reading stored as `text`, or None if there is none or it cannot be read back."""
    if text is None:
        return None
    try:
        return reading_from_json(json.loads(text))
    except Exception as err:  # anything garbled, including RecursionError on deep nesting
        log.debug("stored reading not readable (%s: %s)", type(err).__name__, err)
        return None


__all__ = ["FORMAT", "decode_reading", "encode_reading", "reading_from_json", "reading_to_json"]
