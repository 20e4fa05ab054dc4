"""`releasable`: the window by default; `status`, `probe`, `report`, `outbox` from a terminal.

Subcommands import only what they use: `probe` and `--version` never load Qt, so a terminal
check stays fast, and `status`, `report` and `outbox` work on a machine whose desktop is the
broken thing.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from app import __version__
from app.domain.publish import FORMATS

if TYPE_CHECKING:
    from app.domain.model import BoardSnapshot

EXIT_CODES = {"releasable": 0, "not-releasable": 1, "unknown": 2}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ("--version", "-V"):
        print(f"releasable {__version__}")
        return 0
    command = args[0] if args else ""
    if command == "probe":
        from app.cli.probe import run_probe

        return run_probe(args[1:])
    if command == "report":
        from app.cli.report import run_report

        return run_report(args[1:])
    if command == "outbox":
        from app.cli.report import run_outbox

        return run_outbox(args[1:])
    if command == "status":
        return run_status(args[1:])
    return run_window(args)


# --- status -------------------------------------------------------------------------------


def run_status(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="releasable status",
        description="Poll every source once; print the verdict and its reasons. "
        "Exit 0 releasable, 1 not releasable, 2 unknown.",
    )
    parser.add_argument("--board", metavar="FILE")
    parser.add_argument("--demo", action="store_true", help="use the bundled demo board")
    parser.add_argument("--db", metavar="PATH", help="local database (default: user data dir)")
    parser.add_argument("--json", action="store_true", help="same as --format json")
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="text (default), json (docs/status-json.md), cctray (a feed CCMenu, "
        "BuildNotify or Nevergreen read) or badge (shields.io endpoint JSON)",
    )
    parser.add_argument(
        "--output", metavar="FILE", help="write there atomically instead of printing"
    )
    parser.add_argument(
        "--web-url", default="", metavar="URL", help="with cctray: where people see this board"
    )
    args = parser.parse_args(argv)
    fmt = args.format or ("json" if args.json else "text")

    from app.cli.publish import PublishError, write_atomically
    from app.config.errors import BoardFileError
    from app.desktop.launch import BoardNotFound, open_board
    from app.domain.publish import render
    from app.services.board_store import poll_board_once
    from app.store.store import Store

    try:
        with open_board(args.board, args.demo, args.db) as opened:
            cfg = opened.config
            store = Store.open(opened.db_path)
            try:
                snapshot = poll_board_once(cfg, store)
            finally:
                store.close()
    except (BoardNotFound, BoardFileError) as err:
        print(f"releasable: {err}", file=sys.stderr)
        return 2

    text = status_text(snapshot) if fmt == "text" else render(snapshot, fmt, args.web_url)
    if args.output:
        try:
            write_atomically(Path(args.output), text)
        except PublishError as err:
            print(f"releasable: {err}", file=sys.stderr)
            return 2
    else:
        sys.stdout.write(text)
    return EXIT_CODES[snapshot.verdict.state.value]


def status_text(snapshot: BoardSnapshot) -> str:
    from app.domain.model import BlockerState
    from app.domain.verdict import NOT_SENT_YET
    from app.domain.words import ago_words

    board, verdict, now = snapshot.board, snapshot.verdict, snapshot.taken_at
    lines = [f"{board.name}: {verdict.state.title}"]
    lines.extend(f"  - {reason.text}" for reason in verdict.reasons)
    for item in (*board.pipelines, *board.environments):
        status = item.status_word if not item.is_stale(now) else "unknown"
        path = "" if item.delivery_path else "  (not on the delivery path)"
        error = f"  [{item.error}]" if item.error else ""
        lines.append(
            f"  {item.kind.value:<11} {item.name:<20} {status:<9}"
            f" read {ago_words(item.read_at, now)}{path}{error}"
        )
    open_blockers = [b for b in board.blockers if b.state is BlockerState.OPEN]
    if open_blockers:
        lines.append("  open blockers:")
    for b in open_blockers:
        where = f"  {b.url}" if b.url else (f"  ({NOT_SENT_YET})" if b.pending else "")
        lines.append(f"    {b.priority.value} {b.title}{where}")
    return "\n".join(lines) + "\n"


# --- window -------------------------------------------------------------------------------


def window_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="releasable",
        description="Can we deploy to production right now? Opens the team's board.",
        epilog="Subcommands: status, probe, report, outbox (each with --help).",
    )
    parser.add_argument("--version", action="version", version=f"releasable {__version__}")
    parser.add_argument("--board", metavar="FILE", help="board file (TOML)")
    parser.add_argument("--demo", action="store_true", help="run on the bundled demo scenario")
    parser.add_argument("--kiosk", action="store_true", help="full-screen team-room mode")
    parser.add_argument("--db", metavar="PATH", help="local database (default: user data dir)")
    parser.add_argument("--screenshot", metavar="OUT.png", help="render offscreen to a PNG, exit")
    parser.add_argument("--size", default="1600x1000", metavar="WxH", help="screenshot size")
    parser.add_argument(
        "--after",
        type=float,
        default=3.0,
        metavar="SECONDS",
        help="with --screenshot: poll for this long before rendering",
    )
    return parser


def parse_size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x", 1))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--size must look like 1600x1000, not {text!r}") from None
    if not (200 <= w <= 10000 and 200 <= h <= 10000):
        raise argparse.ArgumentTypeError("--size must be between 200x200 and 10000x10000")
    return w, h


def run_window(argv: Sequence[str]) -> int:
    parser = window_parser()
    args = parser.parse_args(argv)
    try:
        size = parse_size(args.size)
    except argparse.ArgumentTypeError as err:
        parser.error(str(err))
    from app.desktop.run import run_gui

    return run_gui(args, size)
