"""The demo's GitHub: the Actions runs of `acme/payments-api` and the issues of `acme/platform`.

Answers as GitHub's REST API (version 2022-11-28) documents it:
`GET /repos/{o}/{r}/actions/workflows/{workflow_id}/runs` and `GET /repos/{o}/{r}/actions/runs`
(filters `branch`, `status`, `event`, `head_sha`; `per_page`/`page` with a `Link` header) →
`{total_count, workflow_runs: [...]}`, newest first; `GET .../actions/runs/{run_id}` and
`GET .../actions/runs/{run_id}/jobs` (`filter=latest|all`) → `{total_count, jobs: [...]}`;
`GET .../actions/workflows/{workflow_id}`; `GET /repos/{o}/{r}`; the tracker's issue endpoints
(`app.demo.tracker`); and small HTML pages where `html_url`s point. Runs come from the
scenario's `api` pipeline at the moment of the request.
"""

from __future__ import annotations

import hashlib
import threading
import time
from typing import Any
from urllib.parse import unquote, urlencode

from app.demo.plans import JobView, RunView, runs_at
from app.demo.scenario import API
from app.demo.tracker import TRACKER_REPO, IssueTracker
from app.demo.wire import Reply, Request, Timebase, html_reply, json_reply

ACTIONS_REPO = "acme/payments-api"
WORKFLOW_FILE = "deploy.yml"
WORKFLOW_ID = 61_234_567
WORKFLOW_NAME = "Deploy"
BRANCH = "main"
DOCS_URL = "https://docs.github.com/rest"
RATE_LIMIT = 5000

_REPO_IDS = {ACTIONS_REPO: 702_514_338, TRACKER_REPO: 688_120_417}
_CONCLUSION = {"success": "success", "failure": "failure", "skipped": "skipped"}


def run_id(seq: int) -> int:
    return 9_412_000_000 + seq * 1_337


def job_id(seq: int, index: int) -> int:
    return 25_870_000_000 + seq * 100 + index


def head_sha(repo: str, seq: int) -> str:
    return hashlib.sha1(f"{repo}:{seq}".encode()).hexdigest()


def _not_found() -> Reply:
    return json_reply({"message": "Not Found", "documentation_url": DOCS_URL, "status": "404"}, 404)


