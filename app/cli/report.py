"""`releasable report …` and `releasable outbox [list|send|export]`: blockers from a terminal.

For the colleague whose desktop is the broken thing. `report` triages and builds the report
(with the last board the store knows as evidence), puts it in the outbox, and tries to deliver
it once with a short timeout: it prints the priority and the issue's link, or `queued` when the
tracker cannot be reached (exit 0 either way: the report is safe and goes out later). A
permanent error prints the reason and exits 1. `outbox send` delivers everything waiting, now.

The tracker comes from the board file's `[tracker]` table (token from the environment variable
or keyring entry it names), or from `--tracker-kind/--tracker-url/--repo/...` options
(app/cli_setup.py). The `outbox` command lives in app/outbox_cli.py; `run_outbox` is importable
from here too. No Qt. Tokens are never printed. Exit codes: 0 done or queued, 1 a report
failed, 2 usage or setup.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from app import __version__
from app.cli.common import (
    SetupError,
    add_common_options,
    fail,
    http_client,
    load_board_config,
    open_store,
    parse_args,
    resolve_tracker,
)
from app.cli.outbox import item_doc, run_outbox
from app.domain.triage import Category

if TYPE_CHECKING:
    from app.config.board import BoardConfig
    from app.store.outbox import OutboxItem
    from app.store.store import Store
    from app.trackers.outbox import DeliveryResult

CATEGORIES = tuple(category.value for category in Category)


# --- report -------------------------------------------------------------------------------


def report_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="releasable report",
        description="File a delivery blocker on the platform tracker, or queue it offline. "
        "Prints its priority and the issue's link, or 'queued'.",
        allow_abbrev=False,
    )
    parser.add_argument("--category", required=True, choices=CATEGORIES)
    parser.add_argument("--title", required=True)
    parser.add_argument("--body", "--impact", dest="impact", default="", help="the impact")
    parser.add_argument("--trying-to", default="", help="what you were trying to do")
    parser.add_argument(
        "--prevents-delivery", choices=("yes", "no"), help="does it prevent production delivery?"
    )
    parser.add_argument("--statement", default="", help="how production delivery is possible")
    parser.add_argument("--workaround", choices=("yes", "no"), default="no")
    parser.add_argument("--reporter", help="your name (default: your user name)")
    add_common_options(parser)
    return parser


def run_report(argv: Sequence[str]) -> int:
    """`releasable report …`; returns the exit code."""
    parsed = parse_args(report_parser(), argv)
    if isinstance(parsed, int):
        return parsed
    args = parsed
    answer = {"yes": True, "no": False}.get(args.prevents_delivery or "")
    if args.category == "other" and answer is None:
        return fail(
            "does it prevent production delivery? Say --prevents-delivery yes or no "
            "(category 'other' does not presume it)",
            as_json=args.json,
        )
    if not args.title.strip():
        return fail("the title is empty", as_json=args.json)
    try:
        board = None if args.tracker_kind else load_board_config(args)
    except SetupError as err:
        return fail(str(err), as_json=args.json)
    kind = args.tracker_kind or (board.tracker.kind if board is not None else "none")
    setup_problem = ""
    try:
        tracker = resolve_tracker(args, board)
    except SetupError as err:  # queued all the same: it goes out once the setup is fixed
        tracker, setup_problem = None, str(err)

    from app.domain.report_body import build_report, new_report_key
    from app.store.outbox import Outbox
    from app.trackers.outbox import deliver_due

    now = datetime.now(UTC)
    try:
        store = open_store(args)
    except SetupError as err:
        return fail(str(err), as_json=args.json)
    try:
        report = build_report(
            key=new_report_key(),
            title=args.title.strip(),
            category=args.category,
            prevents_delivery=answer,
            statement=args.statement,
            trying_to=args.trying_to,
            impact=args.impact,
            reporter=args.reporter if args.reporter is not None else _user_name(),
            board_name=board.name if board is not None else "",
            evidence=_evidence(store, board, now),
            created_at=now,
            app_version=__version__,
            labels=(),
            has_workaround=args.workaround == "yes",
        )
        item = Outbox(store).queue_report(report, tracker_kind=kind, now=now)
        results: list[DeliveryResult] = []
        if tracker is not None:
            http = http_client(args)
            try:
                results = deliver_due(store, tracker, http, now, force=True, keys={report.key})
            finally:
                http.close()
        item = Outbox(store).get(report.key) or item
    finally:
        store.close()
    return _print_report(args, item, results, setup_problem)


def _user_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def _evidence(store: Store, board: BoardConfig | None, now: datetime) -> Any:
    """What the board last showed (from the store), or empty evidence without a board."""
    from app.domain.model import Verdict, VerdictState
    from app.domain.report_body import Evidence, evidence_from
    from app.domain.verdict import decide
    from app.services.board_jobs import board_specs
    from app.services.board_store import StoreBoard
    from app.services.polling import board_state

    if board is None:
        return Evidence(verdict=Verdict(VerdictState.UNKNOWN), taken_at=now)
    adapter = StoreBoard(store)
    specs = board_specs(board)
    items, _ = adapter.load_board(specs)
    state = board_state(board.name, specs, items, adapter.open_blockers(), planned=board.planned)
    return evidence_from(state, decide(state, now), now)


def _print_report(
    args: argparse.Namespace,
    item: OutboxItem,
    results: list[DeliveryResult],
    setup_problem: str,
) -> int:
    from app.store.outbox import OutboxState

    result = results[0] if results else None
    state = item.state
    error = (result.error if result else None) or item.last_error or setup_problem or None
    code = 1 if state is OutboxState.FAILED or setup_problem else 0
    if args.json:
        doc = item_doc(item)
        doc["error"] = error
        print(json.dumps(doc, indent=2, ensure_ascii=False))
        return code
    print(f"{item.priority.value}  {item.title}")
    if state is OutboxState.SENT:
        print(f"sent  {item.url}")
        for warning in item.warnings:
            print(f"warning: {warning}")
    elif state is OutboxState.DRAFT:
        print(
            "saved locally (no tracker configured): "
            f"`releasable outbox export {item.key}` prints it as Markdown"
        )
    elif state is OutboxState.FAILED:
        print(f"failed: {error}")
        print(f"The report is kept. Fix the cause, then: releasable outbox send {item.key}")
    else:
        print(f"queued: {error}" if error else "queued")
        if setup_problem:
            print("Fix that, then run: releasable outbox send")
        else:
            print("It will be sent by `releasable outbox send`, or by the app when it runs.")
    return code


# --- both commands ------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m app.cli.report report|outbox …` (the same as `releasable report|outbox`)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "report":
        return run_report(args[1:])
    if args and args[0] == "outbox":
        return run_outbox(args[1:])
    print("usage: python -m app.cli.report report|outbox ...", file=sys.stderr)
    return 2


__all__ = ["CATEGORIES", "main", "report_parser", "run_outbox", "run_report"]

if __name__ == "__main__":
    sys.exit(main())
