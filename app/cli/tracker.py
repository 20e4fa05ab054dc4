"""`releasable tracker check`: is the tracker set up right? Files nothing.

It checks, as far as each tracker's API allows, that the token is valid, the repository or
project is reachable, issues can be filed there and the labels will stick (GitHub drops labels
silently without push access) — reads only (`app.services.tracker_check`). The tracker is the
board file's `[tracker]` or the one named by the `--tracker-*` options. Exit codes: 0 every
step passed (or could not be told), 1 a step failed, 3 usage, a bad board file, or no tracker.
No Qt; tokens are never printed.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from app.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    SetupError,
    board_options,
    fail,
    json_option,
    load_board_config,
    resolve_tracker,
    timeout_option,
    tracker_option_problem,
    tracker_options,
)

HELP = "check the tracker's token, project and labels without filing anything"


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "tracker",
        help=HELP,
        description="The board's tracker, from a terminal.",
    )
    actions = parser.add_subparsers(
        dest="tracker_action", title="actions", metavar="ACTION", required=True
    )
    check = actions.add_parser(
        "check",
        parents=[
            board_options(demo=False, db=False),
            json_option(),
            timeout_option(),
            tracker_options(),
        ],
        help=HELP,
        description="Check, without filing anything, that the tracker's token is valid, the "
        "repository or project is reachable and labels can be applied. Exit 0 passed, 1 a "
        "check failed, 3 usage, a bad board file or no tracker.",
    )
    check.set_defaults(run=run_check)


def run_check(args: argparse.Namespace) -> int:
    from app.services.tracker_check import check_tracker, render_report
    from app.trackers.check import Check, passed

    problem = tracker_option_problem(args)
    if problem:
        return fail(problem, as_json=args.json)
    try:
        board = None if args.tracker_kind else load_board_config(args)
    except SetupError as err:
        return fail(str(err), as_json=args.json)
    kind = args.tracker_kind or (board.tracker.kind if board is not None else "none")
    if kind == "none":
        return fail(
            "no tracker is configured: name one in the board's [tracker] or with --tracker-kind",
            as_json=args.json,
        )
    try:
        tracker = resolve_tracker(args, board)
    except SetupError as err:
        checks = [Check("setup", False, str(err))]
    else:
        checks = check_tracker(tracker, timeout_s=args.timeout)
    ok = passed(checks)
    if args.json:
        doc = {
            "kind": kind,
            "passed": ok,
            "checks": [{"step": c.step, "ok": c.ok, "words": c.words} for c in checks],
        }
        print(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        print(render_report(kind, checks))
    return EXIT_OK if ok else EXIT_FAILED


__all__ = ["add_parser", "run_check"]
