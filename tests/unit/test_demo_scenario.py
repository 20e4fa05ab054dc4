"""The demo's timeline as data: what it shows at each moment, and that it loops."""

from __future__ import annotations

import pytest

from app.demo.plans import LOOP_S, env_at, runs_at
from app.demo.scenario import API, MOBILE, WEB, state_at
from app.demo.scenario import ENVIRONMENTS as ENVS


def _latest_done(pipeline: str, t: float) -> str | None:
    done = [r for r in state_at(t).runs[pipeline] if r.progress == "done"]
    return done[0].result if done else None


def _env(name: str, t: float) -> str:
    return state_at(t).environments[name].state


# (moment, what the latest *completed* runs concluded, environment states)
TIMELINE = [
    (3, {"api": "success", "web": "success", "mobile": "success"}, {"staging": "up"}),
    (50, {"api": "success"}, {"staging": "up"}),  # a run in progress changes nothing
    (70, {"api": "failure"}, {"staging": "up"}),
    (100, {"api": "failure"}, {"staging": "down"}),
    (107, {"api": "failure"}, {"staging": "up"}),  # staging flaps
    (121, {"api": "success"}, {"staging": "down"}),
    (160, {"api": "success", "web": "success"}, {"staging": "up", "production": "up"}),
    (205, {}, {"production": "warn"}),
    (240, {"mobile": "success", "docs": "failure"}, {"production": "up"}),
    (299, {"api": "success", "web": "success", "docs": "success"}, {"staging": "up"}),
]


@pytest.mark.parametrize(("t", "runs", "envs"), TIMELINE)
def test_the_day_unfolds_as_documented(
    t: float, runs: dict[str, str], envs: dict[str, str]
) -> None:
    assert {p: _latest_done(p, t) for p in runs} == runs
    assert {e: _env(e, t) for e in envs} == envs


@pytest.mark.parametrize(("t", "runs", "envs"), TIMELINE)
def test_every_loop_replays_the_same_day(
    t: float, runs: dict[str, str], envs: dict[str, str]
) -> None:
    for loop in (1, 7):
        later = t + loop * LOOP_S
        assert {p: _latest_done(p, later) for p in runs} == runs
        assert {e: _env(e, later) for e in envs} == envs


def test_state_at_is_pure_and_everything_has_data_from_the_start() -> None:
    assert state_at(70) == state_at(70)
    start = state_at(0)
    assert all(start.runs[p] for p in ("api", "web", "mobile", "docs"))
    assert set(start.environments) == {e.name for e in ENVS}


def test_run_numbers_keep_growing_and_old_loops_are_dropped() -> None:
    first = runs_at(API, 130)
    much_later = runs_at(API, 130 + 50 * LOOP_S)
    assert much_later[0].number == first[0].number + 100
    assert len(much_later) <= len(API.history) + 3 * len(API.loop)


def test_a_rerun_replaces_the_failed_attempt() -> None:
    failed = runs_at(WEB, 171)[0]
    assert [(j.name, j.attempt, j.result) for j in failed.latest_jobs() if j.name == "e2e"] == [
        ("e2e", 1, "failure")
    ]
    run = runs_at(WEB, 183)[0]
    e2e = [j for j in run.latest_jobs() if j.name == "e2e"]
    assert [(j.attempt, j.result) for j in e2e] == [(2, "success")]


def test_an_allowed_failure_does_not_fail_the_run() -> None:
    run = runs_at(MOBILE, 240)[0]
    lint = next(j for j in run.jobs if j.name == "lint")
    assert (lint.result, lint.allow_failure, run.result) == ("failure", True, "success")


def test_an_environment_knows_since_when_it_is_in_its_state() -> None:
    staging = next(e for e in ENVS if e.name == "staging")
    assert env_at(staging, 100).since == 90
    assert env_at(staging, 160).since == 150
    assert env_at(staging, LOOP_S + 100).since == LOOP_S + 90
