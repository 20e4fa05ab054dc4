"""cctray feeds (the CCTray/CCMenu "Multiple Project Summary Reporting Standard").

Jenkins (`/cc.xml`), GoCD (`/go/cctray.xml`), TeamCity, CircleCI, Buildkite and others emit
one `<Projects>` root with one `<Project>` per build: `name`, `activity` (Sleeping, Building,
CheckingModifications), `lastBuildStatus` (Success, Failure, Exception, Unknown),
`lastBuildLabel`, `lastBuildTime`, `webUrl`, and optionally `nextBuildTime`, `description`,
`category` and `serverName`. GoCD names projects `pipeline :: stage` and
`pipeline :: stage :: job` and adds `<messages><message kind="Breakers" text="..."/>`.

This module owns parsing (safely: `defusedxml` refuses entity declarations and external
references, so a billion-laughs feed is refused rather than expanded) and turning the projects
of one pipeline into a `PipelineReading`. One feed often carries many pipelines: a scheduler
may fetch it once (`fetch_feed`) and hand the parsed list to each source's `read()`.

Times: ISO 8601 with or without offset and fractional seconds. A time with no offset is read
as UTC: Jenkins and GoCD always write UTC ("...Z"), and the servers that omit the offset (old
CruiseControl) give no way to know their zone; it only moves the "when" shown, never a status.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import NamedTuple
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler
from xml.sax.xmlreader import AttributesImpl

import defusedxml
import defusedxml.sax as defused_sax

from app.domain.model import ItemKind, Outcome, PipelineReading, Stage, StageStatus
from app.sources.errors import SourceError
from app.sources.http import HttpClient, check_status, looks_like_html

GOCD_SEPARATOR = " :: "


class Activity(StrEnum):
    SLEEPING = "Sleeping"
    BUILDING = "Building"
    CHECKING_MODIFICATIONS = "CheckingModifications"
    UNKNOWN = "unknown"  # absent or not in the standard


class BuildStatus(StrEnum):
    SUCCESS = "Success"
    FAILURE = "Failure"
    EXCEPTION = "Exception"
    UNKNOWN = "Unknown"  # the standard's own "Unknown" and any value it does not define


_ACTIVITIES = {a.value: a for a in Activity if a is not Activity.UNKNOWN}
_STATUSES = {s.value: s for s in BuildStatus}
_FAILING = (BuildStatus.FAILURE, BuildStatus.EXCEPTION)


class CctrayProject(NamedTuple):
    """One `<Project>` of a feed, as written there (`raw_*` keep unrecognised values).

    A NamedTuple rather than a frozen dataclass: a big feed makes thousands of these, and
    tuple construction is several times cheaper.
    """

    name: str
    activity: Activity
    last_build_status: BuildStatus
    last_build_label: str | None = None
    last_build_time: datetime | None = None
    web_url: str | None = None
    next_build_time: datetime | None = None
    description: str | None = None
    category: str | None = None
    server_name: str | None = None
    breakers: tuple[str, ...] = ()
    raw_activity: str = ""
    raw_status: str = ""


def parse_time(value: str | None) -> datetime | None:
    """ISO 8601 as cctray servers write it; no offset means UTC; unreadable means None."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when


def parse_feed(body: bytes) -> list[CctrayProject]:
    """The projects of a cctray feed, in feed order; SourceError in words if it is not one.

    SAX through defusedxml's expat reader: it refuses entity declarations and external
    references, and builds no tree, so a 5,000-project feed parses in a few tens of ms.
    """
    if not body.strip():
        raise SourceError("feed is empty")
    if looks_like_html(body):
        raise SourceError(f"feed is not cctray XML (root is <html>){_sign_in_hint(body)}")
    handler = _FeedHandler()
    try:
        defused_sax.parseString(body, handler, forbid_dtd=False, forbid_entities=True)
    except _WrongRoot as err:
        raise SourceError(f"feed is not cctray XML (root is <{err.tag}>)") from None
    except defusedxml.EntitiesForbidden:
        raise SourceError("feed refused: XML entities are not allowed") from None
    except (defusedxml.ExternalReferenceForbidden, defusedxml.DTDForbidden):
        raise SourceError("feed refused: XML external references are not allowed") from None
    except SAXParseException as err:
        raise SourceError(_parse_error_words(body, err)) from None
    return handler.projects


class _WrongRoot(Exception):
    def __init__(self, tag: str) -> None:
        super().__init__(tag)
        self.tag = tag


class _FeedHandler(ContentHandler):
    """Collects `<Project>` attributes and GoCD's Breakers messages, nothing else."""

    def __init__(self) -> None:
        super().__init__()
        self.projects: list[CctrayProject] = []
        self._depth = 0
        self._current: AttributesImpl | None = None
        self._breakers: list[str] = []

    def startElement(self, name: str, attrs: AttributesImpl) -> None:
        self._depth += 1
        tag = name.rsplit(":", 1)[-1]
        if self._depth == 1:
            if tag != "Projects":
                raise _WrongRoot(tag)
        elif self._depth == 2 and tag == "Project":
            self._current = attrs
            self._breakers = []
        elif tag == "message" and self._current is not None and attrs.get("kind") == "Breakers":
            text = attrs.get("text", "")
            self._breakers.extend(n.strip() for n in text.split(",") if n.strip())

    def endElement(self, name: str) -> None:
        if self._depth == 2 and self._current is not None:
            project = _project(self._current, tuple(self._breakers))
            if project is not None:
                self.projects.append(project)
            self._current = None
        self._depth -= 1


