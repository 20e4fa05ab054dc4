"""Jenkins jobs over the JSON API, with stages from the Pipeline Stage View plugin.

The user gives the job page URL as copied from the browser (`.../job/team/job/api/`, folders
and multibranch branches included, trailing slash or not, even a build or Blue Ocean page:
`app.sources.urls.parse_jenkins_url` trims it to the job). We read
`{job}/api/json?tree=...` for the last build (what is shown) and the last *completed* build
(what feeds the verdict), then `{job}/{number}/wfapi/describe` for the stages of a Pipeline
job; a 404 there means a freestyle job (or no Stage View plugin) and the job is one stage.
Build URLs are made from the URL the user gave, not from `lastBuild.url`: Jenkins writes
that from its configured root URL, which is often not the name this machine reaches it by.

Results (hudson.model.Result): SUCCESS passes; UNSTABLE is a failed gate (Jenkins sets it when
tests fail), noted "unstable"; FAILURE fails; ABORTED and NOT_BUILT reached no verdict, so the
outcome is unknown — an aborted run did not pass its gates, and it did not fail them either.
While a build runs its result is null. Stage View statuses (StatusExt): SUCCESS, FAILED,
UNSTABLE, IN_PROGRESS, ABORTED, NOT_EXECUTED, SKIPPED, PAUSED_PENDING_INPUT.

A failed gate names its culprits: the completed build's change sets (author, short commit id,
first line of the message, the build's changes page), else Jenkins' `culprits` by name.

Auth is HTTP Basic with a user name and API token.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urlsplit

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
from app.sources.http import HttpClient, check_status
from app.sources.urls import parse_jenkins_url

_BUILD_FIELDS = "number,url,result,building,timestamp,duration"
# Who broke it: the completed build's changes (Pipeline jobs: changeSets; freestyle: changeSet)
# and Jenkins' own culprits (the committers since the last good build). Jenkins ignores the
# fields a job type does not have.
_ITEMS = "items[commitId,msg,author[fullName]]"
_CHANGES = f"changeSets[{_ITEMS}],changeSet[{_ITEMS}],culprits[fullName]"
TREE = f"name,url,color,lastBuild[{_BUILD_FIELDS}],lastCompletedBuild[{_BUILD_FIELDS},{_CHANGES}]"
MAX_CULPRITS = 5

_RESULT_TO_OUTCOME = {
    "SUCCESS": Outcome.PASSED,
    "UNSTABLE": Outcome.FAILED,
    "FAILURE": Outcome.FAILED,
    "ABORTED": Outcome.UNKNOWN,
    "NOT_BUILT": Outcome.UNKNOWN,
}
_RESULT_TO_STAGE = {
    "SUCCESS": (StageStatus.PASSED, ""),
    "UNSTABLE": (StageStatus.FAILED, "unstable (test failures)"),
    "FAILURE": (StageStatus.FAILED, ""),
    "ABORTED": (StageStatus.CANCELED, "aborted"),
    "NOT_BUILT": (StageStatus.SKIPPED, "not built"),
}
_STAGE_VIEW_STATUS = {
    "SUCCESS": (StageStatus.PASSED, ""),
    "FAILED": (StageStatus.FAILED, ""),
    "UNSTABLE": (StageStatus.FAILED, "unstable (test failures)"),
    "IN_PROGRESS": (StageStatus.RUNNING, ""),
    "ABORTED": (StageStatus.CANCELED, "aborted"),
    "NOT_EXECUTED": (StageStatus.SKIPPED, "not executed"),
    "SKIPPED": (StageStatus.SKIPPED, ""),
    "PAUSED_PENDING_INPUT": (StageStatus.QUEUED, "waiting for input"),
}
_FAILED_STAGE = ("FAILED", "UNSTABLE")


class JenkinsSource:
    """One Jenkins job (a Pipeline, multibranch branch or freestyle job)."""

    kind = ItemKind.PIPELINE

    def __init__(
        self,
        url: str,
        *,
        username: str | None = None,
        token: str | None = None,
        token_hint: str = "",
        ca_bundle: str | None = None,
        timeout_s: float | None = None,
    ) -> None:
        self.url = parse_jenkins_url(url)  # SourceUrlError (a ValueError) names what is wrong
        self.auth = (username, token) if username and token else None
        self.token_hint = token_hint
        self.ca_bundle = ca_bundle
        self.timeout_s = timeout_s  # the total deadline of each request; None: the client's
        segments = [unquote(s) for s in urlsplit(self.url).path.split("/") if s]
        names = [segments[i + 1] for i, s in enumerate(segments[:-1]) if s == "job"]
        self.full_name = "/".join(names) or self.url

    def fetch(self, http: HttpClient) -> PipelineReading:
        job = self._get_json(http, f"{self.url}api/json", {"tree": TREE})
        if not isinstance(job, dict) or "lastBuild" not in job:
            raise SourceError(_not_a_job_words(self.full_name, job))
        name = str(job.get("name") or self.full_name)
        last = _build(job.get("lastBuild"))
        done = _build(job.get("lastCompletedBuild"))
        if last is None:
            return PipelineReading(
                stages=(), outcome=Outcome.UNKNOWN, url=self.url, detail="no build yet"
            )
        stages, shown_failed = self._stages(http, name, last)  # shown_failed None: no Stage View
        running = bool(last.get("building"))
        if done is None:
            return PipelineReading(
                stages=stages,
                outcome=Outcome.UNKNOWN,
                running=running,
                url=_url(last) or self.url,
                label=_label(last),
                detail="no completed build yet",
            )
        result = done.get("result")
        outcome = _RESULT_TO_OUTCOME.get(result, Outcome.UNKNOWN) if result else Outcome.UNKNOWN
        failed_stage = None
        if outcome is Outcome.FAILED:
            found = shown_failed
            if done.get("number") != last.get("number"):
                found = self._failed_stage_of(http, done)
            # No Stage View: the job is its own single stage. Stage View with no failed
            # stage (a failure in `post`): no stage to name.
            failed_stage = name if found is None else (found or None)
        return PipelineReading(
            stages=stages,
            outcome=outcome,
            completed_at=_finished(done),
            failed_stage=failed_stage,
            running=running,
            url=_url(last) or self.url,
            label=_label(last),
            completed_label=_label(done),
            detail=_outcome_words(done, result),
            culprits=self._culprits(done) if outcome is Outcome.FAILED else (),
        )

    def _culprits(self, build: dict[str, Any]) -> tuple[Culprit, ...]:
        """The build's commits (newest first), else Jenkins' culprits by name alone."""
        number = build.get("number")
        changes = f"{self.url}{number}/changes" if isinstance(number, int) else None
        sets = build.get("changeSets")
        sets = sets if isinstance(sets, list) else []
        single = build.get("changeSet")
        if isinstance(single, dict):
            sets = [*sets, single]
        found: list[Culprit] = []
        for change_set in sets:
            items = change_set.get("items") if isinstance(change_set, dict) else None
            for item in items if isinstance(items, list) else []:
                if not isinstance(item, dict):
                    continue
                author = item.get("author")
                name = author.get("fullName") if isinstance(author, dict) else None
                found.append(
                    Culprit(
                        author=name if isinstance(name, str) else "",
                        sha=short_sha(_text(item.get("commitId"))),
                        message=first_line(_text(item.get("msg"))),
                        url=changes,
                    )
                )
        if not found:
            people = build.get("culprits")
            for person in people if isinstance(people, list) else []:
                name = person.get("fullName") if isinstance(person, dict) else None
                if isinstance(name, str) and name:
                    found.append(Culprit(author=name, url=changes))
        return tuple(reversed(found))[:MAX_CULPRITS]

    def _get_json(self, http: HttpClient, url: str, params: dict[str, str] | None = None) -> Any:
        resp = http.get(
            url, params=params, auth=self.auth, ca_bundle=self.ca_bundle, timeout_s=self.timeout_s
        )
        check_status(resp, what=f"Jenkins job {self.full_name}", token_hint=self.token_hint)
        return resp.json()

    def _describe(self, http: HttpClient, number: Any) -> dict[str, Any] | None:
        """The Stage View of one build, or None where the server has none to offer."""
        url = f"{self.url}{number}/wfapi/describe"
        resp = http.get(url, auth=self.auth, ca_bundle=self.ca_bundle, timeout_s=self.timeout_s)
        if resp.status == 404:
            return None
        check_status(
            resp, what=f"stages of Jenkins job {self.full_name}", token_hint=self.token_hint
        )
        data = resp.json()
        if not isinstance(data, dict) or not isinstance(data.get("stages"), list):
            return None
        return data

    def _stages(
        self, http: HttpClient, name: str, last: dict[str, Any]
    ) -> tuple[tuple[Stage, ...], str | None]:
        """The last build's stages, and its first failed stage ("" none, None no Stage View)."""
        described = self._describe(http, last.get("number"))
        if described is None or not described["stages"]:
            return (_whole_job_stage(name, last),), None
        stages = tuple(_stage(s, _url(last)) for s in described["stages"] if isinstance(s, dict))
        return stages, _first_failed(described)

    def _failed_stage_of(self, http: HttpClient, done: dict[str, Any]) -> str | None:
        """First failed stage of the last completed build (when a newer one is shown)."""
        described = self._describe(http, done.get("number"))
        return _first_failed(described) if described and described["stages"] else None


