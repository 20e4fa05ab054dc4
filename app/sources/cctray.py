"""cctray feeds as pipelines: which projects of a feed are one pipeline's stages, and its reading.

Jenkins (`/cc.xml`), GoCD (`/go/cctray.xml`), TeamCity, CircleCI, Buildkite and others emit
cctray (parsed in `app.sources.cctray_feed`). GoCD names projects `pipeline :: stage` and
`pipeline :: stage :: job`: with a prefix "web :: " the stage-level entries are the stages
and the job-level entries fold into them, so a failed job shows on its stage.

One feed often carries many pipelines: a scheduler may fetch it once (`fetch_feed`) and hand
the parsed list to each source's `read()`.

Honest reading: a stage that is building is running, and the outcome keeps its last
*completed* status until the build ends; a status or activity outside the standard is
unknown, never passed; a pipeline whose stages match nothing in the feed is unknown.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import NamedTuple

from app.domain.model import Culprit, ItemKind, Outcome, PipelineReading, Stage, StageStatus
from app.sources.cctray_feed import (
    Activity,
    BuildStatus,
    CctrayProject,
    parse_feed,
    parse_time,
)
from app.sources.http import HttpClient, check_status

GOCD_SEPARATOR = " :: "
_FAILING = (BuildStatus.FAILURE, BuildStatus.EXCEPTION)
_STANDARD_STATUSES = frozenset(s.value for s in BuildStatus)


def fetch_feed(
    http: HttpClient,
    url: str,
    *,
    auth: tuple[str, str] | None = None,
    ca_bundle: str | None = None,
    timeout_s: float | None = None,
    token_hint: str = "",
) -> list[CctrayProject]:
    """GET a feed (conditionally: an unchanged feed costs a 304) and parse it."""
    resp = http.get(url, auth=auth, ca_bundle=ca_bundle, timeout_s=timeout_s)
    check_status(resp, what="the cctray feed", token_hint=token_hint)
    return parse_feed(resp.body)


class CctraySource:
    """One pipeline read from a cctray feed.

    Its stages are either the projects whose names start with `project_prefix`, in feed order
    (stage name = the rest of the name), or the explicit ordered `projects` list (names as in
    the feed; a prefix, if also given, is cut from the shown names). With GoCD naming and a
    prefix such as "web :: ", `web :: build` is a stage and `web :: build :: linux` is one of
    its jobs: jobs fold into their stage, and a failed job shows on it. With neither, every
    project of the feed is a stage.
    """

    kind = ItemKind.PIPELINE

    def __init__(
        self,
        url: str,
        *,
        project_prefix: str | None = None,
        projects: Sequence[str] | None = None,
        auth: tuple[str, str] | None = None,
        ca_bundle: str | None = None,
        timeout_s: float | None = None,
        token_hint: str = "",
    ) -> None:
        self.url = url
        self.project_prefix = project_prefix or None
        self.projects = tuple(projects) if projects else None
        self.auth = auth
        self.ca_bundle = ca_bundle
        self.timeout_s = timeout_s  # the total deadline of each request; None: the client's
        self.token_hint = token_hint

    def fetch(self, http: HttpClient) -> PipelineReading:
        projects = fetch_feed(
            http,
            self.url,
            auth=self.auth,
            ca_bundle=self.ca_bundle,
            timeout_s=self.timeout_s,
            token_hint=self.token_hint,
        )
        return self.read(projects)

    def read(self, projects: list[CctrayProject]) -> PipelineReading:
        """The reading of this pipeline from an already parsed feed."""
        groups = self._explicit(projects) if self.projects else self._by_prefix(projects)
        if not groups:
            return PipelineReading(stages=(), outcome=Outcome.UNKNOWN, detail=self._no_match())
        return _reading(groups)

    def _by_prefix(self, projects: Iterable[CctrayProject]) -> list[_StageGroup]:
        prefix = self.project_prefix
        groups: dict[str, _StageGroup] = {}
        for project in projects:
            if prefix is None:
                groups.setdefault(project.name, _StageGroup(project.name)).entry = project
                continue
            if not project.name.startswith(prefix):
                continue
            rest = project.name[len(prefix) :]
            if rest.startswith(GOCD_SEPARATOR):  # prefix "web" for "web :: build"
                rest = rest[len(GOCD_SEPARATOR) :]
            stage, sep, job = rest.partition(GOCD_SEPARATOR)
            stage = stage or project.name
            group = groups.setdefault(stage, _StageGroup(stage))
            if sep:
                group.jobs.append((job, project))
            else:
                group.entry = project
        return list(groups.values())

    def _explicit(self, projects: Iterable[CctrayProject]) -> list[_StageGroup]:
        assert self.projects is not None
        wanted = {name: _StageGroup(self._shown(name)) for name in self.projects}
        for project in projects:
            group = wanted.get(project.name)
            if group is not None:
                group.entry = project
                continue
            stage, sep, job = project.name.rpartition(GOCD_SEPARATOR)
            if sep and stage in wanted:
                wanted[stage].jobs.append((job, project))
        found = [g for g in wanted.values() if g.entry is not None or g.jobs]
        return list(wanted.values()) if found else []

    def _shown(self, name: str) -> str:
        prefix = self.project_prefix
        return name[len(prefix) :] if prefix and name.startswith(prefix) else name

    def _no_match(self) -> str:
        if self.projects:
            listed = ", ".join(repr(p) for p in self.projects[:3])
            more = f" and {len(self.projects) - 3} more" if len(self.projects) > 3 else ""
            return f"none of the projects {listed}{more} is in the feed"
        if self.project_prefix:
            return f"no project in the feed matches {self.project_prefix!r}"
        return "the feed lists no projects"


@dataclass
class _StageGroup:
    """A stage: its own feed entry (if any) and the job entries that fold into it."""

    name: str
    entry: CctrayProject | None = None
    jobs: list[tuple[str, CctrayProject]] = field(default_factory=list)

    def last_status(self) -> BuildStatus:
        """The stage's last completed status, a failed job counting as a failed stage."""
        if self.entry is not None:
            own = self.entry.last_build_status
            if own in _FAILING or self.entry.activity is Activity.BUILDING:
                return own
            if any(p.last_build_status in _FAILING for _, p in self.jobs):
                return BuildStatus.FAILURE
            return own
        statuses = [p.last_build_status for _, p in self.jobs]
        for bad in _FAILING:
            if bad in statuses:
                return bad
        if statuses and all(s is BuildStatus.SUCCESS for s in statuses):
            return BuildStatus.SUCCESS
        return BuildStatus.UNKNOWN

    def members(self) -> list[CctrayProject]:
        own = [self.entry] if self.entry is not None else []
        return own + [p for _, p in self.jobs]

    def building(self) -> bool:
        return any(p.activity is Activity.BUILDING for p in self.members())


