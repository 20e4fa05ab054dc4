"""Make the tracker a board names, from plain keyword options.

The config layer resolves the board file's `[tracker]` table (and the token from the keyring
or the environment) into keyword options; this module only picks the adapter and checks that
the options fit it, so a typo in the board file is reported in words instead of ignored.
"""

from __future__ import annotations

import inspect
from typing import Any

from app.trackers.github import GitHubTracker
from app.trackers.gitlab import GitLabTracker
from app.trackers.jira import JiraTracker
from app.trackers.ports import Tracker
from app.trackers.webhook import WebhookTracker

TRACKER_CLASSES: dict[str, type[Any]] = {
    "github": GitHubTracker,
    "gitlab": GitLabTracker,
    "jira": JiraTracker,
    "webhook": WebhookTracker,
}
KINDS: tuple[str, ...] = (*TRACKER_CLASSES, "none")

# Board-file keys that are for the config layer (where the token comes from), not the adapter.
_CONFIG_ONLY = frozenset({"kind", "token_env", "token_keyring", "keyring_service"})
# Names the board file may use for an adapter's base URL.
_URL_ALIASES = {"jira": ("api_url", "url"), "webhook": ("api_url", "url")}


def make_tracker(kind: str, **options: Any) -> Tracker | None:
    """The adapter for `kind` ("github", "gitlab", "jira", "webhook"), or None for "none".

    Raises ValueError, in words, for an unknown kind, an unknown option or a missing one.
    """
    name = (kind or "none").strip().lower()
    if name == "none":
        return None
    cls = TRACKER_CLASSES.get(name)
    if cls is None:
        raise ValueError(f"unknown tracker kind {kind!r}: use {', '.join(KINDS)}")
    opts = {k: v for k, v in options.items() if k not in _CONFIG_ONLY and v is not None}
    alias, target = _URL_ALIASES.get(name, ("", ""))
    if alias in opts and target not in opts:
        opts[target] = opts.pop(alias)
    for key in ("labels", "assignees"):
        if isinstance(opts.get(key), str):
            opts[key] = [part.strip() for part in opts[key].split(",") if part.strip()]
    params = inspect.signature(cls).parameters
    unknown = sorted(k for k in opts if k not in params)
    if unknown:
        raise ValueError(f"a {name} tracker has no option {', '.join(unknown)}")
    missing = sorted(
        p.name
        for p in params.values()
        if p.default is inspect.Parameter.empty and p.name not in opts
    )
    if missing:
        raise ValueError(f"a {name} tracker needs {', '.join(missing)}")
    tracker: Tracker = cls(**opts)
    return tracker


__all__ = ["KINDS", "TRACKER_CLASSES", "make_tracker"]
