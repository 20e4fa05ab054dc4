"""`releasable report …` and `releasable outbox [list|send|export]`: blockers from a terminal.

For the colleague whose desktop is the broken thing. `report` triages and builds the report
(with the last board the store knows as evidence), puts it in the outbox, and tries to deliver
it once with a short timeout: it prints the priority and the issue's link, or `queued` when the
tracker cannot be reached (exit 0 either way: the report is safe and goes out later). A
permanent error prints the reason and exits 1. `outbox send` delivers everything waiting, now.

The tracker comes from the board file's `[tracker]` table (token from the environment variable
or keyring entry it names), or from `--tracker-kind/--tracker-url/--repo/...` options. No Qt.
Tokens are never printed. Exit codes: 0 done or queued, 1 a report failed, 2 usage or setup.
"""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app import __version__

if TYPE_CHECKING:
    from app.config.board import BoardConfig
    from app.store.outbox import OutboxItem
    from app.store.store import Store
    from app.trackers.base import Tracker
    from app.trackers.outbox import DeliveryResult

CATEGORIES = (
    "production-outage",
    "environment-instability",
    "security-false-positive",
    "ci-instability",
    "workstation-broken",
    "other",
)


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


def _common(parser: argparse.ArgumentParser) -> None:
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


def _parse(parser: argparse.ArgumentParser, argv: Sequence[str]) -> argparse.Namespace | int:
    try:
        return parser.parse_args(list(argv))
    except SystemExit as stop:  # argparse printed the usage or the help already
        return stop.code if isinstance(stop.code, int) else 2


def _open_store(args: argparse.Namespace) -> Store:
    import sqlite3

    from app.store.schema import StoreTooNewError
    from app.store.store import Store, default_path

    try:
        return Store.open(Path(args.db) if args.db else default_path())
    except (StoreTooNewError, sqlite3.Error, OSError) as err:
        raise SetupError(f"the local database cannot be opened: {err}") from None


def _http(args: argparse.Namespace) -> Any:
    from app.sources.http import HttpClient

    timeout = max(1.0, args.timeout)
    return HttpClient(connect_timeout_s=min(timeout, 5.0), read_timeout_s=timeout)


def _fail(message: str, *, as_json: bool, code: int = 2) -> int:
    if as_json:
        print(json.dumps({"error": message}, ensure_ascii=False))
    else:
        print(f"releasable: {message}", file=sys.stderr)
    return code


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
    _common(parser)
    return parser


def run_report(argv: Sequence[str]) -> int:
    """`releasable report …`; returns the exit code."""
    parsed = _parse(report_parser(), argv)
    if isinstance(parsed, int):
        return parsed
    args = parsed
    answer = {"yes": True, "no": False}.get(args.prevents_delivery or "")
    if args.category == "other" and answer is None:
        return _fail(
            "does it prevent production delivery? Say --prevents-delivery yes or no "
            "(category 'other' does not presume it)",
            as_json=args.json,
        )
    if not args.title.strip():
        return _fail("the title is empty", as_json=args.json)
    try:
        board = None if args.tracker_kind else load_board_config(args)
    except SetupError as err:
        return _fail(str(err), as_json=args.json)
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
        store = _open_store(args)
    except SetupError as err:
        return _fail(str(err), as_json=args.json)
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
            http = _http(args)
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
    state = board_state(board.name, specs, items, adapter.open_blockers())
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
        doc = _item_doc(item)
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


# --- outbox -------------------------------------------------------------------------------


def outbox_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="releasable outbox",
        description="Show the reports not delivered yet (list), deliver them now (send), or "
        "print one as Markdown (export KEY).",
        allow_abbrev=False,
    )
    parser.add_argument("action", nargs="?", default="list", choices=("list", "send", "export"))
    parser.add_argument("keys", nargs="*", metavar="KEY", help="send/export: these reports")
    _common(parser)
    return parser


def run_outbox(argv: Sequence[str]) -> int:
    """`releasable outbox [list|send|export]`; returns the exit code."""
    parsed = _parse(outbox_parser(), argv)
    if isinstance(parsed, int):
        return parsed
    args = parsed
    from app.store.outbox import Outbox

    try:
        store = _open_store(args)
    except SetupError as err:
        return _fail(str(err), as_json=args.json)
    try:
        outbox = Outbox(store)
        if args.action == "list":
            return _list(args, outbox.items())
        if args.action == "export":
            return _export(args, outbox)
        return _send(args, store, outbox)
    finally:
        store.close()


