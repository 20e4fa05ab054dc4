"""The scenario's vocabulary: plans (a timeline as data) and views (a plan at one moment).

A plan says what happens and when: a pipeline's runs with their jobs' start and end offsets and
results, an environment's health windows, the issues teammates file. A view is what a plan
looks like at scenario time `t` (seconds since the demo started): which runs exist, which jobs
are queued, running or done, what state an environment is in and since when. Plans loop every
`LOOP_S` seconds; runs before the demo started (`history`) happen once. All of it is pure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

LOOP_S = 300.0
LOOPS_KEPT = 3  # the history, and runs of the current loop and the two before it, are served

Result = Literal["success", "failure", "skipped"]
Progress = Literal["queued", "running", "done"]
EnvState = Literal["up", "warn", "down"]


# -- plans -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class JobPlan:
    """One job (GitHub job, GitLab job, cctray project) of a run; times are offsets in the run."""

    name: str
    start: float
    end: float
    result: Result = "success"
    stage: str = ""  # GitLab stage; empty means the job's own name
    allow_failure: bool = False
    attempt: int = 1  # a rerun of the same job has attempt 2


@dataclass(frozen=True)
class RunPlan:
    """One run of a pipeline, starting `at` seconds into the loop (history: before the demo)."""

    at: float
    title: str
    jobs: tuple[JobPlan, ...]
    actor: str = "sam-okafor"

    @property
    def duration(self) -> float:
        return max(job.end for job in self.jobs)

    @property
    def result(self) -> Result:
        """Failure iff the latest attempt of a job that may not fail has failed."""
        latest: dict[str, JobPlan] = {}
        for job in self.jobs:
            if job.name not in latest or job.attempt > latest[job.name].attempt:
                latest[job.name] = job
        failed = any(j.result == "failure" and not j.allow_failure for j in latest.values())
        return "failure" if failed else "success"


@dataclass(frozen=True)
class PipelinePlan:
    """A pipeline's runs: `history` happened once before the demo, `loop` repeats each loop."""

    name: str
    first_number: int  # run number / build label of the first history run
    history: tuple[RunPlan, ...]
    loop: tuple[RunPlan, ...] = ()


@dataclass(frozen=True)
class EnvPlan:
    """An environment's health: `state` outside the windows, each window's state inside it."""

    name: str
    kind: Literal["livez", "actuator", "health+json"]
    path: str
    windows: tuple[tuple[float, float, EnvState], ...] = ()
    state: EnvState = "up"


@dataclass(frozen=True)
class IssuePlan:
    """An issue a teammate files on the platform tracker (history: before the demo)."""

    at: float
    close_at: float | None
    title: str
    body: str
    reporter: str
    labels: tuple[str, ...]


# -- views: the state at one moment ------------------------------------------------------------


@dataclass(frozen=True)
class JobView:
    name: str
    index: int  # position in the run's plan (ids are made from it)
    stage: str
    attempt: int
    allow_failure: bool
    progress: Progress
    result: Result | None  # set when done
    started_at: float | None  # scenario seconds
    finished_at: float | None


@dataclass(frozen=True)
class RunView:
    pipeline: str
    seq: int  # 0, 1, 2 ... over the pipeline's whole life: ids and numbers come from it
    number: int
    title: str
    actor: str
    created_at: float
    progress: Progress
    result: Result | None
    updated_at: float  # the last change at or before the moment asked about
    jobs: tuple[JobView, ...]  # every attempt, in plan order

    def latest_jobs(self) -> tuple[JobView, ...]:
        """Each job's latest attempt that has begun, or its first if none has."""
        chosen: dict[str, JobView] = {}
        for job in self.jobs:
            held = chosen.get(job.name)
            if held is None or (job.attempt > held.attempt and job.progress != "queued"):
                chosen[job.name] = job
        return tuple(chosen.values())


@dataclass(frozen=True)
class EnvView:
    name: str
    kind: str
    path: str
    state: EnvState
    since: float  # when the current state began (scenario seconds)


@dataclass(frozen=True)
class IssueView:
    key: str  # "loop-2-0" or "history-1": the tracker files each one once
    opened_at: float
    closed_at: float | None  # set once the moment asked about is past it
    plan: IssuePlan


@dataclass(frozen=True)
class DemoState:
    t: float
    loop: int
    t_in_loop: float
    runs: dict[str, tuple[RunView, ...]]  # newest first; only runs created by `t`
    environments: dict[str, EnvView]
    issues: tuple[IssueView, ...]


