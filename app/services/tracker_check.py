"""Checking a tracker without filing anything: `releasable tracker check` and the board
editor's tracker "Test".

The tracker is set up the way the outbox sets it up (`app.trackers.configured`, token from the
environment variable or OS keyring entry the board names); a setup that cannot work (no token)
is itself a failed check. Then the adapter's own read-only `check()` runs
(`app.trackers.check`). `check_table()` blocks (network, keyring): run it off the GUI thread.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.config.board import TrackerConfig
from app.trackers.check import Check
from app.trackers.ports import Tracker

CONNECT_TIMEOUT_S = 5.0
MARKS = {True: "ok", False: "FAILED", None: "--"}


def tracker_config(values: Mapping[str, Any]) -> TrackerConfig:
    """The checked `[tracker]` table on its own (raises `BoardFileError`)."""
    from app.config.loader import build_board

    return build_board({"board": {"name": "check"}, "tracker": dict(values)}, "tracker").tracker


def check_config(config: TrackerConfig, *, timeout_s: float = 10.0) -> list[Check]:
    """Set the tracker up as the outbox would, then check it."""
    from app.trackers.configured import TrackerSetupError, tracker_from_config

    try:
        tracker = tracker_from_config(config)
    except TrackerSetupError as err:
        return [Check("setup", False, str(err))]
    return check_tracker(tracker, timeout_s=timeout_s)


def check_tracker(tracker: Tracker | None, *, timeout_s: float = 10.0) -> list[Check]:
    """Run the tracker's read-only check with a fresh HTTP client (nothing is cached)."""
    if tracker is None:
        return [Check("tracker", None, "no tracker is configured: reports stay on this machine")]
    from app.sources.http import HttpClient

    http = HttpClient(connect_timeout_s=min(timeout_s, CONNECT_TIMEOUT_S), read_timeout_s=timeout_s)
    try:
        return tracker.check(http)
    finally:
        http.close()


def check_table(values: Mapping[str, Any], *, timeout_s: float = 10.0) -> list[Check]:
    """The editor's Test: check the `[tracker]` table as it is in the form."""
    return check_config(tracker_config(values), timeout_s=timeout_s)


def render_checks(checks: list[Check]) -> str:
    """One line per step: `  ok      token      valid, for user dana`."""
    width = max((len(c.step) for c in checks), default=0)
    return "\n".join(f"  {MARKS[c.ok]:<7} {c.step:<{width}}  {_plain(c.words)}" for c in checks)


def render_report(kind: str, checks: list[Check]) -> str:
    """The whole check: a verdict line, then one line per step."""
    from app.trackers.check import passed

    head = f"{kind} tracker: {'ready' if passed(checks) else 'NOT READY'} (nothing was filed)"
    return f"{head}\n{render_checks(checks)}"


def _plain(text: str) -> str:
    return "".join(ch if ch.isprintable() else "?" for ch in text)


__all__ = [
    "check_config",
    "check_table",
    "check_tracker",
    "render_checks",
    "render_report",
    "tracker_config",
]