def _item_doc(item: OutboxItem) -> dict[str, Any]:
    def iso(when: datetime | None) -> str | None:
        return when.isoformat() if when else None

    return {
        "key": item.key,
        "state": item.state.value,
        "priority": item.priority.value,
        "title": item.title,
        "category": item.report.category,
        "url": item.url,
        "ref": item.ref,
        "last_error": item.last_error,
        "warnings": list(item.warnings),
        "attempts": item.attempts,
        "tracker_kind": item.tracker_kind,
        "queued_at": iso(item.queued_at),
        "next_attempt_at": iso(item.next_attempt_at),
        "sent_at": iso(item.sent_at),
    }


def _list(args: argparse.Namespace, items: list[OutboxItem]) -> int:
    if args.json:
        print(json.dumps([_item_doc(i) for i in items], indent=2, ensure_ascii=False))
        return 0
    if not items:
        print("The outbox is empty.")
        return 0
    for item in items:
        tail = item.url or item.last_error or ""
        print(f"{item.state.value:<8} {item.priority.value}  {item.key}  {item.title}")
        if tail:
            print(f"         {tail}")
    return 0


def _export(args: argparse.Namespace, outbox: Any) -> int:
    if not args.keys:
        return _fail("say which report: releasable outbox export KEY", as_json=args.json)
    for key in args.keys:
        try:
            text = outbox.export_markdown(key)
        except KeyError:
            return _fail(f"no report {key} in the outbox", as_json=args.json, code=1)
        print(json.dumps({"key": key, "markdown": text}) if args.json else text)
    return 0


def _send(args: argparse.Namespace, store: Store, outbox: Any) -> int:
    from app.store.outbox import OutboxState
    from app.trackers.outbox import deliver_due

    try:
        board = None if args.tracker_kind else load_board_config(args)
        tracker = resolve_tracker(args, board)
    except SetupError as err:
        return _fail(str(err), as_json=args.json)
    if tracker is None:
        waiting = len(outbox.items([OutboxState.QUEUED]))
        message = "no tracker is configured: reports stay local (`releasable outbox export KEY`)"
        if waiting:
            return _fail(f"{message}; {waiting} report(s) wait for one", as_json=args.json)
        print(json.dumps([]) if args.json else message)
        return 0
    for key in args.keys:
        if not outbox.requeue(key) and outbox.get(key) is None:
            return _fail(f"no report {key} in the outbox", as_json=args.json, code=1)
    http = _http(args)
    try:
        results = deliver_due(
            store, tracker, http, datetime.now(UTC), force=True, keys=set(args.keys) or None
        )
    finally:
        http.close()
    failed = any(r.state is OutboxState.FAILED for r in results)
    waiting = [i for i in outbox.pending() if i.state is OutboxState.QUEUED]
    if args.json:
        docs = [dataclasses.asdict(r) | {"state": r.state.value} for r in results]
        for doc in docs:
            for name in ("next_attempt_at", "not_before"):
                doc[name] = doc[name].isoformat() if doc[name] else None
        print(json.dumps(docs, indent=2, ensure_ascii=False))
        return 1 if failed else 0
    if not results:
        print("Nothing to send." if not waiting else f"{len(waiting)} report(s) still queued.")
    for r in results:
        if r.state is OutboxState.SENT:
            found = " (already filed)" if r.found_existing else ""
            print(f"sent     {r.priority}  {r.title}  {r.url}{found}")
            for warning in r.warnings:
                print(f"         warning: {warning}")
        elif r.state is OutboxState.FAILED:
            print(f"failed   {r.priority}  {r.title}: {r.error}")
        else:
            print(f"queued   {r.priority}  {r.title}: {r.error}")
    untried = len(waiting) - sum(1 for r in results if r.state is OutboxState.QUEUED)
    if results and untried > 0:
        print(f"{untried} more report(s) still queued.")
    return 1 if failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m app.reporting_cli report|outbox …` (the same as `releasable report|outbox`)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "report":
        return run_report(args[1:])
    if args and args[0] == "outbox":
        return run_outbox(args[1:])
    print("usage: python -m app.reporting_cli report|outbox ...", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