def _not_a_job_words(name: str, job: Any) -> str:
    kind = str(job.get("_class", "")) if isinstance(job, dict) else ""
    if "MultiBranch" in kind:
        return f"Jenkins {name} is a multibranch project: give the URL of one branch's job"
    if "Folder" in kind or "jobs" in (job if isinstance(job, dict) else {}):
        return f"Jenkins {name} is a folder, not a job: give the URL of one of its jobs"
    return f"Jenkins {name} does not look like a job (is the URL a job page?)"


def _build(value: Any) -> dict[str, Any] | None:
    return value if isinstance(value, dict) and value.get("number") is not None else None


def _first_failed(described: dict[str, Any]) -> str:
    for stage in described.get("stages") or []:
        if isinstance(stage, dict) and stage.get("status") in _FAILED_STAGE:
            return str(stage.get("name") or "?")
    return ""


def _stage(data: dict[str, Any], build_url: str | None) -> Stage:
    raw: Any = data.get("status")
    status, note = _STAGE_VIEW_STATUS.get(raw, (StageStatus.UNKNOWN, ""))
    if status is StageStatus.UNKNOWN:
        note = f"status {raw!r} not recognised"
    return Stage(
        name=str(data.get("name") or "?"),
        status=status,
        started_at=_millis(data.get("startTimeMillis")),
        duration_s=_seconds(data.get("durationMillis")),
        url=build_url,
        note=note,
    )