_STATUS_WORDS = {
    BuildStatus.SUCCESS: "passed",
    BuildStatus.FAILURE: "failed",
    BuildStatus.EXCEPTION: "broke with an exception",
    BuildStatus.UNKNOWN: "unknown",
}
_STAGE_STATUS = {
    BuildStatus.SUCCESS: StageStatus.PASSED,
    BuildStatus.FAILURE: StageStatus.FAILED,
    BuildStatus.EXCEPTION: StageStatus.FAILED,
}


class _Judged(NamedTuple):
    """A stage and the facts about its group that the pipeline's reading needs."""

    stage: Stage
    members: list[CctrayProject]
    last: BuildStatus
    building: bool
    understood: bool  # in the feed, and every activity recognised


def _stage(group: _StageGroup) -> _Judged:
    # Each group's members are listed once here and reused by `_reading`: a 5,000-project
    # feed read as one pipeline otherwise lists them eight times per stage.
    members = group.members()
    if not members:
        stage = Stage(name=group.name, status=StageStatus.UNKNOWN, note="not in the feed")
        return _Judged(stage, members, BuildStatus.UNKNOWN, False, False)
    head = group.entry or members[0]
    last = group.last_status()
    notes: list[str] = []
    building = any(p.activity is Activity.BUILDING for p in members)
    odd = next((p for p in members if p.activity is Activity.UNKNOWN), None)
    if building:
        status = StageStatus.RUNNING
        notes.append(f"last build {_STATUS_WORDS[last]}")
    elif odd is not None:
        status = StageStatus.UNKNOWN
        raw = odd.raw_activity
        notes.append(f"activity {raw!r} not recognised" if raw else "no activity given")
    else:
        status = _STAGE_STATUS.get(last, StageStatus.UNKNOWN)
        if last is BuildStatus.EXCEPTION:
            notes.append("exception")
    if last is BuildStatus.UNKNOWN and group.entry is not None:
        raw = group.entry.raw_status
        if raw and raw not in _STANDARD_STATUSES:
            notes.append(f"status {raw!r} not recognised")
        elif not raw or raw == "Unknown":
            notes.append("no completed build yet")
    if group.jobs:
        failed_jobs = [job for job, p in group.jobs if p.last_build_status in _FAILING]
        if failed_jobs:
            notes.append("failed: " + ", ".join(failed_jobs))
    if last in _FAILING:
        breakers = head.breakers or tuple(b for _, p in group.jobs for b in p.breakers)
        if breakers:
            notes.append("breakers: " + ", ".join(dict.fromkeys(breakers)))
    if len(members) == 1:
        finished_at = members[0].last_build_time
    else:
        finished_at = max((p.last_build_time for p in members if p.last_build_time), default=None)
    stage = Stage(
        name=group.name,
        status=status,
        url=head.web_url,
        label=head.last_build_label,
        note="; ".join(n for n in notes if n),
        finished_at=finished_at,
    )
    return _Judged(stage, members, last, building, odd is None)