def _project(attrs: AttributesImpl, breakers: tuple[str, ...]) -> CctrayProject | None:
    get = attrs.get
    name = get("name")
    if not name:
        return None
    raw_activity = get("activity", "")
    raw_status = get("lastBuildStatus", "")
    return CctrayProject(
        name,
        _ACTIVITIES.get(raw_activity, Activity.UNKNOWN),
        _STATUSES.get(raw_status, BuildStatus.UNKNOWN),
        get("lastBuildLabel") or None,
        parse_time(get("lastBuildTime")),
        get("webUrl") or None,
        parse_time(get("nextBuildTime")),
        get("description") or None,
        get("category") or None,
        get("serverName") or None,
        breakers,
        raw_activity,
        raw_status,
    )


def _sign_in_hint(body: bytes) -> str:
    low = body[:4096].lower()
    if b"password" in low or b"login" in low or b"sign in" in low:
        return " — a sign-in page? Check the feed URL and its credentials"
    return ""


def _parse_error_words(body: bytes, err: SAXParseException) -> str:
    head = body[:200].lower()
    declares_other = b"encoding=" in head and b"utf-8" not in head and b"utf8" not in head
    if not declares_other:
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as bad:
            return f"feed is not valid UTF-8 (byte {bad.start})"
    line, column = err.getLineNumber(), err.getColumnNumber()
    return f"feed is not well-formed XML (line {line}, column {column})"


def fetch_feed(
    http: HttpClient,
    url: str,
    *,
    auth: tuple[str, str] | None = None,
    ca_bundle: str | None = None,
    token_hint: str = "",
) -> list[CctrayProject]:
    """GET a feed (conditionally: an unchanged feed costs a 304) and parse it."""
    resp = http.get(url, auth=auth, ca_bundle=ca_bundle)
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
        token_hint: str = "",
    ) -> None:
        self.url = url
        self.project_prefix = project_prefix or None
        self.projects = tuple(projects) if projects else None
        self.auth = auth
        self.ca_bundle = ca_bundle
        self.token_hint = token_hint

    def fetch(self, http: HttpClient) -> PipelineReading:
        projects = fetch_feed(
            http, self.url, auth=self.auth, ca_bundle=self.ca_bundle, token_hint=self.token_hint
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

    def unrecognised_activity(self) -> CctrayProject | None:
        return next((p for p in self.members() if p.activity is Activity.UNKNOWN), None)


_STATUS_WORDS = {
    BuildStatus.SUCCESS: "passed",
    BuildStatus.FAILURE: "failed",
    BuildStatus.EXCEPTION: "broke with an exception",
    BuildStatus.UNKNOWN: "unknown",
}


def _stage(group: _StageGroup) -> Stage:
    members = group.members()
    if not members:
        return Stage(name=group.name, status=StageStatus.UNKNOWN, note="not in the feed")
    head = group.entry or members[0]
    last = group.last_status()
    notes: list[str] = []
    odd = group.unrecognised_activity()
    if group.building():
        status = StageStatus.RUNNING
        notes.append(f"last build {_STATUS_WORDS[last]}")
    elif odd is not None:
        status = StageStatus.UNKNOWN
        raw = odd.raw_activity
        notes.append(f"activity {raw!r} not recognised" if raw else "no activity given")
    else:
        status = {
            BuildStatus.SUCCESS: StageStatus.PASSED,
            BuildStatus.FAILURE: StageStatus.FAILED,
            BuildStatus.EXCEPTION: StageStatus.FAILED,
        }.get(last, StageStatus.UNKNOWN)
        if last is BuildStatus.EXCEPTION:
            notes.append("exception")
    if last is BuildStatus.UNKNOWN and group.entry is not None:
        raw = group.entry.raw_status
        if raw and raw not in _STATUSES:
            notes.append(f"status {raw!r} not recognised")
        elif not raw or raw == "Unknown":
            notes.append("no completed build yet")
    failed_jobs = [job for job, p in group.jobs if p.last_build_status in _FAILING]
    if failed_jobs:
        notes.append("failed: " + ", ".join(failed_jobs))
    breakers = head.breakers or tuple(b for _, p in group.jobs for b in p.breakers)
    if breakers and last in _FAILING:
        notes.append("breakers: " + ", ".join(dict.fromkeys(breakers)))
    return Stage(
        name=group.name,
        status=status,
        url=head.web_url,
        label=head.last_build_label,
        note="; ".join(n for n in notes if n),
        finished_at=max((p.last_build_time for p in members if p.last_build_time), default=None),
    )


def _reading(groups: list[_StageGroup]) -> PipelineReading:
    stages = tuple(_stage(g) for g in groups)
    lasts = [g.last_status() if g.members() else BuildStatus.UNKNOWN for g in groups]
    understood = all(g.members() and g.unrecognised_activity() is None for g in groups)
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
        (p for g in groups for p in g.members() if p.last_build_time),
        key=lambda p: p.last_build_time or datetime.min.replace(tzinfo=UTC),
        default=None,
    )
    missing = [s.name for s in stages if s.note == "not in the feed"]
    detail = ""
    if missing:
        detail = "not in the feed: " + ", ".join(missing)
    elif outcome is Outcome.UNKNOWN:
        detail = "; ".join(f"{s.name}: {s.note}" for s in stages if s.status is StageStatus.UNKNOWN)
    return PipelineReading(
        stages=stages,
        outcome=outcome,
        completed_at=latest.last_build_time if latest else None,
        failed_stage=failed_stage,
        running=any(g.building() for g in groups),
        url=latest.web_url if latest else next((s.url for s in stages if s.url), None),
        label=latest.last_build_label if latest else None,
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
