"""The demo's compressed day of delivery, as pure data, and what it looks like at any moment.

The scenario is a timeline of pipeline runs (their jobs with start and end offsets and a
result), environment health windows and tracker issues filed by teammates, written with the
plans of `app.demo.plans`. It loops every `LOOP_S` seconds of *scenario time*; the servers turn
`state_at(t)` (or one pipeline's `runs_at`) into vendor-shaped answers.
Nothing here knows about HTTP, wall clocks or vendors: times are scenario seconds since the demo
started (negative for runs that finished before it), and results use one neutral vocabulary
(`success`, `failure`, `skipped`) that each fake vendor translates into its own.

The day (seconds into each loop):

    0-45    everything green (the first screenshot, `--after 3`, shows RELEASABLE)
    20-38   a mobile pipeline runs; its allowed-to-fail lint passes this time
    45      an api run starts; the verdict does not change while it runs
    60      api security-scan fails (a scanner false positive): NOT RELEASABLE
    90-150  staging goes DOWN and flaps (up again 104-110)
    92-120  a fresh api run passes
    125-133 the docs site fails its link check (docs is off the delivery path)
    150     staging is back: RELEASABLE
    162-190 a web run: e2e fails at 170, passes on a rerun at 182, deploys by 190
    200-215 production reports `warn` (degraded)
    205-225 a mobile pipeline whose lint fails (allowed to fail: a warning)
    230-275 Dana's laptop won't boot: a P1 issue is open on the platform tracker
    245-257 the docs site is fixed
    300     the day starts again
"""

from __future__ import annotations

from app.demo.plans import (
    LOOP_S,
    DemoState,
    EnvPlan,
    IssuePlan,
    JobPlan,
    PipelinePlan,
    Result,
    RunPlan,
    env_at,
    issues_at,
    runs_at,
)


def _steps(*spec: tuple[str, float, Result]) -> tuple[JobPlan, ...]:
    """Jobs that run one after another: (name, duration, result)."""
    jobs, t = [], 0.0
    for name, seconds, result in spec:
        jobs.append(JobPlan(name, t, t + seconds, result))
        t += seconds
    return tuple(jobs)


def _skipped_after(jobs: tuple[JobPlan, ...], *names: str) -> tuple[JobPlan, ...]:
    """Jobs that never ran because an earlier one failed: skipped when the run ends."""
    end = max(job.end for job in jobs)
    return jobs + tuple(JobPlan(name, end, end, "skipped") for name in names)


def _mobile(*, lint: Result, scale: float) -> tuple[JobPlan, ...]:
    """The mobile pipeline's jobs, in creation order (GitLab creates all of them at once)."""
    s = scale
    return (
        JobPlan("build-android", 0, 4 * s, stage="build"),
        JobPlan("build-ios", 0, 5 * s, stage="build"),
        JobPlan("unit-android", 5 * s, 9 * s, stage="test"),
        JobPlan("unit-ios", 5 * s, 10 * s, stage="test"),
        JobPlan("lint", 10 * s, 12 * s, lint, stage="lint", allow_failure=True),
        JobPlan("package", 12 * s, 15 * s, stage="package"),
        JobPlan("deploy-internal", 15 * s, 18 * s, stage="deploy"),
    )


API_STAGES = ("build", "unit-tests", "security-scan", "deploy-staging", "deploy-prod")

API = PipelinePlan(
    name="api",
    first_number=1841,
    history=(
        RunPlan(
            -1800,
            "Retry card refunds with idempotency keys",
            _steps(
                ("build", 95, "success"),
                ("unit-tests", 165, "success"),
                ("security-scan", 70, "success"),
                ("deploy-staging", 90, "success"),
                ("deploy-prod", 90, "success"),
            ),
            actor="dana-kowalski",
        ),
    ),
    loop=(
        RunPlan(
            45,
            "Bump jackson-databind to 2.17.1",
            _skipped_after(
                _steps(("build", 4, "success"), ("unit-tests", 5, "success"))
                + (JobPlan("security-scan", 9, 15, "failure"),),
                "deploy-staging",
                "deploy-prod",
            ),
        ),
        RunPlan(
            92,
            "Mark scanner finding on jackson-databind as a false positive",
            _steps(
                ("build", 4, "success"),
                ("unit-tests", 5, "success"),
                ("security-scan", 4, "success"),
                ("deploy-staging", 4, "success"),
                ("deploy-prod", 11, "success"),
            ),
            actor="priya-raman",
        ),
    ),
)

MOBILE = PipelinePlan(
    name="mobile",
    first_number=872,
    history=(RunPlan(-2400, "Show saved cards first", _mobile(lint="failure", scale=20)),),
    loop=(
        RunPlan(20, "Fix crash on empty wallet", _mobile(lint="success", scale=1), "lee-chen"),
        RunPlan(205, "Translate checkout to Polish", _mobile(lint="failure", scale=1.1)),
    ),
)

