"""`releasable probe KIND URL`: read one source once and print what the board would see.

It is the quickest way to check a pipeline or environment before putting it on a board:
the URL is the one copied from the browser (see `app.sources.urls`), the source is the same
adapter the board uses, and the answer is printed as a table, or as one JSON document with
`--json`. Exit codes: 0 read (whatever the outcome), 1 the read failed (the error is said in
words), 3 the command line is wrong.

This module must start fast (a probe is often run in scripts and CI): it imports nothing
heavy at module level — no Qt, no store — and each source module is imported only when its
kind is asked for.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
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
    "token_env": ("cctray", "github-actions", "gitlab", "jenkins"),
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
    doc: dict[str, Any] = {"kind": args.kind, "url": _shown_url(args.url)}
    try:
        source, settings = make_source(args)
    except (UsageError, ValueError) as err:
        return _fail(args, doc, str(err), code=EXIT_USAGE)
    doc["settings"] = {k: _shown_url(v) if k == "url" else v for k, v in settings.items()}
    token_env = _token_env(args)
    if token_env:
        doc["token"] = {"env": token_env, "set": _token(args)[0] is not None}

    from app.sources.errors import SourceError
    from app.sources.http import HttpClient

    http = HttpClient(connect_timeout_s=min(args.timeout, 5.0), read_timeout_s=args.timeout)
    try:
        reading = source.fetch(http)
    except SourceError as err:
        return _fail(args, doc, err.message, code=EXIT_FAILED)
    finally:
        http.close()
    doc.update(reading_doc(reading))
    doc["errors"] = []
    if args.json:
        print(_dumps(doc))
    else:
        print(render_text(doc))
    return EXIT_OK


def _fail(args: argparse.Namespace, doc: dict[str, Any], message: str, *, code: int) -> int:
    if args.json:
        blank: dict[str, Any] = (
            {"health": "unknown"} if args.kind == "health" else {"outcome": "unknown", "stages": []}
        )
        failed = {**doc, **blank, "errors": [message]}
        print(_dumps(failed))
    else:
        print(f"releasable probe {args.kind}: {_plain(message)}", file=sys.stderr)
        token = doc.get("token")
        if code == EXIT_FAILED and token and not token["set"]:
            print(f"  (no token: {token['env']} is not set)", file=sys.stderr)
    return code


# -- building the source ------------------------------------------------------------------


def make_source(args: argparse.Namespace) -> tuple[Any, dict[str, Any]]:
    """The source the board would build for these arguments, and its settings in words."""
    for option, kinds in _OPTION_KINDS.items():
        if getattr(args, option) is not None and args.kind not in kinds:
            flag = "--" + option.replace("_", "-")
            raise UsageError(f"{flag} does not apply to {args.kind}")
    builders: dict[str, Callable[[argparse.Namespace], tuple[Any, dict[str, Any]]]] = {
        "github-actions": _github,
        "gitlab": _gitlab,
        "jenkins": _jenkins,
        "cctray": _cctray,
        "health": _health,
    }
    return builders[args.kind](args)


def _token(args: argparse.Namespace) -> tuple[str | None, str]:
    """The token (never printed) and the name of the variable it comes from."""
    name = args.token_env or DEFAULT_TOKEN_ENV.get(args.kind, "")
    token = os.environ.get(name) if name else None
    return token or None, name


def _token_env(args: argparse.Namespace) -> str | None:
    """The variable a token is read from, for kinds that use one here; else None."""
    if args.kind == "health" or (args.kind == "cctray" and not args.user):
        return None
    return _token(args)[1] or None


def _github(args: argparse.Namespace) -> tuple[Any, dict[str, Any]]:
    from app.sources.github_actions import GitHubActionsSource
    from app.sources.urls import parse_github_url

    target = parse_github_url(args.url)
    token, hint = _token(args)
    settings = {
        "api_url": (args.api_url or target.api_url).rstrip("/"),
        "repo": target.repo,
        "workflow": target.workflow,
        "branch": args.branch or args.ref or target.branch or "main",
    }
    source = GitHubActionsSource(**settings, token=token, token_hint=hint, ca_bundle=args.ca_bundle)
    return source, settings


def _gitlab(args: argparse.Namespace) -> tuple[Any, dict[str, Any]]:
    from app.sources.gitlab import GitLabSource
    from app.sources.urls import parse_gitlab_url

    target = parse_gitlab_url(args.url, api_url=args.api_url)
    token, hint = _token(args)
    settings = {
        "api_url": target.api_url,
        "project": target.project,
        "ref": args.ref or args.branch or target.ref or "main",
    }
    source = GitLabSource(**settings, token=token, token_hint=hint, ca_bundle=args.ca_bundle)
    return source, settings


def _jenkins(args: argparse.Namespace) -> tuple[Any, dict[str, Any]]:
    from app.sources.urls import parse_jenkins_url

    url = parse_jenkins_url(args.url)
    from app.sources.jenkins import JenkinsSource

    token, hint = _token(args)
    user = args.user or os.environ.get("JENKINS_USER") or None
    source = JenkinsSource(
        url, username=user, token=token, token_hint=hint, ca_bundle=args.ca_bundle
    )
    return source, {"url": url}


def _cctray(args: argparse.Namespace) -> tuple[Any, dict[str, Any]]:
    from app.sources.urls import parse_plain_url

    url = parse_plain_url(args.url, "a cctray feed URL")
    from app.sources.cctray import CctraySource

    auth = None
    if args.user:
        token, _ = _token(args)
        auth = (args.user, token or "")
    source = CctraySource(url, project_prefix=args.prefix, auth=auth, ca_bundle=args.ca_bundle)
    settings: dict[str, Any] = {"url": url}
    if args.prefix is not None:
        settings["project_prefix"] = args.prefix
    return source, settings


def _health(args: argparse.Namespace) -> tuple[Any, dict[str, Any]]:
    from app.sources.urls import parse_plain_url

    url = parse_plain_url(args.url, "a health check URL")
    from app.sources.health import HealthSource

    source = HealthSource(url, json_field=args.json_field, ca_bundle=args.ca_bundle)
    settings: dict[str, Any] = {"url": url}
    if args.json_field is not None:
        settings["json_field"] = args.json_field
    return source, settings


# -- showing the reading ------------------------------------------------------------------


def reading_doc(reading: Any) -> dict[str, Any]:
    """A reading as JSON-ready data (enums as their values, times in ISO 8601 UTC)."""
    from app.domain.model import EnvironmentReading, PipelineReading

    if isinstance(reading, PipelineReading):
        return {
            "outcome": reading.outcome.value,
            "running": reading.running,
            "label": reading.label,
            "run_url": reading.url,
            "completed_at": _iso(reading.completed_at),
            "failed_stage": reading.failed_stage,
            "detail": reading.detail,
            "stages": [
                {
                    "name": stage.name,
                    "status": stage.status.value,
                    "started_at": _iso(stage.started_at),
                    "duration_s": stage.duration_s,
                    "url": stage.url,
                    "label": stage.label,
                    "note": stage.note,
                }
                for stage in reading.stages
            ],
        }
    if isinstance(reading, EnvironmentReading):
        return {
            "health": reading.health.value,
            "http_status": reading.http_status,
            "latency_ms": reading.latency_ms,
            "tls_days_left": reading.tls_days_left,
            "final_url": reading.url,
            "detail": reading.detail,
        }
    raise TypeError(f"a source returned {type(reading).__name__}, not a reading")


def render_text(doc: dict[str, Any]) -> str:
    """The document as a short report and a table of stages, for a terminal."""
    lines = [f"{doc['kind']}  {_plain(doc['url'])}"]
    settings = ", ".join(f"{k} = {_plain(str(v))}" for k, v in doc.get("settings", {}).items())
    if settings:
        lines.append(f"  {'reads':<11}{settings}")
    token = doc.get("token")
    if token:
        said = f"from {token['env']}" if token["set"] else f"none ({token['env']} is not set)"
        lines.append(f"  {'token':<11}{said}")
    rows: list[tuple[str, str]] = []
    if "health" in doc:
        rows.append(("health", doc["health"].upper()))
        http = []
        if doc.get("http_status") is not None:
            http.append(f"status {doc['http_status']}")
        if doc.get("latency_ms") is not None:
            http.append(f"{doc['latency_ms']:.0f} ms")
        if http:
            rows.append(("answer", ", ".join(http)))
        if doc.get("tls_days_left") is not None:
            rows.append(("tls", f"certificate expires in {doc['tls_days_left']} days"))
    else:
        outcome = doc["outcome"].upper()
        if doc.get("failed_stage"):
            outcome += f" at stage {_plain(doc['failed_stage'])}"
        rows.append(("outcome", outcome))
        if doc.get("completed_at"):
            rows.append(("completed", _when(doc["completed_at"])))
        latest = " ".join(
            part
            for part in (
                _plain(doc.get("label") or ""),
                "(in progress)" if doc.get("running") else "",
                _plain(doc.get("run_url") or ""),
            )
            if part
        )
        if latest:
            rows.append(("latest", latest))
    if doc.get("detail"):
        rows.append(("detail", _plain(doc["detail"])))
    lines.extend(f"  {key:<11}{value}" for key, value in rows)
    if "stages" in doc:
        lines.append("")
        lines.extend(_stage_table(doc["stages"]))
    return "\n".join(lines)


def _stage_table(stages: list[dict[str, Any]]) -> list[str]:
    if not stages:
        return ["  (no stages)"]
    header = ("STAGE", "STATUS", "STARTED", "DURATION", "NOTE")
    rows = [
        (
            _plain(stage["name"]),
            stage["status"],
            _when(stage["started_at"]) if stage["started_at"] else "-",
            _duration(stage["duration_s"]),
            _plain(stage["note"]),
        )
        for stage in stages
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]
    return [
        (
            "  "
            + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:4]))
            + "  "
            + row[4]
        ).rstrip()
        for row in [header, *rows]
    ]


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    whole = round(seconds)
    if whole < 60:
        return f"{whole}s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"


def _iso(when: datetime | None) -> str | None:
    if when is None:
        return None
    if when.tzinfo is not None and when.utcoffset():
        when = when.astimezone(UTC)
    text = when.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _when(iso: str) -> str:
    return iso.replace("T", " ").replace("Z", " UTC")


def _dumps(doc: dict[str, Any]) -> str:
    """Indented for a person at a terminal; compact (and much faster) for a program."""
    if sys.stdout.isatty():
        return json.dumps(doc, indent=2, ensure_ascii=False)
    return json.dumps(doc)


def _shown_url(url: str) -> str:
    """The URL as given, with a password in it (user:password@host) masked."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url.strip())
    if parts.password is None:
        return url.strip()
    netloc = f"{parts.username}:***@{parts.netloc.rsplit('@', 1)[1]}"
    return urlunsplit(parts._replace(netloc=netloc))


def _plain(text: str) -> str:
    """Remote text for a terminal: control characters (escape sequences) are not passed on."""
    return "".join(ch if ch.isprintable() else "?" for ch in text)


__all__ = ["KINDS", "add_parser", "make_source", "reading_doc", "render_text", "run"]
