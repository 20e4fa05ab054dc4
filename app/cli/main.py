"""`releasable`: one parser for every command; no command opens the board window.

    releasable [--board FILE | --demo] [--kiosk] [--screenshot OUT.png …]   the window
    releasable status | probe | report | outbox | tracker …                  from a terminal

`build_parser()` is the whole command line: the window's options on the top level, one
subparser per command, the shared options (`app.cli.common`) defined once and used as parents.
Each command module adds its subparser and the function that runs it; `main()` parses once
and dispatches. Building the parser imports no Qt and no store: `--version`, `--help` and
`probe` stay quick, and `status`, `report` and `outbox` work on a machine whose desktop is the
broken thing. Exit codes are listed in `app.cli.common`.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from app import __version__
from app.cli import outbox, probe, report, status, tracker, window
from app.cli.common import BOARD_DEFAULTS, EXIT_USAGE, CliParser, board_options
from app.domain.redact import install_log_scrubbing

COMMANDS = (status, probe, report, outbox, tracker)


def build_parser() -> CliParser:
    parser = CliParser(
        prog="releasable",
        parents=[board_options(demo=True)],
        description="Can we deploy to production right now? With no command, opens the "
        "team's board.",
        epilog="`releasable COMMAND --help` says more about each command. Exit codes: "
        "0 done / releasable, 1 not releasable / failed, 2 unknown, 3 usage or board file, "
        "4 report queued.",
    )
    parser.add_argument("--version", action="version", version=f"releasable {__version__}")
    window.add_options(parser)
    parser.set_defaults(run=window.run, **BOARD_DEFAULTS)
    commands = parser.add_subparsers(dest="command", title="commands")
    for command in COMMANDS:
        command.add_parser(commands)
    return parser


def parse(argv: Sequence[str]) -> argparse.Namespace:
    """The parsed command line; a usage error exits (SystemExit) with code 3."""
    parser = build_parser()
    args = parser.parse_args(list(argv))
    if args.command is not None:
        problem = misplaced(parser, args)
        if problem:
            parser.error(problem)
    if args.demo and args.board:
        parser.error("--board and --demo cannot be used together")
    return args


def misplaced(parser: argparse.ArgumentParser, args: argparse.Namespace) -> str | None:
    """A top-level option given before a command that does not take it, in words
    (`releasable --kiosk status`, `releasable --db X probe`), else None.

    An option that the command takes too (`--board`, `--db`, `status`'s `--fleet`) means the
    same before or after the command: the command's own copy has no default of its own
    (argparse.SUPPRESS), so it never overwrites the value given before it.
    """
    command: argparse.ArgumentParser = parser
    words: list[str] = []
    while (commands := _commands_of(command)) is not None:
        name = getattr(args, commands.dest, None)
        if name is None:
            break
        command, words = commands.choices[name], [*words, name]
    taken = {action.dest for action in command._actions}
    taken_by_some = {a.dest for sub in _every_command(parser) for a in sub._actions}
    for_window: list[argparse.Action] = []
    elsewhere: list[argparse.Action] = []
    for action in parser._actions:
        if not action.option_strings or action.dest in taken:
            continue
        if getattr(args, action.dest, action.default) == _default_value(action):
            continue
        (elsewhere if action.dest in taken_by_some else for_window).append(action)
    where = f"`{' '.join(words)}`"
    if for_window:
        flags = ", ".join(a.option_strings[0] for a in for_window)
        return f"{flags} applies to the window, not to {where}"
    if elsewhere:
        flags = ", ".join(a.option_strings[0] for a in elsewhere)
        return f"{flags} does not apply to {where}"
    return None


def _commands_of(parser: argparse.ArgumentParser) -> argparse._SubParsersAction[Any] | None:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    return None


def _every_command(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    commands = _commands_of(parser)
    if commands is None:
        return []
    found = []
    for sub in commands.choices.values():
        found += [sub, *_every_command(sub)]
    return found


def _default_value(action: argparse.Action) -> Any:
    """The value argparse gives an option that was not given (a string default is converted
    by the option's type, as argparse does)."""
    if isinstance(action.default, str) and action.type is not None and callable(action.type):
        return action.type(action.default)
    return action.default


def main(argv: Sequence[str] | None = None) -> int:
    """Run `releasable` with `argv` (default: sys.argv[1:]); return the exit code."""
    try:
        args = parse(sys.argv[1:] if argv is None else argv)
    except SystemExit as stop:  # argparse printed the usage, the help or the version
        return stop.code if isinstance(stop.code, int) else EXIT_USAGE
    if args.command is None:
        window_code: int = args.run(args)  # the window quits on SIGINT and SIGTERM itself
        return window_code
    install_log_scrubbing()  # what a command logs goes to stderr: no token in it
    with _interrupt_on_signals() as received:
        try:
            code: int = args.run(args)
        except KeyboardInterrupt:
            print("releasable: interrupted", file=sys.stderr)
            return 128 + received[0]
    return code


@contextlib.contextmanager
def _interrupt_on_signals() -> Iterator[list[int]]:
    """Ctrl+C and SIGTERM end a terminal command at once, with exit code 128 + the signal's
    number: every request in flight is ended first, so no worker thread waiting on a slow
    server holds up the exit. Yields where the signal's number is kept (SIGINT's by default).
    """
    received = [int(signal.SIGINT)]
    if threading.current_thread() is not threading.main_thread():
        yield received  # signals reach the main thread only (commands run in-process)
        return
    from app.sources.deadline import abort_all

    def interrupt(signum: int, _frame: object) -> None:
        received[0] = signum
        abort_all()
        raise KeyboardInterrupt

    signals = (signal.SIGINT, signal.SIGTERM)
    previous = {sig: signal.signal(sig, interrupt) for sig in signals}
    try:
        yield received
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


__all__ = ["COMMANDS", "build_parser", "main", "misplaced", "parse"]
