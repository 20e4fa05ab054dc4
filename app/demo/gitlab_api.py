"""The demo's GitLab: the CI pipelines of `acme/mobile`, as GitLab's REST API v4 documents them.

`GET /api/v4/projects/:id/pipelines` (`ref`, `status`, `scope`, `sha`, `source`, `order_by`,
`sort`, paginated with `x-next-page`/`x-page`/`x-per-page`/`x-prev-page`/`x-total`/
`x-total-pages` and `Link`) → a list of basic pipelines, newest first;
`GET .../pipelines/latest?ref=` and `GET .../pipelines/:pipeline_id` → one pipeline in full;
`GET .../pipelines/:pipeline_id/jobs` (`scope[]`, `include_retried`, paginated the same way) →
jobs newest first (by id, as GitLab 13.5+ returns them); `GET .../repository/commits/:sha` →
the commit (who broke a failed pipeline); `GET /api/v4/projects/:id`. The
project is found by its numeric id or its URL-encoded path (`acme%2Fmobile`). Pipelines come
from the scenario's `mobile` pipeline; its `lint` job is allowed to fail.
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import unquote, urlencode

from app.demo.plans import JobView, RunView, runs_at
from app.demo.scenario import MOBILE
from app.demo.wire import Reply, Request, Timebase, html_reply, json_reply

PROJECT_PATH = "acme/mobile"
PROJECT_ID = 48_211_907
REF = "main"


def pipeline_id(seq: int) -> int:
    return 1_204_331 + seq * 173


def job_id(seq: int, index: int) -> int:
    return 6_712_000_000 + seq * 1_000 + index


def _sha(seq: int) -> str:
    return hashlib.sha1(f"{PROJECT_PATH}:{seq}".encode()).hexdigest()


def _not_found(what: str = "Not found") -> Reply:
    return json_reply({"message": f"404 {what}"}, 404)


class GitLabService:
    """One loopback GitLab instance with one project."""

    name = "gitlab"

    def __init__(self, timebase: Timebase, base_url: str) -> None:
        self.timebase = timebase
        self.base = base_url.rstrip("/")  # the instance; the API is under /api/v4
        self.web = f"{self.base}/{PROJECT_PATH}"

    # -- shapes ----------------------------------------------------------------------------

    def _user(self, username: str) -> dict[str, Any]:
        return {
            "id": 10_000 + sum(map(ord, username)),
            "username": username,
            "name": username.replace("-", " ").title(),
            "state": "active",
            "locked": False,
            "avatar_url": f"{self.base}/uploads/-/system/user/avatar/{username}.png",
            "web_url": f"{self.base}/{username}",
        }

    def _project(self) -> dict[str, Any]:
        return {
            "id": PROJECT_ID,
            "name": "mobile",
            "path": "mobile",
            "path_with_namespace": PROJECT_PATH,
            "name_with_namespace": "acme / mobile",
            "default_branch": REF,
            "web_url": self.web,
            "visibility": "private",
        }

    @staticmethod
    def _job_status(job: JobView) -> str:
        if job.progress == "done":
            return {"success": "success", "failure": "failed", "skipped": "skipped"}[
                job.result or "success"
            ]
        return "running" if job.progress == "running" else "created"

    def _status(self, run: RunView) -> str:
        if run.progress == "done":
            return "success" if run.result == "success" else "failed"
        if any(job.progress == "running" for job in run.jobs):
            return "running"
        return "pending"

    def _basic(self, run: RunView) -> dict[str, Any]:
        pid = pipeline_id(run.seq)
        return {
            "id": pid,
            "iid": run.number,
            "project_id": PROJECT_ID,
            "sha": _sha(run.seq),
            "ref": REF,
            "status": self._status(run),
            "source": "push",
            "created_at": self.timebase.iso_ms(run.created_at),
            "updated_at": self.timebase.iso_ms(run.updated_at),
            "web_url": f"{self.web}/-/pipelines/{pid}",
            "name": None,
        }

    def _full(self, run: RunView, now: float) -> dict[str, Any]:
        status = self._status(run)
        warnings = status == "success" and any(
            j.allow_failure and j.result == "failure" for j in run.latest_jobs()
        )
        finished = run.updated_at if run.progress == "done" else None
        label = "passed with warnings" if warnings else status.replace("success", "passed")
        group = "success-with-warnings" if warnings else status
        icon = "warning" if warnings else status
        return self._basic(run) | {
            "before_sha": _sha(run.seq - 1),
            "tag": False,
            "yaml_errors": None,
            "user": self._user(run.actor),
            "started_at": self.timebase.iso_ms(run.created_at),
            "finished_at": self.timebase.iso_ms(finished),
            "committed_at": self.timebase.iso_ms(run.created_at - 40),
            "duration": round(self.timebase.seconds((finished or now) - run.created_at)),
            "queued_duration": 0.4,
            "coverage": None,
            "detailed_status": {
                "icon": f"status_{icon}",
                "text": "Warning" if warnings else label.title(),
                "label": label,
                "group": group,
                "tooltip": label,
                "has_details": True,
                "details_path": f"/{PROJECT_PATH}/-/pipelines/{pipeline_id(run.seq)}",
                "illustration": None,
                "favicon": f"/assets/ci_favicons/favicon_status_{icon}.png",
            },
        }

    def _commit(self, run: RunView) -> dict[str, Any]:
        """A commit as `GET /projects/:id/repository/commits/:sha` (and a job's `commit`)."""
        iso = self.timebase.iso_ms
        return {
            "id": _sha(run.seq),
            "short_id": _sha(run.seq)[:8],
            "created_at": iso(run.created_at - 40),
            "parent_ids": [_sha(run.seq - 1)],
            "title": run.title,
            "message": run.title + "\n",
            "author_name": run.actor,
            "author_email": f"{run.actor}@acme.example",
            "authored_date": iso(run.created_at - 40),
            "committer_name": run.actor,
            "committer_email": f"{run.actor}@acme.example",
            "committed_date": iso(run.created_at - 40),
            "web_url": f"{self.web}/-/commit/{_sha(run.seq)}",
        }

    def _job(self, run: RunView, job: JobView, now: float) -> dict[str, Any]:
        jid = job_id(run.seq, job.index)
        iso = self.timebase.iso_ms
        status = self._job_status(job)
        ran = job.started_at is not None and job.result != "skipped"
        duration = None
        if ran and job.started_at is not None:
            end = job.finished_at if job.finished_at is not None else now
            duration = round(self.timebase.seconds(end - job.started_at), 3)
        payload: dict[str, Any] = {
            "id": jid,
            "status": status,
            "stage": job.stage,
            "name": job.name,
            "ref": REF,
            "tag": False,
            "coverage": None,
            "allow_failure": job.allow_failure,
            "created_at": iso(run.created_at),
            "started_at": iso(job.started_at) if ran else None,
            "finished_at": iso(job.finished_at),
            "erased_at": None,
            "duration": duration,
            "queued_duration": 0.812 if ran else None,
            "user": self._user(run.actor),
            "commit": self._commit(run),
            "pipeline": {
                key: value
                for key, value in self._basic(run).items()
                if key
                in (
                    "id",
                    "iid",
                    "project_id",
                    "sha",
                    "ref",
                    "status",
                    "source",
                    "created_at",
                    "updated_at",
                    "web_url",
                )
            },
            "web_url": f"{self.web}/-/jobs/{jid}",
            "project": {"ci_job_token_scope_enabled": False},
            "artifacts": [],
            "runner": {
                "id": 31_000 + job.index,
                "description": f"shared-runner-{job.index}",
                "ip_address": None,
                "active": True,
                "paused": False,
                "is_shared": True,
                "runner_type": "instance_type",
                "name": "gitlab-runner",
                "online": True,
                "status": "online",
            }
            if ran
            else None,
            "artifacts_expire_at": None,
            "archived": False,
            "tag_list": ["docker"],
        }
        if status == "failed":
            payload["failure_reason"] = "script_failure"
        return payload

    # -- routing ---------------------------------------------------------------------------

    def handle(self, req: Request) -> Reply:
        # Split before decoding: an encoded project path ("acme%2Fmobile") is one segment.
        raw = [p for p in req.path.strip("/").split("/") if p]
        if raw[:2] != ["api", "v4"]:
            return (
                self._page(req, [unquote(p) for p in raw])
                if req.method == "GET"
                else (_not_found())
            )
        parts = [unquote(p) for p in raw[2:]]
        if req.method != "GET":
            return json_reply({"message": "405 Method Not Allowed"}, 405)
        if len(parts) < 2 or parts[0] != "projects":
            return _not_found()
        if parts[1] not in (PROJECT_PATH, str(PROJECT_ID)):
            return _not_found("Project Not Found")
        rest = parts[2:]
        if not rest:
            return json_reply(self._project())
        if rest[:2] == ["repository", "commits"] and len(rest) == 3:
            commit = next((r for r in runs_at(MOBILE, req.t) if _sha(r.seq) == rest[2]), None)
            return (
                json_reply(self._commit(commit)) if commit else _not_found("404 Commit Not Found")
            )
        if rest[0] != "pipelines":
            return _not_found()
        runs = runs_at(MOBILE, req.t)
        if len(rest) == 1:
            return self._pipelines(req, runs)
        if rest[1] == "latest" and len(rest) == 2:
            ref = req.arg("ref", REF)
            run = runs[0] if runs and ref == REF else None
            return json_reply(self._full(run, req.t)) if run else _not_found()
        if not rest[1].isdigit():
            return _not_found()
        run = next((r for r in runs if pipeline_id(r.seq) == int(rest[1])), None)
        if run is None:
            return _not_found()
        if len(rest) == 2:
            return json_reply(self._full(run, req.t))
        if rest[2:] == ["jobs"]:
            return self._jobs(req, run)
        return _not_found()

    def _pipelines(self, req: Request, runs: tuple[RunView, ...]) -> Reply:
        items = [self._basic(run) for run in runs]
        ref, status, sha = req.arg("ref"), req.arg("status"), req.arg("sha")
        scope, source = req.arg("scope"), req.arg("source")
        scopes = {
            "running": {"running"},
            "pending": {"pending"},
            "finished": {"success", "failed", "canceled", "skipped"},
            "branches": None,
            "tags": set(),
        }
        allowed = scopes.get(scope) if scope is not None else None
        items = [
            p
            for p in items
            if (ref is None or p["ref"] == ref)
            and (status is None or p["status"] == status)
            and (sha is None or p["sha"] == sha)
            and (source is None or p["source"] == source)
            and (allowed is None or p["status"] in allowed)
        ]
        order_by = req.arg("order_by", "id")
        if order_by in ("id", "updated_at", "status", "ref"):
            items.sort(key=lambda p: (p[order_by], p["id"]), reverse=req.arg("sort") != "asc")
        return self._paged(req, items)

    def _jobs(self, req: Request, run: RunView) -> Reply:
        jobs = run.jobs if req.arg("include_retried") == "true" else run.latest_jobs()
        items = [self._job(run, job, req.t) for job in jobs]
        scopes = set(req.query.get("scope[]", []) + req.query.get("scope", []))
        if scopes:
            items = [job for job in items if job["status"] in scopes]
        items.sort(key=lambda job: job["id"], reverse=True)
        return self._paged(req, items)

    def _paged(self, req: Request, items: list[dict[str, Any]]) -> Reply:
        per_page, page = req.int_arg("per_page", 20), req.int_arg("page", 1, high=10_000)
        total_pages = max(1, -(-len(items) // per_page))
        query = [(k, v) for k, values in req.query.items() if k != "page" for v in values]
        url = f"{self.base}{req.path}"

        def link(to: int, rel: str) -> str:
            return f'<{url}?{urlencode([*query, ("page", to)])}>; rel="{rel}"'

        links = []
        if page > 1:
            links.append(link(page - 1, "prev"))
        if page < total_pages:
            links.append(link(page + 1, "next"))
        links += [link(1, "first"), link(total_pages, "last")]
        headers = {
            "x-page": str(page),
            "x-per-page": str(per_page),
            "x-next-page": str(page + 1) if page < total_pages else "",
            "x-prev-page": str(page - 1) if page > 1 else "",
            "x-total": str(len(items)),
            "x-total-pages": str(total_pages),
            "Link": ", ".join(links),
        }
        return json_reply(items[(page - 1) * per_page : page * per_page], headers=headers)

    def _page(self, req: Request, parts: list[str]) -> Reply:
        """The web pages `web_url`s point at: a pipeline or a job."""
        here = "/".join(parts)
        runs = runs_at(MOBILE, req.t)
        if here.startswith(f"{PROJECT_PATH}/-/") and len(parts) == 5 and parts[4].isdigit():
            wanted = int(parts[4])
            for run in runs:
                if parts[3] == "pipelines" and pipeline_id(run.seq) == wanted:
                    lines = [
                        f"{job.stage} / {job.name}: {self._job_status(job)}"
                        for job in run.latest_jobs()
                    ]
                    return html_reply(f"Pipeline #{wanted} · {run.title}", lines)
                for job in run.latest_jobs():
                    if parts[3] == "jobs" and job_id(run.seq, job.index) == wanted:
                        return html_reply(
                            f"{job.name} (#{wanted}) · {PROJECT_PATH}",
                            [
                                f"Stage {job.stage}: {self._job_status(job)}",
                                f"Pipeline #{pipeline_id(run.seq)}: {run.title}",
                            ],
                        )
        return html_reply("Page Not Found", [f"/{here}"], status=404)


__all__ = ["PROJECT_ID", "PROJECT_PATH", "REF", "GitLabService", "job_id", "pipeline_id"]
