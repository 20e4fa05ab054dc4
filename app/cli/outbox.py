"""`releasable outbox [list|send|export|resolve]`: the reports filed from here, from a terminal.

`list` shows every report in the outbox with where it stands in the window's words, `send`
delivers everything waiting now (or the reports named), `export KEY` prints one as Markdown,
`resolve KEY` marks its blocker resolved here, as the window's "Mark resolved here" does (a P1
saved here with no tracker counts until then). Exit codes: 0 done, 4 `send` left reports
queued (the tracker could not be reached), 1 a report failed or is not in the outbox, 3 usage
or setup. No Qt; tokens are never printed.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

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
    plain,
    resolve_tracker,
    timeout_option,
    tracker_option_problem,
    tracker_options,
)
from app.domain.model import BlockerState
from app.domain.outbox import OutboxState

if TYPE_CHECKING:
    from app.store.outbox import Outbox, OutboxItem
    from app.store.store import Store

HELP = "list the reports filed from here; send the waiting ones, export or resolve one"


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "outbox",
        parents=[board_options(demo=False), json_option(), timeout_option(), tracker_options()],
        help=HELP,
        description="Show the reports filed from here and where each stands (list), deliver "
        "the waiting ones now (send), print one as Markdown (export KEY), or mark its blocker "
        "resolved here so it stops counting, as the window's 'Mark resolved here' does "
        "(resolve KEY). Exit 0 done, 4 reports still queued, 1 a report failed or is unknown, "
        "3 usage or setup.",
    )
    parser.add_argument(
        "action",
        nargs="?",
        default="list",
        choices=("list", "send", "export", "resolve"),
        help="%(choices)s (default: %(default)s)",
    )
    parser.add_argument(
        "keys",
        nargs="*",
        metavar="KEY",
        help="send: these reports (default: all waiting); export, resolve: these reports "
        "(at least one; `outbox list` shows the keys)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """`releasable outbox [list|send|export]`; returns the exit code."""
    problem = tracker_option_problem(args)
    if problem:
        return fail(problem, as_json=args.json)
    from app.store.outbox import Outbox

    try:
        store = open_store(args)
    except SetupError as err:
        return fail(str(err), as_json=args.json)
    try:
        outbox = Outbox(store)
        if args.action == "list":
            return _list(args, outbox.items(), outbox.resolved_here())
        if args.action == "export":
            return _export(args, outbox)
        if args.action == "resolve":
            return _resolve(args, outbox)
        return _send(args, store, outbox)
    finally:
        store.close()


def state_words(item: OutboxItem, resolved: bool) -> str:
    """Where the report stands, in the window's words (app/domain/words.py)."""
    from app.domain.words import OUTBOX_STATE_WORDS, RESOLVED_HERE

    if resolved and item.state is OutboxState.DRAFT:
        return RESOLVED_HERE
    return OUTBOX_STATE_WORDS[item.state]


def item_doc(item: OutboxItem, resolved: bool = False) -> dict[str, Any]:
    def iso(when: datetime | None) -> str | None:
        return when.isoformat() if when else None

    return {
        "key": item.key,
        "state": item.state.value,
        "state_words": state_words(item, resolved),
        "resolved_here": resolved,
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


def _list(args: argparse.Namespace, items: list[OutboxItem], resolved: set[str]) -> int:
    if args.json:
        docs = [item_doc(i, i.key in resolved) for i in items]
        print(json.dumps(docs, indent=2, ensure_ascii=False))
        return 0
    if not items:
        print("The outbox is empty.")
        return 0
    for item in items:
        print(f"{item.priority.value}  {item.key}  {plain(item.title)}")
        print(f"    {state_words(item, item.key in resolved)}")
        tail = item.url or (f"last try: {item.last_error}" if item.last_error else "")
        if tail:
            print(f"    {plain(tail)}")
    return 0


def _resolve(args: argparse.Namespace, outbox: Outbox) -> int:
    """Mark each named report's blocker resolved here, through the window's code."""
    if not args.keys:
        return fail("say which report: releasable outbox resolve KEY", as_json=args.json)
    docs = []
    for key in args.keys:
        was = outbox.resolve_here(key)
        if was is None:
            known = key in {b.key for b in outbox.blockers(open_only=False)}
            why = (
                f"{key} is a blocker read from the tracker: close its issue there to resolve it"
                if known
                else f"no report {key} in the outbox"
            )
            return fail(why, as_json=args.json, code=EXIT_FAILED)
        already = was.state is not BlockerState.OPEN
        docs.append({"key": key, "title": was.title, "priority": was.priority.value,
                     "resolved": True, "already": already})  # fmt: skip
        if not args.json:
            words = "already resolved" if already else "resolved here"
            print(f"{words:<16} {was.priority.value}  {plain(was.title)}")
    if args.json:
        print(json.dumps(docs, indent=2, ensure_ascii=False))
    return EXIT_OK


def _export(args: argparse.Namespace, outbox: Any) -> int:
    if not args.keys:
        return fail("say which report: releasable outbox export KEY", as_json=args.json)
    for key in args.keys:
        try:
            text = outbox.export_markdown(key)
        except KeyError:
            return fail(f"no report {key} in the outbox", as_json=args.json, code=EXIT_FAILED)
        print(json.dumps({"key": key, "markdown": text}) if args.json else text)
    return EXIT_OK


def _send(args: argparse.Namespace, store: Store, outbox: Any) -> int:
    from app.trackers.outbox import deliver_due

    try:
        board = None if args.tracker_kind else load_board_config(args)
        tracker = resolve_tracker(args, board)
    except SetupError as err:
        return fail(str(err), as_json=args.json)
    if tracker is None:
        queued = len(outbox.items([OutboxState.QUEUED]))
        message = "no tracker is configured: reports stay local (`releasable outbox export KEY`)"
        if queued:
            return fail(f"{message}; {queued} report(s) wait for one", as_json=args.json)
        print(json.dumps([]) if args.json else message)
        return 0
    for key in args.keys:
        if not outbox.requeue(key) and outbox.get(key) is None:
            return fail(f"no report {key} in the outbox", as_json=args.json, code=EXIT_FAILED)
    http = http_client(args)
    try:
        results = deliver_due(
            store, tracker, http, datetime.now(UTC), force=True, keys=set(args.keys) or None
        )
    finally:
        http.close()
    failed = any(r.state is OutboxState.FAILED for r in results)
    waiting = [i for i in outbox.pending() if i.state is OutboxState.QUEUED]
    code = EXIT_FAILED if failed else EXIT_QUEUED if waiting else EXIT_OK
    if args.json:
        docs = [dataclasses.asdict(r) | {"state": r.state.value} for r in results]
        for doc in docs:
            for name in ("next_attempt_at", "not_before"):
                doc[name] = doc[name].isoformat() if doc[name] else None
        print(json.dumps(docs, indent=2, ensure_ascii=False))
        return code
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
    return code


__all__ = ["add_parser", "item_doc", "run"]
