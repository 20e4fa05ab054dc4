"""Example board snapshots for screenshots, tests and design reviews (no I/O).

`sample_snapshot(now, variant)` gives a realistic small board: three pipelines of four to six
stages, four environments, two open blockers; the default variant has one failed gate and one
stale item. `many_snapshot(now, n)` gives a board of `n` items for kiosk fitting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from app.domain.model import (
    Blocker,
    BoardSnapshot,
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
    item_key,
)
from app.domain.verdict import decide

VARIANTS = ("failing", "green", "unknown", "hostile")
HOSTILE_NAME = "<b>x</b><img src=http://example.invalid/x.png>"

P = StageStatus.PASSED


def _ago(now: datetime, **kw: float) -> datetime:
    return now - timedelta(**kw)


def _stage(
    now: datetime,
    name: str,
    status: StageStatus,
    start_min: float,
    took_s: float | None,
    run: str,
) -> Stage:
    return Stage(
        name=name,
        status=status,
        started_at=_ago(now, minutes=start_min),
        duration_s=took_s,
        url=f"https://ci.example.com/{run}/{name}",
        label=run.rsplit("/", 1)[-1],
        note="allowed to fail" if status is StageStatus.WARNING else "",
    )


def _pipeline(
    now: datetime,
    name: str,
    stages: Sequence[tuple[str, StageStatus, float, float | None]],
    outcome: Outcome,
    label: str,
    **kw: object,
) -> Observed:
    run = f"{name}/runs/{label}"
    reading = PipelineReading(
        stages=tuple(_stage(now, n, s, start, took, run) for n, s, start, took in stages),
        outcome=outcome,
        completed_at=kw.pop("completed_at", _ago(now, minutes=12)),  # type: ignore[arg-type]
        failed_stage=kw.pop("failed_stage", None),  # type: ignore[arg-type]
        running=bool(kw.pop("running", False)),
        url=f"https://ci.example.com/{run}",
        label=label,
    )
    return Observed(
        key=item_key(ItemKind.PIPELINE, name),
        kind=ItemKind.PIPELINE,
        name=name,
        reading=reading,
        read_at=kw.pop("read_at", _ago(now, seconds=20)),  # type: ignore[arg-type]
        status_since=_ago(now, minutes=12),
        **kw,  # type: ignore[arg-type]
    )


def _environment(
    now: datetime, name: str, health: Health, latency: float | None, **kw: object
) -> Observed:
    reading = EnvironmentReading(
        health=health,
        latency_ms=latency,
        http_status=kw.pop("http_status", 200),  # type: ignore[arg-type]
        detail=str(kw.pop("detail", "")),
        url=f"https://{name}.example.com/actuator/health",
    )
    return Observed(
        key=item_key(ItemKind.ENVIRONMENT, name),
        kind=ItemKind.ENVIRONMENT,
        name=name,
        reading=reading,
        read_at=kw.pop("read_at", _ago(now, seconds=15)),  # type: ignore[arg-type]
        status_since=kw.pop("status_since", _ago(now, hours=5, minutes=20)),  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )


def sample_board(now: datetime, variant: str = "failing") -> BoardState:
    if variant not in VARIANTS:
        raise ValueError(f"unknown sample variant {variant!r}; choose from {VARIANTS}")
    failing = variant in ("failing", "hostile")
    scan = StageStatus.FAILED if failing else P
    after_scan = StageStatus.SKIPPED if failing else P
    api = _pipeline(
        now,
        "api",
        [
            ("build", P, 20, 134),
            ("unit-tests", P, 18, 312),
            (HOSTILE_NAME if variant == "hostile" else "security-scan", scan, 13, 61),
            ("deploy-staging", after_scan, 12, None if failing else 95),
            ("deploy-prod", after_scan, 12, None if failing else 80),
        ],
        Outcome.FAILED if failing else Outcome.PASSED,
        "123",
        failed_stage=(HOSTILE_NAME if variant == "hostile" else "security-scan")
        if failing
        else None,
    )
    web = _pipeline(
        now,
        "web",
        [
            ("build", P, 6, 88),
            ("test", P, 4.5, 150),
            ("e2e", StageStatus.RUNNING, 2, None),
            ("deploy-staging", StageStatus.QUEUED, 0, None),
            ("deploy-prod", StageStatus.QUEUED, 0, None),
        ],
        Outcome.PASSED,
        "88",
        running=True,
        completed_at=_ago(now, minutes=47),
    )
    stale = variant in ("failing", "unknown", "hostile")
    mobile = _pipeline(
        now,
        "mobile",
        [
            ("build", P, 70, 420),
            ("test", P, 63, 610),
            ("lint", StageStatus.WARNING, 63, 45),
            ("package", P, 52, 200),
            ("publish", P, 49, 65),
            ("store-review", StageStatus.CANCELED, 47, 3),
        ],
        Outcome.PASSED,
        "4412",
        completed_at=_ago(now, minutes=45),
        read_at=_ago(now, minutes=7) if stale else _ago(now, seconds=40),
        error="connection to gitlab.example.com timed out after 10 s" if stale else None,
        error_at=_ago(now, seconds=30) if stale else None,
    )
    environments = (
        _environment(now, "test", Health.UP, 42),
        _environment(
            now,
            "staging",
            Health.DEGRADED,
            870,
            detail="health+json status warn",
            degraded_ok=True,
            status_since=_ago(now, minutes=26),
        ),
        _environment(now, "production", Health.UP, 118),
        _environment(
            now,
            "auth-service",
            Health.UP,
            64,
            delivery_path=False,
        ),
    )
    blockers = (
        Blocker(
            key="rls-1",
            title="Scanner flags CVE-2021-44228 in a test-only jar (false positive)",
            category="security-false-positive",
            priority=Priority.P1 if failing else Priority.P2,
            opened_at=_ago(now, minutes=11),
            reporter="Dana",
            url="https://tracker.example.com/platform/issues/431",
        ),
        Blocker(
            key="rls-2",
            title="Flaky login test in e2e",
            category="ci-instability",
            priority=Priority.P3,
            opened_at=_ago(now, days=2, hours=3),
            reporter="Sam",
            url="https://tracker.example.com/platform/issues/417",
        ),
    )
    return BoardState("Payments team", (api, web, mobile), environments, blockers)


def snapshot_of(board: BoardState, now: datetime, since_min: float = 12) -> BoardSnapshot:
    verdict = replace(decide(board, now), since=_ago(now, minutes=since_min))
    return BoardSnapshot(board=board, verdict=verdict, taken_at=now)


def sample_snapshot(now: datetime, variant: str = "failing") -> BoardSnapshot:
    """A small realistic board; `variant` is one of VARIANTS."""
    board = sample_board(now, variant)
    errors: tuple[str, ...] = ()
    if variant in ("failing", "hostile"):
        errors = ("cctray feed https://ci.example.com/cc.xml answered 502 Bad Gateway",)
    return replace(snapshot_of(board, now), source_errors=errors)


def many_snapshot(now: datetime, n_items: int, stages: int = 5) -> BoardSnapshot:
    """A board of `n_items` items (about two pipelines for every environment)."""
    n_env = n_items // 3
    statuses = [P, P, P, StageStatus.FAILED, StageStatus.RUNNING]
    pipelines = []
    for i in range(n_items - n_env):
        failed = i % 7 == 3
        spec = [
            (f"stage-{s}", statuses[3] if failed and s == 2 else P, 10 - s, 60.0 + s)
            for s in range(stages)
        ]
        pipelines.append(
            _pipeline(
                now,
                f"service-{i:03d}",
                spec,
                Outcome.FAILED if failed else Outcome.PASSED,
                str(100 + i),
                failed_stage="stage-2" if failed else None,
                read_at=_ago(now, minutes=9) if i % 11 == 5 else _ago(now, seconds=10),
            )
        )
    healths = [Health.UP, Health.UP, Health.UP, Health.DEGRADED, Health.DOWN]
    environments = [
        _environment(now, f"env-{i:03d}", healths[i % len(healths)], 30.0 + i) for i in range(n_env)
    ]
    board = BoardState(f"{n_items} items", tuple(pipelines), tuple(environments))
    return snapshot_of(board, now)
