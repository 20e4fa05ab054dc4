"""Verdict rules of DESIGN.md: releasable only with fresh, passing, up delivery-path items."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from app.domain.model import (
    Blocker,
    BoardState,
    EnvironmentReading,
    Health,
    ItemKind,
    Observed,
    Outcome,
    PipelineReading,
    Priority,
    Stage,
    StageStatus,
    VerdictState,
)
from app.domain.verdict import decide

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def pipeline(
    name: str = "api",
    outcome: Outcome = Outcome.PASSED,
    *,
    age_s: float = 10,
    delivery_path: bool = True,
    running: bool = False,
    failed_stage: str | None = None,
    read: bool = True,
) -> Observed:
    reading = PipelineReading(
        stages=(Stage("build", StageStatus.PASSED),),
        outcome=outcome,
        completed_at=NOW - timedelta(minutes=12),
        failed_stage=failed_stage,
        running=running,
    )
    return Observed(
        key=f"pipeline:{name}",
        kind=ItemKind.PIPELINE,
        name=name,
        reading=reading if read else None,
        read_at=NOW - timedelta(seconds=age_s) if read else None,
        delivery_path=delivery_path,
        stale_after_s=300,
    )


def environment(
    name: str = "staging",
    health: Health = Health.UP,
    *,
    age_s: float = 10,
    delivery_path: bool = True,
    degraded_ok: bool = False,
) -> Observed:
    return Observed(
        key=f"environment:{name}",
        kind=ItemKind.ENVIRONMENT,
        name=name,
        reading=EnvironmentReading(health=health, latency_ms=40),
        read_at=NOW - timedelta(seconds=age_s),
        status_since=NOW - timedelta(minutes=3),
        delivery_path=delivery_path,
        stale_after_s=300,
        degraded_ok=degraded_ok,
    )


def blocker(priority: Priority = Priority.P1, title: str = "laptop broken") -> Blocker:
    return Blocker(
        key="rls-1",
        title=title,
        category="workstation-broken",
        priority=priority,
        opened_at=NOW - timedelta(minutes=5),
        reporter="Dana",
    )


def board(*items: Observed, blockers: tuple[Blocker, ...] = ()) -> BoardState:
    return BoardState(
        name="Payments",
        pipelines=tuple(i for i in items if i.kind is ItemKind.PIPELINE),
        environments=tuple(i for i in items if i.kind is ItemKind.ENVIRONMENT),
        blockers=blockers,
    )


def test_all_fresh_passed_and_up_is_releasable() -> None:
    verdict = decide(board(pipeline(), environment()), NOW)
    assert verdict.state is VerdictState.RELEASABLE
    assert verdict.reasons == ()


def test_failed_pipeline_names_the_stage_and_when() -> None:
    verdict = decide(
        board(pipeline(outcome=Outcome.FAILED, failed_stage="security-scan"), environment()), NOW
    )
    assert verdict.state is VerdictState.NOT_RELEASABLE
    assert verdict.reasons[0].text == "pipeline 'api' failed at stage 'security-scan' 12 min ago"


def test_down_environment_says_for_how_long() -> None:
    verdict = decide(board(pipeline(), environment(health=Health.DOWN)), NOW)
    assert verdict.state is VerdictState.NOT_RELEASABLE
    assert "environment 'staging' down for 3 min" in verdict.reasons[0].text


def test_degraded_blocks_unless_configured_ok() -> None:
    assert decide(board(environment(health=Health.DEGRADED)), NOW).state is (
        VerdictState.NOT_RELEASABLE
    )
    ok = environment(health=Health.DEGRADED, degraded_ok=True)
    assert decide(board(ok), NOW).state is VerdictState.RELEASABLE


def test_stale_item_makes_unknown_never_green() -> None:
    verdict = decide(board(pipeline(age_s=301), environment()), NOW)
    assert verdict.state is VerdictState.UNKNOWN
    assert "no fresh data (last read 5 min ago)" in verdict.reasons[0].text


def test_staleness_is_time_since_read_not_build_age() -> None:
    # The completed run is 12 minutes old but was read 10 seconds ago: fresh.
    assert decide(board(pipeline(age_s=10)), NOW).state is VerdictState.RELEASABLE


def test_never_read_item_is_unknown() -> None:
    assert decide(board(pipeline(read=False)), NOW).state is VerdictState.UNKNOWN


def test_unknown_outcome_is_unknown() -> None:
    assert decide(board(pipeline(outcome=Outcome.UNKNOWN)), NOW).state is VerdictState.UNKNOWN


def test_known_failure_outranks_unknown() -> None:
    verdict = decide(board(pipeline(outcome=Outcome.FAILED), environment(age_s=900)), NOW)
    assert verdict.state is VerdictState.NOT_RELEASABLE
    assert [r.state for r in verdict.reasons] == [
        VerdictState.NOT_RELEASABLE,
        VerdictState.UNKNOWN,
    ]


def test_run_in_progress_keeps_last_completed_result() -> None:
    assert decide(board(pipeline(running=True)), NOW).state is VerdictState.RELEASABLE
    failed = pipeline(outcome=Outcome.FAILED, running=True)
    assert decide(board(failed), NOW).state is VerdictState.NOT_RELEASABLE


def test_items_off_the_delivery_path_do_not_count() -> None:
    docs = pipeline("docs", Outcome.FAILED, delivery_path=False)
    assert decide(board(pipeline(), docs), NOW).state is VerdictState.RELEASABLE


def test_open_p1_blocker_blocks_and_p2_does_not() -> None:
    verdict = decide(board(pipeline(), blockers=(blocker(),)), NOW)
    assert verdict.state is VerdictState.NOT_RELEASABLE
    assert verdict.reasons[0].text == "P1 blocker 'laptop broken' (Dana) open for 5 min"
    p2 = blocker(Priority.P2)
    assert decide(board(pipeline(), blockers=(p2,)), NOW).state is VerdictState.RELEASABLE


def test_empty_board_is_unknown() -> None:
    assert decide(board(), NOW).state is VerdictState.UNKNOWN


# --- properties -------------------------------------------------------------------------

outcomes = st.sampled_from(list(Outcome))
healths = st.sampled_from(list(Health))
ages = st.floats(min_value=0, max_value=1000)


@st.composite
def boards(draw: st.DrawFn) -> BoardState:
    pipes = [
        pipeline(f"p{i}", draw(outcomes), age_s=draw(ages), delivery_path=draw(st.booleans()))
        for i in range(draw(st.integers(0, 4)))
    ]
    envs = [
        environment(
            f"e{i}",
            draw(healths),
            age_s=draw(ages),
            delivery_path=draw(st.booleans()),
            degraded_ok=draw(st.booleans()),
        )
        for i in range(draw(st.integers(0, 4)))
    ]
    blockers = tuple(
        blocker(draw(st.sampled_from(list(Priority)))) for _ in range(draw(st.integers(0, 2)))
    )
    return board(*pipes, *envs, blockers=blockers)


RANK = {VerdictState.RELEASABLE: 0, VerdictState.UNKNOWN: 1, VerdictState.NOT_RELEASABLE: 2}


@given(boards(), st.booleans())
def test_adding_a_failure_never_makes_a_board_releasable(b: BoardState, env: bool) -> None:
    before = decide(b, NOW).state
    extra = environment("new", Health.DOWN) if env else pipeline("new", Outcome.FAILED)
    after = decide(board(*b.pipelines, *b.environments, extra, blockers=b.blockers), NOW).state
    assert after is VerdictState.NOT_RELEASABLE
    assert RANK[after] >= RANK[before]


@given(boards())
def test_adding_a_stale_item_never_makes_it_greener(b: BoardState) -> None:
    before = decide(b, NOW).state
    stale = pipeline("stale", Outcome.PASSED, age_s=10_000)
    after = decide(board(*b.pipelines, *b.environments, stale, blockers=b.blockers), NOW).state
    assert after is not VerdictState.RELEASABLE
    assert RANK[after] >= RANK[before]


@given(boards())
def test_releasable_implies_every_delivery_item_fresh_and_good(b: BoardState) -> None:
    verdict = decide(b, NOW)
    if verdict.state is VerdictState.RELEASABLE:
        for item in (*b.pipelines, *b.environments):
            if item.delivery_path:
                assert not item.is_stale(NOW)
                assert item.status_word in ("passed", "up") or (
                    item.status_word == "degraded" and item.degraded_ok
                )
        assert not any(x.priority is Priority.P1 for x in b.blockers)
    else:
        assert verdict.reasons


@given(boards())
def test_verdict_follows_its_reasons(b: BoardState) -> None:
    verdict = decide(b, NOW)
    states = {r.state for r in verdict.reasons}
    if VerdictState.NOT_RELEASABLE in states:
        assert verdict.state is VerdictState.NOT_RELEASABLE
    elif states:
        assert verdict.state is VerdictState.UNKNOWN