def _reading(groups: list[_StageGroup]) -> PipelineReading:
    judged = [_stage(g) for g in groups]
    stages = tuple(j.stage for j in judged)
    lasts = [j.last for j in judged]
    understood = all(j.understood for j in judged)
    failed_stage = next(
        (s.name for s, last in zip(stages, lasts, strict=True) if last in _FAILING), None
    )
    if failed_stage is not None:
        outcome = Outcome.FAILED
    elif understood and all(last is BuildStatus.SUCCESS for last in lasts):
        outcome = Outcome.PASSED
    else:
        outcome = Outcome.UNKNOWN
    latest = max(
        (p for j in judged for p in j.members if p.last_build_time),
        key=lambda p: p.last_build_time or datetime.min.replace(tzinfo=UTC),
        default=None,
    )
    missing = [s.name for s in stages if s.note == "not in the feed"]
    detail = ""
    if missing:
        detail = "not in the feed: " + ", ".join(missing)
    elif outcome is Outcome.UNKNOWN:
        unsure = zip(stages, lasts, strict=True)
        detail = "; ".join(
            f"{s.name}: {s.note or 'unknown'}"
            for s, last in unsure
            if s.status is StageStatus.UNKNOWN or last is not BuildStatus.SUCCESS
        )
    culprits: tuple[Culprit, ...] = ()
    if outcome is Outcome.FAILED:
        # GoCD's Breakers messages: names only (no commit in the feed), from the failing stages.
        names = (
            b
            for j, last in zip(judged, lasts, strict=True)
            if last in _FAILING
            for p in j.members
            for b in p.breakers
        )
        culprits = tuple(Culprit(author=name) for name in dict.fromkeys(names))
    return PipelineReading(
        culprits=culprits,
        stages=stages,
        outcome=outcome,
        completed_at=latest.last_build_time if latest else None,
        failed_stage=failed_stage,
        running=any(j.building for j in judged),
        url=latest.web_url if latest else next((s.url for s in stages if s.url), None),
        label=latest.last_build_label if latest else None,
        completed_label=latest.last_build_label if latest else None,  # cctray's are completed
        detail=detail,
    )


__all__ = [
    "Activity",
    "BuildStatus",
    "CctrayProject",
    "CctraySource",
    "fetch_feed",
    "parse_feed",
    "parse_time",
]
