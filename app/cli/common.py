"""What every `releasable` command shares: the parser class and its help, the shared options
(defined once, used as argparse parents), the exit codes, and for `report`, `outbox` and
`tracker`: the board file and its tracker, the local store, the HTTP client, and how a failure
is printed (one line on stderr, or `{"error": …}` with --json).

Exit codes, the same for every command (README, "Command line"):
  0  done (status: releasable)
  1  status: not releasable; probe: the read failed; report/outbox: the tracker refused a report
  2  status: unknown
  3  the command cannot run as asked: a usage error, a bad or missing board file, a database
     that cannot be opened (no verdict uses 3)
  4  report / outbox send: the report is queued, not delivered yet (whatever the reason)

Everything heavy is imported where it is used, so building the parser loads no Qt, no store.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from app.config.board import BoardConfig
    from app.sources.http import HttpClient
    from app.store.store import Store
    from app.trackers.ports import Tracker

EXIT_OK = 0
EXIT_NOT_RELEASABLE = 1
EXIT_FAILED = 1
EXIT_UNKNOWN = 2
EXIT_USAGE = 3
EXIT_QUEUED = 4

DEFAULT_TIMEOUT_S = 10.0
TRACKER_KINDS = ("github", "gitlab", "jira", "webhook", "none")

Run = Callable[[argparse.Namespace], int]


class SetupError(Exception):
    """The board or the tracker cannot be used as configured; the message says why."""


# --- the parser ---------------------------------------------------------------------------


class HelpFormatter(argparse.HelpFormatter):
    """Every option says its default: the declared one, or the one its help text names."""

    def __init__(self, prog: str, width: int = 100) -> None:
        super().__init__(prog, max_help_position=32, width=width)

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        shown = default not in (None, False, argparse.SUPPRESS) and not isinstance(default, list)
        if shown and "%(default)" not in text and "default" not in text and action.option_strings:
            text += " (default: %(default)s)"
        return text


class CliParser(argparse.ArgumentParser):
    """argparse with the house rules: usage errors exit 3 (no verdict uses it), the error
    is one line after the usage, and abbreviated options are not guessed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def board_options(*, demo: bool, db: bool = True) -> argparse.ArgumentParser:
    """--board and --db (and --demo): shared by the window and the subcommands.

    Their defaults are suppressed here and set once on the top-level parser, so
    `releasable --board X status` and `releasable status --board X` both mean board X.
    """
    parent = argparse.ArgumentParser(add_help=False)
    which = parent.add_mutually_exclusive_group() if demo else parent
    which.add_argument(
        "--board",
        metavar="FILE",
        default=argparse.SUPPRESS,
        help="board file (default: $RELEASABLE_BOARD, then board.toml in the user's config folder)",
    )
    if demo:
        which.add_argument(
            "--demo",
            action="store_true",
            default=argparse.SUPPRESS,
            help="use the bundled demo board (loopback servers, no account, no network)",
        )
    if db:
        parent.add_argument(
            "--db",
            metavar="PATH",
            default=argparse.SUPPRESS,
            help="local database (default: releasable.db in the user's data folder)",
        )
    return parent


BOARD_DEFAULTS: dict[str, Any] = {"board": None, "db": None, "demo": False}


def json_option() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--json", action="store_true", help="print JSON instead of text")
    return parent


def seconds(text: str) -> float:
    """A timeout in seconds: more than 0, at most 600."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < value <= 600:
        raise argparse.ArgumentTypeError("the timeout must be between 0 and 600 seconds")
    return value


def timeout_option() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--timeout",
        type=seconds,
        default=DEFAULT_TIMEOUT_S,
        metavar="SECONDS",
        help="give up on an answer after this long",
    )
    return parent


def tracker_options() -> argparse.ArgumentParser:
    """The tracker named on the command line instead of the board file's [tracker]."""
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("tracker (instead of the board file's [tracker])")
    group.add_argument(
        "--tracker-kind",
        choices=TRACKER_KINDS,
        metavar="KIND",
        help="%(choices)s; the other tracker options need it (default: the board file's [tracker])",
    )
    group.add_argument(
        "--tracker-url",
        metavar="URL",
        help="API base URL, or the webhook's URL (default: the kind's public API)",
    )
    group.add_argument("--repo", help="GitHub: owner/name of the repository (default: none)")
    group.add_argument("--project", help="GitLab: project path or id (default: none)")
    group.add_argument("--project-key", help="Jira: the project key (default: none)")
    group.add_argument(
        "--token-env",
        metavar="NAME",
        help="environment variable holding the tracker's token (default: none)",
    )
    return parent


# Which tracker options apply to which kinds (anything else is a usage error).
_TRACKER_OPTION_KINDS = {
    "tracker_url": ("github", "gitlab", "jira", "webhook"),
    "repo": ("github",),
    "project": ("gitlab",),
    "project_key": ("jira",),
    "token_env": ("github", "gitlab", "jira", "webhook"),
}


def tracker_option_problem(args: argparse.Namespace) -> str | None:
    """Why the tracker options cannot work together (None when they can)."""
    given = [name for name in _TRACKER_OPTION_KINDS if getattr(args, name, None) is not None]
    if not given:
        return None
    flags = ", ".join("--" + name.replace("_", "-") for name in given)
    if args.tracker_kind is None:
        return f"{flags} needs --tracker-kind (github, gitlab, jira or webhook)"
    for name in given:
        if args.tracker_kind not in _TRACKER_OPTION_KINDS[name]:
            flag = "--" + name.replace("_", "-")
            return f"{flag} does not apply to --tracker-kind {args.tracker_kind}"
    return None


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


def open_store(args: argparse.Namespace) -> Store:
    import sqlite3

    from app.store.schema import StoreTooNewError
    from app.store.store import Store, StoreUnwritableError, default_path

    try:
        return Store.open(Path(args.db) if args.db else default_path())
    except StoreUnwritableError as err:
        raise SetupError(f"{err}; nothing was saved") from None
    except (StoreTooNewError, sqlite3.Error, OSError) as err:
        raise SetupError(f"the local database cannot be opened: {err}") from None


def http_client(args: argparse.Namespace) -> HttpClient:
    from app.sources.http import HttpClient

    timeout = max(1.0, args.timeout)
    return HttpClient(connect_timeout_s=min(timeout, 5.0), read_timeout_s=timeout)


def fail(message: str, *, as_json: bool, code: int = EXIT_USAGE) -> int:
    if as_json:
        print(json.dumps({"error": message}, ensure_ascii=False))
    else:
        print(f"releasable: {message}", file=sys.stderr)
    return code


def plain(text: str) -> str:
    """Remote text for a terminal: control characters (escape sequences) are not passed on."""
    return "".join(ch if ch.isprintable() else "?" for ch in text)


__all__ = [
    "BOARD_DEFAULTS",
    "EXIT_FAILED",
    "EXIT_NOT_RELEASABLE",
    "EXIT_OK",
    "EXIT_QUEUED",
    "EXIT_UNKNOWN",
    "EXIT_USAGE",
    "CliParser",
    "HelpFormatter",
    "Run",
    "SetupError",
    "board_options",
    "fail",
    "http_client",
    "json_option",
    "load_board_config",
    "open_store",
    "plain",
    "resolve_tracker",
    "seconds",
    "timeout_option",
    "tracker_option_problem",
    "tracker_options",
]
