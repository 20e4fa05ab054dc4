"""Verdict rules for blockers and the tracker (issue 12, points 7 and 8), as tables.

A P1 counts from the moment it is reported, sent or still queued ("not sent yet"); the
tracker's list of the team's open blockers is read like a source: not read within its
staleness limit (or not at all), the verdict is UNKNOWN naming the tracker and the error,
unless the board opted out; P1s already known still count, and a known failure outranks.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from app.domain.model import (
    Blocker,
    BlockerState,
    BoardState,
    EnvironmentReading,
    Health,
    ItemKind,
    Observed,
    Priority,
    TrackerRead,
    VerdictState,
)
from app.domain.verdict import decide

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
R, N, U = VerdictState.RELEASABLE, VerdictState.NOT_RELEASABLE, VerdictState.UNKNOWN

STAGING = Observed(
    key="environment:staging",
    kind=ItemKind.ENVIRONMENT,
    name="staging",
    reading=EnvironmentReading(health=Health.UP),
    read_at=NOW - timedelta(seconds=10),
)
P1 = Blocker(
    key="rls-1",
    title="Laptop won't boot",
    category="workstation-broken",
    priority=Priority.P1,
    opened_at=NOW - timedelta(minutes=5),
    reporter="Dana",
)


def tracker(
    read_s_ago: float | None, error: str | None = None, *, delivery_path: bool = True
) -> TrackerRead:
    return TrackerRead(
        name="GitHub acme/platform",
        stale_after_s=180,
        read_at=None if read_s_ago is None else NOW - timedelta(seconds=read_s_ago),
        error=error,
        delivery_path=delivery_path,
    )


def board(blockers: tuple[Blocker, ...] = (), read: TrackerRead | None = None) -> BoardState:
    return BoardState("Payments", environments=(STAGING,), blockers=blockers, tracker=read)


QUEUED = replace(P1, pending=True)
SENT = replace(P1, url="https://github.com/acme/platform/issues/7")
CLOSED = replace(SENT, state=BlockerState.CLOSED, closed_at=NOW)
P2_QUEUED = replace(QUEUED, priority=Priority.P2)

CASES = [
    # (name, blockers, tracker read, verdict, words every reason line must hold together)
    ("no tracker, nothing open", (), None, R, []),
    ("queued P1 counts", (QUEUED,), None, N, ["Laptop won't boot", "not sent yet"]),
    ("sent P1 counts", (SENT,), tracker(10), N, ["Laptop won't boot"]),
    ("closed P1 does not count", (CLOSED,), tracker(10), R, []),
    ("queued P2 does not count", (P2_QUEUED,), tracker(10), R, []),
    ("tracker read just now", (), tracker(10), R, []),
    ("tracker read at the limit", (), tracker(180), R, []),
    (
        "tracker stale",
        (),
        tracker(181, "connection refused"),
        U,
        ["tracker GitHub acme/platform", "not read since", "connection refused"],
    ),
    (
        "tracker never read (one-shot status could not read it)",
        (),
        tracker(None, "no answer within 10 s"),
        U,
        ["tracker GitHub acme/platform", "not read", "no answer within 10 s"],
    ),
    ("opted out: delivery_path = false", (), tracker(None, "down", delivery_path=False), R, []),
    (
        "known P1 outranks the unread tracker, and both are said",
        (QUEUED,),
        tracker(None, "connection refused"),
        N,
        ["not sent yet", "connection refused"],
    ),
]


@pytest.mark.parametrize(
    ("blockers", "read", "expected", "words"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_blockers_and_tracker_verdict(
    blockers: tuple[Blocker, ...],
    read: TrackerRead | None,
    expected: VerdictState,
    words: list[str],
) -> None:
    verdict = decide(board(blockers, read), NOW)
    assert verdict.state is expected
    said = " | ".join(r.text for r in verdict.reasons)
    for word in words:
        assert word in said, said
    if expected is R:
        assert verdict.reasons == ()


def test_the_tracker_reason_is_unknown_and_names_its_item() -> None:
    verdict = decide(board((), tracker(None, "HTTP 503")), NOW)
    (reason,) = verdict.reasons
    assert reason.state is U
    assert reason.item_key == "tracker"