def _loops_kept(loop: int) -> range:
    return range(max(0, loop - LOOPS_KEPT + 1), loop + 1)


def _scheduled(plan: PipelinePlan, loop: int) -> Iterable[tuple[int, float, RunPlan]]:
    """(seq, absolute start, run) for the runs served during `loop`."""
    for i, run in enumerate(plan.history):
        yield i, run.at, run
    for k in _loops_kept(loop):
        for i, run in enumerate(plan.loop):
            yield len(plan.history) + k * len(plan.loop) + i, k * LOOP_S + run.at, run


def _job_view(job: JobPlan, index: int, start: float, t: float) -> JobView:
    begun, ended = start + job.start, start + job.end
    if t >= ended:
        progress: Progress = "done"
    elif t >= begun and job.result != "skipped":
        progress = "running"
    else:
        progress = "queued"
    return JobView(
        name=job.name,
        index=index,
        stage=job.stage or job.name,
        attempt=job.attempt,
        allow_failure=job.allow_failure,
        progress=progress,
        result=job.result if progress == "done" else None,
        started_at=begun if progress != "queued" else None,
        finished_at=ended if progress == "done" else None,
    )


def run_view(plan: PipelinePlan, seq: int, start: float, run: RunPlan, t: float) -> RunView:
    jobs = tuple(_job_view(job, i, start, t) for i, job in enumerate(run.jobs))
    done = t >= start + run.duration
    moments = [start] + [m for j in jobs for m in (j.started_at, j.finished_at) if m is not None]
    return RunView(
        pipeline=plan.name,
        seq=seq,
        number=plan.first_number + seq,
        title=run.title,
        actor=run.actor,
        created_at=start,
        progress="done" if done else "running",
        result=run.result if done else None,
        updated_at=max(m for m in moments if m <= t),
        jobs=jobs,
    )


def runs_at(plan: PipelinePlan, t: float) -> tuple[RunView, ...]:
    """The pipeline's runs created by `t`, newest first."""
    loop = max(0, int(t // LOOP_S))
    views = [
        run_view(plan, seq, start, run, t)
        for seq, start, run in _scheduled(plan, loop)
        if start <= t
    ]
    return tuple(sorted(views, key=lambda v: v.seq, reverse=True))


def _env_state(plan: EnvPlan, t: float) -> EnvState:
    u = t % LOOP_S
    for start, end, state in plan.windows:
        if start <= u < end:
            return state
    return plan.state


def env_at(plan: EnvPlan, t: float) -> EnvView:
    """The environment's state at `t` and when that state began (within the last two loops)."""
    loop = int(t // LOOP_S)
    first = max(0, loop - 1)
    changes = sorted(
        k * LOOP_S + bound
        for k in range(first, loop + 1)
        for window in plan.windows
        for bound in window[:2]
        if 0 < k * LOOP_S + bound <= t
    )
    since = first * LOOP_S
    for at in reversed(changes):
        if _env_state(plan, at - 1e-6) != _env_state(plan, at):
            since = at
            break
    return EnvView(plan.name, plan.kind, plan.path, _env_state(plan, t), since)


def issues_at(
    history: tuple[IssuePlan, ...], loop_plans: tuple[IssuePlan, ...], t: float
) -> tuple[IssueView, ...]:
    """Issues teammates have filed by `t`, oldest first."""
    loop = max(0, int(t // LOOP_S))
    views: list[IssueView] = []
    for i, plan in enumerate(history):
        views.append(IssueView(f"history-{i}", plan.at, plan.close_at, plan))
    for k in _loops_kept(loop):
        for i, plan in enumerate(loop_plans):
            opened = k * LOOP_S + plan.at
            if opened > t:
                continue
            closed = None if plan.close_at is None else k * LOOP_S + plan.close_at
            if closed is not None and closed > t:
                closed = None
            views.append(IssueView(f"loop-{k}-{i}", opened, closed, plan))
    return tuple(views)


__all__ = [
    "LOOP_S",
    "DemoState",
    "EnvPlan",
    "EnvState",
    "EnvView",
    "IssuePlan",
    "IssueView",
    "JobPlan",
    "JobView",
    "PipelinePlan",
    "Result",
    "RunPlan",
    "RunView",
    "env_at",
    "issues_at",
    "run_view",
    "runs_at",
]
