"""`releasable probe KIND URL`: read one source once and print what the board would see.

It is the quickest way to check a pipeline or environment before putting it on a board:
the URL is the one copied from the browser, read into board-file keys by the parser the
board editor uses (`app.sources.urls.source_values`); the options fill the rest of one
`[[pipelines]]` or `[[environments]]` table, checked by the board file's own rules, and the
source is built by the board's own builder (`app.services.sources`), token from the named
environment variable or OS keyring entry. The answer is printed as a table, or as one JSON
document with `--json`. Exit codes: 0 read (whatever the outcome), 1 the read failed (the
error is said in words), 3 the command line is wrong.

This module must start fast (a probe is often run in scripts and CI): no Qt, no store, and each
source module is imported only when its kind is asked for.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from typing import Any

from app.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, json_option, timeout_option

KINDS = ("cctray", "github-actions", "gitlab", "jenkins", "health")
DEFAULT_TOKEN_ENV = {
    "github-actions": "GITHUB_TOKEN",
    "gitlab": "GITLAB_TOKEN",
    "jenkins": "JENKINS_TOKEN",
    "cctray": "CCTRAY_TOKEN",  # used only with --user (HTTP basic authentication)
}
# Which options make sense for which kinds; anything else is a usage error.
_OPTION_KINDS = {
    "api_url": ("github-actions", "gitlab"),
    "branch": ("github-actions", "gitlab"),
    "ref": ("github-actions", "gitlab"),
    "prefix": ("cctray",),
    "user": ("cctray", "jenkins"),
    "json_field": ("health",),
}


class UsageError(Exception):
    """The command line asks for something that cannot work; exit code 3."""


HELP = "read one source once; print what the board would see"


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "probe",
        parents=[json_option(), timeout_option()],
        help=HELP,
        description="Read one source once and print what the board would show. Exit 0 read "
        "(whatever the outcome), 1 the read failed, 3 usage.",
    )
    parser.add_argument(
        "kind", choices=KINDS, metavar="KIND", help="the kind of source: %(choices)s"
    )
    parser.add_argument(
        "url", metavar="URL", help="the page copied from the browser, or the feed/health URL"
    )
    parser.add_argument(
        "--api-url",
        help="API base URL (GitHub Enterprise, GitLab self-managed; default: from the URL)",
    )
    branch = parser.add_mutually_exclusive_group()
    branch.add_argument(
        "--branch", help="GitHub Actions: the branch to read (default: from the URL, else main)"
    )
    branch.add_argument("--ref", help="GitLab: the ref to read (default: from the URL, else main)")
    parser.add_argument(
        "--token-env",
        metavar="NAME",
        help="environment variable holding the token (default: GITHUB_TOKEN, GITLAB_TOKEN, "
        "JENKINS_TOKEN or CCTRAY_TOKEN by kind)",
    )
    parser.add_argument(
        "--token-keyring",
        metavar="ENTRY",
        help="OS keyring entry (service releasable) holding the token, tried when the "
        "variable is not set (default: none)",
    )
    parser.add_argument(
        "--user",
        help="user name for a Jenkins API token or cctray basic auth (default: $JENKINS_USER "
        "for Jenkins, else none)",
    )
    parser.add_argument(
        "--prefix", help="cctray: projects with this name prefix are the stages (default: all)"
    )
    parser.add_argument(
        "--json-field",
        help="health: the JSON field that holds the status (default: status, when present)",
    )
    parser.add_argument(
        "--ca-bundle",
        metavar="FILE",
        help="CA certificates for a private CA (default: the system's)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run `releasable probe` with its parsed arguments; return the exit code."""
    from app.services.probe import probe, shown_url

    doc: dict[str, Any] = {"kind": args.kind, "url": shown_url(args.url)}
    try:
        table, values = table_values(args)
        item = _checked(table, values)
    except (UsageError, ValueError) as err:
        return _fail(args, doc, str(err), code=EXIT_USAGE)
    shown = {k: v for k, v in values.items() if k in _SHOWN}
    doc["settings"] = {k: shown_url(v) if k == "url" else v for k, v in shown.items()}

    item = dataclasses.replace(item, timeout_seconds=args.timeout)  # the request's deadline
    doc = probe(item, doc, connect_timeout_s=min(args.timeout, 5.0), read_timeout_s=args.timeout)
    if doc["errors"]:
        return _fail(args, doc, doc["errors"][0], code=EXIT_FAILED)
    if args.json:
        print(_dumps(doc))
    else:
        from app.services.probe import render_text

        print(render_text(doc))
    return EXIT_OK


