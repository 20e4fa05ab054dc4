"""The board's vocabulary: what sources read, what the store keeps and what the verdict judges.

Everything here is plain immutable data. Sources produce *readings* (`PipelineReading`,
`EnvironmentReading`); the store wraps each in an `Observed` item together with when it was
last read successfully and the last error; the verdict rules judge a `BoardState` made of those.
No Qt, no I/O: this module is imported by every layer.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from app.domain.planned import PlannedTime


class StageStatus(StrEnum):
    """Status of one stage (a job, a cctray project, a Jenkins stage)."""

    PASSED = "passed"
    FAILED = "failed"
    WARNING = "warning"  # failed, but allowed to fail: not a failed gate
    CANCELED = "canceled"
    RUNNING = "running"
    QUEUED = "queued"
    SKIPPED = "skipped"
    UNKNOWN = "unknown"


class Outcome(StrEnum):
    """Gate result of a pipeline's latest *completed* run."""

    PASSED = "passed"
    FAILED = "failed"
    UNKNOWN = "unknown"  # no completed run yet, unrecognised value, nothing matched


class Health(StrEnum):
    UP = "up"
    DEGRADED = "degraded"
    DOWN = "down"
    UNKNOWN = "unknown"


class VerdictState(StrEnum):
    RELEASABLE = "releasable"
    NOT_RELEASABLE = "not-releasable"
    UNKNOWN = "unknown"

    @property
    def headline(self) -> str:
        """How the verdict is shown big: 'RELEASABLE', 'NOT RELEASABLE', 'UNKNOWN'."""
        return {
            VerdictState.RELEASABLE: "RELEASABLE",
            VerdictState.NOT_RELEASABLE: "NOT RELEASABLE",
            VerdictState.UNKNOWN: "UNKNOWN",
        }[self]


class ItemKind(StrEnum):
    PIPELINE = "pipeline"
    ENVIRONMENT = "environment"


@dataclass(frozen=True)
class Stage:
    """One stage of a pipeline run, in pipeline order."""

    name: str
    status: StageStatus
    started_at: datetime | None = None
    duration_s: float | None = None
    url: str | None = None
    label: str | None = None  # build label / number shown on hover
    note: str = ""  # e.g. "allowed to fail", "status 'foo' not recognised"
    finished_at: datetime | None = None  # cctray gives only the completion time (lastBuildTime)


@dataclass(frozen=True)
class Culprit:
    """A change in a failed run: who made it, which commit, what it said, where to see it.

    From the CI's own account of the run (GitHub's head commit, GitLab's pipeline commit,
    Jenkins' change sets and culprits, GoCD's breakers). Any field may be empty: GoCD names
    only people, a Jenkins culprit may have no commit. Remote text: shown as plain text.
    """

    author: str = ""
    sha: str = ""  # short (7 characters)
    message: str = ""  # first line only
    url: str | None = None

    @property
    def words(self) -> str:
        """'abc1234 fix the scanner (Dana)', or as much of it as is known."""
        head = " ".join(p for p in (self.sha, self.message) if p)
        if self.author:
            return f"{head} ({self.author})" if head else self.author
        return head

    def without_author(self) -> Culprit:
        return Culprit("", self.sha, self.message, self.url)


def short_sha(sha: str | None) -> str:
    return (sha or "").strip()[:7]


def first_line(message: str | None, limit: int = 100) -> str:
    """The first line of a commit message, cut to `limit` characters."""
    line = (message or "").strip().splitlines()[0] if (message or "").strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


@dataclass(frozen=True)
class PipelineReading:
    """What a source saw of one pipeline.

    `stages` is the most recent view (it may show a run in progress); `outcome` is the gate
    result of the latest completed run, which alone feeds the verdict.
    """

    stages: tuple[Stage, ...]
    outcome: Outcome
    completed_at: datetime | None = None  # when the latest completed run finished
    failed_stage: str | None = None  # first failing stage of the latest completed run
    running: bool = False
    url: str | None = None
    label: str | None = None  # run number / label of the latest run (maybe still running)
    completed_label: str | None = None  # the latest *completed* run's: what `outcome` is about
    detail: str = ""  # plain words, e.g. "no completed run yet"
    culprits: tuple[Culprit, ...] = ()  # the commits of the latest completed run, if it failed

    def without_authors(self) -> PipelineReading:
        """The same reading with the culprits' names left out (`[board] show_authors = false`)."""
        if not any(c.author for c in self.culprits):
            return self
        return replace(self, culprits=tuple(c.without_author() for c in self.culprits))


@dataclass(frozen=True)
class EnvironmentReading:
    """What a health check saw of one environment."""

    health: Health
    latency_ms: float | None = None
    http_status: int | None = None
    detail: str = ""  # plain words: "actuator status DOWN", "HTML login page, not a health report"
    tls_days_left: int | None = None
    url: str | None = None


