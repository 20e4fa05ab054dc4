"""A loaded board file as typed, immutable values, with every default already applied.

The rest of the app reads these and never the TOML: `BoardConfig.pipelines[i].refresh_seconds`
is the effective interval (the item's own, else the board's), `stale_after_seconds` the
effective staleness limit. The keys of one source or tracker kind live in a small typed
`options` dataclass (`GithubActionsOptions`, `JiraTrackerOptions`, ...) whose fields are named
exactly like the declared keys in `app.config.settings`; defaults are taken from there.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any, ClassVar, TypeVar
from zoneinfo import ZoneInfo

from app.config import settings
from app.domain.model import ItemKind, Priority, item_key
from app.domain.planned import WEEKDAYS, Freeze, Maintenance, PlannedTime

K = TypeVar("K")
V = TypeVar("V")

STALE_FACTOR = 3  # stale after three missed reads: one slow answer is not "unknown" yet


class FrozenMap(Mapping[K, V]):
    """A read-only, hashable mapping, so configs stay frozen, comparable and hashable."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[K, V] | Iterable[tuple[K, V]] = ()) -> None:
        self._data: dict[K, V] = dict(data)

    def __getitem__(self, key: K) -> V:
        return self._data[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        return hash(frozenset(self._data.items()))

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"


def _default(section: settings.Section, key: str) -> Any:
    setting = section.get(key)
    if setting is None:  # a typo here would silently drop a default
        raise KeyError(f"{section.title} declares no key {key!r}")
    value = setting.default
    return FrozenMap(value) if isinstance(value, Mapping) else value


def _map_field(section: settings.Section, key: str) -> Any:
    return field(default_factory=lambda: _default(section, key))


_CCTRAY = settings.PIPELINE_SOURCES["cctray"]
_GHA = settings.PIPELINE_SOURCES["github-actions"]
_GITLAB = settings.PIPELINE_SOURCES["gitlab"]
_ENV = settings.ENVIRONMENT
_T_GITHUB = settings.TRACKER_KINDS["github"]
_T_GITLAB = settings.TRACKER_KINDS["gitlab"]
_T_JIRA = settings.TRACKER_KINDS["jira"]
_T_WEBHOOK = settings.TRACKER_KINDS["webhook"]


# -- pipeline sources ------------------------------------------------------------------------


@dataclass(frozen=True)
class CctrayOptions:
    kind: ClassVar[str] = "cctray"
    url: str
    project_prefix: str | None = None
    projects: tuple[str, ...] = ()
    username: str | None = None
    password_env: str | None = None


@dataclass(frozen=True)
class GithubActionsOptions:
    kind: ClassVar[str] = "github-actions"
    repo: str
    workflow: str  # file name or numeric id, as text
    api_url: str = _default(_GHA, "api_url")
    branch: str = _default(_GHA, "branch")
    token_env: str | None = None


@dataclass(frozen=True)
class GitlabOptions:
    kind: ClassVar[str] = "gitlab"
    project: str  # path or numeric id, as text
    api_url: str = _default(_GITLAB, "api_url")
    ref: str = _default(_GITLAB, "ref")
    token_env: str | None = None


@dataclass(frozen=True)
class JenkinsOptions:
    kind: ClassVar[str] = "jenkins"
    url: str
    username: str | None = None
    token_env: str | None = None


PipelineOptions = CctrayOptions | GithubActionsOptions | GitlabOptions | JenkinsOptions

PIPELINE_OPTIONS: Mapping[str, type[PipelineOptions]] = {
    cls.kind: cls for cls in (CctrayOptions, GithubActionsOptions, GitlabOptions, JenkinsOptions)
}


@dataclass(frozen=True)
class PipelineConfig:
    """One `[[pipelines]]` table; timing values are effective (defaults applied)."""

    name: str
    options: PipelineOptions
    refresh_seconds: float
    stale_after_seconds: float
    delivery_path: bool = True
    timeout_seconds: float = _default(settings.PIPELINE_TAIL, "timeout_seconds")
    ca_bundle: str | None = None
    token_keyring: str | None = None

    @property
    def source(self) -> str:
        return self.options.kind

    @property
    def token_env(self) -> str | None:
        """The environment variable holding this source's secret (cctray: the password)."""
        if isinstance(self.options, CctrayOptions):
            return self.options.password_env
        return self.options.token_env

    @property
    def item_key(self) -> str:
        return item_key(ItemKind.PIPELINE, self.name)


# -- environments ----------------------------------------------------------------------------


@dataclass(frozen=True)
class EnvironmentConfig:
    """One `[[environments]]` table; timing values are effective (defaults applied)."""

    name: str
    url: str
    refresh_seconds: float
    stale_after_seconds: float
    delivery_path: bool = True
    degraded_ok: bool = False
    json_field: str | None = None
    expected_status: tuple[int, ...] = ()  # empty: any 2xx
    slow_ms: float = _default(_ENV, "slow_ms")
    tls_warn_days: int = _default(_ENV, "tls_warn_days")
    timeout_seconds: float = _default(_ENV, "timeout_seconds")
    ca_bundle: str | None = None
    headers: Mapping[str, str] = _map_field(_ENV, "headers")
    token_env: str | None = None
    token_keyring: str | None = None

    def is_expected_status(self, status: int) -> bool:
        if self.expected_status:
            return status in self.expected_status
        return 200 <= status <= 299

    @property
    def item_key(self) -> str:
        return item_key(ItemKind.ENVIRONMENT, self.name)


# -- trackers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class GithubTrackerOptions:
    kind: ClassVar[str] = "github"
    repo: str
    api_url: str = _default(_T_GITHUB, "api_url")
    token_env: str | None = None
    labels: tuple[str, ...] = ()
    priority_labels: Mapping[str, str] = _map_field(_T_GITHUB, "priority_labels")
    assignees: tuple[str, ...] = ()


@dataclass(frozen=True)
class GitlabTrackerOptions:
    kind: ClassVar[str] = "gitlab"
    project: str  # path or numeric id, as text
    api_url: str = _default(_T_GITLAB, "api_url")
    token_env: str | None = None
    labels: tuple[str, ...] = ()
    priority_labels: Mapping[str, str] = _map_field(_T_GITLAB, "priority_labels")
    issue_type: str = _default(_T_GITLAB, "issue_type")


@dataclass(frozen=True)
class JiraTrackerOptions:
    kind: ClassVar[str] = "jira"
    url: str
    project_key: str
    flavor: str = _default(_T_JIRA, "flavor")  # "cloud" | "datacenter"
    issue_type: str = _default(_T_JIRA, "issue_type")
    email: str | None = None
    token_env: str | None = None
    priority_names: Mapping[str, str] = _map_field(_T_JIRA, "priority_names")
    labels: tuple[str, ...] = ()

    def priority_name(self, priority: Priority) -> str:
        return self.priority_names[priority.value]


@dataclass(frozen=True)
class WebhookTrackerOptions:
    kind: ClassVar[str] = "webhook"
    url: str
    token_env: str | None = None
    headers: Mapping[str, str] = _map_field(_T_WEBHOOK, "headers")


@dataclass(frozen=True)
class NoTrackerOptions:
    kind: ClassVar[str] = "none"


TrackerOptions = (
    GithubTrackerOptions
    | GitlabTrackerOptions
    | JiraTrackerOptions
    | WebhookTrackerOptions
    | NoTrackerOptions
)

TRACKER_OPTIONS: Mapping[str, type[TrackerOptions]] = {
    cls.kind: cls
    for cls in (
        GithubTrackerOptions,
        GitlabTrackerOptions,
        JiraTrackerOptions,
        WebhookTrackerOptions,
        NoTrackerOptions,
    )
}


@dataclass(frozen=True)
class TrackerConfig:
    """The `[tracker]` table; no table means `kind = "none"`."""

    options: TrackerOptions = field(default_factory=NoTrackerOptions)
    refresh_seconds: float = _default(settings.TRACKER_TAIL, "refresh_seconds")
    delivery_path: bool = _default(settings.TRACKER_TAIL, "delivery_path")
    ca_bundle: str | None = None
    token_keyring: str | None = None

    @property
    def kind(self) -> str:
        return self.options.kind

    @property
    def token_env(self) -> str | None:
        return getattr(self.options, "token_env", None)


# -- planned time ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FreezeConfig:
    """One `[[freeze]]` table."""

    start: datetime
    end: datetime
    reason: str | None = None

    def planned(self) -> Freeze:
        return Freeze(self.start, self.end, self.reason or "")


@dataclass(frozen=True)
class MaintenanceConfig:
    """One `[[maintenance]]` table: one-off (start, end) or recurring (weekdays, times, zone)."""

    environment: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    weekdays: tuple[str, ...] = ()
    start_time: time | None = None
    end_time: time | None = None
    timezone: str = _default(settings.MAINTENANCE, "timezone")
    reason: str | None = None

    def planned(self) -> Maintenance:
        return Maintenance(
            environment=self.environment,
            start=self.start,
            end=self.end,
            weekdays=tuple(WEEKDAYS.index(day) for day in self.weekdays),
            start_time=self.start_time,
            end_time=self.end_time,
            zone=ZoneInfo(self.timezone),
            zone_name=self.timezone,
            reason=self.reason or "",
        )


# -- the board -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardConfig:
    """The whole board file. Build one with `app.config.loader`, not by hand, to get checks."""

    name: str
    refresh_seconds: float
    stale_after_seconds: float
    page_seconds: float = _default(settings.BOARD, "page_seconds")
    show_authors: bool = _default(settings.BOARD, "show_authors")
    history_days: int = _default(settings.BOARD, "history_days")
    pipelines: tuple[PipelineConfig, ...] = ()
    environments: tuple[EnvironmentConfig, ...] = ()
    tracker: TrackerConfig = field(default_factory=TrackerConfig)
    freezes: tuple[FreezeConfig, ...] = ()
    maintenance: tuple[MaintenanceConfig, ...] = ()

    @property
    def planned(self) -> PlannedTime:
        """The board's freezes and maintenance windows, for the verdict."""
        return PlannedTime(
            tuple(f.planned() for f in self.freezes), tuple(m.planned() for m in self.maintenance)
        )

    def pipeline(self, name: str) -> PipelineConfig | None:
        return next((p for p in self.pipelines if p.name == name), None)

    def environment(self, name: str) -> EnvironmentConfig | None:
        return next((e for e in self.environments if e.name == name), None)


def board_timing(refresh: float | None, stale: float | None) -> tuple[float, float]:
    """The board's effective (refresh, stale_after): declared default, stale = 3 × refresh."""
    effective_refresh = (
        refresh if refresh is not None else _default(settings.BOARD, "refresh_seconds")
    )
    return effective_refresh, stale if stale is not None else STALE_FACTOR * effective_refresh


def item_timing(
    refresh: float | None, stale: float | None, board_refresh: float, board_stale: float
) -> tuple[float, float]:
    """An item's effective (refresh, stale_after).

    Refresh falls back to the board's. Staleness falls back to 3 × the item's own refresh when
    it sets one (a slow poller must not turn unknown between two reads), else to the board's.
    """
    if stale is None:
        stale = board_stale if refresh is None else STALE_FACTOR * refresh
    return (board_refresh if refresh is None else refresh), stale
