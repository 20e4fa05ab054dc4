"""GitLab CI: one project's pipelines on one ref, read as stages made of jobs.

REST API v4: `GET /projects/:id/pipelines?ref=…` lists pipelines newest first (ordered by
id, descending); `GET /projects/:id/pipelines/:pipeline_id/jobs` lists a pipeline's jobs,
paginated with `page`/`per_page` and the `x-next-page` header (empty on the last page).
`:id` is the numeric project id or the URL-encoded path (`acme%2Fmobile`). The token goes in
the `PRIVATE-TOKEN` header.

Reading rules (DESIGN.md, "Reading rules that keep the verdict honest"):

- A pipeline is *completed* when its status is `success`, `failed`, `canceled` or `skipped`
  (GitLab's own "finished" scope). A pipeline in `manual` status is blocked on a manual job
  that is not allowed to fail, so it has not completed: the gate stays with the pipeline
  before it, and the reading is not marked running (nothing moves until someone acts).
- Gate: `success` passes; `failed` fails; `canceled` fails too — a canceled pipeline never
  proved the commit; `skipped` is unknown; anything else is unknown, never passed.
- Stages are the jobs grouped by `stage`. The REST API gives no stage order, so stages are
  ordered by their earliest job id: jobs are created stage by stage when the pipeline starts.
  Retried jobs are asked for (`include_retried=true`) only to keep that order right — a
  retried job gets a new, higher id — and then only the newest job of each name counts.
- A stage's status: a failed job that is not allowed to fail → failed; otherwise anything
  running → running; waiting (pending, created, manual, scheduled, …) → queued; canceled →
  canceled; an unrecognised job status → unknown; all skipped → skipped; else passed, or a
  warning ("allowed to fail") when a job with `allow_failure: true` failed.
- A failed gate names its culprit: the failed pipeline's commit, read from
  `GET /projects/:id/repository/commits/:sha` (author, short SHA, title, link); if that cannot
  be read, its short SHA alone.
- A `manual` job shows as queued with the note "manual": it waits for someone to start it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from app.domain.model import (
    Culprit,
    ItemKind,
    Outcome,
    PipelineReading,
    Stage,
    StageStatus,
    first_line,
    short_sha,
)
from app.sources.errors import SourceError
from app.sources.http import HttpClient, Response, check_status
from app.sources.runs import iso_time, json_text, latest_completed, seconds_between, with_gate

PIPELINES_PER_PAGE = 20
JOBS_PER_PAGE = 100  # the API's maximum
MAX_JOB_PAGES = 20

COMPLETED = frozenset({"success", "failed", "canceled", "skipped"})

# Job status → stage status and note (a failed job is decided with its allow_failure).
_JOB_STATUS: dict[str, tuple[StageStatus, str]] = {
    "created": (StageStatus.QUEUED, "created"),
    "waiting_for_resource": (StageStatus.QUEUED, "waiting for a resource"),
    "preparing": (StageStatus.QUEUED, "preparing"),
    "pending": (StageStatus.QUEUED, "pending"),
    "scheduled": (StageStatus.QUEUED, "scheduled"),
    "manual": (StageStatus.QUEUED, "manual"),
    "running": (StageStatus.RUNNING, ""),
    "waiting_for_callback": (StageStatus.RUNNING, "waiting for a callback"),
    "success": (StageStatus.PASSED, ""),
    "failed": (StageStatus.FAILED, ""),
    "canceled": (StageStatus.CANCELED, ""),
    "canceling": (StageStatus.CANCELED, "canceling"),
    "skipped": (StageStatus.SKIPPED, ""),
}

_PIPELINE_GATE: dict[str, tuple[Outcome, str]] = {
    "success": (Outcome.PASSED, ""),
    "failed": (Outcome.FAILED, "failed"),
    "canceled": (Outcome.FAILED, "was canceled"),
    "skipped": (Outcome.UNKNOWN, "was skipped"),
}

# When jobs disagree, the stage shows the first of these that any job has.
_STAGE_PRECEDENCE = (
    StageStatus.FAILED,
    StageStatus.RUNNING,
    StageStatus.QUEUED,
    StageStatus.CANCELED,
    StageStatus.UNKNOWN,
)


@dataclass(frozen=True)
class _Job:
    id: float  # int from GitLab; +inf when missing, so such a job sorts last
    name: str
    stage: str
    status: StageStatus
    note: str
    started_at: datetime | None
    duration_s: float | None
    finished_at: datetime | None
    url: str | None


class GitLabSource:
    """Reads one project (numeric id or `group/project` path) on one ref."""

    kind = ItemKind.PIPELINE

    def __init__(
        self,
        *,
        api_url: str = "https://gitlab.com/api/v4",
        project: str | int,
        ref: str | None = "main",
        token: str | None = None,
        token_hint: str = "",
        ca_bundle: str | None = None,
        timeout_s: float | None = None,
    ) -> None:
        project = str(project).strip().strip("/")
        if not project:
            raise ValueError("project is missing: give its id (1234) or its path (group/name)")
        self.api_url = api_url.rstrip("/")
        self.project = project
        self.ref = ref or None
        self.token = token or None
        self.token_hint = token_hint
        self.ca_bundle = ca_bundle
        self.timeout_s = timeout_s  # the total deadline of each request; None: the client's
        self.jobs_per_page = JOBS_PER_PAGE  # fewer only to test pagination
        # A path's slashes must be encoded too: /projects/acme%2Fmobile.
        self._project_id = project if project.isdigit() else quote(project, safe="")

    def __repr__(self) -> str:  # never shows the token
        return f"GitLabSource(project={self.project!r}, ref={self.ref!r})"

    def _get(
        self, http: HttpClient, path: str, params: dict[str, Any], what: str
    ) -> tuple[Response, Any]:
        headers = {"PRIVATE-TOKEN": self.token} if self.token else {}
        url = f"{self.api_url}/projects/{self._project_id}{path}"
        resp = http.get(
            url, headers=headers, params=params, ca_bundle=self.ca_bundle, timeout_s=self.timeout_s
        )
        check_status(resp, what=what, token_hint=self.token_hint)
        return resp, resp.json()

    def _pipelines(self, http: HttpClient, **filters: Any) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"ref": self.ref} if self.ref else {}
        params.update(filters)
        _, body = self._get(http, "/pipelines", params, what=f"project {self.project}")
        if not isinstance(body, list) or not all(isinstance(p, dict) for p in body):
            raise SourceError("unexpected answer from GitLab: not a list of pipelines")
        return body

    def _jobs(self, http: HttpClient, pipeline: dict[str, Any]) -> list[dict[str, Any]]:
        pid = pipeline.get("id")
        if not isinstance(pid, int) or isinstance(pid, bool):
            raise SourceError("unexpected answer from GitLab: a pipeline has no id")
        jobs: list[dict[str, Any]] = []
        page: int | None = None
        for _ in range(MAX_JOB_PAGES):
            params: dict[str, Any] = {"per_page": self.jobs_per_page, "include_retried": "true"}
            if page is not None:
                params["page"] = page
            resp, body = self._get(
                http,
                f"/pipelines/{pid}/jobs",
                params,
                what=f"jobs of pipeline #{pid} in {self.project}",
            )
            if not isinstance(body, list) or not all(isinstance(j, dict) for j in body):
                raise SourceError("unexpected answer from GitLab: not a list of jobs")
            jobs.extend(body)
            nxt = _int(resp.headers.get("x-next-page"))
            if not body or nxt is None or nxt <= (page or 1):
                break
            page = nxt
        return jobs

    def fetch(self, http: HttpClient) -> PipelineReading:
        pipelines = self._pipelines(http, per_page=PIPELINES_PER_PAGE)
        if not pipelines:
            on = f" for {self.ref}" if self.ref else ""
            return PipelineReading(
                stages=(), outcome=Outcome.UNKNOWN, detail=f"no pipelines{on} yet"
            )
        latest = pipelines[0]
        completed = latest_completed(
            pipelines,
            lambda pipeline: _status(pipeline) in COMPLETED,
            page_size=PIPELINES_PER_PAGE,
            older=lambda: self._pipelines(http, scope="finished", per_page=1),
        )

        status = _status(latest)
        label = _label(latest)
        stages = build_stages(self._jobs(http, latest), label=label)
        reading = PipelineReading(
            stages=stages,
            outcome=Outcome.UNKNOWN,
            running=status not in COMPLETED and status != "manual",
            url=json_text(latest.get("web_url")),
            label=label,
            detail=f"{_called(latest)} waits for a manual job" if status == "manual" else "",
        )
        if completed is None:
            return replace(reading, detail="no completed pipeline yet")

        done_status = _status(completed)
        outcome, words = _PIPELINE_GATE.get(
            done_status, (Outcome.UNKNOWN, f"ended {done_status!r}, which is not recognised")
        )
        gated = with_gate(
            reading,
            latest=latest,
            completed=completed,
            outcome=outcome,
            detail=f"{_called(completed)} {words}" if words else reading.detail,
            stages_of=lambda pipeline: build_stages(
                self._jobs(http, pipeline), label=_label(pipeline)
            ),
            completed_label=_label(completed),
        )
        if outcome is not Outcome.FAILED:
            return gated
        culprit = self._commit(http, completed)
        return replace(gated, culprits=(culprit,)) if culprit is not None else gated

    def _commit(self, http: HttpClient, pipeline: dict[str, Any]) -> Culprit | None:
        """The failed pipeline's commit (`GET /projects/:id/repository/commits/:sha`).

        Without the commit (no read_repository scope, a deleted commit), its short SHA alone:
        who broke it is worth a line, never the reading.
        """
        sha = json_text(pipeline.get("sha"))
        if sha is None:
            return None
        try:
            _, body = self._get(
                http, f"/repository/commits/{quote(sha, safe='')}", {}, what=f"commit {sha[:7]}"
            )
        except SourceError:
            return Culprit(sha=short_sha(sha))
        if not isinstance(body, dict):
            return Culprit(sha=short_sha(sha))
        return Culprit(
            author=json_text(body.get("author_name")) or "",
            sha=json_text(body.get("short_id")) or short_sha(sha),
            message=first_line(json_text(body.get("title")) or json_text(body.get("message"))),
            url=json_text(body.get("web_url")),
        )


def build_stages(raw_jobs: list[dict[str, Any]], *, label: str | None) -> tuple[Stage, ...]:
    """Group jobs by stage, ordered by each stage's earliest job id (retried jobs included);
    only the newest job of each name (the latest retry) decides the stage."""
    jobs = [_job(raw) for raw in raw_jobs]
    first_id: dict[str, float] = {}
    for job in jobs:
        first_id[job.stage] = min(first_id.get(job.stage, job.id), job.id)
    newest: dict[tuple[str, str], _Job] = {}
    for job in jobs:
        key = (job.stage, job.name)
        if key not in newest or job.id >= newest[key].id:
            newest[key] = job
    by_stage: dict[str, list[_Job]] = {}
    for job in sorted(newest.values(), key=lambda j: j.id):
        by_stage.setdefault(job.stage, []).append(job)
    order = sorted(by_stage, key=lambda name: first_id[name])
    return tuple(_stage(name, by_stage[name], label) for name in order)


def _stage(name: str, jobs: list[_Job], label: str | None) -> Stage:
    statuses = {job.status for job in jobs}
    status = next((s for s in _STAGE_PRECEDENCE if s in statuses), None)
    if status is None:
        if statuses == {StageStatus.SKIPPED}:
            status = StageStatus.SKIPPED
        elif StageStatus.WARNING in statuses:
            status = StageStatus.WARNING
        else:
            status = StageStatus.PASSED
    deciding = [job for job in jobs if job.status is status]
    note = _stage_note(status, deciding, len(jobs))
    starts = [job.started_at for job in jobs if job.started_at is not None]
    started = min(starts) if starts else None
    return Stage(
        name=name,
        status=status,
        started_at=started,
        duration_s=_stage_duration(jobs, started),
        url=(deciding[0].url if deciding else None) or next((j.url for j in jobs if j.url), None),
        label=label,
        note=note,
    )


def _stage_note(status: StageStatus, deciding: list[_Job], count: int) -> str:
    if status is StageStatus.WARNING:
        return "allowed to fail" if count == 1 else f"allowed to fail: {_names(deciding)}"
    notes = sorted({job.note for job in deciding if job.note})
    if count == 1:
        return notes[0] if notes else ""
    if status in (StageStatus.FAILED, StageStatus.CANCELED, StageStatus.UNKNOWN):
        detail = f" ({'; '.join(notes)})" if notes else ""
        return f"{status.value}: {_names(deciding)}{detail}"
    return "; ".join(notes)


def _names(jobs: list[_Job], limit: int = 3) -> str:
    names = [job.name for job in jobs]
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def _stage_duration(jobs: list[_Job], started: datetime | None) -> float | None:
    """One job: its `duration`. Several: from the first start to the last finish."""
    if len(jobs) == 1 and jobs[0].duration_s is not None:
        return jobs[0].duration_s
    if started is None:
        return None
    ends: list[datetime] = []
    for job in jobs:
        if job.finished_at is not None:
            ends.append(job.finished_at)
        elif job.started_at is not None and job.duration_s is not None:
            ends.append(job.started_at + timedelta(seconds=job.duration_s))
        elif job.started_at is not None:
            return None  # still running: no duration yet
    return seconds_between(started, max(ends)) if ends else None


def _job(raw: dict[str, Any]) -> _Job:
    status = raw.get("status")
    state, note = _JOB_STATUS.get(
        status if isinstance(status, str) else "",
        (StageStatus.UNKNOWN, f"status {status!r} not recognised"),
    )
    if state is StageStatus.FAILED and raw.get("allow_failure") is True:
        state, note = StageStatus.WARNING, "allowed to fail"
    job_id = raw.get("id")
    duration = raw.get("duration")
    return _Job(
        id=job_id if isinstance(job_id, int) and not isinstance(job_id, bool) else float("inf"),
        name=json_text(raw.get("name")) or f"job {job_id}",
        stage=json_text(raw.get("stage")) or "(no stage)",
        status=state,
        note=note,
        started_at=iso_time(raw.get("started_at")),
        duration_s=float(duration)
        if isinstance(duration, int | float) and not isinstance(duration, bool)
        else None,
        finished_at=iso_time(raw.get("finished_at")),
        url=json_text(raw.get("web_url")),
    )


def _label(pipeline: dict[str, Any]) -> str | None:
    pid = pipeline.get("id")
    return f"#{pid}" if isinstance(pid, int) and not isinstance(pid, bool) else None


def _status(pipeline: dict[str, Any]) -> str:
    status = pipeline.get("status")
    return status if isinstance(status, str) else ""


def _called(pipeline: dict[str, Any]) -> str:
    label = _label(pipeline)
    return f"pipeline {label}" if label else "the pipeline"


def _int(value: str | None) -> int | None:
    try:
        return int(value.strip()) if value else None
    except ValueError:
        return None


__all__ = ["COMPLETED", "GitLabSource", "build_stages"]