class GitHubService:
    """One loopback GitHub: Actions for the `api` pipeline, Issues for the tracker."""

    name = "github"

    def __init__(self, timebase: Timebase, base_url: str) -> None:
        self.timebase = timebase
        self.base = base_url.rstrip("/")
        self.tracker = IssueTracker(timebase, api_base=self.base, web_base=self.base)
        self._lock = threading.Lock()
        self._window_start = time.time()
        self._used = 0

    # -- shapes ----------------------------------------------------------------------------

    def _owner(self, login: str) -> dict[str, Any]:
        return {
            "login": login,
            "id": 38_111_204 if login == "acme" else 4_000_000 + len(login) * 7919,
            "type": "Organization" if login == "acme" else "User",
            "url": f"{self.base}/users/{login}",
            "html_url": f"{self.base}/{login}",
            "site_admin": False,
        }

    def _repo(self, full_name: str) -> dict[str, Any]:
        owner, _, name = full_name.partition("/")
        return {
            "id": _REPO_IDS[full_name],
            "node_id": f"R_kgDOK{_REPO_IDS[full_name]:x}",
            "name": name,
            "full_name": full_name,
            "private": True,
            "owner": self._owner(owner),
            "html_url": f"{self.base}/{full_name}",
            "url": f"{self.base}/repos/{full_name}",
            "default_branch": BRANCH,
        }

    def _run(self, run: RunView) -> dict[str, Any]:
        rid = run_id(run.seq)
        api = f"{self.base}/repos/{ACTIONS_REPO}"
        iso = self.timebase.iso
        sha = head_sha(ACTIONS_REPO, run.seq)
        actor = self._owner(run.actor)
        done = run.progress == "done"
        return {
            "id": rid,
            "name": WORKFLOW_NAME,
            "node_id": f"WFR_kwLOK{rid:x}",
            "head_branch": BRANCH,
            "head_sha": sha,
            "path": f".github/workflows/{WORKFLOW_FILE}",
            "display_title": run.title,
            "run_number": run.number,
            "event": "push",
            "status": "completed" if done else "in_progress",
            "conclusion": _CONCLUSION[run.result] if done and run.result else None,
            "workflow_id": WORKFLOW_ID,
            "check_suite_id": 24_000_000_000 + run.seq * 7,
            "check_suite_node_id": f"CS_kwDOK{run.seq:x}",
            "url": f"{api}/actions/runs/{rid}",
            "html_url": f"{self.base}/{ACTIONS_REPO}/actions/runs/{rid}",
            "pull_requests": [],
            "created_at": iso(run.created_at),
            "updated_at": iso(run.updated_at),
            "actor": actor,
            "run_attempt": 1,
            "referenced_workflows": [],
            "run_started_at": iso(run.created_at),
            "triggering_actor": actor,
            "jobs_url": f"{api}/actions/runs/{rid}/jobs",
            "logs_url": f"{api}/actions/runs/{rid}/logs",
            "check_suite_url": f"{api}/check-suites/{24_000_000_000 + run.seq * 7}",
            "artifacts_url": f"{api}/actions/runs/{rid}/artifacts",
            "cancel_url": f"{api}/actions/runs/{rid}/cancel",
            "rerun_url": f"{api}/actions/runs/{rid}/rerun",
            "previous_attempt_url": None,
            "workflow_url": f"{api}/actions/workflows/{WORKFLOW_ID}",
            "head_commit": {
                "id": sha,
                "tree_id": hashlib.sha1(sha.encode()).hexdigest(),
                "message": run.title,
                "timestamp": iso(run.created_at - 30),
                "author": {"name": run.actor, "email": f"{run.actor}@acme.example"},
                "committer": {"name": "GitHub", "email": "noreply@github.com"},
            },
            "repository": self._repo(ACTIONS_REPO),
            "head_repository": self._repo(ACTIONS_REPO),
        }

    def _steps(self, job: JobView) -> list[dict[str, Any]]:
        """A job's steps: none while queued or skipped, the main one running or done."""
        start, end = job.started_at, job.finished_at
        if start is None or job.result == "skipped":
            return []
        iso = self.timebase.iso

        def step(
            number: int,
            name: str,
            status: str,
            conclusion: str | None,
            began: float | None,
            ended: float | None,
        ) -> dict[str, Any]:
            return {
                "name": name,
                "status": status,
                "conclusion": conclusion,
                "number": number,
                "started_at": iso(began),
                "completed_at": iso(ended),
            }

        setup = [
            step(1, "Set up job", "completed", "success", start, start),
            step(2, "Run actions/checkout@v4", "completed", "success", start, start),
        ]
        if end is None:
            return setup + [
                step(3, f"Run {job.name}", "in_progress", None, start, None),
                step(4, "Complete job", "queued", None, None, None),
            ]
        return setup + [
            step(3, f"Run {job.name}", "completed", job.result, start, end),
            step(4, "Complete job", "completed", "success", end, end),
        ]

    def _job(self, run: RunView, job: JobView) -> dict[str, Any]:
        rid, jid = run_id(run.seq), job_id(run.seq, job.index)
        api = f"{self.base}/repos/{ACTIONS_REPO}"
        iso = self.timebase.iso
        status = {"queued": "queued", "running": "in_progress", "done": "completed"}[job.progress]
        ran = job.progress != "queued" and job.result != "skipped"
        return {
            "id": jid,
            "run_id": rid,
            "workflow_name": WORKFLOW_NAME,
            "head_branch": BRANCH,
            "run_url": f"{api}/actions/runs/{rid}",
            "run_attempt": 1,
            "node_id": f"CR_kwDOK{jid:x}",
            "head_sha": head_sha(ACTIONS_REPO, run.seq),
            "url": f"{api}/actions/jobs/{jid}",
            "html_url": f"{self.base}/{ACTIONS_REPO}/actions/runs/{rid}/job/{jid}",
            "status": status,
            "conclusion": _CONCLUSION[job.result] if job.result else None,
            "created_at": iso(run.created_at),
            # GitHub fills started_at even for a job still queued (with its creation time).
            "started_at": iso(job.started_at if job.started_at is not None else run.created_at),
            "completed_at": iso(job.finished_at),
            "name": job.name,
            "steps": self._steps(job),
            "check_run_url": f"{api}/check-runs/{jid}",
            "labels": ["ubuntu-latest"],
            "runner_id": 40 + job.index if ran else None,
            "runner_name": f"GitHub Actions {40 + job.index}" if ran else None,
            "runner_group_id": 2 if ran else None,
            "runner_group_name": "GitHub Actions" if ran else None,
        }

    # -- routing ---------------------------------------------------------------------------

    def rate_headers(self, *, billable: bool) -> dict[str, str]:
        """GitHub's quota headers; a 304 costs nothing, as on GitHub."""
        with self._lock:
            now = time.time()
            if now - self._window_start >= 3600:
                self._window_start, self._used = now, 0
            if billable:
                self._used += 1
            used, reset = self._used, int(self._window_start + 3600)
        return {
            "x-ratelimit-limit": str(RATE_LIMIT),
            "x-ratelimit-remaining": str(max(0, RATE_LIMIT - used)),
            "x-ratelimit-reset": str(reset),
            "x-ratelimit-used": str(used),
            "x-ratelimit-resource": "core",
            "X-GitHub-Api-Version-Selected": "2022-11-28",
        }

    def handle(self, req: Request) -> Reply:
        parts = [unquote(p) for p in req.path.strip("/").split("/") if p]
        if parts == ["user"]:
            return self.tracker.user(req)
        if len(parts) >= 3 and parts[0] == "repos":
            repo = f"{parts[1]}/{parts[2]}"
            rest = parts[3:]
            if repo == TRACKER_REPO and rest[:1] == ["issues"]:
                return self.tracker.handle(req, rest[1:])
            if req.method != "GET" or repo not in _REPO_IDS:
                return _not_found()
            if not rest:
                return json_reply(self._repo(repo))
            if repo == ACTIONS_REPO and rest[0] == "actions":
                return self._actions(req, rest[1:])
            return _not_found()
        if req.method == "GET":
            return self._page(req, parts)
        return _not_found()

    def _actions(self, req: Request, rest: list[str]) -> Reply:
        runs = runs_at(API, req.t)
        if rest == ["runs"]:
            return self._run_list(req, runs)
        if rest[:1] == ["workflows"] and len(rest) >= 2:
            if rest[1] not in (WORKFLOW_FILE, str(WORKFLOW_ID)):
                return _not_found()
            if len(rest) == 2:
                return json_reply(self._workflow())
            if rest[2:] == ["runs"]:
                return self._run_list(req, runs)
            return _not_found()
        if rest[:1] == ["runs"] and len(rest) >= 2 and rest[1].isdigit():
            run = next((r for r in runs if run_id(r.seq) == int(rest[1])), None)
            if run is None:
                return _not_found()
            if len(rest) == 2:
                return json_reply(self._run(run))
            if rest[2:] == ["jobs"]:
                jobs = run.jobs if req.arg("filter") == "all" else run.latest_jobs()
                return self._paged(req, "jobs", [self._job(run, job) for job in jobs])
        return _not_found()

    def _workflow(self) -> dict[str, Any]:
        return {
            "id": WORKFLOW_ID,
            "node_id": f"W_kwDOK{WORKFLOW_ID:x}",
            "name": WORKFLOW_NAME,
            "path": f".github/workflows/{WORKFLOW_FILE}",
            "state": "active",
            "created_at": "2023-02-14T09:12:44Z",
            "updated_at": "2024-03-02T16:40:10Z",
            "url": f"{self.base}/repos/{ACTIONS_REPO}/actions/workflows/{WORKFLOW_ID}",
            "html_url": f"{self.base}/{ACTIONS_REPO}/blob/{BRANCH}/.github/workflows/"
            f"{WORKFLOW_FILE}",
            "badge_url": f"{self.base}/{ACTIONS_REPO}/workflows/{WORKFLOW_NAME}/badge.svg",
        }

    def _run_list(self, req: Request, runs: tuple[RunView, ...]) -> Reply:
        items = [self._run(run) for run in runs]
        branch, status = req.arg("branch"), req.arg("status")
        event, sha = req.arg("event"), req.arg("head_sha")
        items = [
            r
            for r in items
            if (branch is None or r["head_branch"] == branch)
            and (status is None or status in (r["status"], r["conclusion"]))
            and (event is None or r["event"] == event)
            and (sha is None or r["head_sha"] == sha)
        ]
        return self._paged(req, "workflow_runs", items)

    def _paged(self, req: Request, key: str, items: list[dict[str, Any]]) -> Reply:
        per_page, page = req.int_arg("per_page", 30), req.int_arg("page", 1, high=10_000)
        last = max(1, -(-len(items) // per_page))
        params = {k: v[-1] for k, v in req.query.items() if k != "page"}
        url = f"{self.base}{req.path}"
        links = []
        if page < last:
            links.append(f'<{url}?{urlencode(params | {"page": page + 1})}>; rel="next"')
            links.append(f'<{url}?{urlencode(params | {"page": last})}>; rel="last"')
        if page > 1:
            links.append(f'<{url}?{urlencode(params | {"page": page - 1})}>; rel="prev"')
            links.append(f'<{url}?{urlencode(params | {"page": 1})}>; rel="first"')
        payload = {"total_count": len(items), key: items[(page - 1) * per_page : page * per_page]}
        return json_reply(payload, headers={"Link": ", ".join(links)} if links else None)

    def _page(self, req: Request, parts: list[str]) -> Reply:
        """The web pages `html_url`s point at: a run (and its jobs), an issue."""
        here = "/".join(parts)
        if here.startswith(f"{ACTIONS_REPO}/actions/runs/") and len(parts) >= 5:
            for run in runs_at(API, req.t):
                if str(run_id(run.seq)) == parts[4]:
                    state = run.result or "in progress"
                    lines = [
                        f"{WORKFLOW_NAME} #{run.number} on {BRANCH}: {state}",
                        f"Triggered by {run.actor}",
                    ]
                    lines += [
                        f"{job.name}: {job.result or job.progress}" for job in run.latest_jobs()
                    ]
                    return html_reply(f"{run.title} · {ACTIONS_REPO}", lines)
        if here.startswith(f"{TRACKER_REPO}/issues/") and len(parts) == 4:
            for issue in self.tracker.issues():
                if str(issue["number"]) == parts[3]:
                    lines = [f"State: {issue['state']}", f"Opened by {issue['user']['login']}"]
                    lines += (issue["body"] or "").splitlines()
                    return html_reply(f"{issue['title']} · Issue #{issue['number']}", lines)
        return html_reply("Not Found", [f"/{here}"], status=404)


__all__ = [
    "ACTIONS_REPO",
    "BRANCH",
    "WORKFLOW_FILE",
    "WORKFLOW_ID",
    "GitHubService",
    "job_id",
    "run_id",
]