WEB = PipelinePlan(
    name="web",
    first_number=214,
    history=(
        RunPlan(
            -1500,
            "Checkout: show fees before paying",
            _steps(
                ("build", 60, "success"),
                ("test", 120, "success"),
                ("e2e", 240, "success"),
                ("deploy-staging", 60, "success"),
                ("deploy-prod", 60, "success"),
            ),
        ),
    ),
    loop=(
        RunPlan(
            162,
            "Checkout: remember the last payment method",
            (
                JobPlan("build", 0, 3),
                JobPlan("test", 3, 6),
                JobPlan("e2e", 6, 8, "failure"),
                JobPlan("e2e", 14, 20, attempt=2),  # rerun: the flaky test passes
                JobPlan("deploy-staging", 20, 24),
                JobPlan("deploy-prod", 24, 28),
            ),
            actor="lee-chen",
        ),
    ),
)

DOCS = PipelinePlan(
    name="docs",
    first_number=530,
    history=(
        RunPlan(
            -3000,
            "Document refund limits",
            _steps(
                ("build", 40, "success"), ("link-check", 30, "success"), ("publish", 20, "success")
            ),
        ),
    ),
    loop=(
        RunPlan(
            125,
            "Move API reference to the new portal",
            _skipped_after(
                _steps(("build", 4, "success"), ("link-check", 4, "failure")), "publish"
            ),
        ),
        RunPlan(
            245,
            "Fix links to the API reference",
            _steps(
                ("build", 4, "success"), ("link-check", 4, "success"), ("publish", 4, "success")
            ),
        ),
    ),
)

# Other teams' projects in the same cctray feed: none of them may end up on this board.
OTHER_FEED_PIPELINES = (
    PipelinePlan(
        "webhooks",  # starts with "web" but not with "web :: "
        first_number=77,
        history=(
            RunPlan(
                -900,
                "Sign webhook payloads",
                _steps(
                    ("build", 30, "success"), ("test", 50, "success"), ("deploy", 20, "success")
                ),
            ),
        ),
        loop=(
            RunPlan(
                30,
                "Retry failed deliveries",
                _steps(
                    ("build", 20, "success"), ("test", 25, "success"), ("deploy", 10, "success")
                ),
            ),
        ),
    ),
    PipelinePlan(
        "web-legacy",
        first_number=1203,
        history=(RunPlan(-7200, "Remove IE11 polyfills", _steps(("build", 60, "failure"))),),
    ),
    PipelinePlan(
        "search",
        first_number=3310,
        history=(
            RunPlan(
                -4000,
                "Reindex merchants",
                _steps(("build", 60, "success"), ("deploy-prod", 60, "failure")),
            ),
        ),
    ),
)

FEED_PIPELINES = (WEB, DOCS, *OTHER_FEED_PIPELINES)

ENVIRONMENTS = (
    EnvPlan("test", "livez", "/test/livez"),
    EnvPlan(
        "staging",
        "actuator",
        "/staging/actuator/health",
        windows=((90, 104, "down"), (110, 150, "down")),
    ),
    EnvPlan("production", "health+json", "/production/health", windows=((200, 215, "warn"),)),
    EnvPlan("auth-service", "actuator", "/auth-service/actuator/health"),
)

ISSUES_HISTORY = (
    IssuePlan(
        -86400 * 6,
        -86400 * 6 + 5400,
        "Staging TLS certificate expired",
        "Deploys to staging fail the TLS check.",
        "priya-raman",
        ("delivery-blocker", "P1", "environment-instability"),
    ),
    IssuePlan(
        -86400 * 3,
        -86400 * 3 + 2700,
        "GitHub runners stuck in queue",
        "Every job waits 20+ minutes for a runner.",
        "lee-chen",
        ("delivery-blocker", "P1", "ci-instability"),
    ),
    IssuePlan(
        -86400,
        -86400 + 1800,
        "Dependency proxy returns 502 for npm",
        "Builds of web fail to install packages.",
        "sam-okafor",
        ("delivery-blocker", "P1", "ci-instability"),
    ),
)

ISSUES_LOOP = (
    IssuePlan(
        230,
        275,
        "Laptop won't boot after the OS update: cannot deploy to production",
        "Dana is on call for the payments release and her laptop does not boot since this "
        "morning's OS update. No other machine has the deploy credentials.\n\n"
        "**Category:** workstation-broken\n**Priority:** P1 (prevents production delivery)",
        "dana-kowalski",
        ("delivery-blocker", "P1", "workstation-broken"),
    ),
)


CI_PIPELINES = (API, MOBILE)


def state_at(t: float) -> DemoState:
    """Everything the fake servers show at scenario time `t` (seconds since the demo started)."""
    t = max(0.0, t)
    loop = int(t // LOOP_S)
    return DemoState(
        t=t,
        loop=loop,
        t_in_loop=t - loop * LOOP_S,
        runs={plan.name: runs_at(plan, t) for plan in (*CI_PIPELINES, *FEED_PIPELINES)},
        environments={plan.name: env_at(plan, t) for plan in ENVIRONMENTS},
        issues=issues_at(ISSUES_HISTORY, ISSUES_LOOP, t),
    )


__all__ = [
    "API",
    "API_STAGES",
    "CI_PIPELINES",
    "DOCS",
    "ENVIRONMENTS",
    "FEED_PIPELINES",
    "ISSUES_HISTORY",
    "ISSUES_LOOP",
    "LOOP_S",
    "MOBILE",
    "WEB",
    "DemoState",
    "state_at",
]