_SHOWN = ("api_url", "repo", "workflow", "branch", "project", "ref", "url", "project_prefix")


def table_values(args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    """The board-file table these arguments describe: ("pipelines" | "environments", keys)."""
    from app.sources.urls import source_values

    for option, kinds in _OPTION_KINDS.items():
        if getattr(args, option) is not None and args.kind not in kinds:
            flag = "--" + option.replace("_", "-")
            raise UsageError(f"{flag} does not apply to {args.kind}")
    values: dict[str, Any] = {"name": "probe"}
    values.update(source_values(args.kind, args.url, api_url=args.api_url))
    token_env = args.token_env or DEFAULT_TOKEN_ENV.get(args.kind)
    if args.kind == "health":
        if args.json_field is not None:
            values["json_field"] = args.json_field
        _tokens(values, "token_env", args.token_env, args.token_keyring)
        _common(values, args)
        return "environments", values
    values["source"] = args.kind
    if args.kind == "github-actions":
        values["branch"] = args.branch or args.ref or values.get("branch") or "main"
    elif args.kind == "gitlab":
        values["ref"] = args.ref or args.branch or values.get("ref") or "main"
    elif args.kind == "jenkins":
        user = args.user or os.environ.get("JENKINS_USER") or None
        if user:
            values["username"] = user
    elif args.kind == "cctray":
        if args.prefix is not None:
            values["project_prefix"] = args.prefix
        if not args.user:  # a feed's password is used only with a user name
            _common(values, args)
            return "pipelines", values
        values["username"] = args.user
        _tokens(values, "password_env", token_env, args.token_keyring)
        _common(values, args)
        return "pipelines", values
    _tokens(values, "token_env", token_env, args.token_keyring)
    _common(values, args)
    return "pipelines", values


def _tokens(values: dict[str, Any], key: str, env: str | None, keyring: str | None) -> None:
    if env:
        values[key] = env
    if keyring:
        values["token_keyring"] = keyring


def _common(values: dict[str, Any], args: argparse.Namespace) -> None:
    if args.ca_bundle:
        values["ca_bundle"] = args.ca_bundle


def _checked(table: str, values: dict[str, Any]) -> Any:
    """The item, checked by the board file's rules; their problems are a usage error."""
    from app.config.errors import BoardFileError, format_path
    from app.services.sources import item_config

    try:
        return item_config(table, values)
    except BoardFileError as err:
        said = [
            f"{format_path(issue.path[2:])}: {issue.message}" if issue.path[2:] else issue.message
            for issue in err.issues
        ]
        raise UsageError("; ".join(said)) from None


def _fail(args: argparse.Namespace, doc: dict[str, Any], message: str, *, code: int) -> int:
    from app.services.probe import plain

    if args.json:
        blank: dict[str, Any] = (
            {"health": "unknown"} if args.kind == "health" else {"outcome": "unknown", "stages": []}
        )
        print(_dumps({**doc, **blank, "errors": [message]}))
    else:
        print(f"releasable probe {args.kind}: {plain(message)}", file=sys.stderr)
        token = doc.get("token")
        if code == EXIT_FAILED and token and not token["set"] and not doc.get("network"):
            print(f"  (no token: {token['hint']})", file=sys.stderr)
    return code


def _dumps(doc: dict[str, Any]) -> str:
    """Indented for a person at a terminal; compact (and much faster) for a program."""
    if sys.stdout.isatty():
        return json.dumps(doc, indent=2, ensure_ascii=False)
    return json.dumps(doc)


__all__ = ["KINDS", "add_parser", "run", "table_values"]
