"""Rules that span several keys of a board file: each value alone is fine, together they are not.

They run on every table even when some of its values were refused, so one pass reports
everything. A `Table` carries what was written (to know which keys are present) and the values
that passed their own checks (to compare them). Problems go to `report(path, message)`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.config import settings
from app.config.board import board_timing, item_timing
from app.config.errors import format_path
from app.config.locate import Path

Report = Callable[[Path, str], object]

_NEEDS_TOKEN = ("github", "gitlab", "jira")  # filing an issue there always needs a token
_JIRA_FLAVOR = settings.TRACKER_KINDS["jira"].get("flavor")


@dataclass(frozen=True)
class Table:
    """One table of the file: where it is, what was written, and the values that passed."""

    path: Path
    written: Mapping[str, Any]
    values: Mapping[str, Any]

    def has(self, *keys: str) -> bool:
        """Whether any of `keys` is written."""
        return any(key in self.written for key in keys)


def check_rules(
    board: Table | None,
    pipelines: Sequence[Table],
    environments: Sequence[Table],
    tracker: Table | None,
    report: Report,
) -> None:
    """Report every cross-key problem."""
    _unique_names("pipelines", "pipeline", pipelines, report)
    _unique_names("environments", "environment", environments, report)
    if board is not None:
        _timing(board, pipelines, environments, report)
    for table in pipelines:
        _pipeline(table, report)
    if tracker is not None:
        _tracker(tracker, report)


def _unique_names(name: str, what: str, tables: Sequence[Table], report: Report) -> None:
    first: dict[str, Path] = {}
    for table in tables:
        item = table.values.get("name")
        if item is None:
            continue
        if item in first:
            other = format_path(first[item])
            report((*table.path, "name"), f"duplicate {what} name '{item}' (see {other})")
        else:
            first[item] = table.path


def _timing(
    board: Table, pipelines: Sequence[Table], environments: Sequence[Table], report: Report
) -> None:
    """Staleness shorter than the refresh interval would show every item unknown between reads.

    A refresh_seconds that was itself refused is not compared with anything: its own error is
    the one mistake (it is not taken as the default and compared again)."""
    if _refused(board, "refresh_seconds"):
        return
    refresh, stale = board_timing(
        board.values.get("refresh_seconds"), board.values.get("stale_after_seconds")
    )
    if "stale_after_seconds" in board.values and stale < refresh:
        report((*board.path, "stale_after_seconds"), _too_short(refresh, "every item"))
    for table in (*pipelines, *environments):
        if _refused(table, "refresh_seconds"):
            continue
        own_refresh, own_stale = item_timing(
            table.values.get("refresh_seconds"),
            table.values.get("stale_after_seconds"),
            refresh,
            stale,
        )
        if "stale_after_seconds" in table.values and own_stale < own_refresh:
            report((*table.path, "stale_after_seconds"), _too_short(own_refresh, "the item"))


def _refused(table: Table, key: str) -> bool:
    """Whether `key` is written in `table` but its value did not pass its own checks."""
    return table.has(key) and key not in table.values


def _too_short(refresh: float, who: str) -> str:
    return (
        f"is shorter than refresh_seconds ({refresh:g}): {who} would turn unknown between two reads"
    )


def _pipeline(table: Table, report: Report) -> None:
    source = table.values.get("source")
    path = table.path
    if source == "cctray":
        if table.has("project_prefix") and table.has("projects"):
            report((*path, "projects"), "use project_prefix or projects, not both")
        _user_and_secret(table, "password_env", "the password", report)
    elif source == "jenkins":
        _user_and_secret(table, "token_env", "the API token", report)


def _user_and_secret(table: Table, env_key: str, what: str, report: Report) -> None:
    """Basic auth needs both halves: a user name and where its secret comes from."""
    has_secret = table.has(env_key, "token_keyring")
    if table.has("username") and not has_secret:
        report((*table.path, "username"), f"needs {env_key} (or token_keyring) for {what}")
    if has_secret and not table.has("username"):
        report((*table.path, "username"), f"is required: {what} belongs to a user")


def _tracker(table: Table, report: Report) -> None:
    kind = table.values.get("kind")
    if kind in _NEEDS_TOKEN and not table.has("token_env", "token_keyring"):
        report(
            (*table.path, "token_env"),
            "is required: name the environment variable holding the token (or set token_keyring)",
        )
    flavor = table.values.get("flavor", _JIRA_FLAVOR.default if _JIRA_FLAVOR else None)
    if kind == "jira" and flavor == "cloud" and not table.has("email"):
        report((*table.path, "email"), 'is required for Jira Cloud (flavor = "cloud")')


def check_planned(
    freezes: Sequence[Table],
    maintenance: Sequence[Table],
    environments: Sequence[Table],
    report: Report,
) -> None:
    """A planned period ends after it starts; a maintenance window is one-off or recurring,
    and covers an environment of this board."""
    for table in freezes:
        _ends_after_start(table, "start", "end", report)
    names = {t.values.get("name") for t in environments}
    for table in maintenance:
        path = table.path
        one_off, recurring = table.has("start", "end"), table.has("start_time", "end_time")
        if one_off and (recurring or table.has("weekdays")):
            report(
                path,
                "give start and end (one-off) or start_time and end_time (recurring), not both",
            )
        elif one_off:
            for key in ("start", "end"):
                if not table.has(key):
                    report((*path, key), "is required for a one-off window (start and end)")
            _ends_after_start(table, "start", "end", report)
        elif recurring:
            for key in ("start_time", "end_time"):
                if not table.has(key):
                    report((*path, key), "is required for a recurring window")
            start, end = table.values.get("start_time"), table.values.get("end_time")
            if start is not None and start == end:
                report((*path, "end_time"), "is the same as start_time: the window would be empty")
        else:
            report(path, "needs start and end (one-off) or start_time and end_time (recurring)")
        environment = table.values.get("environment")
        if environment is not None and environment not in names:
            report((*path, "environment"), f"no environment named '{environment}' on this board")


def _ends_after_start(table: Table, start_key: str, end_key: str, report: Report) -> None:
    start, end = table.values.get(start_key), table.values.get(end_key)
    if start is not None and end is not None and end <= start:
        report((*table.path, end_key), f"must be after {start_key}")
