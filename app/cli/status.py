"""`releasable status`: poll every source of the board once, print the verdict and its reasons.

The exit code is the verdict (0 releasable, 1 not releasable, 2 unknown), so a script or a CI
step can gate on it; a board that cannot be opened, or an output file that cannot be written,
exits 3, which no verdict uses. `--format` prints the verdict as a feed other tools read
(app/domain/publish.py), `--output FILE` writes it there atomically (app/cli/publish.py). No Qt.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.cli.common import (
    EXIT_NOT_RELEASABLE,
    EXIT_OK,
    EXIT_UNKNOWN,
    EXIT_USAGE,
    board_options,
)
from app.domain.publish import FORMATS

if TYPE_CHECKING:
    from app.domain.model import BoardSnapshot

EXIT_CODES = {"releasable": EXIT_OK, "not-releasable": EXIT_NOT_RELEASABLE, "unknown": EXIT_UNKNOWN}
HELP = "poll once; print the verdict and reasons; exit 0 releasable, 1 not, 2 unknown"


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "status",
        parents=[board_options(demo=True)],
        help=HELP,
        description="Poll every source of the board once; print the verdict and its reasons. "
        "Exit 0 releasable, 1 not releasable, 2 unknown, 3 the board cannot be opened.",
    )
    parser.add_argument("--json", action="store_true", help="same as --format json")
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="text (default), json (docs/status-json.md), cctray (a feed CCMenu, "
        "BuildNotify or Nevergreen read) or badge (shields.io endpoint JSON)",
    )
    parser.add_argument(
        "--output",
        metavar="FILE",
        help="write there atomically instead of printing (default: print)",
    )
    parser.add_argument(
        "--web-url",
        default="",
        metavar="URL",
        help="with cctray: where people see this board (default: none)",
    )
    parser.add_argument(
        "--fleet",
        metavar="FILE",
        default=argparse.SUPPRESS,  # the top level's (None) unless given: `--fleet F status`
        help="every team of a fleet file instead (--db is then a folder); exit 1 if any team "
        "is not releasable, else 2 if any is unknown, else 0 (default: one board)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    fmt = args.format or ("json" if args.json else "text")
    if args.fleet:
        if args.board or args.demo or fmt not in ("text", "json") or args.output:
            print("releasable: --fleet takes only --json and --db", file=sys.stderr)
            return EXIT_USAGE
        from app.cli.fleet import run_fleet_status

        return run_fleet_status(args.fleet, args.db, fmt == "json")

    from app.cli.publish import PublishError, write_atomically
    from app.config.errors import BoardFileError
    from app.desktop.launch import BoardNotFound, open_board
    from app.domain.publish import render
    from app.services.board_store import poll_board_once
    from app.store.store import Store, StoreUnwritableError

    try:
        with open_board(args.board, args.demo, args.db) as opened:
            cfg = opened.config
            try:
                store = Store.open(opened.db_path)
            except StoreUnwritableError as err:
                print(f"releasable: {err}; reading a copy, nothing is saved", file=sys.stderr)
                store = Store.open_read_only(opened.db_path, err.reason)
            try:
                snapshot = poll_board_once(cfg, store)
            finally:
                store.close()
    except (BoardNotFound, BoardFileError) as err:
        print(f"releasable: {err}", file=sys.stderr)
        return EXIT_USAGE

    text = status_text(snapshot) if fmt == "text" else render(snapshot, fmt, args.web_url)
    if args.output:
        try:
            write_atomically(Path(args.output), text)
        except PublishError as err:
            print(f"releasable: {err}", file=sys.stderr)
            return EXIT_USAGE
    else:
        sys.stdout.write(text)
    return EXIT_CODES[snapshot.verdict.state.value]


def status_text(snapshot: BoardSnapshot) -> str:
    from app.domain.model import BlockerState
    from app.domain.verdict import NOT_SENT_YET
    from app.domain.words import last_read_words

    board, verdict, now = snapshot.board, snapshot.verdict, snapshot.taken_at
    lines = [f"{board.name}: {verdict.state.headline}"]
    lines.extend(f"  - {reason.text}" for reason in verdict.reasons)
    for item in (*board.pipelines, *board.environments):
        status = item.status_word if not item.is_stale(now) else "unknown"
        path = "" if item.delivery_path else "  (not on the delivery path)"
        error = f"  [{item.error}]" if item.error else ""
        lines.append(
            f"  {item.kind.value:<11} {item.name:<20} {status:<9}"
            f" {last_read_words(item.read_at, now)}{path}{error}"
        )
    open_blockers = [b for b in board.blockers if b.state is BlockerState.OPEN]
    if open_blockers:
        lines.append("  open blockers:")
    for b in open_blockers:
        where = f"  {b.url}" if b.url else (f"  ({NOT_SENT_YET})" if b.pending else "")
        lines.append(f"    {b.priority.value} {b.title}{where}")
    return "\n".join(lines) + "\n"


__all__ = ["EXIT_CODES", "add_parser", "run", "status_text"]
