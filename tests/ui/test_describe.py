"""Plain words for the board, the live re-judged verdict, and report pre-fills (no widgets)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from app.demo.sample import sample_board, sample_snapshot
from app.domain.model import EnvironmentReading, Health, PipelineReading, Verdict, VerdictState
from app.ui.board.describe import (
    effective_verdict,
    environment_words,
    matches,
    pipeline_words,
    reason_lines,
    severity,
    stale_words,
    verdict_since_words,
)
from app.ui.board.report_context import environment_context, pipeline_context, stage_context
from tests.ui.board_helpers import T0


def test_snapshot_verdict_is_kept_while_nothing_went_stale() -> None:
    snapshot = sample_snapshot(T0, "green")
    assert effective_verdict(snapshot, T0 + timedelta(seconds=30)) is snapshot.verdict


def test_green_turns_unknown_from_the_moment_data_went_stale() -> None:
    snapshot = sample_snapshot(T0, "green")
    later = T0 + timedelta(minutes=6)
    verdict = effective_verdict(snapshot, later)
    assert verdict.state is VerdictState.UNKNOWN
    board = snapshot.board
    first_stale = min(
        i.read_at + timedelta(seconds=i.stale_after_s)
        for i in (*board.pipelines, *board.environments)
        if i.delivery_path and i.read_at is not None
    )
    assert verdict.since == first_stale


def test_a_known_failure_stays_not_releasable_as_data_ages() -> None:
    snapshot = sample_snapshot(T0, "failing")
    verdict = effective_verdict(snapshot, T0 + timedelta(hours=2))
    assert verdict is snapshot.verdict
    assert verdict.state is VerdictState.NOT_RELEASABLE


def test_reason_lines_cap_and_count() -> None:
    verdict = sample_snapshot(T0).verdict
    assert len(verdict.reasons) == 3
    assert reason_lines(verdict, 3) == [r.text for r in verdict.reasons]
    assert reason_lines(verdict, 2) == [verdict.reasons[0].text, "and 2 more"]


def test_severity_orders_failed_unknown_then_good() -> None:
    api, web, mobile = sample_board(T0).pipelines
    assert [severity(p, T0) for p in (api, mobile, web)] == sorted(
        severity(p, T0) for p in (api, mobile, web)
    )
    assert severity(api, T0) < severity(mobile, T0) < severity(web, T0)


def test_words_for_runs_and_staleness() -> None:
    api, _, mobile = sample_board(T0).pipelines
    assert pipeline_words(api, T0) == "at security-scan · latest run #123, 12 min ago"
    assert stale_words(mobile, T0) == "stale: last read 7 min ago"
    assert stale_words(api, T0) is None
    assert stale_words(replace(api, read_at=None), T0) == "not read yet"


def test_a_state_that_has_just_begun_says_just_now_not_for_0_s() -> None:
    """As the verdict's reasons and the fleet say it (app/domain/words.py `lasted_words`)."""
    staging = next(e for e in sample_board(T0).environments if e.status_since is not None)
    assert isinstance(staging.reading, EnvironmentReading)
    health = staging.reading.health.value
    since = staging.status_since
    assert since is not None
    assert environment_words(staging, since).startswith(f"{health} just now")
    later = since + timedelta(minutes=12)
    assert environment_words(staging, later).startswith(f"{health} for 12 min")
    verdict = Verdict(VerdictState.NOT_RELEASABLE, since=since)
    assert verdict_since_words(verdict, since) == "just now"
    assert verdict_since_words(verdict, later) == "for 12 min"


def test_filter_matches_any_name_case_insensitively() -> None:
    assert matches("", "api")
    assert matches("  SCAN ", "api", "security-scan")
    assert not matches("web", "api", "build")


def test_a_stage_prefill_says_what_failed_and_never_names_a_cause() -> None:
    api = sample_board(T0).pipelines[0]
    assert isinstance(api.reading, PipelineReading)
    build, _, scan, *_ = api.reading.stages
    assert scan.name == "security-scan"
    # A failing scanner may have found a real vulnerability: no "false positive" pre-filled.
    for stage in (scan, build):
        context = stage_context("B", api, stage, T0)
        assert "category" not in context
        assert context["stage"] == stage.name
    assert "category" not in pipeline_context("B", api, T0)


def test_an_environment_prefill_never_names_a_cause() -> None:
    staging, production = sample_board(T0).environments[1:3]
    assert isinstance(production.reading, EnvironmentReading)
    down = replace(production, reading=replace(production.reading, health=Health.DOWN))
    for item in (down, staging):
        context = environment_context("B", item, T0)
        assert "category" not in context
        assert context["evidence"].startswith(f"environment '{item.name}'")
