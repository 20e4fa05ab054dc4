"""What the terminal commands `releasable report` and `releasable outbox` share: the board file
and its tracker, the local store, the HTTP client, the shared options, and how a failure is
printed (a line on stderr, or `{"error": …}` with --json; exit 2 for usage or setup).

Everything heavy is imported where it is used, so a command stays quick and loads no Qt.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.config.board import BoardConfig
    from app.store.store import Store
    from app.trackers.ports import Tracker


class SetupError(Exception):
    """The board or the tracker cannot be used as configured; the message says why."""


# --- the board and its tracker ------------------------------------------------------------


def load_board_config(args: argparse.Namespace) -> BoardConfig | None:
    """The board file given or found in the usual place; None when there is none."""
    from app.config.errors import BoardFileError
    from app.config.loader import find_board_path, load_board

    path = find_board_path(Path(args.board) if args.board else None)
    if path is None:
        return None
    try:
        return load_board(path)
    except BoardFileError as err:
        raise SetupError(str(err)) from None


def resolve_tracker(args: argparse.Namespace, board: BoardConfig | None) -> Tracker | None:
    """The tracker from the command-line options, else from the board file (or none)."""
    from app.trackers.configured import (
        TrackerSetupError,
        tracker_from_config,
        tracker_from_options,
    )

    try:
        if args.tracker_kind:
            return tracker_from_options(
                args.tracker_kind,
                url=args.tracker_url,
                repo=args.repo,
                project=args.project,
                project_key=args.project_key,
                token_env=args.token_env,
            )
        return tracker_from_config(board.tracker) if board is not None else None
    except TrackerSetupError as err:
        raise SetupError(str(err)) from None


# --- shared options -----------------------------------------------------------------------


def add_common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--board", metavar="FILE", help="board file (default: the usual place)")
    parser.add_argument("--db", metavar="PATH", help="local database (default: user data dir)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS")
    group = parser.add_argument_group("tracker (instead of the board file's [tracker])")
    group.add_argument("--tracker-kind", choices=("github", "gitlab", "jira", "webhook", "none"))
    group.add_argument("--tracker-url", metavar="URL", help="API base URL (or webhook URL)")
    group.add_argument("--repo", help="GitHub owner/name")
    group.add_argument("--project", help="GitLab project path or id")
    group.add_argument("--project-key", help="Jira project key")
    group.add_argument("--token-env", metavar="NAME", help="environment variable with the token")


def parse_args(parser: argparse.ArgumentParser, argv: Sequence[str]) -> argparse.Namespace | int:
    try:
        return parser.parse_args(list(argv))
    except SystemExit as stop:  # argparse printed the usage or the help already
        return stop.code if isinstance(stop.code, int) else 2


def open_store(args: argparse.Namespace) -> Store:
    import sqlite3

    from app.store.schema import StoreTooNewError
    from app.store.store import Store, default_path

    try:
        return Store.open(Path(args.db) if args.db else default_path())
    except (StoreTooNewError, sqlite3.Error, OSError) as err:
        raise SetupError(f"the local database cannot be opened: {err}") from None


def http_client(args: argparse.Namespace) -> Any:
    from app.sources.http import HttpClient

    timeout = max(1.0, args.timeout)
    return HttpClient(connect_timeout_s=min(timeout, 5.0), read_timeout_s=timeout)


def fail(message: str, *, as_json: bool, code: int = 2) -> int:
    if as_json:
        print(json.dumps({"error": message}, ensure_ascii=False))
    else:
        print(f"releasable: {message}", file=sys.stderr)
    return code


__all__ = [
    "SetupError",
    "add_common_options",
    "fail",
    "http_client",
    "load_board_config",
    "open_store",
    "parse_args",
    "resolve_tracker",
]
