"""GitHub Actions: one workflow's runs on one branch, read as a pipeline of stages.

The REST API (version 2022-11-28) gives the runs of a workflow newest first
(`GET /repos/{owner}/{repo}/actions/workflows/{workflow}/runs`) and the jobs of a run
(`GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs`, paginated with `Link: rel="next"`,
latest attempt only by default). Jobs become stages, in the order GitHub returns them.

Reading rules (DESIGN.md, "Reading rules that keep the verdict honest"):

- The stages shown are those of the *latest* run, even while it runs; the gate (`outcome`)
  is the conclusion of the latest *completed* run.
- Run conclusion → gate: `success` passes; `neutral` passes too (GitHub's "neither passed nor
  failed": nothing went wrong, so it does not block delivery); `failure`, `timed_out`,
  `startup_failure` and `action_required` fail; `cancelled` fails as well — a cancelled run
  never proved the commit, so the gate is not passed (its job shows as a canceled stage);
  `skipped` and `stale` are unknown (the run says nothing about the commit); anything else is
  unknown, never passed. No completed run yet is unknown.
- A job that failed inside a run that concluded `success` (`continue-on-error`) is a warning
  ("allowed to fail"), not a failed gate.
- A failed gate names its culprit: the completed run's head commit (author, short SHA, first
  line of the message, link to the commit).
- Every field may be missing (older payloads lack `name`, `display_title`, `run_attempt`); a
  structure that is not what the API documents is a SourceError in words.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import quote, urlsplit

from requests.utils import parse_header_links

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

API_VERSION = "2022-11-28"
RUNS_PER_PAGE = 20  # enough to find the latest completed run behind a few running ones
JOBS_PER_PAGE = 100  # the API's maximum
MAX_JOB_PAGES = 10

# Job status while not completed → stage status and note.
_JOB_STATUS: dict[str, tuple[StageStatus, str]] = {
    "queued": (StageStatus.QUEUED, ""),
    "requested": (StageStatus.QUEUED, "requested"),
    "waiting": (StageStatus.QUEUED, "waiting (approval or concurrency)"),
    "pending": (StageStatus.QUEUED, "pending"),
    "in_progress": (StageStatus.RUNNING, ""),
}

# Conclusion of a completed job → stage status and note.
_JOB_CONCLUSION: dict[str, tuple[StageStatus, str]] = {
    "success": (StageStatus.PASSED, ""),
    "failure": (StageStatus.FAILED, ""),
    "timed_out": (StageStatus.FAILED, "timed out"),
    "startup_failure": (StageStatus.FAILED, "failed to start"),
    "action_required": (StageStatus.FAILED, "action required"),
    "cancelled": (StageStatus.CANCELED, ""),
    "skipped": (StageStatus.SKIPPED, ""),
    "neutral": (StageStatus.PASSED, "neutral"),
    "stale": (StageStatus.UNKNOWN, "stale"),
}

# Conclusion of the latest completed run → gate and the words that describe it.
_RUN_GATE: dict[str, tuple[Outcome, str]] = {
    "success": (Outcome.PASSED, ""),
    "neutral": (Outcome.PASSED, "concluded neutral (counted as passed)"),
    "failure": (Outcome.FAILED, "failed"),
    "timed_out": (Outcome.FAILED, "timed out"),
    "startup_failure": (Outcome.FAILED, "failed to start"),
    "action_required": (Outcome.FAILED, "needs action (an approval) and did not pass"),
    "cancelled": (Outcome.FAILED, "was cancelled"),
    "skipped": (Outcome.UNKNOWN, "was skipped"),
    "stale": (Outcome.UNKNOWN, "is stale"),
}


class GitHubActionsSource:
    """Reads one workflow (file name like `deploy.yml`, or its numeric id) on one branch."""

    kind = ItemKind.PIPELINE

    def __init__(
        self,
        *,
        api_url: str = "https://api.github.com",
        repo: str,
        workflow: str | int,
        branch: str | None = "main",
        token: str | None = None,
        token_hint: str = "",
        ca_bundle: str | None = None,
        timeout_s: float | None = None,
    ) -> None:
        owner, _, name = repo.strip().strip("/").partition("/")
        if not owner or not name or "/" in name:
            raise ValueError(f"repository must be written OWNER/NAME, not {repo!r}")
        workflow = str(workflow).strip()
        if not workflow:
            raise ValueError("workflow is missing: give its file name (deploy.yml) or its id")
        self.api_url = api_url.rstrip("/")
        self.repo = f"{owner}/{name}"
        self.workflow = workflow
        self.branch = branch or None
        self.token = token or None
        self.token_hint = token_hint
        self.ca_bundle = ca_bundle
        self.timeout_s = timeout_s  # the total deadline of each request; None: the client's
        self.jobs_per_page = JOBS_PER_PAGE  # fewer only to test pagination
        self._repo_path = f"/repos/{quote(owner, safe='')}/{quote(name, safe='')}"

    def __repr__(self) -> str:  # never shows the token
        return f"GitHubActionsSource(repo={self.repo!r}, workflow={self.workflow!r})"

    # -- requests -------------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": API_VERSION}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def _get(self, http: HttpClient, url: str, params: dict[str, Any] | None, what: str) -> Any:
        resp = http.get(
            url,
            headers=self._headers(),
            params=params,
            ca_bundle=self.ca_bundle,
            timeout_s=self.timeout_s,
        )
        check_status(resp, what=what, token_hint=self.token_hint)
        return resp.json()

    def _runs(self, http: HttpClient, **filters: Any) -> list[dict[str, Any]]:
        workflow = quote(self.workflow, safe="")
        url = f"{self.api_url}{self._repo_path}/actions/workflows/{workflow}/runs"
        params: dict[str, Any] = {}
        if self.branch:
            params["branch"] = self.branch
        params.update(filters)
        body = self._get(
            http, url, params, what=f"repository {self.repo} or workflow {self.workflow}"
        )
        runs = body.get("workflow_runs") if isinstance(body, dict) else None
        if not isinstance(runs, list):
            raise SourceError("unexpected answer from GitHub: no list of workflow_runs")
        if not all(isinstance(run, dict) for run in runs):
            raise SourceError("unexpected answer from GitHub: a workflow run is not an object")
        return runs

    def _jobs(self, http: HttpClient, run: dict[str, Any]) -> list[dict[str, Any]]:
        run_id = run.get("id")
        if not isinstance(run_id, int) or isinstance(run_id, bool):
            raise SourceError("unexpected answer from GitHub: a workflow run has no id")
        url: str | None = f"{self.api_url}{self._repo_path}/actions/runs/{run_id}/jobs"
        params: dict[str, Any] | None = {"per_page": self.jobs_per_page}
        what = f"jobs of run {_run_label(run) or run_id} in {self.repo}"
        jobs: list[dict[str, Any]] = []
        seen: set[str] = set()
        for _ in range(MAX_JOB_PAGES):
            if url is None or url in seen:
                break
            seen.add(url)
            resp = http.get(
                url,
                headers=self._headers(),
                params=params,
                ca_bundle=self.ca_bundle,
                timeout_s=self.timeout_s,
            )
            check_status(resp, what=what, token_hint=self.token_hint)
            body = resp.json()
            page = body.get("jobs") if isinstance(body, dict) else None
            if not isinstance(page, list) or not all(isinstance(job, dict) for job in page):
                raise SourceError("unexpected answer from GitHub: no list of jobs for a run")
            jobs.extend(page)
            url, params = self._next_page(resp), None
        return jobs

    def _next_page(self, resp: Response) -> str | None:
        """The `rel="next"` link, only if it stays on the API's host (the token goes there)."""
        link = resp.headers.get("Link")
        if not link:
            return None
        for entry in parse_header_links(link):
            if entry.get("rel") == "next" and entry.get("url"):
                nxt = entry["url"]
                here, there = urlsplit(self.api_url), urlsplit(nxt)
                if (here.scheme, here.netloc) != (there.scheme, there.netloc):
                    raise SourceError(
                        f"GitHub sent the next page of jobs to another host ({there.netloc}); "
                        "not following it"
                    )
                return nxt
        return None

    # -- reading --------------------------------------------------------------------------

    def fetch(self, http: HttpClient) -> PipelineReading:
        runs = self._runs(http, per_page=RUNS_PER_PAGE)
        if not runs:
            on = f" on {self.branch}" if self.branch else ""
            return PipelineReading(
                stages=(), outcome=Outcome.UNKNOWN, detail=f"no runs of {self.workflow}{on} yet"
            )
        latest = runs[0]
        completed = latest_completed(
            runs,
            lambda run: run.get("status") == "completed",
            page_size=RUNS_PER_PAGE,
            older=lambda: self._runs(http, status="completed", per_page=1),
        )

        running = latest.get("status") != "completed"
        label = _run_label(latest)
        latest_conclusion = None if running else latest.get("conclusion")
        stages = self._stages(http, latest, run_conclusion=latest_conclusion)
        reading = PipelineReading(
            stages=stages,
            outcome=Outcome.UNKNOWN,
            running=running,
            url=json_text(latest.get("html_url")),
            label=label,
        )
        if completed is None:
            return replace(reading, detail="no completed run yet")

        conclusion = completed.get("conclusion")
        outcome, words = _RUN_GATE.get(
            conclusion if isinstance(conclusion, str) else "",
            (Outcome.UNKNOWN, f"concluded {conclusion!r}, which is not recognised"),
        )
        detail = ""
        if words:
            done = _run_label(completed)
            detail = f"run {done} {words}" if done else f"the latest completed run {words}"
        gated = with_gate(
            reading,
            latest=latest,
            completed=completed,
            outcome=outcome,
            detail=detail,
            stages_of=lambda run: self._stages(http, run, run_conclusion=conclusion),
            completed_label=_run_label(completed),
        )
        if outcome is not Outcome.FAILED:
            return gated
        culprit = head_commit_culprit(completed)
        return replace(gated, culprits=(culprit,)) if culprit is not None else gated

    def _stages(
        self, http: HttpClient, run: dict[str, Any], *, run_conclusion: Any
    ) -> tuple[Stage, ...]:
        """The jobs of `run` as stages, in the order GitHub returns them."""
        label = _run_label(run)
        return tuple(
            job_stage(job, run_conclusion=run_conclusion, label=label)
            for job in self._jobs(http, run)
        )


