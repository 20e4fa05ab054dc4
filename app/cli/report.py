"""`releasable report …`: file a delivery blocker from a terminal.

For the colleague whose desktop is the broken thing. `report` triages and builds the report
(with the last board the store knows as evidence), puts it in the outbox, and tries to deliver
it once with a short timeout: it prints the priority and the issue's link, or `queued` and why
when it could not be delivered now (the report is safe and goes out later, by
`releasable outbox send` or the app). A permanent error prints the reason.

The tracker comes from the board file's `[tracker]` table (token from the environment variable
or keyring entry it names), or from the `--tracker-kind/--tracker-url/--repo/...` options.
No Qt. Tokens are never printed. Exit codes: 0 sent (or saved locally: no tracker is
configured), 4 queued — whatever the reason (no network, no token, a server error) —, 1 the
tracker refused it, 3 usage or setup (nothing is queued then).
"""

from __future__ import annotations

import argparse
import getpass
import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from app import __version__
from app.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_QUEUED,
    SetupError,
    board_options,
    fail,
    http_client,
    json_option,
    load_board_config,
    open_store,
    resolve_tracker,
    timeout_option,
    tracker_option_problem,
    tracker_options,
)
from app.cli.outbox import item_doc
from app.domain.triage import Category

if TYPE_CHECKING:
    from app.config.board import BoardConfig
    from app.store.outbox import OutboxItem
    from app.store.store import Store
    from app.trackers.outbox import DeliveryResult

CATEGORIES = tuple(category.value for category in Category)
HELP = "file a blocker (or queue it offline); print its priority and link, or 'queued'"


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "report",
        parents=[board_options(demo=False), json_option(), timeout_option(), tracker_options()],
        help=HELP,
        description="File a delivery blocker on the platform tracker, or queue it offline. "
        "Prints its priority and the issue's link, or 'queued' and why. Exit 0 sent (or saved "
        "locally without a tracker), 4 queued, 1 refused by the tracker, 3 usage or setup.",
    )
    parser.add_argument(
        "--category",
        required=True,
        choices=CATEGORIES,
        metavar="CATEGORY",
        help="what blocks: %(choices)s",
    )
    parser.add_argument("--title", required=True, help="one line that says what is broken")
    parser.add_argument(
        "--body", "--impact", dest="impact", default="", help="the impact (default: empty)"
    )
    parser.add_argument(
        "--trying-to", default="", help="what you were trying to do (default: empty)"
    )
    parser.add_argument(
        "--prevents-delivery",
        choices=("yes", "no"),
        help="does it prevent production delivery? (default: presumed yes, except for "
        "category other, which must say; no needs --statement)",
    )
    parser.add_argument(
        "--statement",
        default="",
        help="with --prevents-delivery no: how production delivery is still possible; it goes "
        "into the report (default: none)",
    )
    parser.add_argument(
        "--workaround",
        choices=("yes", "no"),
        default="no",
        help="is there a workaround? (matters for category other)",
    )
    parser.add_argument("--reporter", help="your name (default: your user name)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """`releasable report …`; returns the exit code."""
    problem = tracker_option_problem(args)
    if problem:
        return fail(problem, as_json=args.json)
    answer = {"yes": True, "no": False}.get(args.prevents_delivery or "")
    if args.category == "other" and answer is None:
        return fail(
            "does it prevent production delivery? Say --prevents-delivery yes or no "
            "(category 'other' does not presume it)",
            as_json=args.json,
        )
    if answer is False and not args.statement.strip():
        return fail(
            "--prevents-delivery no needs --statement: say how production delivery is still "
            "possible; it goes into the report",
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
    if state is OutboxState.FAILED:
        code = EXIT_FAILED
    elif state in (OutboxState.SENT, OutboxState.DRAFT):
        code = EXIT_OK
    else:  # queued, sending or uncertain: not delivered yet, it goes out later
        code = EXIT_QUEUED
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
            f"`releasable outbox export {item.key}` prints it as Markdown; "
            f"`releasable outbox resolve {item.key}` once it no longer blocks"
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


__all__ = ["CATEGORIES", "add_parser", "run"]
