"""The one declaration of every board-file key: its type, default, allowed values and meaning.

The loader validates against it, the writer orders and omits keys by it, the board editor
builds its fields from it and `app.config.docs` prints the README reference from it. A key
that is not declared here does not exist.

A table is made of `Section`s: `[board]` and `[[environments]]` have one; `[[pipelines]]` and
`[tracker]` start with the keys that choose the kind (`PIPELINE_HEAD`, `TRACKER_HEAD`), then the
keys of that kind (`PIPELINE_SOURCES[source]`, `TRACKER_KINDS[kind]`), then the keys every kind
takes (`PIPELINE_TAIL`, `TRACKER_TAIL`). `pipeline_settings()` and `tracker_settings()` give the
full list for one kind, in the order the writer uses.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from types import MappingProxyType

from app.config.schema import PRIORITY_KEYS, Section, Setting, ValueType

__all__ = [
    "BOARD",
    "ENVIRONMENT",
    "FREEZE",
    "MAINTENANCE",
    "PIPELINE_HEAD",
    "PIPELINE_SOURCES",
    "PIPELINE_TAIL",
    "PRIORITY_KEYS",
    "SOURCE_KINDS",
    "TOP_LEVEL",
    "TRACKER_HEAD",
    "TRACKER_KINDS",
    "TRACKER_KIND_NAMES",
    "TRACKER_TAIL",
    "Section",
    "Setting",
    "ValueType",
    "all_sections",
    "pipeline_settings",
    "tracker_settings",
]

# -- shared pieces ---------------------------------------------------------------------------

_REFRESH = Setting(
    "refresh_seconds",
    ValueType.SECONDS,
    "How often this item is read, in seconds.",
    default_text="board's refresh_seconds",
)
_STALE = Setting(
    "stale_after_seconds",
    ValueType.SECONDS,
    "After this long without a successful read the item shows as unknown.",
    default_text="3 × refresh_seconds if set here, else the board's",
)
_TIMEOUT = Setting(
    "timeout_seconds",
    ValueType.SECONDS,
    "The longest one request of this item may take, answer and all; with no complete "
    'answer by then the item is unknown ("no answer within N s"), not down.',
    default=10,
    bounds=(1, 300),
)
_PIPELINE_TIMEOUT = dataclasses.replace(
    _TIMEOUT,
    description=_TIMEOUT.description
    + " Pipelines reading the same cctray feed share one request: the smallest "
    "timeout_seconds among them applies to each of them, and their message names it.",
)
_CA_BUNDLE = Setting(
    "ca_bundle",
    ValueType.PATH,
    "PEM file of extra certificate authorities to trust (company CA).",
    must_exist=True,
)


def _token_keyring(what: str = "the token") -> Setting:
    return Setting(
        "token_keyring",
        ValueType.KEYRING_ENTRY,
        f"OS keyring entry (service 'releasable') holding {what}; "
        "used when the environment variable is not set.",
    )


_DELIVERY_PATH = Setting(
    "delivery_path",
    ValueType.BOOLEAN,
    "Whether this item must be green for the team to be releasable.",
    default=True,
)


def _token_env(description: str = "Environment variable holding the access token.") -> Setting:
    return Setting("token_env", ValueType.ENV_NAME, description)


def _api_url(default: str, description: str) -> Setting:
    return Setting("api_url", ValueType.URL, description, default=default)


_REPO_PATTERN = r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$"
GITHUB_API = "https://api.github.com"
GITLAB_API = "https://gitlab.com/api/v4"

# -- [board] ---------------------------------------------------------------------------------

BOARD = Section(
    "board",
    "[board]",
    "The board itself. Required.",
    (
        Setting("name", ValueType.TEXT, "The team or board name shown on screen.", required=True),
        Setting(
            "refresh_seconds",
            ValueType.SECONDS,
            "How often every item is read unless it sets its own refresh_seconds.",
            default=60,
        ),
        Setting(
            "stale_after_seconds",
            ValueType.SECONDS,
            "After this long without a successful read an item shows as unknown.",
            default_text="3 × refresh_seconds",
        ),
        Setting(
            "page_seconds",
            ValueType.SECONDS,
            "Kiosk mode: how long each page shows when the board does not fit on one screen.",
            default=15,
        ),
        Setting(
            "show_authors",
            ValueType.BOOLEAN,
            "Show who made the commits of a failed run (false: commits without names).",
            default=True,
        ),
        Setting(
            "history_days",
            ValueType.INTEGER,
            "Days of history the local database keeps (status changes, delivered reports, "
            "cached answers); older data is deleted.",
            default=400,
        ),
    ),
)

# -- [[pipelines]] ---------------------------------------------------------------------------

SOURCE_KINDS: tuple[str, ...] = ("cctray", "github-actions", "gitlab", "jenkins")

PIPELINE_HEAD = Section(
    "pipelines",
    "[[pipelines]]",
    "One table per pipeline; `source` decides which other keys it takes.",
    (
        Setting("name", ValueType.TEXT, "Pipeline name shown on the board; unique.", required=True),
        Setting(
            "source",
            ValueType.TEXT,
            "Where the pipeline's runs are read from.",
            required=True,
            choices=SOURCE_KINDS,
        ),
    ),
)
PIPELINE_TAIL = Section(
    "pipelines",
    "[[pipelines]]",
    "Keys every pipeline takes, whatever its source.",
    (
        _DELIVERY_PATH,
        _REFRESH,
        _STALE,
        _PIPELINE_TIMEOUT,
        _CA_BUNDLE,
        _token_keyring("the token (cctray: the password)"),
    ),
)

PIPELINE_SOURCES: Mapping[str, Section] = {
    "cctray": Section(
        "pipelines",
        '[[pipelines]] source = "cctray"',
        "A cctray.xml feed (Jenkins, GoCD, TeamCity, CircleCI, Buildkite and others).",
        (
            Setting("url", ValueType.URL, "Address of the cctray XML feed.", required=True),
            Setting(
                "project_prefix",
                ValueType.TEXT,
                "Feed projects whose name starts with this become the stages, in feed order.",
            ),
            Setting(
                "projects",
                ValueType.TEXT_LIST,
                "Feed project names that are the stages, in this order "
                "(instead of project_prefix).",
                default=(),
            ),
            Setting("username", ValueType.TEXT, "User name, if the feed needs basic auth."),
            Setting(
                "password_env",
                ValueType.ENV_NAME,
                "Environment variable holding the basic-auth password (or use token_keyring).",
            ),
        ),
        kind="cctray",
    ),
    "github-actions": Section(
        "pipelines",
        '[[pipelines]] source = "github-actions"',
        "GitHub Actions workflow runs; the run's jobs become the stages.",
        (
            _api_url(GITHUB_API, "GitHub API address (GitHub Enterprise: https://HOST/api/v3)."),
            Setting(
                "repo",
                ValueType.TEXT,
                "Repository as owner/name.",
                required=True,
                pattern=_REPO_PATTERN,
                pattern_words="owner/name",
            ),
            Setting(
                "workflow",
                ValueType.TEXT_OR_NUMBER,
                "Workflow file name (deploy.yml) or numeric id.",
                required=True,
            ),
            Setting("branch", ValueType.TEXT, "Branch whose runs count.", default="main"),
            _token_env(),
        ),
        kind="github-actions",
    ),
    "gitlab": Section(
        "pipelines",
        '[[pipelines]] source = "gitlab"',
        "GitLab CI pipelines; jobs are grouped into their stages.",
        (
            _api_url(GITLAB_API, "GitLab API address (self-managed: https://HOST/api/v4)."),
            Setting(
                "project",
                ValueType.TEXT_OR_NUMBER,
                "Project path (group/name) or numeric id.",
                required=True,
            ),
            Setting("ref", ValueType.TEXT, "Branch or tag whose pipelines count.", default="main"),
            _token_env(),
        ),
        kind="gitlab",
    ),
    "jenkins": Section(
        "pipelines",
        '[[pipelines]] source = "jenkins"',
        "A Jenkins job, read through its JSON API.",
        (
            Setting("url", ValueType.URL, "Address of the Jenkins job.", required=True),
            Setting("username", ValueType.TEXT, "Jenkins user the API token belongs to."),
            _token_env("Environment variable holding the Jenkins API token."),
        ),
        kind="jenkins",
    ),
}

# -- [[environments]] ------------------------------------------------------------------------

ENVIRONMENT = Section(
    "environments",
    "[[environments]]",
    "One table per environment, checked over HTTP(S).",
    (
        Setting(
            "name", ValueType.TEXT, "Environment name shown on the board; unique.", required=True
        ),
        Setting("url", ValueType.URL, "Health check address.", required=True),
        _DELIVERY_PATH,
        Setting(
            "degraded_ok",
            ValueType.BOOLEAN,
            "Whether 'degraded' still counts as up for the verdict.",
            default=False,
        ),
        Setting(
            "json_field",
            ValueType.TEXT,
            "Dotted path of a custom status field in a JSON answer (e.g. data.state).",
            default_text="status (actuator / health+json)",
            pattern=r"^[^.\s]+(\.[^.\s]+)*$",
            pattern_words="a dotted path like data.state",
        ),
        Setting(
            "expected_status",
            ValueType.STATUS_LIST,
            "HTTP status codes that count as healthy.",
            default=(),
            default_text="any 2xx",
        ),
        Setting(
            "slow_ms",
            ValueType.MILLISECONDS,
            "Answers slower than this make the environment degraded.",
            default=2000,
        ),
        Setting(
            "tls_warn_days",
            ValueType.INTEGER,
            "Warn when the TLS certificate expires within this many days.",
            default=14,
        ),
        _REFRESH,
        _STALE,
        _TIMEOUT,
        _CA_BUNDLE,
        Setting(
            "headers",
            ValueType.TEXT_MAP,
            "Extra request headers (no secrets: use token_env).",
            default=MappingProxyType({}),
        ),
        _token_env("Environment variable holding a token sent as 'Authorization: Bearer'."),
        _token_keyring(),
    ),
)

# -- [tracker] -------------------------------------------------------------------------------

TRACKER_KIND_NAMES: tuple[str, ...] = ("github", "gitlab", "jira", "webhook", "none")

TRACKER_HEAD = Section(
    "tracker",
    "[tracker]",
    "Where blocker reports are filed. Without it, blockers stay on this machine.",
    (
        Setting(
            "kind",
            ValueType.TEXT,
            "Which tracker receives blocker reports.",
            required=True,
            choices=TRACKER_KIND_NAMES,
        ),
    ),
)
TRACKER_TAIL = Section(
    "tracker",
    "[tracker]",
    "Keys every tracker takes, whatever its kind.",
    (
        Setting(
            "refresh_seconds",
            ValueType.SECONDS,
            "How often the tracker's open blockers are read: the team's, filed from any "
            "machine, and whether the ones filed from here were closed.",
            default=60,
        ),
        Setting(
            "delivery_path",
            ValueType.BOOLEAN,
            "Whether the team's open blockers must have been read (within 3 × refresh_seconds) "
            "for the team to be releasable: nobody can know that no teammate filed a P1.",
            default=True,
        ),
        _CA_BUNDLE,
        _token_keyring(),
    ),
)

_LABELS = Setting("labels", ValueType.TEXT_LIST, "Labels added to every report.", default=())


def _priority_map(key: str, description: str, defaults: tuple[str, str, str]) -> Setting:
    default = MappingProxyType(dict(zip(PRIORITY_KEYS, defaults, strict=True)))
    return Setting(key, ValueType.PRIORITY_MAP, description, default=default)


TRACKER_KINDS: Mapping[str, Section] = {
    "github": Section(
        "tracker",
        '[tracker] kind = "github"',
        "GitHub Issues.",
        (
            _api_url(GITHUB_API, "GitHub API address (GitHub Enterprise: https://HOST/api/v3)."),
            Setting(
                "repo",
                ValueType.TEXT,
                "Repository that receives the issues, as owner/name.",
                required=True,
                pattern=_REPO_PATTERN,
                pattern_words="owner/name",
            ),
            _token_env("Environment variable holding a token allowed to open issues."),
            _LABELS,
            _priority_map("priority_labels", "Label added for each priority.", ("P1", "P2", "P3")),
            Setting(
                "assignees", ValueType.TEXT_LIST, "Users assigned to every report.", default=()
            ),
        ),
        kind="github",
    ),
    "gitlab": Section(
        "tracker",
        '[tracker] kind = "gitlab"',
        "GitLab Issues.",
        (
            _api_url(GITLAB_API, "GitLab API address (self-managed: https://HOST/api/v4)."),
            Setting(
                "project",
                ValueType.TEXT_OR_NUMBER,
                "Project path (group/name) or numeric id that receives the issues.",
                required=True,
            ),
            _token_env("Environment variable holding a token allowed to open issues."),
            _LABELS,
            _priority_map("priority_labels", "Label added for each priority.", ("P1", "P2", "P3")),
            Setting(
                "issue_type",
                ValueType.TEXT,
                "Type of the issues created.",
                default="issue",
                choices=("issue", "incident"),
            ),
        ),
        kind="gitlab",
    ),
    "jira": Section(
        "tracker",
        '[tracker] kind = "jira"',
        "Jira Cloud (REST v3) or Jira Data Center (REST v2).",
        (
            Setting("url", ValueType.URL, "Jira site address.", required=True),
            Setting(
                "flavor",
                ValueType.TEXT,
                "Jira Cloud or a self-hosted Jira Data Center.",
                default="cloud",
                choices=("cloud", "datacenter"),
            ),
            Setting("project_key", ValueType.TEXT, "Project key, e.g. PLAT.", required=True),
            Setting("issue_type", ValueType.TEXT, "Issue type of the reports.", default="Bug"),
            Setting(
                "email",
                ValueType.TEXT,
                "Account e-mail the API token belongs to (Jira Cloud only, required there).",
            ),
            _token_env(
                "Environment variable holding the API token (Cloud) or personal access "
                "token (Data Center)."
            ),
            _priority_map(
                "priority_names",
                "Jira priority name used for each priority.",
                ("Highest", "High", "Medium"),
            ),
            _LABELS,
        ),
        kind="jira",
    ),
    "webhook": Section(
        "tracker",
        '[tracker] kind = "webhook"',
        "Any endpoint that accepts the report as JSON (POST).",
        (
            Setting("url", ValueType.URL, "Address the report is posted to.", required=True),
            _token_env("Environment variable holding a token sent as 'Authorization: Bearer'."),
            Setting(
                "headers",
                ValueType.TEXT_MAP,
                "Extra request headers (no secrets: use token_env).",
                default=MappingProxyType({}),
            ),
        ),
        kind="webhook",
    ),
    "none": Section(
        "tracker",
        '[tracker] kind = "none"',
        "No tracker: blockers stay on this machine and can be exported.",
        (),
        kind="none",
    ),
}

# -- planned time: [[freeze]] and [[maintenance]] -------------------------------------------

_REASON = Setting("reason", ValueType.TEXT, "Why, in a few words; shown on the board.")

FREEZE = Section(
    "freeze",
    "[[freeze]]",
    "A change freeze: from start to end the team is NOT RELEASABLE on purpose, shown as "
    "planned (no alarm, no notification).",
    (
        Setting(
            "start",
            ValueType.DATETIME,
            "When the freeze begins, with its offset: 2026-12-19T18:00:00+01:00.",
            required=True,
        ),
        Setting(
            "end",
            ValueType.DATETIME,
            "When the freeze ends, with its offset: 2027-01-04T08:00:00+01:00.",
            required=True,
        ),
        _REASON,
    ),
)

MAINTENANCE = Section(
    "maintenance",
    "[[maintenance]]",
    "A maintenance window: an environment down inside it shows as 'maintenance until …', is "
    "not announced and does not count against time to restore. Give start and end for a "
    "one-off window, or start_time and end_time (with weekdays and timezone) for a recurring one.",
    (
        Setting(
            "environment",
            ValueType.TEXT,
            "The environment it covers (its name on this board).",
            default_text="every environment",
        ),
        Setting("start", ValueType.DATETIME, "One-off window: when it begins, with its offset."),
        Setting("end", ValueType.DATETIME, "One-off window: when it ends, with its offset."),
        Setting(
            "weekdays",
            ValueType.WEEKDAY_LIST,
            "Recurring window: the days it starts on (mon … sun).",
            default=(),
            default_text="every day",
        ),
        Setting(
            "start_time",
            ValueType.TIME_OF_DAY,
            "Recurring window: local time it begins (HH:MM).",
        ),
        Setting(
            "end_time",
            ValueType.TIME_OF_DAY,
            "Recurring window: local time it ends (HH:MM; before start_time means the next day).",
        ),
        Setting(
            "timezone",
            ValueType.TIME_ZONE,
            "Recurring window: the time zone of start_time and end_time.",
            default="UTC",
        ),
        _REASON,
    ),
)

TOP_LEVEL: tuple[str, ...] = (
    "board",
    "pipelines",
    "environments",
    "tracker",
    "freeze",
    "maintenance",
)


def pipeline_settings(source: str) -> tuple[Setting, ...]:
    """Every key of a pipeline with this source, in file order; unknown source: common keys."""
    kind = PIPELINE_SOURCES.get(source)
    middle = kind.settings if kind else ()
    return PIPELINE_HEAD.settings + middle + PIPELINE_TAIL.settings


def tracker_settings(kind: str) -> tuple[Setting, ...]:
    """Every key of a tracker of this kind, in file order; unknown kind: common keys."""
    section = TRACKER_KINDS.get(kind)
    middle = section.settings if section else ()
    return TRACKER_HEAD.settings + middle + TRACKER_TAIL.settings


def all_sections() -> tuple[Section, ...]:
    """Every section as the docs and the editor present them: shared keys, then each kind's."""
    pipeline_common = Section(
        "pipelines",
        "[[pipelines]]",
        PIPELINE_HEAD.description,
        PIPELINE_HEAD.settings + PIPELINE_TAIL.settings,
    )
    tracker_common = Section(
        "tracker",
        "[tracker]",
        TRACKER_HEAD.description,
        TRACKER_HEAD.settings + TRACKER_TAIL.settings,
    )
    return (
        BOARD,
        pipeline_common,
        *PIPELINE_SOURCES.values(),
        ENVIRONMENT,
        tracker_common,
        *TRACKER_KINDS.values(),
        FREEZE,
        MAINTENANCE,
    )
