"""History figures of the board's verdict: timeline, time shares, time to restore, blockers.

Pure: it takes the board verdict's transitions as `(status, at)` pairs (what the store keeps
under its board key), the state before them and a window `[start, end)`, and computes

- the *timeline*: consecutive `Segment`s of RELEASABLE / NOT_RELEASABLE / UNKNOWN, or `None`
  where nothing was recorded yet (before the app's first verdict);
- the *share of time* in each state, over the recorded part of the window (time with no
  record is reported apart, never counted as releasable or not);
- the *time to restore releasability*: a spell is a stretch of not being releasable
  (NOT_RELEASABLE and UNKNOWN together: "NOT, then UNKNOWN, then RELEASABLE" is one spell). A
  spell counts when it ends in RELEASABLE inside the window; its length is measured from its
  real start, which may lie before the window (callers pass earlier transitions for that, see
  `load_figures`). A spell still going at the end is reported separately (`open_spell`);
- *blockers per category* filed in the window, how many are closed and their time to close
  (app.domain.blocker_history).

The store's own records satisfy the small `HistorySource` protocol, so `load_figures` does the
query and the computing in one call without this module importing the store.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from app.domain.blocker_history import CategoryFigures, blocker_figures, category_label
from app.domain.model import Blocker, VerdictState

BOARD_KEY = "board"  # the store's item key for the board's own verdict (app.store.records)


class Window(StrEnum):
    """The periods the history view offers."""

    DAY = "24h"
    WEEK = "7d"
    MONTH = "30d"

    @property
    def duration(self) -> timedelta:
        return {
            Window.DAY: timedelta(hours=24),
            Window.WEEK: timedelta(days=7),
            Window.MONTH: timedelta(days=30),
        }[self]

    @property
    def short(self) -> str:
        """Button text: '24 h', '7 d', '30 d'."""
        return {Window.DAY: "24 h", Window.WEEK: "7 d", Window.MONTH: "30 d"}[self]

    @property
    def words(self) -> str:
        """'last 24 hours', 'last 7 days', 'last 30 days'."""
        return {
            Window.DAY: "last 24 hours",
            Window.WEEK: "last 7 days",
            Window.MONTH: "last 30 days",
        }[self]


class StateChange(Protocol):
    """One recorded change of the verdict (the store's `Transition` is one)."""

    @property
    def status(self) -> str: ...

    @property
    def at(self) -> datetime: ...


class HistorySource(Protocol):
    """The two queries history needs (`app.store.Store` provides both)."""

    def transitions(
        self, since: datetime, until: datetime | None = None, item_key: str | None = None
    ) -> Sequence[StateChange]: ...

    def status_before(self, item_key: str, at: datetime) -> str | None: ...


Change = tuple[str | VerdictState, datetime]
_STATES: dict[str, VerdictState] = {s.value: s for s in VerdictState}
_NOT_RELEASABLE = (VerdictState.NOT_RELEASABLE, VerdictState.UNKNOWN)
# How far back `load_figures` looks for the start of a spell carried into the window, in steps
# (most spells are short: one day of rows usually finds it).
LOOKBACK_STEPS = (timedelta(days=1), timedelta(days=7), timedelta(days=30), timedelta(days=90))


def verdict_state(status: str | VerdictState | None) -> VerdictState | None:
    """The verdict a stored status word means: None is "no record", unrecognised is UNKNOWN."""
    if status is None:
        return None
    return _STATES.get(status, VerdictState.UNKNOWN)


@dataclass(frozen=True, slots=True)
class Segment:
    """The verdict was `state` over `[start, end)`; `state` None means nothing was recorded."""

    state: VerdictState | None
    start: datetime
    end: datetime

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


@dataclass(frozen=True, slots=True)
class Spell:
    """A stretch of not being releasable, from `start` until `end`.

    `restored` is True when it ended in RELEASABLE at `end`; False for the spell still going at
    the end of the window. `start_known` is False when the spell began before the earliest
    history looked at: then `start` is that earliest time and the length is a lower bound.
    """

    start: datetime
    end: datetime
    restored: bool
    start_known: bool = True

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


@dataclass(frozen=True)
class HistoryFigures:
    """Everything the history view shows for one window."""

    start: datetime
    end: datetime
    segments: tuple[Segment, ...]
    restores: tuple[Spell, ...] = ()
    open_spell: Spell | None = None
    categories: tuple[CategoryFigures, ...] = ()
    window: Window | None = None
    board_name: str = ""

    @property
    def seconds(self) -> dict[VerdictState, float]:
        """Recorded seconds per verdict state."""
        totals = dict.fromkeys(VerdictState, 0.0)
        for seg in self.segments:
            if seg.state is not None:
                totals[seg.state] += seg.seconds
        return totals

    @property
    def recorded_s(self) -> float:
        """Seconds of the window with a recorded verdict."""
        return sum(self.seconds.values())

    @property
    def no_record_s(self) -> float:
        return max(0.0, (self.end - self.start).total_seconds() - self.recorded_s)

    def share(self, state: VerdictState) -> float | None:
        """Fraction (0..1) of the recorded time spent in `state`; None with no record at all."""
        recorded = self.recorded_s
        return None if recorded <= 0 else self.seconds.get(state, 0.0) / recorded

    @property
    def median_restore_s(self) -> float | None:
        times = [s.seconds for s in self.restores]
        return statistics.median(times) if times else None

    @property
    def longest_restore(self) -> Spell | None:
        return max(self.restores, key=lambda s: s.seconds, default=None)

    @property
    def longest_restore_s(self) -> float | None:
        longest = self.longest_restore
        return None if longest is None else longest.seconds

    @property
    def blockers_filed(self) -> int:
        return sum(c.filed for c in self.categories)


Parsed = list[tuple[VerdictState, datetime]]


def _sorted_changes(changes: Iterable[Change]) -> Parsed:
    # sorted() is stable: two changes at the same instant keep their recorded order.
    pairs = [(verdict_state(s) or VerdictState.UNKNOWN, at) for s, at in changes]
    pairs.sort(key=lambda p: p[1])
    return pairs


def timeline(
    changes: Iterable[Change],
    before: str | VerdictState | None,
    start: datetime,
    end: datetime,
) -> list[Segment]:
    """The verdict over `[start, end)` as consecutive segments, same states merged.

    `changes` may include changes before `start` (they set the state carried into the window)
    and after `end` (ignored); `before` is the state before the earliest of them (None when
    nothing was recorded before).
    """
    return _timeline(_sorted_changes(changes), verdict_state(before), start, end)


def _timeline(
    changes: Parsed, state: VerdictState | None, start: datetime, end: datetime
) -> list[Segment]:
    if end <= start:
        return []
    cursor = start
    segments: list[Segment] = []

    def add(seg_state: VerdictState | None, until: datetime) -> None:
        if until <= cursor:
            return
        if segments and segments[-1].state is seg_state:
            segments[-1] = Segment(seg_state, segments[-1].start, until)
        else:
            segments.append(Segment(seg_state, cursor, until))

    for new_state, at in changes:
        if at >= end:
            break
        if new_state is not state and at > start:
            add(state, at)
            cursor = at
        state = new_state
    add(state, end)
    return segments


def spells(
    changes: Iterable[Change],
    before: str | VerdictState | None,
    start: datetime,
    end: datetime,
    history_start: datetime | None = None,
) -> tuple[list[Spell], Spell | None]:
    """Spells restored inside `[start, end)`, and the spell still open at `end` (if any).

    `history_start` is when the earliest change given could have begun (the start of the
    query); a spell already going then has an unknown start. Defaults to `start`.
    """
    first = history_start if history_start is not None else start
    return _spells(_sorted_changes(changes), verdict_state(before), start, end, first)


def _spells(
    changes: Parsed,
    state: VerdictState | None,
    start: datetime,
    end: datetime,
    first: datetime,
) -> tuple[list[Spell], Spell | None]:
    began: datetime | None = None
    known = True
    if state in _NOT_RELEASABLE:
        began, known = first, False
    restored: list[Spell] = []
    for new_state, at in changes:
        if at >= end:
            break
        if new_state is VerdictState.RELEASABLE:
            if began is not None and at >= start and at > began:
                restored.append(Spell(began, at, restored=True, start_known=known))
            began = None
        elif began is None:
            began, known = at, True
    still = None if began is None else Spell(began, end, restored=False, start_known=known)
    return restored, still


def compute_figures(
    changes: Sequence[Change],
    before: str | VerdictState | None,
    start: datetime,
    end: datetime,
    blockers: Iterable[Blocker] = (),
    *,
    window: Window | None = None,
    history_start: datetime | None = None,
    board_name: str = "",
) -> HistoryFigures:
    """All figures for `[start, end)` (see the module docstring for what each one means)."""
    parsed = _sorted_changes(changes)
    state = verdict_state(before)
    first = history_start if history_start is not None else start
    restored, still = _spells(parsed, state, start, end, first)
    return HistoryFigures(
        start=start,
        end=end,
        segments=tuple(_timeline(parsed, state, start, end)),
        restores=tuple(restored),
        open_spell=still,
        categories=blocker_figures(blockers, start, end),
        window=window,
        board_name=board_name,
    )


def _carried_in(
    source: HistorySource, key: str, start: datetime, before: str | None
) -> tuple[list[Change], str | None, datetime]:
    """Changes before `start` back to the beginning of the spell going at `start`, if any.

    Returns (those changes, the state before them, when they were read from). Looks back in
    `LOOKBACK_STEPS`; a spell longer than the last step keeps an unknown start.
    """
    earlier: list[Change] = []
    until = since = start
    for step in LOOKBACK_STEPS:
        if verdict_state(before) not in _NOT_RELEASABLE:
            break
        since = start - step
        rows = [(t.status, t.at) for t in source.transitions(since, until, item_key=key)]
        earlier = rows + earlier
        before = source.status_before(key, since)
        if any(verdict_state(s) is VerdictState.RELEASABLE for s, _ in rows):
            break
        until = since
    return earlier, before, since


def load_figures(
    window: Window,
    now: datetime,
    source: HistorySource,
    blockers: Iterable[Blocker] = (),
    *,
    board_key: str = BOARD_KEY,
    board_name: str = "",
) -> HistoryFigures:
    """Query the board verdict's history from `source` and compute the window ending `now`.

    Indexed queries on the board's own rows only: the window's transitions and the state
    before it, and, when the team was not releasable at the window's start, the rows back to
    where that spell began. Blocking (it reads the database): run it off the GUI thread.
    """
    start = now - window.duration
    rows = [(t.status, t.at) for t in source.transitions(start, now, item_key=board_key)]
    before = source.status_before(board_key, start)
    earlier, before, since = _carried_in(source, board_key, start, before)
    return compute_figures(
        earlier + rows,
        before,
        start,
        now,
        blockers,
        window=window,
        history_start=since,
        board_name=board_name,
    )


__all__ = [
    "BOARD_KEY",
    "CategoryFigures",
    "Change",
    "HistoryFigures",
    "HistorySource",
    "Segment",
    "Spell",
    "Window",
    "blocker_figures",
    "category_label",
    "compute_figures",
    "load_figures",
    "spells",
    "timeline",
    "verdict_state",
]