def job_stage(job: dict[str, Any], *, run_conclusion: Any, label: str | None) -> Stage:
    """One job as a stage; `run_conclusion` is the run's conclusion once it has completed."""
    status = job.get("status")
    if status == "completed":
        conclusion = job.get("conclusion")
        if conclusion is None:
            state, note = StageStatus.UNKNOWN, "completed without a conclusion"
        else:
            state, note = _JOB_CONCLUSION.get(
                conclusion if isinstance(conclusion, str) else "",
                (StageStatus.UNKNOWN, f"conclusion {conclusion!r} not recognised"),
            )
        if state is StageStatus.FAILED and run_conclusion == "success":
            # continue-on-error: the job failed but the run it belongs to passed.
            state, note = StageStatus.WARNING, "allowed to fail"
    else:
        state, note = _JOB_STATUS.get(
            status if isinstance(status, str) else "",
            (StageStatus.UNKNOWN, f"status {status!r} not recognised"),
        )
    started = iso_time(job.get("started_at"))
    finished = iso_time(job.get("completed_at")) if status == "completed" else None
    name = json_text(job.get("name")) or (f"job {job['id']}" if "id" in job else "(unnamed job)")
    return Stage(
        name=name,
        status=state,
        started_at=started,
        duration_s=seconds_between(started, finished),
        url=json_text(job.get("html_url")),
        label=label,
        note=note,
    )


