"""From a board file to poll jobs: shared feeds are fetched once, options reach the sources."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

import pytest
from pytest_httpserver import HTTPServer

import app.services.sources
from app.config.loader import parse_board
from app.domain.model import EnvironmentReading, Health, Outcome, PipelineReading
from app.services.board_jobs import board_specs, build_jobs
from app.services.polling import FetchResult, PollJob, poll_once
from app.sources.http import HttpClient

FEED = b"""<?xml version="1.0" encoding="UTF-8"?>
<Projects>
  <Project name="web :: build" activity="Sleeping" lastBuildStatus="Success"
           lastBuildLabel="7" lastBuildTime="2026-11-26T08:00:00Z" webUrl="http://ci/web/build"/>
  <Project name="web :: deploy" activity="Sleeping" lastBuildStatus="Failure"
           lastBuildLabel="7" lastBuildTime="2026-11-26T08:05:00Z" webUrl="http://ci/web/deploy"/>
  <Project name="docs :: build" activity="Sleeping" lastBuildStatus="Success"
           lastBuildLabel="3" lastBuildTime="2026-11-26T07:00:00Z" webUrl="http://ci/docs"/>
</Projects>"""


def board(server: HTTPServer) -> str:
    feed = server.url_for("/cc.xml")
    return f"""
[board]
name = "Payments"

[[pipelines]]
name = "web"
source = "cctray"
url = "{feed}"
project_prefix = "web :: "

[[pipelines]]
name = "docs"
source = "cctray"
url = "{feed}"
project_prefix = "docs :: "
delivery_path = false

[[environments]]
name = "staging"
url = "{server.url_for("/health")}"
expected_status = [200, 204]
headers = {{ X-Team = "payments" }}
token_env = "STAGING_HEALTH_TOKEN"
"""


def test_pipelines_sharing_a_feed_fetch_it_once_and_options_reach_the_sources(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STAGING_HEALTH_TOKEN", "s3cret")
    httpserver.expect_request("/cc.xml").respond_with_data(FEED, content_type="application/xml")
    httpserver.expect_request(
        "/health", headers={"X-Team": "payments", "Authorization": "Bearer s3cret"}
    ).respond_with_data("", status=204)
    cfg = parse_board(board(httpserver), "board.toml")

    jobs = build_jobs(cfg)
    assert [s.key for s in board_specs(cfg)] == [
        "pipeline:web",
        "pipeline:docs",
        "environment:staging",
    ]
    assert len(jobs) == 2  # one feed job for both pipelines, one health job

    results: dict[str, FetchResult] = {}

    def record(job: PollJob, got: Mapping[str, FetchResult], at: datetime) -> None:
        results.update(got)

    poll_once(jobs, HttpClient(), record, clock=lambda: datetime.now(UTC))
    web, docs, staging = (
        results[k] for k in ("pipeline:web", "pipeline:docs", "environment:staging")
    )
    assert isinstance(web, PipelineReading) and web.outcome is Outcome.FAILED
    assert [s.name for s in web.stages] == ["build", "deploy"]
    assert isinstance(docs, PipelineReading) and docs.outcome is Outcome.PASSED
    assert isinstance(staging, EnvironmentReading) and staging.health is Health.UP
    assert sum(1 for r, _ in httpserver.log if r.path == "/cc.xml") == 1


def test_tokens_are_looked_up_on_the_worker_not_when_the_board_is_built(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from app.config.secrets import resolve_token

    calls: list[str] = []

    def spy(env: str | None, entry: str | None):  # type: ignore[no-untyped-def]
        calls.append(threading.current_thread().name)
        return resolve_token(env, entry)

    monkeypatch.setattr(app.services.sources, "resolve_token", spy)
    httpserver.expect_request("/cc.xml").respond_with_data(FEED, content_type="application/xml")
    httpserver.expect_request("/health").respond_with_data("", status=204)
    cfg = parse_board(board(httpserver), "board.toml")
    jobs = build_jobs(cfg)
    assert calls == []  # building the board touches no keyring
    poll_once(jobs, HttpClient(), lambda job, got, at: None)
    assert calls and threading.main_thread().name not in calls


def test_a_source_that_cannot_be_built_is_an_error_on_its_item() -> None:
    cfg = parse_board(
        '[board]\nname = "B"\n\n[[pipelines]]\nname = "app"\nsource = "jenkins"\n'
        'url = "http://127.0.0.1:1/manage/"\n',
        "board.toml",
    )
    results: dict[str, FetchResult] = {}
    poll_once(build_jobs(cfg), HttpClient(), lambda job, got, at: results.update(got))
    error = results["pipeline:app"]
    assert not isinstance(error, PipelineReading)
    assert "not set up right" in str(error)
