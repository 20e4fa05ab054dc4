"""The reading codec: lossless round trips, and garbage that decodes to None without raising."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.model import (
    EnvironmentReading,
    Health,
    Outcome,
    PipelineReading,
    Stage,
    StageStatus,
)
from app.store.codec import decode_reading, encode_reading, reading_to_json

offsets = st.builds(
    timezone,
    st.integers(min_value=-23 * 60 - 59, max_value=23 * 60 + 59).map(
        lambda m: timedelta(minutes=m)
    ),
)
aware_times = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1), timezones=offsets
)
texts = st.text(max_size=30)
opt_texts = st.none() | texts
numbers = st.none() | st.floats(allow_nan=False) | st.integers(-(2**62), 2**62)
opt_ints = st.none() | st.integers(-(2**62), 2**62)

stages = st.builds(
    Stage,
    name=texts,
    status=st.sampled_from(StageStatus),
    started_at=st.none() | aware_times,
    duration_s=numbers,
    url=opt_texts,
    label=opt_texts,
    note=texts,
    finished_at=st.none() | aware_times,
)
pipelines = st.builds(
    PipelineReading,
    stages=st.lists(stages, max_size=6).map(tuple),
    outcome=st.sampled_from(Outcome),
    completed_at=st.none() | aware_times,
    failed_stage=opt_texts,
    running=st.booleans(),
    url=opt_texts,
    label=opt_texts,
    detail=texts,
)
environments = st.builds(
    EnvironmentReading,
    health=st.sampled_from(Health),
    latency_ms=numbers,
    http_status=opt_ints,
    detail=texts,
    tls_days_left=opt_ints,
    url=opt_texts,
)


@given(pipelines | environments)
def test_every_reading_round_trips_exactly(reading: PipelineReading | EnvironmentReading) -> None:
    decoded = decode_reading(encode_reading(reading))
    assert decoded == reading
    assert type(decoded) is type(reading)


@given(aware_times)
def test_datetimes_keep_their_instant_and_offset(at: datetime) -> None:
    reading = PipelineReading(stages=(), outcome=Outcome.PASSED, completed_at=at)
    decoded = decode_reading(encode_reading(reading))
    assert isinstance(decoded, PipelineReading)
    assert decoded.completed_at == at
    assert decoded.completed_at is not None and decoded.completed_at.utcoffset() == at.utcoffset()


def test_enums_are_stored_as_their_values() -> None:
    reading = PipelineReading(stages=(Stage("build", StageStatus.WARNING),), outcome=Outcome.FAILED)
    data = json.loads(encode_reading(reading))
    assert data["outcome"] == "failed"
    assert data["stages"][0]["status"] == "warning"


@pytest.mark.parametrize(
    "model, sample",
    [
        (Stage, Stage("s", StageStatus.PASSED)),
        (EnvironmentReading, EnvironmentReading(Health.UP)),
    ],
)
def test_every_model_field_is_encoded(model: type, sample: object) -> None:
    """A field added to the model must be added to the codec too (or this fails)."""
    if model is Stage:
        data = reading_to_json(PipelineReading(stages=(sample,), outcome=Outcome.PASSED))  # type: ignore[arg-type]
        encoded = set(data["stages"][0])
    else:
        encoded = set(reading_to_json(sample))  # type: ignore[arg-type]
    assert {f.name for f in dataclasses.fields(model)} <= encoded


def test_every_pipeline_field_is_encoded() -> None:
    data = reading_to_json(PipelineReading(stages=(), outcome=Outcome.PASSED))
    assert {f.name for f in dataclasses.fields(PipelineReading)} <= set(data)


def test_missing_optional_fields_take_the_model_defaults() -> None:
    old = '{"format":1,"type":"environment","health":"down"}'
    assert decode_reading(old) == EnvironmentReading(health=Health.DOWN)


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "null",
        "[]",
        "42",
        "{",
        "not json at all",
        b"\xff\xfe\x00garbage",
        '{"format":1}',
        '{"format":1,"type":"pipeline"}',
        '{"format":1,"type":"pipeline","outcome":"exploded","stages":[]}',
        '{"format":1,"type":"pipeline","outcome":"passed","stages":[{"name":"x"}]}',
        '{"format":1,"type":"pipeline","outcome":"passed","stages":[1]}',
        '{"format":1,"type":"pipeline","outcome":"passed","stages":[],"running":"yes"}',
        '{"format":1,"type":"pipeline","outcome":"passed","stages":[],"completed_at":"soon"}',
        '{"format":1,"type":"pipeline","outcome":"passed","stages":{}}',
        '{"format":1,"type":"environment","health":"up","http_status":"200"}',
        '{"format":1,"type":"environment","health":"up","http_status":true}',
        '{"format":1,"type":"environment","health":"up","latency_ms":[1]}',
        '{"format":1,"type":"environment","health":"up","detail":null}',
        '{"format":99,"type":"environment","health":"up"}',
        '{"format":true,"type":"environment","health":"up"}',
        '{"type":"environment","health":"up"}',
        '{"format":1,"type":"spaceship","health":"up"}',
        "[" * 100_000,
    ],
)
def test_garbled_json_decodes_to_none(text: str | bytes | None) -> None:
    assert decode_reading(text) is None


@given(st.text(max_size=200) | st.binary(max_size=200))
def test_decoding_never_raises(text: str | bytes) -> None:
    result = decode_reading(text)
    assert result is None or isinstance(result, PipelineReading | EnvironmentReading)


@given(pipelines)
def test_decoding_truncated_json_never_raises(reading: PipelineReading) -> None:
    encoded = encode_reading(reading)
    assert decode_reading(encoded[: len(encoded) // 2]) is None


def test_utc_times_round_trip() -> None:
    at = datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)
    reading = EnvironmentReading(Health.DEGRADED, latency_ms=12.5, http_status=200)
    stage_reading = PipelineReading(
        stages=(Stage("deploy", StageStatus.RUNNING, started_at=at, duration_s=3.25),),
        outcome=Outcome.UNKNOWN,
        running=True,
    )
    assert decode_reading(encode_reading(reading)) == reading
    assert decode_reading(encode_reading(stage_reading)) == stage_reading