def head_commit_culprit(run: dict[str, Any]) -> Culprit | None:
    """The run's head commit (`head_commit`, `head_sha`): who, which, what, where to see it."""
    commit = run.get("head_commit")
    commit = commit if isinstance(commit, dict) else {}
    sha = json_text(commit.get("id")) or json_text(run.get("head_sha")) or ""
    author = commit.get("author")
    name = json_text(author.get("name")) if isinstance(author, dict) else None
    if not name:
        actor = run.get("triggering_actor") or run.get("actor")
        name = json_text(actor.get("login")) if isinstance(actor, dict) else None
    message = first_line(json_text(commit.get("message")))
    if not (sha or name or message):
        return None
    repository = run.get("repository")
    base = json_text(repository.get("html_url")) if isinstance(repository, dict) else None
    if not base:
        run_url = json_text(run.get("html_url")) or ""
        base = run_url.split("/actions/", 1)[0] if "/actions/" in run_url else None
    url = f"{base}/commit/{sha}" if base and sha else None
    return Culprit(name or "", short_sha(sha), message, url)


def _run_label(run: dict[str, Any]) -> str | None:
    number = run.get("run_number")
    if not isinstance(number, int) or isinstance(number, bool):
        return None
    attempt = run.get("run_attempt")
    if isinstance(attempt, int) and not isinstance(attempt, bool) and attempt > 1:
        return f"#{number} (attempt {attempt})"
    return f"#{number}"


__all__ = ["API_VERSION", "GitHubActionsSource", "job_stage"]
