"""The tracker a board names: its `[tracker]` table (or command-line options) made into an
adapter, with the token read from the environment variable or keyring entry named there.

Used by `releasable report|outbox` and by the window to give `OutboxService` its tracker.
The token is passed to the adapter and nowhere else; errors name the variable, never the value.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from typing import Any

from app.config.board import TrackerConfig
from app.config.secrets import resolve_token
from app.trackers.factory import make_tracker
from app.trackers.ports import Tracker

# The option that holds each adapter's base URL.
_URL_OPTION = {"github": "api_url", "gitlab": "api_url", "jira": "url", "webhook": "url"}


class TrackerSetupError(Exception):
    """The tracker cannot be used as configured (no token, a missing option); in words."""


def tracker_from_config(config: TrackerConfig) -> Tracker | None:
    """The board file's tracker, with its token resolved; None for kind "none"."""
    if config.kind == "none":
        return None
    options: dict[str, Any] = {}
    for f in dataclasses.fields(config.options):
        value = getattr(config.options, f.name)
        options[f.name] = dict(value) if isinstance(value, Mapping) else value
    token = resolve_token(config.token_env, config.token_keyring)
    if token.found:
        options["token"] = token.token
    elif config.kind != "webhook":  # a webhook may need no token
        raise TrackerSetupError(f"no token for the {config.kind} tracker: {token.hint}")
    options["token_hint"] = config.token_env or ""
    options["ca_bundle"] = config.ca_bundle
    return _make(config.kind, options)


def tracker_from_options(
    kind: str,
    *,
    url: str | None = None,
    repo: str | None = None,
    project: str | None = None,
    project_key: str | None = None,
    token_env: str | None = None,
) -> Tracker | None:
    """A tracker named on the command line (`--tracker-kind`, `--tracker-url`, ...)."""
    if kind == "none":
        return None
    options: dict[str, Any] = {"repo": repo, "project": project, "project_key": project_key}
    if url:
        options[_URL_OPTION.get(kind, "api_url")] = url
    if token_env:
        token = os.environ.get(token_env, "")
        if not token and kind != "webhook":
            raise TrackerSetupError(f"no token for the {kind} tracker: set {token_env}")
        options["token"] = token or None
        options["token_hint"] = token_env
    return _make(kind, options)


def _make(kind: str, options: dict[str, Any]) -> Tracker | None:
    try:
        return make_tracker(kind, **options)
    except ValueError as err:
        raise TrackerSetupError(str(err)) from None


__all__ = ["TrackerSetupError", "tracker_from_config", "tracker_from_options"]