Reading = PipelineReading | EnvironmentReading


@dataclass(frozen=True)
class Observed:
    """An item of the board as last known: its reading plus freshness and error.

    `read_at` is the last *successful* read (staleness is measured from it, never from the
    build's age). `status_since` is when the item's current status began (from the store's
    transitions). `error` is the last failure in words, kept while it persists.
    """

    key: str  # "pipeline:api", "environment:staging"
    kind: ItemKind
    name: str
    reading: Reading | None = None
    read_at: datetime | None = None
    error: str | None = None
    error_at: datetime | None = None
    rate_limited_until: datetime | None = None
    status_since: datetime | None = None
    delivery_path: bool = True
    stale_after_s: float = 300.0
    degraded_ok: bool = False  # environments: does 'degraded' still count as up?
    claimed_by: str = ""  # a failing pipeline someone said "I'm on it" for (their name)

    def age_s(self, now: datetime) -> float | None:
        return None if self.read_at is None else max(0.0, (now - self.read_at).total_seconds())

    def is_stale(self, now: datetime) -> bool:
        age = self.age_s(now)
        return age is None or age > self.stale_after_s

    @property
    def status_word(self) -> str:
        """The status that transitions are recorded on (outcome or health)."""
        r = self.reading
        if isinstance(r, PipelineReading):
            return r.outcome.value
        if isinstance(r, EnvironmentReading):
            return r.health.value
        return "unknown"


def item_key(kind: ItemKind, name: str) -> str:
    return f"{kind.value}:{name}"


class Priority(StrEnum):
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"


class BlockerState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True)
class Blocker:
    """A delivery blocker known to the board (filed, or local with no tracker)."""

    key: str  # client-generated key
    title: str
    category: str
    priority: Priority
    opened_at: datetime
    reporter: str = ""
    url: str | None = None  # tracker link once delivered
    state: BlockerState = BlockerState.OPEN
    closed_at: datetime | None = None
    from_tracker: bool = False  # filed by a teammate elsewhere: the tracker decides when it ends
    pending: bool = False  # reported here and waiting in the outbox: it counts, "not sent yet"
    assignee: str = ""  # who is on it (the tracker's assignee, or a claim made here)


@dataclass(frozen=True)
class TrackerRead:
    """The tracker's list of the team's open blockers, read like a source.

    `read_at` is the last complete listing (None: not read, or not read by this one-shot
    command); `error` why the last attempt failed, in words. When it is older than
    `stale_after_s`, nobody can know that no teammate filed a P1: the verdict is UNKNOWN,
    unless the board opted out (`delivery_path = false`).
    """

    name: str  # "GitHub acme/platform"
    stale_after_s: float
    read_at: datetime | None = None
    error: str | None = None
    delivery_path: bool = True

    def is_stale(self, now: datetime) -> bool:
        return self.read_at is None or (now - self.read_at).total_seconds() > self.stale_after_s


@dataclass(frozen=True)
class BoardState:
    """Everything the verdict looks at."""

    name: str
    pipelines: tuple[Observed, ...] = ()
    environments: tuple[Observed, ...] = ()
    blockers: tuple[Blocker, ...] = ()
    tracker: TrackerRead | None = None  # None: no tracker, blockers are local only
    planned: PlannedTime = field(default_factory=PlannedTime)


@dataclass(frozen=True)
class Reason:
    """One plain-words reason behind a verdict, with the item it is about."""

    text: str
    state: VerdictState  # NOT_RELEASABLE for a known failure, UNKNOWN for missing knowledge
    item_key: str | None = None
    since: datetime | None = None
    planned: bool = False  # a change freeze or a maintenance window: on purpose, no alarm


@dataclass(frozen=True)
class Verdict:
    state: VerdictState
    reasons: tuple[Reason, ...] = field(default_factory=tuple)
    since: datetime | None = None  # when the current state began (from the store's history)

    @property
    def planned(self) -> bool:
        """Not releasable only because of planned time (a freeze, maintenance): shown in its
        own calm style, never announced as an alarm."""
        known = [r for r in self.reasons if r.state is VerdictState.NOT_RELEASABLE]
        return (
            self.state is VerdictState.NOT_RELEASABLE
            and bool(known)
            and all(r.planned for r in known)
        )


@dataclass(frozen=True)
class BoardSnapshot:
    """What the window draws: the board, its verdict, and when this picture was taken.

    `source_errors` carries failures that belong to no single item (e.g. a feed shared by
    several pipelines could not be read), in words.
    """

    board: BoardState
    verdict: Verdict
    taken_at: datetime
    source_errors: tuple[str, ...] = ()
