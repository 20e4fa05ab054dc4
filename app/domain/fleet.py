"""The platform team's view of a fleet, as data: one `TeamRow` per team, in the order that
matters, and the fleet's worst verdict.

The order is the platform team's priority: teams that cannot deploy first, the longest
blocked at the top (a team blocked since yesterday outranks one blocked for five minutes),
then teams whose state nobody knows, then the releasable ones by name. A team whose board file
cannot be read is UNKNOWN with the reason in words; it is never left off the list.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from app.domain.model import Blocker, BlockerState, BoardSnapshot, Priority, VerdictState

_RANK = {VerdictState.NOT_RELEASABLE: 0, VerdictState.UNKNOWN: 1, VerdictState.RELEASABLE: 2}
# releasable 0, not releasable 1, unknown 2 — as `releasable status` exits for one board
EXIT_CODES = {VerdictState.RELEASABLE: 0, VerdictState.NOT_RELEASABLE: 1, VerdictState.UNKNOWN: 2}


@dataclass(frozen=True)
class OpenP1:
    """An open P1 as the platform view lists it: what, who is on it, where."""

    title: str
    who: str  # the assignee (who is on it), else the reporter, else ""
    url: str | None
    category: str
    opened_at: datetime


@dataclass(frozen=True)
class TeamRow:
    """One team: its verdict (state, reasons, since when) and its open P1s.

    `key` is the team's board file (path or address), stable across renames of the board.
    `snapshot` is the full board when it could be read (None when the board file could not).
    """

    key: str
    name: str
    state: VerdictState
    reasons: tuple[str, ...] = ()
    since: datetime | None = None
    p1s: tuple[OpenP1, ...] = ()
    planned: bool = False
    snapshot: BoardSnapshot | None = None


def open_p1s(blockers: Iterable[Blocker]) -> tuple[OpenP1, ...]:
    return tuple(
        OpenP1(b.title, b.assignee or b.reporter, b.url, b.category, b.opened_at)
        for b in blockers
        if b.state is BlockerState.OPEN and b.priority is Priority.P1
    )


def team_row(key: str, snapshot: BoardSnapshot) -> TeamRow:
    verdict = snapshot.verdict
    return TeamRow(
        key=key,
        name=snapshot.board.name,
        state=verdict.state,
        reasons=tuple(r.text for r in verdict.reasons),
        since=verdict.since,
        p1s=open_p1s(snapshot.board.blockers),
        planned=verdict.planned,
        snapshot=snapshot,
    )


def unreadable_row(key: str, name: str, words: str, since: datetime | None = None) -> TeamRow:
    """A team whose board file cannot be used: UNKNOWN, saying why."""
    return TeamRow(key=key, name=name, state=VerdictState.UNKNOWN, reasons=(words,), since=since)


def fleet_order(rows: Iterable[TeamRow]) -> list[TeamRow]:
    """NOT RELEASABLE longest-first, then UNKNOWN longest-first, then RELEASABLE by name."""

    def key(row: TeamRow) -> tuple[int, float, str]:
        if row.state is VerdictState.RELEASABLE:
            return (2, 0.0, row.name.casefold())
        since = row.since.timestamp() if row.since is not None else float("inf")
        return (_RANK[row.state], since, row.name.casefold())

    return sorted(rows, key=key)


def worst_state(rows: Sequence[TeamRow]) -> VerdictState:
    """NOT RELEASABLE if any team is, else UNKNOWN if any is (or there are none), else
    RELEASABLE."""
    states = {row.state for row in rows}
    if VerdictState.NOT_RELEASABLE in states:
        return VerdictState.NOT_RELEASABLE
    if VerdictState.UNKNOWN in states or not rows:
        return VerdictState.UNKNOWN
    return VerdictState.RELEASABLE


def counts(rows: Iterable[TeamRow]) -> dict[VerdictState, int]:
    found = dict.fromkeys(VerdictState, 0)
    for row in rows:
        found[row.state] += 1
    return found


__all__ = [
    "EXIT_CODES",
    "OpenP1",
    "TeamRow",
    "counts",
    "fleet_order",
    "open_p1s",
    "team_row",
    "unreadable_row",
    "worst_state",
]
