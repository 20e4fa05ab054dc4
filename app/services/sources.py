"""One way to build a source from settings: the board's polling, `releasable probe` and the
board editor's "Test" all come through here.

`item_config()` checks one `[[pipelines]]` or `[[environments]]` table on its own, with the
board file's own rules (the probe builds its table from the command line, the editor from its
form). `make_source()` turns a checked item into the adapter the board polls, with its token
resolved from the environment variable or OS keyring entry it names (`app.config.secrets`).
Resolving a keyring token may block on a desktop service: call `make_source()` off the GUI
thread. Nothing here imports Qt.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.config.board import (
    CctrayOptions,
    EnvironmentConfig,
    GithubActionsOptions,
    GitlabOptions,
    JenkinsOptions,
    PipelineConfig,
)
from app.config.secrets import TokenResult, resolve_token
from app.sources.http import TokenProblem
from app.sources.loading import load_network_stack

Item = PipelineConfig | EnvironmentConfig
PIPELINES, ENVIRONMENTS = "pipelines", "environments"


def item_config(table: str, values: Mapping[str, Any]) -> Item:
    """The checked config of one pipeline or environment table on its own.

    Raises `BoardFileError` (its issues name the keys as `pipelines[0].repo`) when the table
    has problems; the rest of a board does not matter here.
    """
    from app.config.loader import build_board

    data = {"board": {"name": "probe"}, table: [dict(values)]}
    board = build_board(data, table)
    return board.pipelines[0] if table == PIPELINES else board.environments[0]


# The keys of a table where a browser URL may be pasted, by (table, source or tracker kind).
URL_KEYS: Mapping[tuple[str, str], tuple[str, ...]] = {
    (PIPELINES, "github-actions"): ("repo", "workflow", "api_url"),
    (PIPELINES, "gitlab"): ("project", "api_url"),
    (PIPELINES, "jenkins"): ("url",),
    ("tracker", "github"): ("repo", "api_url"),
    ("tracker", "gitlab"): ("project", "api_url"),
    ("tracker", "jira"): ("url", "project_key"),
}


def values_from_url(table: str, kind: str, key: str, text: str) -> dict[str, str] | None:
    """The keys a browser URL pasted into `key` fills (the same parser as `releasable probe`),
    or None when `key` takes no such URL or `text` is not one the kind understands."""
    from app.sources.urls import SourceUrlError, source_values, tracker_values

    text = text.strip()
    if key not in URL_KEYS.get((table, kind), ()) or not text.startswith(("http://", "https://")):
        return None
    try:
        if table == PIPELINES:
            return source_values(kind, text)
        return tracker_values(kind, text)
    except SourceUrlError:
        return None


def item_token(item: Item) -> TokenResult | None:
    """Where the item's token comes from (or must come from); None when it takes none."""
    options = item.options if isinstance(item, PipelineConfig) else None
    if isinstance(options, CctrayOptions) and not options.username:
        return None  # a feed's password is used only with a user name
    if not item.token_env and not item.token_keyring:
        return None
    return resolve_token(item.token_env, item.token_keyring)


def _token(env: str | None, keyring_entry: str | None) -> tuple[str | None, str]:
    """The token, and what a refusal (401, 403) points at: where the token comes from, or,
    when the keyring entry the board names could not be read, that (a `TokenProblem`)."""
    result = resolve_token(env, keyring_entry)
    problem = result.keyring_words()
    if problem:
        return None, TokenProblem(problem)
    return result.token, (env or (f"keyring entry '{keyring_entry}'" if keyring_entry else ""))


def make_source(item: Item) -> Any:
    """The adapter the board polls for `item` (pipeline or environment)."""
    if isinstance(item, PipelineConfig):
        return make_pipeline_source(item)
    return make_environment_source(item)


def make_pipeline_source(p: PipelineConfig) -> Any:
    """The source object for one pipeline (the board groups cctray pipelines per feed)."""
    load_network_stack()  # once, one thread at a time: an editor's Test may run beside polls
    opts = p.options
    token, hint = _token(p.token_env, p.token_keyring)
    if isinstance(opts, GithubActionsOptions):
        from app.sources.github_actions import GitHubActionsSource

        return GitHubActionsSource(
            api_url=opts.api_url,
            repo=opts.repo,
            workflow=opts.workflow,
            branch=opts.branch,
            token=token,
            token_hint=hint or "GITHUB_TOKEN",
            ca_bundle=p.ca_bundle,
            timeout_s=p.timeout_seconds,
        )
    if isinstance(opts, GitlabOptions):
        from app.sources.gitlab import GitLabSource

        return GitLabSource(
            api_url=opts.api_url,
            project=opts.project,
            ref=opts.ref,
            token=token,
            token_hint=hint or "GITLAB_TOKEN",
            ca_bundle=p.ca_bundle,
            timeout_s=p.timeout_seconds,
        )
    if isinstance(opts, JenkinsOptions):
        from app.sources.jenkins import JenkinsSource

        return JenkinsSource(
            opts.url,
            username=opts.username,
            token=token,
            token_hint=hint or "the Jenkins API token",
            ca_bundle=p.ca_bundle,
            timeout_s=p.timeout_seconds,
        )
    if isinstance(opts, CctrayOptions):
        from app.sources.cctray import CctraySource

        auth = (opts.username, token) if opts.username and token else None
        return CctraySource(
            opts.url,
            project_prefix=opts.project_prefix,
            projects=list(opts.projects) or None,
            auth=auth,
            ca_bundle=p.ca_bundle,
            timeout_s=p.timeout_seconds,
            token_hint=hint,
        )
    raise ValueError(f"unknown source {p.source!r}")


def make_environment_source(e: EnvironmentConfig) -> Any:
    """The health-check source for one environment."""
    load_network_stack()
    from app.sources.health import HealthSource

    token, hint = _token(e.token_env, e.token_keyring)
    return HealthSource(
        e.url,
        json_field=e.json_field,
        slow_ms=e.slow_ms,
        tls_warn_days=e.tls_warn_days,
        expected_status=e.expected_status or None,
        ca_bundle=e.ca_bundle,
        timeout_s=e.timeout_seconds,
        headers=dict(e.headers),
        token=token,
        token_hint=hint,
    )


__all__ = [
    "ENVIRONMENTS",
    "PIPELINES",
    "URL_KEYS",
    "Item",
    "item_config",
    "item_token",
    "make_environment_source",
    "make_pipeline_source",
    "make_source",
    "values_from_url",
]