def _whole_job_stage(name: str, build: dict[str, Any]) -> Stage:
    """A job without Stage View is one stage: its last build."""
    result = build.get("result")
    if build.get("building"):
        status, note = StageStatus.RUNNING, ""
    elif result in _RESULT_TO_STAGE:
        status, note = _RESULT_TO_STAGE[result]
    else:
        status, note = StageStatus.UNKNOWN, f"result {result!r} not recognised"
    return Stage(
        name=name,
        status=status,
        started_at=_millis(build.get("timestamp")),
        duration_s=None if build.get("building") else _seconds(build.get("duration")),
        url=_url(build),
        label=_label(build),
        note=note,
    )


def _outcome_words(done: dict[str, Any], result: Any) -> str:
    label = _label(done)
    if result == "UNSTABLE":
        return f"last completed build {label} unstable (test failures)"
    if result == "ABORTED":
        return f"last completed build {label} was aborted"
    if result == "NOT_BUILT":
        return f"last completed build {label} was not built"
    if result not in _RESULT_TO_OUTCOME:
        return f"result {result!r} of build {label} not recognised"
    return ""


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _label(build: dict[str, Any]) -> str:
    return f"#{build.get('number')}"


def _url(build: dict[str, Any]) -> str | None:
    url = build.get("url")
    return url if isinstance(url, str) and url else None


def _millis(value: Any) -> datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return _at(value / 1000)
    return None


def _at(seconds: float) -> datetime | None:
    """An epoch time, or None when it is no real time (a hostile 1e20 ms)."""
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _seconds(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return value / 1000
    return None


def _finished(build: dict[str, Any]) -> datetime | None:
    started = _millis(build.get("timestamp"))
    duration = _seconds(build.get("duration"))
    if started is None:
        return None
    return started if duration is None else _at(started.timestamp() + duration)


__all__ = ["TREE", "JenkinsSource"]
