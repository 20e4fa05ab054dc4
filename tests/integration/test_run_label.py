"""The run label names the run the outcome belongs to, and a run in progress separately
(issue 12, point 10): read from a GitHub-shaped loopback server while run #563 runs over the
failed #562, the board must not say "latest run #563, 22 min ago"."""

from __future__ import annotations

from datetime import timedelta

from pytest_httpserver import HTTPServer

from app.domain.model import ItemKind, Observed
from app.sources.http import HttpClient
from app.store.codec import decode_reading, encode_reading
from app.ui.board.describe import pipeline_words
from tests.integration.test_github_actions import jobs_path, load, serve_jobs, serve_runs, source


def test_a_run_in_progress_is_named_apart_from_the_run_the_outcome_belongs_to(
    httpserver: HTTPServer,
) -> None:
    serve_runs(httpserver, load("runs_in_progress_over_failed.json"))
    serve_jobs(httpserver, 9122334563, load("jobs_run_563_in_progress.json"))
    serve_jobs(httpserver, 9122334562, load("jobs_run_562_failed.json"))
    http = HttpClient()
    try:
        reading = source(httpserver).fetch(http)
    finally:
        http.close()
    assert (reading.label, reading.completed_label) == ("#563", "#562")
    assert reading.completed_at is not None
    now = reading.completed_at + timedelta(minutes=22)

    for shown in (reading, decode_reading(encode_reading(reading))):  # also as the store keeps it
        item = Observed("pipeline:api", ItemKind.PIPELINE, "api", shown, read_at=now)
        words = pipeline_words(item, now).split(" · ")
        assert words[:3] == ["at security-scan", "run #562, 22 min ago", "run #563 in progress"]
    assert jobs_path(9122334562) in [req.path for req, _ in httpserver.log]
