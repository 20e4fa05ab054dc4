"""The demo's CI server feed: a `cctray.xml` as GoCD serves it, for several teams' pipelines.

One `<Projects>` document with a `<Project>` per pipeline stage, named `pipeline :: stage`
(GoCD's naming), carrying the attributes of the cctray standard: `name`, `activity`
(`Sleeping`/`Building`), `lastBuildStatus` (`Success`/`Failure`/`Unknown`), `lastBuildLabel`,
`lastBuildTime` and `webUrl`. The board's `web` and `docs` pipelines read their stages from it
by prefix; other teams' projects sit in the same feed and must not match (`webhooks :: ` starts
with "web" but not with "web :: "). As GoCD does, the jobs of the board's pipelines are listed
too (`web :: e2e :: firefox`), and a failed entry names who broke it in a `Breakers` message.
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from app.demo.plans import PipelinePlan, RunView, runs_at
from app.demo.scenario import FEED_PIPELINES
from app.demo.wire import Reply, Request, Timebase, html_reply

FEED_PATH = "/go/cctray.xml"
# Feed order: the stages of each pipeline stay in order; teams interleave.
FEED_ORDER = ("webhooks", "web", "search", "docs", "web-legacy")
# GoCD lists each stage's jobs after it: (pipeline, stage) -> jobs. A stage that fails
# fails in its last job here (e2e: firefox fails, chrome passes).
JOBS = {
    ("web", "build"): ("compile",),
    ("web", "test"): ("unit",),
    ("web", "e2e"): ("chrome", "firefox"),
    ("web", "deploy-staging"): ("deploy",),
    ("web", "deploy-prod"): ("deploy",),
    ("docs", "build"): ("build-site",),
    ("docs", "link-check"): ("check-links",),
    ("docs", "publish"): ("upload",),
}


def _stage_names(plan: PipelinePlan) -> list[str]:
    names: list[str] = []
    for run in (*plan.history, *plan.loop):
        for job in run.jobs:
            if job.name not in names:
                names.append(job.name)
    return names


def _element(
    name: str, building: bool, status: str, label: str, time: str, url: str, breaker: str | None
) -> str:
    attrs = {
        "name": name,
        "activity": "Building" if building else "Sleeping",
        "lastBuildStatus": status,
        "lastBuildLabel": label,
        "lastBuildTime": time,
        "webUrl": url,
    }
    head = "  <Project " + " ".join(f"{k}={quoteattr(v)}" for k, v in attrs.items())
    if breaker is None:
        return head + " />"
    message = f'<message text={quoteattr(breaker)} kind="Breakers" />'
    return f"{head}>\n    <messages>\n      {message}\n    </messages>\n  </Project>"


class CctrayService:
    """One loopback CI server serving the feed and the stage pages it links to."""

    name = "cctray"

    def __init__(self, timebase: Timebase, base_url: str) -> None:
        self.timebase = timebase
        self.base = base_url.rstrip("/")
        plans = {plan.name: plan for plan in FEED_PIPELINES}
        self.plans = [plans[name] for name in FEED_ORDER]

    def _entries(self, plan: PipelinePlan, stage: str, runs: tuple[RunView, ...]) -> list[str]:
        """The stage's `<Project>` and, after it, one per job."""
        building = False
        last: tuple[str, RunView, float, int] | None = None  # status, run, time, counter
        for run in sorted(runs, key=lambda r: r.seq):
            for job in run.jobs:
                if job.name != stage:
                    continue
                if job.progress == "running":
                    building = True
                elif job.progress == "done" and job.result in ("success", "failure"):
                    status = "Success" if job.result == "success" else "Failure"
                    last = (status, run, job.finished_at or 0.0, job.attempt)
        jobs = JOBS.get((plan.name, stage), ())
        name = f"{plan.name} :: {stage}"
        if last is None:
            url = f"{self.base}/go/pipeline/activity/{plan.name}"
            return [_element(name, building, "Unknown", "", "", url, None)]
        status, run, when, counter = last
        label, time = str(run.number), self.timebase.iso(when) or ""
        stage_url = f"{self.base}/go/pipelines/{plan.name}/{label}/{stage}/{counter}"
        breaker = run.actor if status == "Failure" else None
        entries = [_element(name, building, status, label, time, stage_url, breaker)]
        for i, job_name in enumerate(jobs):
            failed = status == "Failure" and i == len(jobs) - 1
            job_url = (
                f"{self.base}/go/tab/build/detail/{plan.name}/{label}/{stage}/{counter}/{job_name}"
            )
            entries.append(
                _element(
                    f"{name} :: {job_name}",
                    building,
                    "Failure" if failed else "Success",
                    label,
                    time,
                    job_url,
                    breaker if failed else None,
                )
            )
        return entries

    def feed(self, t: float) -> bytes:
        lines = ['<?xml version="1.0" encoding="utf-8"?>', "<Projects>"]
        for plan in self.plans:
            runs = runs_at(plan, t)
            for stage in _stage_names(plan):
                lines += self._entries(plan, stage, runs)
        lines.append("</Projects>")
        return ("\n".join(lines) + "\n").encode("utf-8")

    def handle(self, req: Request) -> Reply:
        if req.method != "GET":
            return html_reply("Method Not Allowed", [req.path], status=405)
        if req.path == FEED_PATH:
            return Reply(200, self.feed(req.t), "application/xml; charset=utf-8")
        parts = [p for p in req.path.strip("/").split("/") if p]
        if parts[:2] == ["go", "pipelines"] and len(parts) == 6:
            _, _, pipeline, label, stage, counter = parts
            return html_reply(
                f"{pipeline} / {label} / {stage} / {counter}",
                [f"Stage {stage} of pipeline {pipeline}, run {label}, attempt {counter}"],
            )
        if parts[:4] == ["go", "tab", "build", "detail"] and len(parts) == 9:
            pipeline, label, stage, counter, job = parts[4:]
            return html_reply(
                f"{pipeline} / {label} / {stage} / {counter} / {job}",
                [f"Job {job} of stage {stage}, pipeline {pipeline}, run {label}"],
            )
        if parts[:3] == ["go", "pipeline", "activity"]:
            return html_reply(f"Activity of {'/'.join(parts[3:])}", ["No runs yet"])
        return html_reply("Not Found", [req.path], status=404)


__all__ = ["FEED_PATH", "CctrayService"]
